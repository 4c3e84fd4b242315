#!/usr/bin/env bash
# batch.sh - part E of the benchmarks: whole intakes through `stipend batch`,
# each application taken from received to decided and stored (validated,
# decided with its trace, and case, decision, letter and audit records
# committed durably), for 10 000 and 100 000 applications, and 1 000 000
# with BENCH_BATCH_MILLION=1 (about three minutes more, most of it the run
# itself). Each size runs once on a fresh `stipend init --demo` database of
# as many persons as applications, taken from the register simulator
# (stipend-sim serve) of that size (its time is not counted); the intake
# comes from bench/gen-batch.c, which writes the students of that same
# synthetic population. The cost
# should grow linearly: the time per application at 100 000 is compared with
# the time at 10 000. Then a whole intake from the registers (--from-registers)
# of 10 000 persons of the register simulator running on the same machine:
# the population listed, the schools asked who studies, and every student's
# facts fetched with the bulk lookups, a few hundred persons a request; and
# beside it, as its peer, the same intake with --per-person (every fact asked
# for one person at a time, as the portal does). Both give the same
# decisions (tests/e2e/batch.test.mjs); the ratio of their rates is what the
# bulk lookups gain.
#
# Times are wall-clock times of the whole command (start, reading and
# hashing the file, the run, the summary). Lånekassen receives about
# 1 000 000 applications a year; the aim is a year's intake in under two
# minutes on the 2-core development machine (8 334 applications/s).
#
#   bench/batch.sh                  (bench/run.sh runs it as part E)
#   BENCH_BATCH_MILLION=1 bench/batch.sh
#   BENCH_BATCH_SIZES="10000 100000" BENCH_BATCH_REGISTERS_N=10000 BENCH_BATCH_THREADS=64
#   BENCH_BATCH_SIZES= BENCH_BATCH_REGISTERS_N=100000 bench/batch.sh   the registers' part alone
#   BENCH_BATCH_PER_PERSON=0        without the per-person peer
#
# Writes build/bench/batch.json, and build/bench/batch.env for run.sh to
# source. Exit status 1 when a run failed or lost or refused an application.
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C

STIPEND=${BENCH_STIPEND:-./stipend}
SIM=${BENCH_SIM:-./stipend-sim}
OUT=build/bench
SIZES=${BENCH_BATCH_SIZES-10000 100000}
[ "${BENCH_BATCH_MILLION:-0}" = 1 ] && SIZES="$SIZES 1000000"
REG_N=${BENCH_BATCH_REGISTERS_N:-10000}
REG_PEER=${BENCH_BATCH_PER_PERSON:-1}
THREADS=${BENCH_BATCH_THREADS:-64}
TARGET_S_PER_MILLION=120
LIBS="$(pkg-config --libs libmicrohttpd sqlite3 jansson libsodium yaml-0.1 libcurl) -lpthread -lm"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/stipend-batch.XXXXXX")
SIM_PID=
E_PROBLEMS=()
cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill -TERM "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

