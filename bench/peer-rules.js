// peer-rules.js - part D's peer: stipend's boarding-grant and means-tested
// grant rules for upper secondary school, written for json-rules-engine.
//
// Reads a JSONL file of applications, keeps the upper-secondary ones, and
// runs each through one Engine built once: the rules are JSON (conditions
// and events, as a json-rules-engine user would store them), the derived
// facts (age in the start year, months of the school year, the day's travel
// with walking) are the engine's dynamic facts, and the parameters are read
// from the same files stipend embeds (params/no/<school year>/
// upper-secondary.yaml), as in force on 1 August of the school year. A value
// the files do not hold sends the case to a person (parameter-not-in-force),
// as stipend does; the thresholds the rules compare against must be there.
//
// The rules, after src/rules/upper_secondary.c (forskrift om
// utdanningsstøtte del 2):
//   - the rules for ordinary upper secondary: 20 or younger in the calendar
//     year the school year starts without a qualification, or in the
//     transition scheme (transition.* in force: the given ages in the
//     reference year, support under these rules the year before); anyone
//     else is decided by the rules for higher education, which this peer
//     does not hold: it answers "adult" and the check compares only that
//     stipend went there too;
//   - months: those of the school year (1 Aug - 31 Jul) the education
//     touches, at most 10; none, nothing more;
//   - boarding grant: a pupil with children of their own gets it wherever
//     they live (the monthly rate times the months); for one without, not
//     living with the parents: no travel
//     given, manual travel-missing; 40 km or more, or a day's travel of 180
//     minutes or more with walking at 15 minutes a km, the monthly rate times
//     the months (no rate in force: parameter-not-in-force); neither, with
//     special circumstances claimed, manual special-circumstances;
//   - means-tested grant, when the parents' incomes are given: none above
//     the combined ceiling; at or under it, the income table's band not in
//     force: parameter-not-in-force; in force, manual
//     household-facts-missing (the household facts that set the rate are
//     not in the application);
//   - travel grant (#9): a pupil not living with the parents, with travel
//     given, 110 km or more from home (travel_grant.min_distance_km) while
//     the kilometre rate is not in force: parameter-not-in-force, as
//     stipend; the rates are not held for any year the mix uses, so the
//     grant itself is not computed here;
//   - the equipment and child grants are not computed here, but the rates
//     they need are checked as stipend checks them, because a rate not in
//     force is one of the reasons compared.
//
// Writes one line per upper-secondary application: its line number in the
// input, the boarding grant (0 if none) and the sorted manual reasons. On
// standard error, one line: how many were decided and the engine loop's
// time, which covers engine.run for every application and nothing else (the
// file is read and parsed before it, the answers written after it).
//
//   node bench/peer-rules.js [--limit N] apps.jsonl > peer.jsonl
'use strict';
const fs = require('fs');
const path = require('path');
const { Engine } = require('json-rules-engine');

const PARAMS_DIR = path.join(__dirname, '..', 'params', 'no');

// The parameters a rule compares against: without them the rules mean
// nothing, so the peer refuses to run rather than guess.
const THRESHOLDS = [
  'youth.max_age_in_start_year',
  'upper_secondary.months',
  'boarding_grant.min_distance_km',
  'boarding_grant.min_daily_travel_minutes',
  'boarding_grant.walking_minutes_per_km',
];

// The flat YAML of params/: a key at the margin, then indented value,
// valid_from and valid_to. Returns the values in force on the day.
function readParams(file, day) {
  const values = new Map();
  let key = null;
  let cur = {};
  const done = () => {
    if (key !== null && cur.valid_from <= day && day <= cur.valid_to) values.set(key, Number(cur.value));
  };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    let m;
    if ((m = /^([A-Za-z0-9_.]+):\s*$/.exec(line))) {
      done();
      key = m[1];
      cur = {};
    } else if ((m = /^\s+(value|valid_from|valid_to):\s*(\S+)\s*$/.exec(line))) {
      cur[m[1]] = m[2];
    }
  }
  done();
  return values;
}

// Parameters by school year, read the first time a year is met.
const paramsByYear = new Map();
function paramsFor(schoolYear) {
  let p = paramsByYear.get(schoolYear);
  if (p === undefined) {
    const file = path.join(PARAMS_DIR, schoolYear, 'upper-secondary.yaml');
    p = readParams(file, `${schoolYear.slice(0, 4)}-08-01`);
    for (const k of THRESHOLDS)
      if (!p.has(k)) throw new Error(`${file}: ${k} is not in force on 1 August; the peer cannot decide without it`);
    paramsByYear.set(schoolYear, p);
  }
  return p;
}

