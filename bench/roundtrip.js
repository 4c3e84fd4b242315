// roundtrip.js - the decision benchmark's peer: read a JSONL file, and for
// each line JSON.parse it and JSON.stringify it back, writing one line out.
//
// It does the I/O and the JSON work that `stipend decide --jsonl` must do at
// the least, with none of the deciding, so the ratio of the two says what the
// rules and the trace cost over reading and writing JSON. Prints the number of
// lines it passed on standard error.
//
//   node bench/roundtrip.js apps.jsonl > /dev/null
'use strict';
const fs = require('fs');

const fd = fs.openSync(process.argv[2], 'r');
const chunk = Buffer.alloc(1 << 20);
let rest = Buffer.alloc(0);
let out = [];
let lines = 0;

function flush() {
  if (out.length > 0) {
    fs.writeSync(1, out.join('\n') + '\n');
    out = [];
  }
}

function pass(buf) {
  if (buf.length === 0) return;
  out.push(JSON.stringify(JSON.parse(buf.toString('utf8'))));
  lines++;
  if (out.length >= 1024) flush();
}

for (;;) {
  const n = fs.readSync(fd, chunk, 0, chunk.length, null);
  if (n === 0) break;
  const data = rest.length ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
  let from = 0;
  let nl;
  while ((nl = data.indexOf(10, from)) !== -1) {
    pass(data.subarray(from, nl));
    from = nl + 1;
  }
  rest = Buffer.from(data.subarray(from));
}
pass(rest);
flush();
process.stderr.write(`${lines}\n`);