problem() {
	E_PROBLEMS+=("$1")
	printf '\n  !!!!!!!! %s\n\n' "$1"
}
note() { printf '  .. %s\n' "$*"; }
calc() { awk "BEGIN { v = $2; printf \"$1\", v }" 2>/dev/null || true; }
# A field of the summary JSON, or empty.
field() { node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = process.argv[2].split(".").reduce((o, k) => o == null ? o : o[k], s); console.log(v == null ? "" : v)' "$1" "$2" 2>/dev/null || true; }
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$(($1 + RANDOM % 1000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

mkdir -p "$OUT"
rm -f "$OUT/batch.json" "$OUT/batch.env"
echo
echo "E. Batch intake: stipend batch, $THREADS threads, applications from received to decided and stored"
[ -x "$STIPEND" ] && [ -x "$SIM" ] && [ -f build/libsim.a ] && [ -f build/libcore.a ] ||
	problem "E not run: $STIPEND, $SIM, build/libsim.a or build/libcore.a is not built (make stipend stipend-sim)"
if [ "${#E_PROBLEMS[@]}" -eq 0 ]; then
	# shellcheck disable=SC2086
	cc -O2 -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2 \
		-D_GNU_SOURCE -Isrc -I. -o "$OUT/gen-batch" bench/gen-batch.c build/libsim.a build/libcore.a $LIBS ||
		problem "E not run: bench/gen-batch.c does not compile"
fi

# Start the register simulator with n persons on a free port: sim_start N
# -> sets SIM_PID and SIM_URL. sim_stop ends it.
sim_start() {
	local port
	port=$(free_port 19000) || port=19090
	"$SIM" serve --listen "127.0.0.1:$port" --persons "$1" >"$TMP/sim.log" 2>&1 &
	SIM_PID=$!
	SIM_URL=http://127.0.0.1:$port
	for _ in $(seq 1 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$SIM_URL/health" || true)" = 200 ] && return 0
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.1
	done
	problem "E: the register simulator did not start: $(tail -n 3 "$TMP/sim.log" | tr '\n' ' ')"
	sim_stop
	return 1
}
sim_stop() {
	[ -n "$SIM_PID" ] || return 0
	kill -TERM "$SIM_PID" 2>/dev/null || true
	wait "$SIM_PID" 2>/dev/null || true
	SIM_PID=
}

# A fresh demo database of the first n persons of the registers at url:
# demo_db DB N URL.
demo_db() {
	rm -f "$1" "$1-wal" "$1-shm"
	"$STIPEND" init --demo --registers "$3" --persons "$2" --db "$1" >/dev/null 2>"$TMP/init.err" ||
		{ problem "E: stipend init --persons $2 failed: $(tail -n 3 "$TMP/init.err" | tr '\n' ' ')"; return 1; }
}

declare -A SECONDS_OF RATE_OF AUTO_OF
ROWS_JSON=''

# One intake of n applications for a fresh population of n persons:
# intake N [--registers URL] -> sets R_S, R_RATE, R_AUTO.
intake() {
	local n=$1 persons=$1 db=$TMP/batch.db file=$TMP/intake-$1.jsonl out=$TMP/summary.json t0 t1 rc=0
	shift
	[ "$persons" -le 1000000 ] || persons=1000000
	rm -f "$db" "$db-wal" "$db-shm"
	[ -s "$file" ] || "$OUT/gen-batch" "$n" "$persons" >"$file" || { problem "E: gen-batch $n failed"; return 1; }
	sim_start "$persons" || return 1
	demo_db "$db" "$persons" "$SIM_URL" || { sim_stop; return 1; }
	sim_stop
	sync
	t0=$(date +%s%N)
	"$STIPEND" batch --db "$db" --threads "$THREADS" --quiet --json "$@" "$file" >"$out" 2>"$TMP/batch.err" || rc=$?
	t1=$(date +%s%N)
	if [ "$rc" -ne 0 ]; then
		problem "E: stipend batch of $n exited $rc: $(tail -n 3 "$TMP/batch.err" | tr '\n' ' ')"
		return 1
	fi
	local stored accepted refused waiting cases
	stored=$(field "$out" stored_in_all)
	accepted=$(field "$out" accepted)
	refused=$(field "$out" refused)
	waiting=$(field "$out" waiting)
	cases=$(sqlite3 "$db" 'select count(*) from cases' 2>/dev/null || echo '?')
	if [ "$stored" != "$n" ] || [ "$accepted" != "$n" ] || [ "$cases" != "$n" ]; then
		problem "E: $n applications: $accepted accepted, $stored stored under the intake, $cases cases, $refused refused"
		return 1
	fi
	R_S=$(calc %.2f "($t1 - $t0) / 1e9")
	R_RATE=$(calc %.0f "$n / (($t1 - $t0) / 1e9)")
	R_AUTO=$(calc %.1f "100 * $(field "$out" automation_rate)")
	R_WAITING=$waiting
	R_BYTES=$(stat -c %s "$db")
	[ -f "$db-wal" ] && R_BYTES=$((R_BYTES + $(stat -c %s "$db-wal")))
	rm -f "$db" "$db-wal" "$db-shm"
}

# A whole intake from the registers' first n persons on a fresh database of
# the same population: from_registers N URL [--per-person] -> sets R_S,
# R_RATE (applications/s), R_PERSONS_RATE, R_ACCEPTED, R_AUTO.
from_registers() {
	local n=$1 url=$2 db=$TMP/registers.db out=$TMP/summary.json t0 t1 rc=0
	shift 2
	demo_db "$db" "$n" "$url" || return 1
	sync
	t0=$(date +%s%N)
	"$STIPEND" batch --db "$db" --threads "$THREADS" --quiet --json --from-registers --persons "$n" \
		--registers "$url" "$@" >"$out" 2>"$TMP/batch.err" || rc=$?
	t1=$(date +%s%N)
	if [ "$rc" -ne 0 ]; then
		problem "E: stipend batch --from-registers of $n persons $* exited $rc: $(tail -n 3 "$TMP/batch.err" | tr '\n' ' ')"
		return 1
	fi
	local accepted not_enrolled waiting stored cases
	accepted=$(field "$out" accepted)
	not_enrolled=$(field "$out" not_enrolled)
	waiting=$(field "$out" waiting)
	stored=$(field "$out" stored_in_all)
	cases=$(sqlite3 "$db" 'select count(*) from cases' 2>/dev/null || echo '?')
	if [ -z "$accepted" ] || [ $((accepted + not_enrolled)) != "$n" ] || [ "$stored" != "$accepted" ] ||
		[ "$cases" != "$accepted" ] || [ "$waiting" != 0 ]; then
		problem "E: --from-registers $n persons $*: $accepted accepted, $not_enrolled without an enrolment, $waiting waiting, $stored stored, $cases cases"
		return 1
	fi
	R_S=$(calc %.2f "($t1 - $t0) / 1e9")
	R_RATE=$(calc %.0f "$accepted / (($t1 - $t0) / 1e9)")
	R_PERSONS_RATE=$(calc %.0f "$n / (($t1 - $t0) / 1e9)")
	R_ACCEPTED=$accepted
	R_AUTO=$(calc %.1f "100 * $(field "$out" automation_rate)")
	rm -f "$db" "$db-wal" "$db-shm"
}

for n in $SIZES; do
	[ "${#E_PROBLEMS[@]}" -eq 0 ] || break
	intake "$n" || continue
	SECONDS_OF[$n]=$R_S
	RATE_OF[$n]=$R_RATE
	AUTO_OF[$n]=$R_AUTO
	printf '  %9s applications  %8s s  %6s applications/s  %6s s per 100 000  automatic %s %%, database %s MB\n' \
		"$n" "$R_S" "$R_RATE" "$(calc %.1f "$R_S * 100000 / $n")" "$R_AUTO" "$(calc %.0f "$R_BYTES / 1e6")"
	ROWS_JSON="$ROWS_JSON${ROWS_JSON:+, }{\"applications\": $n, \"persons\": $([ "$n" -le 1000000 ] && echo "$n" || echo 1000000), \"seconds\": $R_S, \"per_second\": $R_RATE, \"automation_percent\": $R_AUTO, \"database_bytes\": $R_BYTES}"
done

# The time per application at each size against the smallest: 1.00 when
# the cost grows exactly in proportion; more than 1.25 is reported.
LINEAR_RATIO='' RATIOS_JSON=''
first=${SIZES%% *}
for n in $SIZES; do
	[ "$n" != "$first" ] && [ -n "${SECONDS_OF[$first]:-}" ] && [ -n "${SECONDS_OF[$n]:-}" ] || continue
	LINEAR_RATIO=$(calc %.2f "(${SECONDS_OF[$n]} / $n) / (${SECONDS_OF[$first]} / $first)")
	RATIOS_JSON="$RATIOS_JSON${RATIOS_JSON:+, }\"$n\": $LINEAR_RATIO"
	if [ "$(calc %d "$LINEAR_RATIO <= 1.25")" = 1 ]; then linear=yes; else linear=no; fi
	printf '  time per application, %s against %s: %sx (linear: %s)\n' "$n" "$first" "$LINEAR_RATIO" "$linear"
	[ "$linear" = yes ] || problem "E: the cost per application grows with the intake: ${LINEAR_RATIO}x from $first to $n"
done
MILLION_S=''
if [ -n "${SECONDS_OF[1000000]:-}" ]; then
	MILLION_S=${SECONDS_OF[1000000]}
	printf '  a year'"'"'s intake, 1 000 000: %s s, aim < %s s: %s\n' "$MILLION_S" "$TARGET_S_PER_MILLION" \
		"$([ "$(calc %d "$MILLION_S < $TARGET_S_PER_MILLION")" = 1 ] && echo met || echo 'NOT met')"
else
	printf '  1 000 000 not run: BENCH_BATCH_MILLION=1 runs it (about three minutes more)\n'
fi

# A whole intake from the registers: the bulk path, and the per-person path
# beside it as its peer, against the same simulator.
REG_S='' REG_RATE='' REG_PERSONS_RATE='' REG_APPS='' REG_AUTO=''
PEER_S='' PEER_RATE='' PEER_PERSONS_RATE='' REG_RATIO=''
if [ "${#E_PROBLEMS[@]}" -eq 0 ] && [ "$REG_N" -gt 0 ]; then
	sim_start "$REG_N" || true
	if [ -n "$SIM_PID" ] && from_registers "$REG_N" "$SIM_URL"; then
		REG_S=$R_S REG_RATE=$R_RATE REG_PERSONS_RATE=$R_PERSONS_RATE REG_APPS=$R_ACCEPTED REG_AUTO=$R_AUTO
		printf '  %9s persons --from-registers, bulk lookups (simulator on this machine)  %s s  %s applications/s (%s applications, %s persons/s)  automatic %s %%\n' \
			"$REG_N" "$REG_S" "$REG_RATE" "$REG_APPS" "$REG_PERSONS_RATE" "$REG_AUTO"
	fi
	if [ "$REG_PEER" = 1 ] && [ -n "$REG_S" ] && from_registers "$REG_N" "$SIM_URL" --per-person; then
		PEER_S=$R_S PEER_RATE=$R_RATE PEER_PERSONS_RATE=$R_PERSONS_RATE
		REG_RATIO=$(calc %.2f "$REG_RATE / $PEER_RATE")
		printf '  %9s persons --from-registers --per-person (the peer)                   %s s  %s applications/s (%s persons/s)\n' \
			"$REG_N" "$PEER_S" "$PEER_RATE" "$PEER_PERSONS_RATE"
		printf '  bulk lookups against one person at a time: %sx the applications per second\n' "$REG_RATIO"
	fi
	sim_stop
fi

STATUS=ok
[ "${#E_PROBLEMS[@]}" -eq 0 ] || STATUS=failed
num() { [[ "${1:-}" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "$1" || echo null; }
problems_json() {
	local sep='' p
	printf '['
	for p in ${E_PROBLEMS[@]+"${E_PROBLEMS[@]}"}; do
		printf '%s"%s"' "$sep" "$(printf '%s' "$p" | tr '\n\t' '  ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
		sep=', '
	done
	printf ']'
}
cat >"$OUT/batch.json" <<EOF
{
  "status": "$STATUS", "threads": $THREADS, "runs": [$ROWS_JSON],
  "time_per_application_against_smallest": {$RATIOS_JSON},
  "linear_ratio_largest_to_smallest": $(num "$LINEAR_RATIO"),
  "million_seconds": $(num "$MILLION_S"), "million_target_seconds": $TARGET_S_PER_MILLION,
  "registers": {"persons": $REG_N, "applications": $(num "$REG_APPS"), "seconds": $(num "$REG_S"),
    "per_second": $(num "$REG_RATE"), "persons_per_second": $(num "$REG_PERSONS_RATE"),
    "automation_percent": $(num "$REG_AUTO"),
    "per_person_peer": {"seconds": $(num "$PEER_S"), "per_second": $(num "$PEER_RATE"),
      "persons_per_second": $(num "$PEER_PERSONS_RATE")},
    "ratio_bulk_to_per_person": $(num "$REG_RATIO")},
  "problems": $(problems_json)
}
EOF
{
	echo "E_STATUS=$STATUS"
	echo "E_SIZES='$SIZES'"
	for n in $SIZES; do echo "E_RATE_$n='${RATE_OF[$n]:-}'"; echo "E_S_$n='${SECONDS_OF[$n]:-}'"; done
	echo "E_LINEAR_RATIO='$LINEAR_RATIO'"
	echo "E_MILLION_S='$MILLION_S'"
	echo "E_REG_RATE='$REG_RATE'"
	echo "E_REG_PEER_RATE='$PEER_RATE'"
	echo "E_REG_RATIO='$REG_RATIO'"
	for p in ${E_PROBLEMS[@]+"${E_PROBLEMS[@]}"}; do printf 'E_PROBLEMS+=(%q)\n' "$p"; done
} >"$OUT/batch.env"
[ "$STATUS" = ok ]