// --- The engine: facts --------------------------------------------------------

function ymd(s) {
  return [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))];
}

// Months from the month of `from` to the month of `to`, both counted.
function monthsTouched(from, to) {
  if (to < from) return 0;
  const [y1, m1] = ymd(from);
  const [y2, m2] = ymd(to);
  return (y2 - y1) * 12 + (m2 - m1) + 1;
}

// A dotted path ('$.applicant.lives_with_parents') read by plain property
// access: the engine's documented pathResolver option, which spares every
// condition with a path the general JSONPath library it uses by default.
// The peer is given its fastest honest setting, so that the ratio to it is
// not flattered.
function resolvePath(obj, p) {
  let v = obj;
  for (const k of p.slice(2).split('.')) v = v == null ? undefined : v[k];
  return v;
}

function buildEngine() {
  const engine = new Engine([], {
    allowUndefinedFacts: true,
    replaceFactsInEventParams: true,
    pathResolver: resolvePath,
  });
  const app = (almanac) => almanac.factValue('application');
  const param = async (almanac, key) => {
    const v = paramsFor((await app(almanac)).school_year).get(key);
    return v === undefined ? null : v;
  };

  // A parameter in force for the school year, or null.
  engine.addFact('param', (params, almanac) => param(almanac, params.key));
  engine.addFact('age_in_start_year', async (params, almanac) => {
    const a = await app(almanac);
    return Number(a.school_year.slice(0, 4)) - ymd(a.applicant.birth_date)[0];
  });
  // Whether the rules for ordinary upper secondary apply (see above).
  engine.addFact('youth_rules', async (params, almanac) => {
    const a = await app(almanac);
    if (a.applicant.qualification === true) return false;
    if ((await almanac.factValue('age_in_start_year')) <= (await param(almanac, 'youth.max_age_in_start_year')))
      return true;
    const year = await param(almanac, 'transition.reference_year');
    if (year === null || a.applicant.youth_support_last_year !== true) return false;
    const age = year - ymd(a.applicant.birth_date)[0];
    return age >= (await param(almanac, 'transition.min_age')) && age <= (await param(almanac, 'transition.max_age'));
  });
  engine.addFact('support_months', async (params, almanac) => {
    const a = await app(almanac);
    const y1 = Number(a.school_year.slice(0, 4));
    const first = `${y1}-08-01`;
    const last = `${y1 + 1}-07-31`;
    const from = a.education.start > first ? a.education.start : first;
    const to = a.education.end < last ? a.education.end : last;
    return Math.min(monthsTouched(from, to), await param(almanac, 'upper_secondary.months'));
  });
  engine.addFact('has_travel', async (params, almanac) => (await app(almanac)).travel != null);
  engine.addFact('distance_km', async (params, almanac) => {
    const t = (await app(almanac)).travel;
    return t && t.distance_km !== undefined ? t.distance_km : 0;
  });
  // The day's travel there and back, walking counted by the kilometre.
  engine.addFact('travel_minutes', async (params, almanac) => {
    const t = (await app(almanac)).travel || {};
    const perKm = await param(almanac, 'boarding_grant.walking_minutes_per_km');
    return (t.daily_travel_minutes || 0) + (t.walking_km || 0) * perKm;
  });
  engine.addFact('boarding_grant_amount', async (params, almanac) => {
    const monthly = await param(almanac, 'boarding_grant.monthly');
    return monthly * (await almanac.factValue('support_months'));
  });
  engine.addFact('parents_count', async (params, almanac) => ((await app(almanac)).parents || []).length);
  engine.addFact('parents_income', async (params, almanac) =>
    ((await app(almanac)).parents || []).reduce((sum, p) => sum + p.income, 0),
  );
  engine.addFact('equipment_rate', async (params, almanac) => {
    const e = (await app(almanac)).education;
    return e.equipment_rate || 0;
  });
  engine.addFact('equipment_annual', async (params, almanac) => {
    const rate = await almanac.factValue('equipment_rate');
    return param(almanac, `equipment_grant.rate_${rate}`);
  });
  engine.addFact('children_count', async (params, almanac) => ((await app(almanac)).applicant.children || []).length);

  // --- The engine: rules, as JSON ---------------------------------------------

  const P = (key) => ({ fact: 'param', params: { key } });
  const missing = (key) => ({ fact: 'param', params: { key }, operator: 'equal', value: null });
  const present = (key) => ({ fact: 'param', params: { key }, operator: 'notEqual', value: null });
  const manual = (code) => ({ type: 'manual', params: { code } });
  // The income table's first band for an application without its
  // household (table A, no siblings): stipend reads it first.
  const MT_BAND = 'means_tested_grant.table_a.siblings_0.band_1_max';

  engine.setCondition('in-school-year', {
    all: [
      { fact: 'youth_rules', operator: 'equal', value: true },
      { fact: 'support_months', operator: 'greaterThanInclusive', value: 1 },
    ],
  });
  engine.setCondition('own-children', {
    all: [{ condition: 'in-school-year' }, { fact: 'children_count', operator: 'greaterThan', value: 0 }],
  });
  engine.setCondition('lives-away-with-travel', {
    all: [
      { condition: 'in-school-year' },
      { fact: 'children_count', operator: 'equal', value: 0 },
      { fact: 'application', path: '$.applicant.lives_with_parents', operator: 'notEqual', value: true },
      { fact: 'has_travel', operator: 'equal', value: true },
    ],
  });
  engine.setCondition('far-or-long-day', {
    any: [
      { fact: 'distance_km', operator: 'greaterThanInclusive', value: P('boarding_grant.min_distance_km') },
      { fact: 'travel_minutes', operator: 'greaterThanInclusive', value: P('boarding_grant.min_daily_travel_minutes') },
    ],
  });
  engine.setCondition('parents-given', {
    all: [
      { condition: 'in-school-year' },
      { fact: 'parents_count', operator: 'greaterThanInclusive', value: 1 },
    ],
  });

  const rules = [
    {
      name: 'upper-secondary.adult',
      conditions: { all: [{ fact: 'youth_rules', operator: 'equal', value: false }] },
      event: { type: 'adult' },
    },
    {
      name: 'boarding-grant.own-children',
      conditions: { all: [{ condition: 'own-children' }, present('boarding_grant.monthly')] },
      event: { type: 'award', params: { name: 'boarding-grant', amount: { fact: 'boarding_grant_amount' } } },
    },
    {
      name: 'boarding-grant.own-children-rate-not-in-force',
      conditions: { all: [{ condition: 'own-children' }, missing('boarding_grant.monthly')] },
      event: manual('parameter-not-in-force'),
    },
    {
      name: 'boarding-grant.no-travel',
      conditions: {
        all: [
          { condition: 'in-school-year' },
          { fact: 'children_count', operator: 'equal', value: 0 },
          { fact: 'application', path: '$.applicant.lives_with_parents', operator: 'notEqual', value: true },
          { fact: 'has_travel', operator: 'equal', value: false },
        ],
      },
      event: manual('travel-missing'),
    },
    {
      name: 'boarding-grant.amount',
      conditions: {
        all: [
          { condition: 'lives-away-with-travel' },
          { condition: 'far-or-long-day' },
          present('boarding_grant.monthly'),
        ],
      },
      event: { type: 'award', params: { name: 'boarding-grant', amount: { fact: 'boarding_grant_amount' } } },
    },
    {
      name: 'boarding-grant.rate-not-in-force',
      conditions: {
        all: [{ condition: 'lives-away-with-travel' }, { condition: 'far-or-long-day' }, missing('boarding_grant.monthly')],
      },
      event: manual('parameter-not-in-force'),
    },
    {
      name: 'boarding-grant.special',
      conditions: {
        all: [
          { condition: 'lives-away-with-travel' },
          { not: { condition: 'far-or-long-day' } },
          { fact: 'application', path: '$.special_circumstances', operator: 'equal', value: true },
        ],
      },
      event: manual('special-circumstances'),
    },
    {
      // #9: the travel grant, whose kilometre rates no page held gives.
      name: 'travel-grant.rate-not-in-force',
      conditions: {
        all: [
          { condition: 'in-school-year' },
          { fact: 'application', path: '$.applicant.lives_with_parents', operator: 'notEqual', value: true },
          { fact: 'has_travel', operator: 'equal', value: true },
          present('travel_grant.min_distance_km'),
          { fact: 'distance_km', operator: 'greaterThanInclusive', value: P('travel_grant.min_distance_km') },
          missing('travel_grant.rate_first_300_km'),
        ],
      },
      event: manual('parameter-not-in-force'),
    },
    {
      name: 'means-tested-grant.above-ceiling',
      conditions: {
        all: [
          { condition: 'parents-given' },
          present('means_tested_grant.income_max'),
          { fact: 'parents_income', operator: 'greaterThan', value: P('means_tested_grant.income_max') },
        ],
      },
      event: { type: 'refused', params: { name: 'means-tested-grant' } },
    },
    {
      name: 'means-tested-grant.household',
      conditions: {
        all: [
          { condition: 'parents-given' },
          present('means_tested_grant.income_max'),
          { fact: 'parents_income', operator: 'lessThanInclusive', value: P('means_tested_grant.income_max') },
          present(MT_BAND),
        ],
      },
      event: manual('household-facts-missing'),
    },
    {
      // Under the ceiling the income table's band is read; not held, the
      // case goes to a person naming it.
      name: 'means-tested-grant.table-not-in-force',
      conditions: {
        all: [
          { condition: 'parents-given' },
          present('means_tested_grant.income_max'),
          { fact: 'parents_income', operator: 'lessThanInclusive', value: P('means_tested_grant.income_max') },
          missing(MT_BAND),
        ],
      },
      event: manual('parameter-not-in-force'),
    },
    {
      name: 'means-tested-grant.ceiling-not-in-force',
      conditions: { all: [{ condition: 'parents-given' }, missing('means_tested_grant.income_max')] },
      event: manual('parameter-not-in-force'),
    },
    {
      name: 'equipment-grant.rate-not-in-force',
      conditions: {
        all: [
          { condition: 'in-school-year' },
          { fact: 'equipment_rate', operator: 'greaterThan', value: 0 },
          { fact: 'equipment_annual', operator: 'equal', value: null },
        ],
      },
      event: manual('parameter-not-in-force'),
    },
    {
      name: 'child-grant.rates-not-in-force',
      conditions: {
        all: [
          { condition: 'in-school-year' },
          { fact: 'children_count', operator: 'greaterThan', value: 0 },
          {
            any: [
              missing('child_grant.last_year_age'),
              missing('child_grant.monthly'),
              missing('child_grant.monthly_third_fourth'),
            ],
          },
        ],
      },
      event: manual('parameter-not-in-force'),
    },
  ];
  for (const r of rules) engine.addRule(r);
  return engine;
}

