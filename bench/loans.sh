#!/usr/bin/env bash
# loans.sh - part H of the benchmarks: a whole-life simulation of the loan
# account (#11). BENCH_LOANS_N borrowers (default 1000), born 1995-1999,
# each with a loan paid out in August 2023 and support ended in June 2024
# (written with the sqlite3 shell in bulk, as `stipend loans disburse` and
# `stipend loans support-ended` would write them: the entry, its legs and
# the account with its KID and plan), then BENCH_LOANS_YEARS simulated
# years (default 25) of monthly runs in ONE process:
#
#   stipend loans run --from 2024-07 --through ... --bench-bank
#
# which for each month makes the month's invoices, books the benchmark
# bank's camt.054 report (every open invoice paid in full on its due day)
# through the same import as `stipend loans import`, and posts the month's
# interest. Then `stipend ledger check`, timed on its own. At the end every
# borrower must owe exactly 0 (their 20-year plans end in 2044) and the
# ledger must hold.
#
# The figure is account-months a second (wall and CPU), beside the issue's
# aim: 100 000 borrowers over 25 years in two minutes, 250 000 a second.
# Its peers, in the same run:
#   - awk doing each account-month's arithmetic in memory (the month's
#     daily interest, the annuity term, the payment): the arithmetic floor;
#   - the sqlite3 shell inserting as many ledger entries, legs, invoices,
#     letters and payments as stipend wrote, in one transaction, into the
#     same tables with the same indexes: the storage floor.
#
# The rates are the benchmark's own (a floating rate of 4 % from July 2024):
# the compiled-in parameters hold May-June 2024 only.
#
#   bench/loans.sh                        (bench/run.sh runs it as part H)
#   BENCH_LOANS_N=100000 bench/loans.sh   (the issue's proof; hours here)
#
# Writes build/bench/loans.env for run.sh. Exit status 1 when a command
# failed, the ledger did not hold, or a debt did not end at 0.
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C

STIPEND=${BENCH_STIPEND:-./stipend}
N=${BENCH_LOANS_N:-1000}
YEARS=${BENCH_LOANS_YEARS:-25}
OUT=build/bench
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stipend-loans-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/loans.db
PARAMS=$TMP/params

cp -r params/no "$PARAMS"
cat > "$PARAMS/2024-2025/bench-loan-rates.yaml" <<'YAML'
loan.rate.floating:
  value: 4000
  unit: thousandths-percent
  valid_from: 2024-07-01
  valid_to: 2060-12-31
  reference: benchmark
  source: benchmark
YAML

"$STIPEND" init --db "$DB" > /dev/null 2>&1
# The borrowers, their payouts and accounts. The KID is loans_kid()'s: "1",
# the person's id in 8 digits, and the MOD10 check digit. Support ended on
# 2024-06-30: interest from 2024-07-01, the first term 2025-01-15 (seven
# months on), the last 2044-12-15 (20 years of terms, all before 70).
awk -v n="$N" 'function kid(i,   s, k, sum, dbl, v) {
	s = sprintf("1%08d", i); sum = 0; dbl = 1;
	for (k = 9; k >= 1; k--) { v = substr(s, k, 1) + 0; if (dbl) { v *= 2; if (v > 9) v -= 9 } sum += v; dbl = !dbl }
	return s "" ((10 - sum % 10) % 10);
}
BEGIN {
	q = "\x27";
	print "BEGIN;";
	for (i = 1; i <= n; i++) {
		amt = (100000 + (i % 7) * 25000) * 100;
		printf "INSERT INTO persons(id, nin, given_name, family_name, birth_date, address, postcode, city) VALUES (%d, %s9%010d%s, %sBench%s, %sBorrower %d%s, %s%d-%02d-15%s, %sVei 1%s, %s0150%s, %sOslo%s);\n",
			i, q, i, q, q, q, q, i, q, q, 1995 + i % 5, 1 + i % 12, q, q, q, q, q, q, q;
		printf "INSERT INTO ledger_entries(id, person_id, kind, cause, effective) VALUES (%d, %d, %sdisbursement%s, %spayout:bench%s, %s2023-08-15%s);\n", i, i, q, q, q, q, q, q;
		printf "INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) VALUES (%d, %sloan.principal%s, %d, %s2023-08-15%s, %d), (%d, %sagency.bank%s, NULL, %s2023-08-15%s, %d);\n", i, q, q, i, q, q, amt, i, q, q, q, q, -amt;
		printf "INSERT INTO loan_accounts(person_id, kid, support_ended, interest_through, first_due, last_due, paper, updated_at) VALUES (%d, %s%s%s, %s2024-06-30%s, %s2024-06-30%s, %s2025-01-15%s, %s2044-12-15%s, 0, 0);\n", i, q, kid(i), q, q, q, q, q, q, q, q, q;
	}
	print "COMMIT;";
}' | sqlite3 "$DB"

