#!/bin/sh
# run-all.sh - run the test suites and print one closing line that sums them,
# "check: N passed, N failed", after a line with each part's count of tests
# ("parts: unit N, asan N, ..."). Exit status 0 only when every suite ran, each ran at
# least one test, and none failed: a part that finds nothing to run (no
# build/tests, no fuzz target) is a failing suite, never "0 passed".
#
#   tests/run-all.sh            every suite
#   tests/run-all.sh unit|rules|e2e|crash|browser|asan|fuzz   one suite
#
# asan runs the unit tests built under AddressSanitizer and UBSan
# (build/asan/tests/, `make test-asan`); fuzz runs each libFuzzer target of
# build/fuzz/ (`make test-fuzz`) for FUZZ_SECONDS (10), FUZZ_JOBS (2) at a
# time, from its seed corpus in tests/fuzz/corpus/<target>/. A sanitizer's report fails the test it
# came from, as a crash of a fuzz target fails that target; the input that
# crashed it is kept in build/fuzz/artifacts/.
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
passed=0
failed=0
broken=""
parts=""
fuzz_runs=0
log=$(mktemp)
corpus_tmp=$(mktemp -d)
trap 'rm -rf "$log" "$corpus_tmp"' EXIT

# Sanitizers: every report is fatal and names where it came from. The leaks
# fontconfig keeps in its caches by design (pango's PDFs) are not ours.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"

# Add the counts of a cmocka run ("[  PASSED  ] N test(s)." / "[  FAILED  ] N").
cmocka_counts() {
	p=$(grep -oE '\[  PASSED  \] [0-9]+ test' "$log" | tail -1 | grep -oE '[0-9]+')
	f=$(grep -oE '\[  FAILED  \] [0-9]+ test' "$log" | tail -1 | grep -oE '[0-9]+')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ $((${p:-0} + ${f:-0})) -gt 0 ]
}

# Add the counts of node's test runner ("# pass N" / "# fail N").
node_counts() {
	p=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
	f=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

# Add the counts of `stipend test-rules` ("N passed, N failed").
rules_counts() {
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	p=$(echo "$line" | grep -oE '^[0-9]+')
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

# A sanitizer's report in the log, whatever the exit status said.
sanitizer_report() {
	grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$log"
}

# part NAME: start counting a part; part_end NAME: note how many tests it
# ran, and fail it when that is none.
part() {
	part_start=$((passed + failed))
}
part_end() {
	n=$((passed + failed - part_start))
	parts="$parts${parts:+, }$1 $n"
	[ "$n" -gt 0 ] || broken="$broken $1(ran no test)"
}

# The rule case files of tests/rules, run by the binary itself.
run_rule_cases() {
	echo "== ./stipend test-rules tests/rules"
	./stipend test-rules tests/rules >"$log" 2>&1
	rc=$?
	cat "$log"
	rules_counts
	[ $rc -eq 0 ] || broken="$broken test-rules"
}

# The cmocka programs of folder $1 (build/tests or build/asan/tests); with
# $2 = rules, test_rules alone. A program that ends without its summary,
# or with a sanitizer's report, fails.
run_unit() {
	for t in "$1"/test_*; do
		[ -x "$t" ] || continue
		case "${2:-}" in rules) [ "$t" = "$1/test_rules" ] || continue ;; esac
		echo "== $t"
		"$t" >"$log" 2>&1
		rc=$?
		cat "$log"
		if ! cmocka_counts; then
			broken="$broken $t(no summary)"
		elif [ $rc -ne 0 ] || sanitizer_report; then
			broken="$broken $t"
		fi
	done
}

# run_node JOBS DIR: the files of DIR, JOBS at once (NODE_JOBS overrides the
# e2e and browser parts' 2; each file starts its own servers on their own
# ports and database, so files do not share state).
run_node() {
	jobs=${NODE_JOBS:-$1}
	shift
	echo "== node --test $* ($jobs at once)"
	node --test --test-concurrency="$jobs" --test-reporter=tap "$@" >"$log" 2>&1
	rc=$?
	grep -vE '^\s+(duration_ms|\.\.\.|---|type:)' "$log"
	node_counts
	[ $rc -eq 0 ] || broken="$broken $*"
}

# Each fuzz target for a while from its seed corpus; new inputs go to a
# temporary folder, so the seeds in the repository stay as they are.
# FUZZ_JOBS (2) targets run at once, each with its own log. Each target that
# runs clean is one passed test; its runs are summed.
run_fuzz() {
	seconds=${FUZZ_SECONDS:-10}
	jobs=${FUZZ_JOBS:-2}
	mkdir -p build/fuzz/artifacts
	started=0
	for t in build/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=${t##*/fuzz_}
		seeds=tests/fuzz/corpus/$name
		dict=tests/fuzz/$name.dict
		mkdir -p "$corpus_tmp/$name"
		echo "== $t (${seconds} s)"
		set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
			-print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$name-"
		[ -f "$dict" ] && set -- "$@" -dict="$dict"
		set -- "$@" "$corpus_tmp/$name"
		[ -d "$seeds" ] && set -- "$@" "$seeds"
		("$t" "$@" >"$corpus_tmp/$name.log" 2>&1; echo $? >"$corpus_tmp/$name.rc") &
		started=$((started + 1))
		[ $((started % jobs)) -ne 0 ] || wait
	done
	wait
	for t in build/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=${t##*/fuzz_}
		cp "$corpus_tmp/$name.log" "$log"
		rc=$(cat "$corpus_tmp/$name.rc")
		runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$')
		fuzz_runs=$((fuzz_runs + ${runs:-0}))
		if [ "$rc" -eq 0 ] && [ "${runs:-0}" -gt 0 ] && ! sanitizer_report; then
			passed=$((passed + 1))
			echo "ok: $name, ${runs} runs"
		else
			failed=$((failed + 1))
			cat "$log"
			broken="$broken $t"
			echo "not ok: $name (exit $rc); a crashing input is kept in build/fuzz/artifacts/$name-*"
		fi
	done
}

case "$what" in
all)
	part; run_unit build/tests; part_end unit
	part; run_unit build/asan/tests; part_end asan
	part; run_rule_cases; part_end rules
	part; run_node 2 tests/e2e/; part_end e2e
	part; run_node 1 tests/crash/; part_end crash
	part; run_node 2 tests/browser/; part_end browser
	part; run_fuzz; part_end fuzz
	;;
unit) part; run_unit build/tests; part_end unit ;;
asan) part; run_unit build/asan/tests; part_end asan ;;
rules) part; run_unit build/tests rules; run_rule_cases; part_end rules ;;
e2e) part; run_node 2 tests/e2e/; part_end e2e ;;
crash) part; run_node 1 tests/crash/; part_end crash ;;
browser) part; run_node 2 tests/browser/; part_end browser ;;
fuzz) part; run_fuzz; part_end fuzz ;;
*) echo "usage: $0 [unit|rules|e2e|crash|browser|asan|fuzz]" >&2; exit 2 ;;
esac

case "$parts" in *fuzz*) parts="$parts targets, $fuzz_runs runs" ;; esac
if [ -n "$broken" ]; then
	echo "failing suites:$broken"
	[ "$failed" -gt 0 ] || failed=1
fi
# The parts first, then the closing line alone, as test runners write it.
echo "parts: $parts"
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
