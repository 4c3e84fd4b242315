#!/usr/bin/env bash
# payout.sh - F. The year's first payout for BENCH_PAYOUT_N persons (default
# 500 000): each with a granted decision (a loan over 11 months and a grant
# over 10) whose conditions hold, planned by one run the day before term
# (nothing due), then the first payout's run on 2 September timed: every
# due line bound into one payment per person, the pain.001.001.03 file
# written, synced, validated against the schema and recorded. The peer is
# xmllint reading the same file (--stream --noout): the floor of merely
# parsing what stipend wrote and validated. No bank takes part (the bank's
# answers are measured by the tests, not here). Writes build/bench/payout.json.
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C
N=${BENCH_PAYOUT_N:-500000}
STIPEND=${BENCH_STIPEND:-./stipend}
OUT=build/bench
TARGET_S=60
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stipend-payout.XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$TMP"' EXIT
DB=$TMP/p.db
now_ns() { date +%s%N; }

"$STIPEND" init --db "$DB" >/dev/null
# The population and its decisions in SQL: what an intake leaves behind.
sqlite3 "$DB" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO persons(id, nin, given_name, family_name, birth_date, address, postcode, city)
  SELECT i, printf('%011d', i), 'Kari', 'Nordmann ' || i, '2003-01-01', 'Storgata ' || (i % 200), '0150', 'Oslo' FROM n;
INSERT INTO cases(id, person_id, scheme, school_year, status, outcome, received_at, decided_at, application_json)
  SELECT id, id, 'higher-education', '2024-2025', 'decided', 'granted', 0, 1,
    '{"education":{"start":"2024-08-15","end":"2025-06-15"}}' FROM persons;
INSERT INTO decisions(case_id, decided_at, outcome, decision_json)
  SELECT id, 1, 'granted', '{"awards":[{"name":"basic-loan","kind":"loan","months":11,"amount":'
    || (15169000 - (id % 7919)) || '},{"name":"boarding-grant","kind":"grant","months":10,"amount":'
    || (2000000 + (id % 997)) || '}]}' FROM persons;
INSERT INTO payout_confirmations(person_id, school_year, kind, source, at)
  SELECT id, '2024-2025', 'semester-registration', 'bench', 0 FROM persons;
INSERT INTO payout_signatures(case_id, signed_at) SELECT id, 0 FROM cases;
INSERT INTO payout_accounts(person_id, account, source, state, checked_at)
  SELECT id, printf('1503%07d', id), 'register', 'ok', 0 FROM persons;
COMMIT;
SQL

t0=$(now_ns)
"$STIPEND" payout --db "$DB" --date 2024-07-31 --dir "$TMP" --now 2024-07-31T05:00:00Z >"$TMP/plan.json"
t1=$(now_ns)
"$STIPEND" payout --db "$DB" --date 2024-09-02 --dir "$TMP" --now 2024-09-02T05:00:00Z >"$TMP/run.json"
t2=$(now_ns)
FILE=$(sed -n 's/.*"file":"\([^"]*\)".*/\1/p' "$TMP/run.json")
PAYMENTS=$(sed -n 's/.*"payments":\([0-9]*\).*/\1/p' "$TMP/run.json")
TOTAL=$(sed -n 's/.*"total_ore":\([0-9]*\).*/\1/p' "$TMP/run.json")
VALIDATE_MS=$(sed -n 's/.*"validate":\([0-9]*\).*/\1/p' "$TMP/run.json")
FILE_MS=$(sed -n 's/.*"file":\([0-9]*\),.*/\1/p' "$TMP/run.json")
BYTES=$(stat -c %s "$FILE")
t3=$(now_ns)
xmllint --stream --noout "$FILE"
t4=$(now_ns)
# The file's sum is the plan's: every due line, to the øre.
DUE=$(sqlite3 "$DB" "select sum(amount_ore) from payout_lines where payment_id is not null")
PLAN_S=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 1e9}")
RUN_S=$(awk "BEGIN{printf \"%.2f\", ($t2 - $t1) / 1e9}")
PEER_S=$(awk "BEGIN{printf \"%.2f\", ($t4 - $t3) / 1e9}")
MET=$(awk "BEGIN{print ($RUN_S < $TARGET_S) ? \"yes\" : \"no\"}")
OK=yes
[ "$PAYMENTS" = "$N" ] || OK=no
[ "$DUE" = "$TOTAL" ] || OK=no
printf 'F. payout: %d persons planned in %s s; the first payout run %s s (target < %d s: %s): %d payments, %s bytes, file %s ms, schema validation %s ms; xmllint reading it: %s s\n' \
	"$N" "$PLAN_S" "$RUN_S" "$TARGET_S" "$MET" "$PAYMENTS" "$BYTES" "$FILE_MS" "$VALIDATE_MS" "$PEER_S"
cat >"$OUT/payout.json" <<JSON
{"persons": $N, "plan_seconds": $PLAN_S, "run_seconds": $RUN_S, "payments": $PAYMENTS, "total_ore": $TOTAL,
 "file_bytes": $BYTES, "file_ms": $FILE_MS, "validate_ms": $VALIDATE_MS, "peer": "xmllint --stream --noout",
 "peer_seconds": $PEER_S, "target_seconds": $TARGET_S, "target_met": "$MET", "sums_agree": "$OK"}
JSON
[ "$OK" = yes ]