MONTHS=$((YEARS * 12))
end_y=$((2024 + (6 + MONTHS - 1) / 12)) end_m=$(((6 + MONTHS - 1) % 12 + 1))
THROUGH=$(printf '%04d-%02d' "$end_y" "$end_m")

STATUS=ok
start=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$TMP/cpu" "$STIPEND" loans run --db "$DB" --from 2024-07 --through "$THROUGH" \
	--params "$PARAMS" --bench-bank > "$TMP/run.out" 2> "$TMP/run.err" || STATUS=failed
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$TMP/cpu" 2>/dev/null || echo 0)
am=$(awk -F': ' '/^account-months/ { split($2, a, " "); print a[1] }' "$TMP/run.out")
am=${am:-0}

cstart=$(date +%s.%N)
"$STIPEND" ledger check --db "$DB" > "$TMP/check.out" || STATUS=failed
cend=$(date +%s.%N)
csecs=$(awk -v a="$cstart" -v b="$cend" 'BEGIN { printf "%.1f", b - a }')
owing=$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT person_id FROM ledger_legs WHERE person_id IS NOT NULL GROUP BY person_id HAVING sum(amount) <> 0)")
read -r legs entries invoices letters payments < <(sqlite3 -separator ' ' "$DB" \
	"SELECT (SELECT count(*) FROM ledger_legs), (SELECT count(*) FROM ledger_entries), (SELECT count(*) FROM loan_invoices), (SELECT count(*) FROM letters), (SELECT count(*) FROM loan_payments)")
# 25 years hold the whole 20-year plans: nothing may be owed at the end.
if [ "$YEARS" -ge 21 ]; then
	[ "$owing" = 0 ] || STATUS=failed
fi

# Peer 1: the arithmetic floor. Each account-month in awk: the month's
# daily interest on the balance, the annuity term over the terms left (the
# closed formula), and the payment of the term.
pstart=$(date +%s.%N)
awk -v n="$N" -v months="$MONTHS" 'BEGIN {
	for (i = 1; i <= n; i++) bal[i] = (100000 + (i % 7) * 25000) * 100;
	r = 0.04 / 12; sum = 0;
	for (mo = 0; mo < months; mo++) {
		days = 30 + (mo % 2); left = 240 - (mo - 6); if (left < 1) left = 1;
		for (i = 1; i <= n; i++) {
			b = bal[i]; if (b <= 0) continue;
			interest = 0; for (d = 0; d < days; d++) interest += b * 0.04 / 365;
			b += int(interest + 0.5);
			if (mo >= 6) { term = int(b * r / (1 - (1 + r) ^ (-left)) / 100 + 1) * 100; if (term > b || left == 1) term = b; b -= term }
			bal[i] = b; sum += b;
		}
	}
	print sum > "/dev/null";
}'
pend=$(date +%s.%N)
psecs=$(awk -v a="$pstart" -v b="$pend" 'BEGIN { printf "%.1f", b - a }')

# Peer 2: the storage floor. As many rows as stipend wrote, in one
# transaction, into a copy of the schema's tables with their indexes.
"$STIPEND" init --db "$TMP/floor.db" > /dev/null 2>&1
sstart=$(date +%s.%N)
sqlite3 "$TMP/floor.db" <<SQL
PRAGMA foreign_keys = OFF;
BEGIN;
INSERT INTO persons(id, nin, given_name, family_name, birth_date, address, postcode, city) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $N)
	SELECT i, printf('9%010d', i), 'Bench', 'Borrower', '1996-01-15', 'Vei 1', '0150', 'Oslo' FROM k;
