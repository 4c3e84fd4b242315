// agree.js - part D's agreement check: stipend's decisions beside the
// json-rules-engine peer's (peer-rules.js), case by case.
//
// For each line the peer answered, takes the same line of the applications
// and of stipend's output (`stipend decide --jsonl` on the same file, one
// decision a line in the same order), and compares the boarding grant's
// amount (0 when stipend awards none) and the manual reasons the peer can
// give, as a set. For a pupil the peer places under the rules for higher
// education ("adult"), it checks that stipend's trace went there too. Prints the number compared, the number of disagreements
// and the first five in full, then one line for the benchmark to read:
//
//   agree: compared=N disagreements=M
//
// Exits 0 when all agree, 1 when some disagree, 2 when the files do not fit.
//
//   node bench/agree.js apps.jsonl stipend.jsonl peer.jsonl
'use strict';
const fs = require('fs');

// The manual reasons the peer's rules can give; stipend's others (from the
// higher-education and repayment schemes) cannot occur for these cases, and
// are left out of the comparison if they did.
const CODES = new Set([
  'special-circumstances',
  'household-facts-missing',
  'parameter-not-in-force',
  'travel-missing',
  'no-youth-entitlement',
]);
const SHOW = 5;

function lines(file) {
  const l = fs.readFileSync(file, 'utf8').split('\n');
  if (l.length > 0 && l[l.length - 1] === '') l.pop();
  return l;
}

function stipendAnswer(line) {
  const d = JSON.parse(line);
  if (d.error !== undefined) return { error: d };
  const award = (d.awards || []).find((a) => a.name === 'boarding-grant');
  const manual = (d.manual_reasons || []).map((r) => r.code).filter((c) => CODES.has(c));
  const adult = (d.trace || []).some((t) => t.rule === 'upper-secondary.adult');
  return { boarding_grant: award ? award.amount : 0, manual: [...new Set(manual)].sort(), outcome: d.outcome, adult };
}

function main() {
  if (process.argv.length !== 5) {
    process.stderr.write('usage: node bench/agree.js apps.jsonl stipend.jsonl peer.jsonl\n');
    process.exit(2);
  }
  const apps = lines(process.argv[2]);
  const stipend = lines(process.argv[3]);
  const peer = lines(process.argv[4]);
  if (stipend.length !== apps.length) {
    process.stderr.write(`agree: ${apps.length} applications but ${stipend.length} stipend decisions\n`);
    process.exit(2);
  }
  let compared = 0;
  let disagree = 0;
  for (const pl of peer) {
    const p = JSON.parse(pl);
    const i = p.line - 1;
    if (!(i >= 0 && i < apps.length)) {
      process.stderr.write(`agree: the peer answered line ${p.line}, which the applications do not have\n`);
      process.exit(2);
    }
    const s = stipendAnswer(stipend[i]);
    const same = s.error === undefined && (p.adult
      ? s.adult
      : !s.adult && s.boarding_grant === p.boarding_grant && s.manual.join(',') === p.manual.join(','));
    compared++;
    if (same) continue;
    disagree++;
    if (disagree <= SHOW) {
      console.log(`  disagreement ${disagree}, line ${p.line}:`);
      console.log(`    application: ${apps[i]}`);
      console.log(`    stipend:     ${JSON.stringify(s)}`);
      console.log(`    peer:        ${JSON.stringify(p.adult ? { adult: true } : { boarding_grant: p.boarding_grant, manual: p.manual })}`);
    }
  }
  console.log(`agree: compared=${compared} disagreements=${disagree}`);
  process.exit(disagree === 0 ? 0 : 1);
}

main();
