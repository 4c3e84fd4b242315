#!/usr/bin/env bash
# loans.sh - part F of the benchmarks: a whole-life simulation of the loan
# account through the real commands. BENCH_LOANS_N borrowers (default 200)
# get a loan payout and the end of support; then, month by month for
# BENCH_LOANS_YEARS years (default 4: whole lives of borrowers near 70),
# `stipend loans run` makes the month's invoices, the bank pays every open
# invoice (a camt.054 report written here from the invoices, as the bank
# would report the borrowers' payments), `stipend loans import` books it,
# and `stipend loans run` posts the month's interest; every run and import
# ends with `stipend ledger check`. At the end every borrower must owe
# exactly 0 and the ledger must hold. The figure is account-months a
# second, beside the issue's aim (100 000 borrowers over 25 years of
# monthly runs in two minutes: 250 000 account-months/s).
#
# The rates are the benchmark's own (a floating rate of 4 % from July 2024):
# the compiled-in parameters hold May-June 2024 only.
#
#   bench/loans.sh                   (bench/run.sh runs it as part F)
#   BENCH_LOANS_N=1000 BENCH_LOANS_YOUNG=1 BENCH_LOANS_YEARS=21 bench/loans.sh
#
# Writes build/bench/loans.env for run.sh. Exit status 1 when a command
# failed, the ledger did not hold, or a debt did not end at 0.
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C

STIPEND=${BENCH_STIPEND:-./stipend}
N=${BENCH_LOANS_N:-200}
YEARS=${BENCH_LOANS_YEARS:-4}
# Borrowers born 1955-1957 turn 70 in 2025-2027, so their plans (repaid
# before 70) end within four simulated years: whole lives in little time.
# BENCH_LOANS_YOUNG=1 takes borrowers born 1995-1999 instead, whose plans
# run the whole 20 years (BENCH_LOANS_YEARS=21).
YOUNG=${BENCH_LOANS_YOUNG:-0}
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
# Borrowers born in the late 1990s: their plans run the whole 20 years.
awk -v n="$N" -v young="$YOUNG" 'BEGIN {
	print "BEGIN;";
	for (i = 1; i <= n; i++)
		printf "INSERT INTO persons(nin, given_name, family_name, birth_date, address, postcode, city) VALUES (%s, %s, %s, %s, %s, %s, %s);\n",
			sprintf("\x279%010d\x27", i), "\x27Bench\x27", sprintf("\x27Borrower %d\x27", i),
			sprintf("\x27%d-%02d-15\x27", young ? 1995 + i % 5 : 1955 + i % 3, 1 + i % 12), "\x27Vei 1\x27", "\x270150\x27", "\x27Oslo\x27";
	print "COMMIT;";
}' | sqlite3 "$DB"
for i in $(seq 1 "$N"); do
	"$STIPEND" loans disburse --db "$DB" --person "$i" --amount "$((100000 + (i % 7) * 25000))" --date 2023-08-15 > /dev/null
	"$STIPEND" loans support-ended --db "$DB" --person "$i" --date 2024-06-30 > /dev/null
done

# The bank's report of every open invoice paid in full on its due day.
camt() {
	sqlite3 -separator ' ' "$DB" "SELECT id, kid, amount + fee - paid, due FROM loan_invoices WHERE paid < amount + fee" |
	awk -v month="$1" 'BEGIN {
		print "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"><BkToCstmrDbtCdtNtfctn><Ntfctn>";
	}
	{
		printf "<Ntry><Amt Ccy=\"NOK\">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>%s</Dt></BookgDt>", $3 / 100, $3 % 100, $4;
		printf "<NtryDtls><TxDtls><Refs><AcctSvcrRef>BENCH-%s-%s</AcctSvcrRef></Refs><RmtInf><Strd><CdtrRefInf><Ref>%s</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>\n", $1, month, $2;
	}
	END { print "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"; }'
}

STATUS=ok
start=$(date +%s.%N)
months=0
y=2024 m=7
for _ in $(seq 1 $((YEARS * 12))); do
	first=$(printf '%04d-%02d-01' "$y" "$m")
	if [ "$m" = 12 ]; then ny=$((y + 1)) nm=1; else ny=$y nm=$((m + 1)); fi
	last=$(date -u -d "$(printf '%04d-%02d-01' "$ny" "$nm") - 1 day" +%F)
	"$STIPEND" loans run --db "$DB" --through "$first" --params "$PARAMS" > "$TMP/run.out" || { STATUS=failed; break; }
	camt "$first" > "$TMP/camt.xml"
	"$STIPEND" loans import --db "$DB" --camt "$TMP/camt.xml" > "$TMP/import.out" || { STATUS=failed; break; }
	"$STIPEND" loans run --db "$DB" --through "$last" --params "$PARAMS" > "$TMP/run.out" || { STATUS=failed; break; }
	months=$((months + 1))
	y=$ny m=$nm
done
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
owing=$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT person_id FROM ledger_legs WHERE person_id IS NOT NULL GROUP BY person_id HAVING sum(amount) <> 0)")
legs=$(sqlite3 "$DB" "SELECT count(*) FROM ledger_legs")
"$STIPEND" ledger check --db "$DB" > "$TMP/check.out" || STATUS=failed
# A whole life ends with nothing owed: four years for the old borrowers,
# the pause and a 20-year plan for the young.
if { [ "$YOUNG" = 0 ] && [ "$YEARS" -ge 4 ]; } || [ "$YEARS" -ge 21 ]; then
	[ "$owing" = 0 ] || STATUS=failed
fi
rate=$(awk -v n="$N" -v mo="$months" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n * mo / s : 0) }')
printf 'F. The loan account over a whole life: %d borrowers, %d monthly cycles (run, bank, import, run), %s s\n' "$N" "$months" "$secs"
printf '   %s account-months/s (aim: 250 000/s, 100 000 borrowers x 25 years in 2 minutes); %s legs; still owing: %s; %s\n' \
	"$rate" "$legs" "$owing" "$(cat "$TMP/check.out")"
cat > "$OUT/loans.env" <<ENV
F_STATUS=$STATUS
F_N=$N
F_MONTHS=$months
F_SECONDS=$secs
F_RATE=$rate
F_OWING=$owing
ENV
[ "$STATUS" = ok ]