INSERT INTO ledger_entries(id, person_id, kind, cause, effective) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $entries)
	SELECT i, i % $N + 1, 'interest', 'interest:' || i, date('2024-07-01', '+' || (i / $N) || ' days') FROM k;
INSERT INTO ledger_legs(entry_id, account, person_id, effective, amount) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $legs)
	SELECT i / 2 + 1, CASE i % 2 WHEN 0 THEN 'loan.interest' ELSE 'agency.interest-income' END, CASE i % 2 WHEN 0 THEN (i / 2) % $N + 1 END, date('2024-07-01', '+' || (i / 2 / $N) || ' days'), CASE i % 2 WHEN 0 THEN 100 ELSE -100 END FROM k;
INSERT INTO letters(person_id, kind, created_at) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $letters)
	SELECT i % $N + 1, 'loan-invoice', i FROM k;
INSERT INTO loan_invoices(person_id, due, amount, interest, principal, kid, paid, created_at) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $invoices)
	SELECT i % $N + 1, date('2025-01-15', '+' || (i / $N) || ' months'), 100, 10, 90, 'kid', 100, i FROM k;
INSERT INTO loan_payments(bank_ref, kid, amount, booked, state, received_at) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $payments)
	SELECT 'ref' || i, 'kid', 100, '2025-01-15', 'matched', i FROM k;
COMMIT;
SQL
send=$(date +%s.%N)
ssecs=$(awk -v a="$sstart" -v b="$send" 'BEGIN { printf "%.1f", b - a }')

rate=$(awk -v am="$am" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? am / s : 0) }')
crate=$(awk -v am="$am" -v s="$cpu" 'BEGIN { printf "%.0f", (s > 0 ? am / s : 0) }')
prate=$(awk -v am="$((N * MONTHS))" -v s="$psecs" 'BEGIN { printf "%.0f", (s > 0 ? am / s : 0) }')
srate=$(awk -v am="$am" -v s="$ssecs" 'BEGIN { printf "%.0f", (s > 0 ? am / s : 0) }')
aim=$(awk -v r="$rate" 'BEGIN { printf "%.0f", (r > 0 ? 100000 * 300 / r : 0) }')
printf 'H. The loan account over a whole life: %d borrowers, %d monthly cycles (invoices, bank, interest) in one process, %s s (CPU %s s)\n' \
	"$N" "$((am / (N > 0 ? N : 1)))" "$secs" "$cpu"
printf '   %s account-months/s (%s per CPU second); aim 250 000/s: 100 000 borrowers x 25 years would take %s s here\n' \
	"$rate" "$crate" "$aim"
printf '   wrote %s entries, %s legs, %s invoices, %s letters, %s payments; still owing: %s\n' \
	"$entries" "$legs" "$invoices" "$letters" "$payments" "$owing"
printf '   ledger check %s s: %s\n' "$csecs" "$(cat "$TMP/check.out")"
printf '   peers: awk arithmetic %s account-months/s (%.0fx stipend); sqlite3 writing the same rows %s s (%s account-months/s, %.0fx stipend)\n' \
	"$prate" "$(awk -v a="$prate" -v b="$rate" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$ssecs" "$srate" \
	"$(awk -v a="$srate" -v b="$rate" 'BEGIN { print (b > 0 ? a / b : 0) }')"
[ "$STATUS" = ok ] || { echo "   FAILED:"; tail -5 "$TMP/run.err"; }
cat > "$OUT/loans.env" <<ENV
H_STATUS=$STATUS
H_N=$N
H_ACCOUNT_MONTHS=$am
H_SECONDS=$secs
H_CPU_SECONDS=$cpu
H_RATE=$rate
H_CPU_RATE=$crate
H_CHECK_SECONDS=$csecs
H_OWING=$owing
H_PEER_AWK_RATE=$prate
H_PEER_SQLITE_SECONDS=$ssecs
ENV
[ "$STATUS" = ok ]