// --- Main ---------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  let limit = Infinity;
  if (args[0] === '--limit') {
    limit = Number(args[1]);
    args.splice(0, 2);
  }
  if (args.length !== 1 || !(limit >= 0)) {
    process.stderr.write('usage: node bench/peer-rules.js [--limit N] apps.jsonl > peer.jsonl\n');
    process.exit(2);
  }

  // Read and parse, untimed by the engine clock.
  const apps = [];
  const lines = [];
  const text = fs.readFileSync(args[0], 'utf8').split('\n');
  for (let i = 0; i < text.length && apps.length < limit; i++) {
    if (text[i] === '') continue;
    const a = JSON.parse(text[i]);
    if (a.scheme !== 'upper-secondary') continue;
    paramsFor(a.school_year);
    apps.push(a);
    lines.push(i + 1);
  }

  const engine = buildEngine();
  const answers = new Array(apps.length);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < apps.length; i++) {
    const { events } = await engine.run({ application: apps[i] });
    let boarding = 0;
    let adult = false;
    const manual = [];
    for (const e of events) {
      if (e.type === 'adult') adult = true;
      else if (e.type === 'award' && e.params.name === 'boarding-grant') boarding = e.params.amount;
      else if (e.type === 'manual' && !manual.includes(e.params.code)) manual.push(e.params.code);
    }
    answers[i] = adult ? { adult } : { boarding, manual };
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const out = [];
  for (let i = 0; i < answers.length; i++) {
    out.push(JSON.stringify(answers[i].adult ? { line: lines[i], adult: true }
      : { line: lines[i], boarding_grant: answers[i].boarding, manual: answers[i].manual.sort() }));
    if (out.length >= 4096 || i === answers.length - 1) {
      fs.writeSync(1, out.join('\n') + '\n');
      out.length = 0;
    }
  }
  const rate = seconds > 0 ? Math.round(apps.length / seconds) : 0;
  process.stderr.write(`peer-rules: decided=${apps.length} engine_seconds=${seconds.toFixed(4)} engine_decisions_per_second=${rate}\n`);
}

main().catch((e) => {
  process.stderr.write(`peer-rules: ${e.stack || e}\n`);
  process.exit(1);
});
