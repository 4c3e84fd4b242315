#!/usr/bin/env node
// mail-sink.mjs - a local SMTP server for the demo (npm smtp-server): it
// accepts every message and writes it, as received, to DIR/NNNN.eml, so
// that the e-mail notices stipend sends can be read without a mail system.
//
//   node tools/mail-sink.mjs [--listen 127.0.0.1:2525] [--dir demo/mail]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const [host, port] = opt('--listen', '127.0.0.1:2525').split(':');
const dir = opt('--dir', 'demo/mail');
mkdirSync(dir, { recursive: true });
let n = readdirSync(dir).filter((f) => f.endsWith('.eml')).length;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  size: 1024 * 1024,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      n += 1;
      const file = path.join(dir, `${String(n).padStart(4, '0')}.eml`);
      writeFileSync(file, Buffer.concat(chunks));
      // The file name only: the recipient's address stays out of the log.
      console.log(`mail-sink: ${file}`);
      callback();
    });
  },
});
server.on('error', (err) => { console.error(`mail-sink: ${err.message}`); process.exit(1); });
server.listen(Number(port), host, () => console.log(`mail-sink: smtp://${host}:${port}, writing to ${dir}/`));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
