#!/usr/bin/env bash
# simulate.sh - I. The policy simulation on a million (#9): BENCH_SIM_N
# applications (default 1 000 000) of the mix of part D through `stipend
# simulate` under two parameter sets, the built-in one (A) and a copy of it
# with the boarding grant's monthly rate for 2024-2025 raised by 5 % (B),
# timed with its peak memory. The peer is the work a simulation without it
# takes: the same intake through `stipend decide --jsonl` twice, under A and
# under B, the decisions with their traces to /dev/null. Both run in the same
# run, so the ratio holds whatever the machine's load; the target is under
# 60 s for the simulation. Writes build/bench/simulate.env (I_* figures for
# run.sh) and build/bench/simulate.json; exit status 1 when a command failed
# or an application was not understood.
#
#   bench/simulate.sh                      (after make stipend)
#   BENCH_SIM_N=100000 bench/simulate.sh   a quick trial
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C
N=${BENCH_SIM_N:-1000000}
STIPEND=${BENCH_STIPEND:-./stipend}
OUT=build/bench
TARGET_S=60
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stipend-simulate.XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$TMP"' EXIT
now_ns() { date +%s%N; }
calc() { awk "BEGIN { v = $2; printf \"$1\", v }" 2>/dev/null || true; }

I_STATUS=failed I_S='' I_RATE='' I_KB='' I_PEER_S='' I_RATIO='' I_READ='' I_BAD='' I_BETTER='' I_MET=- I_LOAD=''
PROBLEMS=()
write_env() {
	{
		for v in I_STATUS I_S I_RATE I_KB I_PEER_S I_RATIO I_READ I_BAD I_BETTER I_MET I_LOAD; do
			printf '%s=%q\n' "$v" "${!v}"
		done
		printf 'I_PROBLEMS=('
		for p in ${PROBLEMS[@]+"${PROBLEMS[@]}"}; do printf '%q ' "$p"; done
		printf ')\n'
	} >"$OUT/simulate.env"
	num() { [[ "${1:-}" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "$1" || echo null; }
	cat >"$OUT/simulate.json" <<JSON
{"applications": $N, "status": "$I_STATUS", "seconds": $(num "$I_S"), "applications_per_second": $(num "$I_RATE"),
 "peak_kb": $(num "$I_KB"), "read": $(num "$I_READ"), "not_understood": $(num "$I_BAD"), "better_off_under_b": $(num "$I_BETTER"),
 "peer": "stipend decide --jsonl twice (A, B), traces to /dev/null", "peer_seconds": $(num "$I_PEER_S"),
 "ratio_peer_to_simulate": $(num "$I_RATIO"), "target_seconds": $TARGET_S, "target_met": "$I_MET",
 "load_average_before": "$I_LOAD"}
JSON
}
problem() {
	PROBLEMS+=("$1")
	printf '\n  !!!!!!!! %s\n\n' "$1"
}

echo
echo "I. The policy simulation: $N applications of the mix under two parameter sets, beside two decide runs"
if [ ! -x "$STIPEND" ]; then
	problem "I not run: $STIPEND is not built"
	write_env
	exit 1
fi
cc -O2 -std=c11 -o "$TMP/gen" bench/gen.c || { problem "I not run: bench/gen.c does not compile"; write_env; exit 1; }
"$TMP/gen" --mix "$N" 2 >"$TMP/intake.jsonl" || { problem "I not run: the generator failed"; write_env; exit 1; }
printf '  .. generated %s applications, %s bytes\n' "$(wc -l <"$TMP/intake.jsonl")" "$(wc -c <"$TMP/intake.jsonl")"

# B: the built-in set with the boarding grant's monthly rate for 2024-2025
# 5 % higher. Should the file or the key move, B is the set unchanged and
# the run says so (it still costs what a change costs).
cp -r params/no "$TMP/b"
f=$TMP/b/2024-2025/upper-secondary.yaml
if [ -f "$f" ] && grep -q '^boarding_grant.monthly:' "$f"; then
	awk '/^boarding_grant.monthly:/ { k = 1 } k && /^  value:/ { $2 = int($2 * 105 / 100); print "  value: " $2; k = 0; next } { print }' \
		"$f" >"$f.new" && mv "$f.new" "$f"
	B_WHAT="the boarding grant's monthly rate for 2024-2025 raised by 5 %"
else
	B_WHAT="the built-in set unchanged (boarding_grant.monthly not found)"
fi
"$STIPEND" params check "$TMP/b" >/dev/null || { problem "I not run: the B set does not load"; write_env; exit 1; }
echo "  .. A: the built-in set; B: $B_WHAT"

# The machine is shared: the load average says how far to trust the
# seconds; the ratio is of runs side by side.
I_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
cat "$TMP/intake.jsonl" >/dev/null
rc=0
t0=$(now_ns)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$TMP/mem" "$STIPEND" simulate --intake "$TMP/intake.jsonl" --params builtin \
		--params "$TMP/b" --json >"$TMP/sim.json" 2>"$TMP/sim.err" || rc=$?
	I_KB=$(tail -n 1 "$TMP/mem")
else
	"$STIPEND" simulate --intake "$TMP/intake.jsonl" --params builtin --params "$TMP/b" --json \
		>"$TMP/sim.json" 2>"$TMP/sim.err" || rc=$?
fi
t1=$(now_ns)
if [ "$rc" -ne 0 ]; then
	problem "I: stipend simulate exited $rc: $(head -c 300 "$TMP/sim.err")"
	write_env
	exit 1
fi
I_S=$(calc %.3f "($t1 - $t0) / 1e9")
I_RATE=$(calc %.0f "$N / $I_S")
I_READ=$(sed -nE 's/^  "applications": ([0-9]+),/\1/p' "$TMP/sim.json")
I_BAD=$(sed -nE 's/^  "not_understood": ([0-9]+),/\1/p' "$TMP/sim.json")
I_BETTER=$(sed -nE 's/^    "better_off": ([0-9]+),/\1/p' "$TMP/sim.json")
[ "$I_READ" = "$N" ] || problem "I: stipend simulate read ${I_READ:-?} of $N applications"
[ "${I_BAD:-1}" = 0 ] || problem "I: ${I_BAD:-?} of $N applications were not understood"

# The peer: the two decide runs the simulation replaces.
rc=0
t0=$(now_ns)
"$STIPEND" decide --jsonl "$TMP/intake.jsonl" >/dev/null || rc=$?
"$STIPEND" decide --jsonl --params "$TMP/b" "$TMP/intake.jsonl" >/dev/null || rc=$?
t1=$(now_ns)
if [ "$rc" -ne 0 ]; then
	problem "I: the peer, stipend decide --jsonl, exited $rc"
else
	I_PEER_S=$(calc %.3f "($t1 - $t0) / 1e9")
	I_RATIO=$(calc %.2f "$I_PEER_S / $I_S")
fi
I_MET=$([ "$(calc %d "$I_S < $TARGET_S")" = 1 ] && echo yes || echo no)
[ "${#PROBLEMS[@]}" -gt 0 ] || I_STATUS=ok
printf '  %-58s %8s s %8s applications/s, peak %s KB\n' "stipend simulate, A and B, aggregated in one pass" \
	"$I_S" "$I_RATE" "${I_KB:--}"
printf '  %-58s %8s s   simulate is %sx faster\n' "peer: stipend decide --jsonl under A, then under B" \
	"${I_PEER_S:--}" "${I_RATIO:--}"
printf '  better off under B: %s; target under %s s: %s; load average before: %s (the machine is shared)\n' \
	"${I_BETTER:--}" "$TARGET_S" "$I_MET" "$I_LOAD"
write_env
[ "$I_STATUS" = ok ]
