#!/usr/bin/env bash
# payout.sh - G. The year's first payout for BENCH_PAYOUT_N persons (default
# 500 000), in two parts timed apart, as they happen apart:
#
#  planning  each person has a granted decision (a loan over 11 months and a
#            grant over 10) whose conditions hold; storing a decision
#            enqueues its decision-payout job (migration 0019), and the plan
#            is made from the decisions in batches (`stipend payout --plan`,
#            the function each decision's job calls) - in production spread
#            over the intake, here all at once;
#  the run   the first payout's run on Monday 2 September: every due line
#            whose conditions hold bound into one payment per person in one
#            transaction of a few set-based statements, the pain.001.001.03
#            file streamed, synced, validated against the schema in the
#            tree (a thread reading the file as it is written) and
#            recorded. Target: under a minute.
#
# The peer writes the same file from the same rows: sqlite3 reads the run's
# payments (the statement stipend's writer reads) and awk prints the XML.
# The two files must be byte for byte the same (cmp), which also proves the
# peer did the same work; xmllint then checks the peer's file is XML
# (--stream --noout). No bank takes part (the tests measure its answers).
# Writes build/bench/payout.json. The machine's load is printed beside the
# figures: the bench shares its cores with whatever else runs.
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
load() { cut -d' ' -f1-3 /proc/loadavg; }

"$STIPEND" init --db "$DB" >/dev/null
# The population and its decisions in SQL: what an intake leaves behind
# (each decision's insert enqueues its decision-payout job, by the trigger).
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
JOBS=$(sqlite3 "$DB" "select count(*) from jobs where kind = 'decision-payout' and state = 'ready'")

# Wall time, and the CPU time (user + system) the process used: on a shared
# machine the wall time waits for the cores too.
TIMEFORMAT='%U %S'
cpu() { awk '{printf "%.2f", $1 + $2}' "$1"; }
LOAD_PLAN=$(load)
t0=$(now_ns)
{ time "$STIPEND" payout --plan --db "$DB" --now 2024-07-31T05:00:00Z >"$TMP/plan.json" 2>"$TMP/plan.err"; } 2>"$TMP/plan.cpu"
t1=$(now_ns)
LOAD_RUN=$(load)
{ time "$STIPEND" payout --db "$DB" --date 2024-09-02 --dir "$TMP" --now 2024-09-02T05:00:00Z >"$TMP/run.json" 2>"$TMP/run.err"; } 2>"$TMP/run.cpu"
t2=$(now_ns)
PLAN_CPU=$(cpu "$TMP/plan.cpu")
RUN_CPU=$(cpu "$TMP/run.cpu")
PLANNED=$(sed -n 's/.*"planned":\([0-9]*\).*/\1/p' "$TMP/plan.json")
RUN_PLANNED=$(sed -n 's/.*"planned":\([0-9]*\).*/\1/p' "$TMP/run.json")
FILE=$(sed -n 's/.*"file":"\([^"]*\)".*/\1/p' "$TMP/run.json")
RUN_ID=$(sed -n 's/.*"run_id":\([0-9]*\).*/\1/p' "$TMP/run.json")
PAYMENTS=$(sed -n 's/.*"payments":\([0-9]*\).*/\1/p' "$TMP/run.json")
TOTAL=$(sed -n 's/.*"total_ore":\([0-9]*\).*/\1/p' "$TMP/run.json")
ms() { sed -n "s/.*\"ms\":{.*\"$1\":\([0-9]*\).*/\1/p" "$TMP/run.json"; }
PRE_MS=$(ms plan)
BIND_MS=$(ms bind)
FILE_MS=$(ms file)
VALIDATE_MS=$(ms validate)
COMMIT_MS=$(ms commit)
BYTES=$(stat -c %s "$FILE")

