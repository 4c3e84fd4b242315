#!/bin/sh
# run-all.sh - run the test suites and print one closing line that sums them:
# "check: N passed, N failed". Exit status 0 only when every suite ran and
# none failed.
#
#   tests/run-all.sh            every suite
#   tests/run-all.sh unit|rules|e2e|crash|browser   one suite
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
passed=0
failed=0
broken=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Add the counts of a cmocka run ("[  PASSED  ] N test(s)." / "[  FAILED  ] N").
cmocka_counts() {
	p=$(grep -oE '\[  PASSED  \] [0-9]+ test' "$log" | tail -1 | grep -oE '[0-9]+')
	f=$(grep -oE '\[  FAILED  \] [0-9]+ test' "$log" | tail -1 | grep -oE '[0-9]+')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
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

# The rule case files of tests/rules, run by the binary itself.
run_rule_cases() {
	echo "== ./stipend test-rules tests/rules"
	./stipend test-rules tests/rules >"$log" 2>&1
	rc=$?
	cat "$log"
	rules_counts
	[ $rc -eq 0 ] || broken="$broken test-rules"
}

run_unit() {
	for t in build/tests/test_*; do
		[ -x "$t" ] || continue
		case "$1" in rules) [ "$t" = build/tests/test_rules ] || continue ;; esac
		echo "== $t"
		"$t" >"$log" 2>&1
		rc=$?
		cat "$log"
		cmocka_counts
		[ $rc -eq 0 ] || broken="$broken $t"
	done
}

run_node() {
	echo "== node --test $*"
	node --test --test-reporter=tap "$@" >"$log" 2>&1
	rc=$?
	grep -vE '^\s+(duration_ms|\.\.\.|---|type:)' "$log"
	node_counts
	[ $rc -eq 0 ] || broken="$broken $*"
}

case "$what" in
all)
	run_unit all
	run_rule_cases
	run_node tests/e2e/
	run_node tests/crash/
	run_node tests/browser/
	;;
unit) run_unit all ;;
rules) run_unit rules; run_rule_cases ;;
e2e) run_node tests/e2e/ ;;
crash) run_node tests/crash/ ;;
browser) run_node tests/browser/ ;;
*) echo "usage: $0 [unit|rules|e2e|crash|browser]" >&2; exit 2 ;;
esac

if [ -n "$broken" ]; then
	echo "failing suites:$broken"
	[ "$failed" -gt 0 ] || failed=1
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