# The peer: the same file from the same rows, by sqlite3 and awk.
PEER=$TMP/peer.xml
t3=$(now_ns)
sqlite3 -separator '|' "$DB" <<SQL | awk -F'|' '
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
function kr(o) { return sprintf("%.0f.%02d", int(o / 100), o % 100) }
NR == 1 {
	dbtr = "<Nm>Statens laanekasse for utdanning</Nm>"
	acct = "<Id><Othr><Id>76940512057</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id>"
	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">"
	printf "<CstmrCdtTrfInitn><GrpHdr><MsgId>%s</MsgId><CreDtTm>%s</CreDtTm><NbOfTxs>%d</NbOfTxs><CtrlSum>%s</CtrlSum>", $1, $2, $3, kr($4)
	printf "<InitgPty>%s</InitgPty></GrpHdr><PmtInf><PmtInfId>%s</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>%d</NbOfTxs>", dbtr, $1, $3
	printf "<CtrlSum>%s</CtrlSum><ReqdExctnDt>%s</ReqdExctnDt><Dbtr>%s</Dbtr><DbtrAcct>%s</DbtrAcct>", kr($4), $5, dbtr, acct
	printf "<DbtrAgt><FinInstnId><BIC>DNBANOKK</BIC></FinInstnId></DbtrAgt><ChrgBr>SLEV</ChrgBr>"
	rmt = "Utbetaling fra Lanekassen " $5
	next
}
{
	printf "<CdtTrfTxInf><PmtId><EndToEndId>P%d</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"NOK\">%s</InstdAmt></Amt>", $1, kr($4)
	printf "<Cdtr><Nm>%s</Nm></Cdtr><CdtrAcct><Id><Othr><Id>%s</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id></CdtrAcct>", esc($2), $3
	printf "<RmtInf><Ustrd>%s</Ustrd></RmtInf></CdtTrfTxInf>", rmt
}
END { printf "</PmtInf></CstmrCdtTrfInitn></Document>\n" }' >"$PEER"
SELECT msg_id, strftime('%Y-%m-%dT%H:%M:%S', created_at, 'unixepoch'), payments, total_ore, run_date
  FROM payout_runs WHERE id = $RUN_ID;
SELECT p.id, ps.given_name || ' ' || ps.family_name, p.account, p.loan_ore + p.grant_ore
  FROM payout_payments p JOIN persons ps ON ps.id = p.person_id WHERE p.run_id = $RUN_ID ORDER BY p.id;
SQL
t4=$(now_ns)
SAME=yes
cmp -s "$FILE" "$PEER" || SAME=no
xmllint --stream --noout "$PEER"

# The file's sum is the plan's: every due line, to the øre.
DUE=$(sqlite3 "$DB" "select sum(amount_ore) from payout_lines where payment_id is not null")
PLAN_S=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 1e9}")
RUN_S=$(awk "BEGIN{printf \"%.2f\", ($t2 - $t1) / 1e9}")
PEER_S=$(awk "BEGIN{printf \"%.2f\", ($t4 - $t3) / 1e9}")
MET=$(awk "BEGIN{print ($RUN_S < $TARGET_S) ? \"yes\" : \"no\"}")
OK=yes
[ "$PAYMENTS" = "$N" ] || OK=no
[ "$PLANNED" = "$N" ] || OK=no
[ "$RUN_PLANNED" = 0 ] || OK=no
[ "$DUE" = "$TOTAL" ] || OK=no
printf 'G. payout: %d persons (%d decision jobs queued): planning %s s (CPU %s s; load %s); the first payout run %s s (CPU %s s; target < %d s: %s; load %s): before binding %s ms, binding the due lines %s ms, file %s ms, schema check beyond the writing (it reads the file as it is written) %s ms, commit %s ms; %d payments, %s bytes; the peer (sqlite3 + awk) writing the same file %s s, identical: %s\n' \
	"$N" "$JOBS" "$PLAN_S" "$PLAN_CPU" "$LOAD_PLAN" "$RUN_S" "$RUN_CPU" "$TARGET_S" "$MET" "$LOAD_RUN" "$PRE_MS" "$BIND_MS" "$FILE_MS" "$VALIDATE_MS" "$COMMIT_MS" \
	"$PAYMENTS" "$BYTES" "$PEER_S" "$SAME"
cat >"$OUT/payout.json" <<JSON
{"persons": $N, "plan_seconds": $PLAN_S, "plan_cpu_seconds": $PLAN_CPU, "run_seconds": $RUN_S,
 "run_cpu_seconds": $RUN_CPU, "payments": $PAYMENTS, "total_ore": $TOTAL,
 "before_bind_ms": $PRE_MS, "bind_ms": $BIND_MS, "file_bytes": $BYTES, "file_ms": $FILE_MS,
 "validate_ms": $VALIDATE_MS, "commit_ms": $COMMIT_MS,
 "peer": "sqlite3 + awk writing the same file", "peer_seconds": $PEER_S, "peer_identical": "$SAME",
 "load_plan": "$LOAD_PLAN", "load_run": "$LOAD_RUN",
 "target_seconds": $TARGET_S, "target_met": "$MET", "sums_agree": "$OK"}
JSON
[ "$OK" = yes ] && [ "$SAME" = yes ]
