#!/usr/bin/env bash
# run.sh - stipend's benchmarks, each beside a peer measured in the same run.
#
# A. The decision core: N generated higher-education applications through
#    `stipend decide --jsonl`, beside `cat` (the I/O floor) and node parsing
#    and printing the same JSON lines (the JSON floor).
# B. Submit-to-decision over HTTP: a browser-like test login, then wrk posts
#    the application form to /soknad from 32 connections; each 303 promises a
#    committed, decided case, which the database is counted for afterwards.
# C. nginx serving a static file the size of the decision page, under the
#    same wrk load: what the machine's HTTP floor is.
# D. A mix of all four schemes in both school years, crowding the rules'
#    boundaries, through `stipend decide --jsonl` with its full trace; and its
#    upper-secondary part beside the same boarding-grant and means-tested
#    grant rules written for json-rules-engine (bench/peer-rules.js), with
#    every answer compared case by case (bench/agree.js); and `stipend
#    simulate` over the same mix under two parameter sets, beside the two
#    `stipend decide --jsonl` runs it replaces.
# E. Whole intakes through `stipend batch` (bench/batch.sh): applications
#    from received to decided and stored per second for 10 000 and 100 000
#    (1 000 000 with BENCH_BATCH_MILLION=1), whether the cost grows
#    linearly, and a whole intake from the register simulator on the same
#    machine (--from-registers, 10 000 persons), its facts fetched with the
#    bulk lookups, beside the same intake one person at a time
#    (--per-person) as its peer. It has its own time budget of about 30 s.
# F. The support centre's month (bench/support.sh): inquiries logged over
#    HTTP by an agent, a month of 200 000, and its cost report beside the
#    same tallies and sharing by the sqlite3 shell and awk, which must agree
#    øre by øre.
# G. The year's first payout (bench/payout.sh): 500 000 persons' plans made
#    from their decisions, then their payments into one validated pain.001
#    file, each timed (wall and CPU, with the load), beside sqlite3 + awk
#    writing the same file from the same rows (byte for byte the same).
# H. The loan account over a whole life (bench/loans.sh): 25 years of
#    monthly runs in one process with the benchmark's bank, beside awk's
#    arithmetic and the sqlite3 shell writing the same rows; and conversion
#    to grant (bench/convert.sh) against the register simulator.
# I. The policy simulation on a million (#9; bench/simulate.sh): 1 000 000
#    applications of the mix (BENCH_SIM_N) through `stipend simulate` under
#    the built-in set and a changed copy, timed with its peak memory, beside
#    the same intake through `stipend decide --jsonl` twice (its peer).
#
# Prints a report and writes it as JSON to build/bench/report.json. Figures
# are compared with their peers and printed beside targets; only errors,
# lost submissions, disagreements with the rules peer and parts that could
# not run make the exit status 1.
# All traffic goes to 127.0.0.1; every load is bounded in time, and the whole
# run in under four minutes (A-D under three, E about half a minute).
#
#   bench/run.sh                      (make bench builds ./stipend and ./stipend-sim first)
#   BENCH_N=20000 BENCH_DURATION=3s bench/run.sh     a quick trial
#   BENCH_MIX_N (100000) applications in D's mix; BENCH_PEER_N (all) of its
#   upper-secondary ones for stipend and the peer to decide side by side.
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C

N=${BENCH_N:-200000}
DURATION=${BENCH_DURATION:-10s}
REPEAT=${BENCH_REPEAT:-3}
STIPEND=${BENCH_STIPEND:-./stipend}
SIM=${BENCH_SIM:-./stipend-sim}
NGINX=${BENCH_NGINX:-/usr/sbin/nginx}
WRK_ARGS=(-t2 -c32 "-d$DURATION" --latency)
MIX_N=${BENCH_MIX_N:-100000}
PEER_N=${BENCH_PEER_N:-0}
TARGET_P99_MS=10
TARGET_RPS=3000
TARGET_PEER_RATIO=20
TARGET_MIX_DPS=150000
OUT=build/bench
REPORT=$OUT/report.json

DEADLINE=$(($(date +%s) + 175))
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stipend-bench.XXXXXX")
SERVER_PID=
NGINX_PID=
SIM_PID=
FAILURES=()

cleanup() {
	local pid
	for pid in $SERVER_PID $NGINX_PID $SIM_PID; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in $SERVER_PID $NGINX_PID $SIM_PID; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { printf '  .. %s\n' "$*"; }
fail() {
	FAILURES+=("$1")
	printf '\n  !!!!!!!! %s\n\n' "$1"
}

# fail, adding whether the stipend server still runs and its last words.
b_fail() {
	local why=$1 rc=0
	if [ -n "$SERVER_PID" ] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
		wait "$SERVER_PID" 2>/dev/null || rc=$?
		SERVER_PID=''
		why="$why; the server died (exit $rc$([ "$rc" -gt 128 ] && echo ", signal $((rc - 128))"))"
		[ -s "$TMP/serve.log" ] && why="$why: $(tail -n 3 "$TMP/serve.log" | tr '\n' ' ')"
	fi
	fail "$why"
}

# Seconds a step may take: its own limit, or what is left of the run's.
budget() {
	local left=$((DEADLINE - $(date +%s)))
	if [ "$left" -lt "$1" ]; then
		echo $((left > 1 ? left : 1))
	else
		echo "$1"
	fi
}

# Run a command, leaving its wall time in T_NS; returns the command's status.
T_NS=0
timed() {
	local t0 t1 rc=0
	t0=$(date +%s%N)
	"$@" || rc=$?
	t1=$(date +%s%N)
	T_NS=$((t1 - t0))
	return $rc
}

# Arithmetic on decimals, formatted: calc FORMAT EXPR (empty if EXPR fails).
calc() { awk "BEGIN { v = $2; printf \"$1\", v }" 2>/dev/null || true; }
# A ratio a/b to two decimals, or empty when either is missing.
ratio() {
	if [ -n "$1" ] && [ -n "$2" ] && [ "$(calc %d "($2) != 0")" = 1 ]; then
		if [ "$(calc %d "($1) / ($2) < 0.1")" = 1 ]; then calc %.4f "$1 / $2"; else calc %.2f "$1 / $2"; fi
	fi
}
# A port on 127.0.0.1 that nothing listens on, from base to base+999.
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
# Wait until URL answers 200, at most $2 seconds, while process $3 lives.
wait_http() {
	local _
	for _ in $(seq 1 $(($2 * 10))); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" || true)" = 200 ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# The values of the inputs and buttons named $1 in the HTML on stdin.
html_values() {
	tr '\n\r' '  ' | grep -oiE '<(input|button)[^>]*>' | grep -E "name=\"$1\"" |
		sed -nE 's/.*value="([^"]*)".*/\1/p' |
		sed -e 's/&quot;/"/g' -e "s/&#39;/'/g" -e "s/&#x27;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' \
			-e 's/&amp;/\&/g' || true
}
# The Cookie header a browser would send, from a curl cookie jar.
cookie_header() {
	awk -F'\t' '{ sub(/^#HttpOnly_/, "") } /^#/ || NF < 7 { next }
		{ printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$1"
}
# wrk's figures: wrk_field FILE rps|p50|p99|requests|socket_errors|non2xx.
# Latencies in milliseconds.
wrk_field() {
	awk -v want="$2" '
		function ms(s) {
			if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
			if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
			if (s ~ /m$/) return substr(s, 1, length(s) - 1) * 60000
			if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
			return ""
		}
		want == "rps" && $1 == "Requests/sec:" { print $2 }
		want == "p50" && $1 == "50%" { printf "%.3f\n", ms($2) }
		want == "p99" && $1 == "99%" { printf "%.3f\n", ms($2) }
		want == "requests" && $2 == "requests" && $3 == "in" { print $1 }
		want == "socket_errors" && $1 == "Socket" { gsub(/,/, ""); print $4 + $6 + $8 + $10 }
		want == "non2xx" && $1 == "Non-2xx" { print $5 }
	' "$1"
}

mkdir -p "$OUT"
rm -f "$OUT"/wrk-*.txt "$OUT/agree-d.txt" "$REPORT"
chmod 755 "$TMP"
echo "stipend benchmarks - $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

# --- A. Decision core throughput ---------------------------------------------

A_STATUS=failed
A_DPS='' A_S='' CAT_S='' NODE_S='' NODE_LPS='' A_BYTES='' A_ERRORS='' A_MIX='' A_RATIO_NODE='' A_RATIO_CAT=''
part_a() {
	local apps=$TMP/apps.jsonl gen=$OUT/gen r rc best_s best_c best_n
	echo
	echo "A. Decision core: $N applications through stipend decide --jsonl"
	if [ ! -x "$STIPEND" ]; then
		fail "A not run: $STIPEND is not built"
		return 1
	fi
	cc -O2 -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2 \
		-o "$gen" bench/gen.c || { fail "A not run: bench/gen.c does not compile"; return 1; }
	timeout "$(budget 30)" "$gen" "$N" 1 >"$apps" || { fail "A not run: the generator failed"; return 1; }
	A_BYTES=$(wc -c <"$apps")
	note "generated $(wc -l <"$apps") applications, $A_BYTES bytes"

	# Untimed: a sample must be read without error, and shows the mix.
	rc=0
	head -n 2000 "$apps" | timeout "$(budget 30)" "$STIPEND" decide --jsonl >"$TMP/sample.out" || rc=$?
	A_MIX=$(grep -oE '"outcome": ?"[a-z-]+"' "$TMP/sample.out" | sed -E 's/.*"([a-z-]+)"$/\1/' |
		sort | uniq -c | awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }' || true)
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
		fail "A: stipend decide --jsonl failed on the sample (exit $rc)"
		return 1
	fi
	local sample_err
	sample_err=$(grep -c '"error"' "$TMP/sample.out" || true)
	[ "$sample_err" -eq 0 ] ||
		fail "A: $sample_err of 2000 generated applications were not understood: $(grep -m1 '"error"' "$TMP/sample.out")"

	cat "$apps" >/dev/null # the file is in the page cache for every contender
	best_s='' best_c='' best_n='' A_ERRORS=0
	for r in $(seq 1 "$REPEAT"); do
		timed cat "$apps" >/dev/null
		[ -z "$best_c" ] || [ "$T_NS" -lt "$best_c" ] && best_c=$T_NS
		rc=0
		timed timeout "$(budget 60)" "$STIPEND" decide --jsonl "$apps" >/dev/null || rc=$?
		if [ "$rc" -eq 2 ]; then
			A_ERRORS=1
		elif [ "$rc" -ne 0 ]; then
			fail "A: stipend decide --jsonl exited $rc (124: out of time)"
			return 1
		fi
		[ -z "$best_s" ] || [ "$T_NS" -lt "$best_s" ] && best_s=$T_NS
		rc=0
		timed timeout "$(budget 60)" node bench/roundtrip.js "$apps" >/dev/null 2>"$TMP/node.err" || rc=$?
		[ "$rc" -eq 0 ] || { fail "A: the node peer failed (exit $rc): $(head -c 300 "$TMP/node.err")"; return 1; }
		[ -z "$best_n" ] || [ "$T_NS" -lt "$best_n" ] && best_n=$T_NS
		note "run $r of $REPEAT: best so far stipend $(calc %.2f "$best_s / 1e9") s, node $(calc %.2f "$best_n / 1e9") s"
	done
	[ "$A_ERRORS" -eq 0 ] || fail "A: stipend decide --jsonl reported lines it could not read (exit 2)"
	A_S=$(calc %.3f "$best_s / 1e9")
	CAT_S=$(calc %.4f "$best_c / 1e9")
	NODE_S=$(calc %.3f "$best_n / 1e9")
	A_DPS=$(calc %.0f "$N / ($best_s / 1e9)")
	NODE_LPS=$(calc %.0f "$N / ($best_n / 1e9)")
	A_RATIO_NODE=$(ratio "$A_DPS" "$NODE_LPS")
	A_RATIO_CAT=$(calc %.0f "$best_s / $best_c")
	A_STATUS=ok
	printf '  %-40s %10s s  %10s decisions/s\n' "stipend decide --jsonl > /dev/null" "$A_S" "$A_DPS"
	printf '  %-40s %10s s  %10s lines/s\n' "peer: node JSON.parse + JSON.stringify" "$NODE_S" "$NODE_LPS"
	printf '  %-40s %10s s\n' "peer: cat (the I/O floor)" "$CAT_S"
	printf '  stipend/node throughput: %s (1 = deciding costs no more than the JSON round trip)\n' "$A_RATIO_NODE"
	printf '  stipend/cat time: %sx\n' "$A_RATIO_CAT"
	printf '  outcomes in a sample of 2000: %s\n' "${A_MIX:-none}"
	printf '  best of %s runs each, %s bytes of input\n' "$REPEAT" "$A_BYTES"
}
part_a || true

# --- B. HTTP submit-to-decision under load -----------------------------------

B_STATUS=failed
B_RPS='' B_P50='' B_P99='' B_REQ='' B_OK='' B_ERR='' B_SOCK='' B_FIRST='' B_BEFORE='' B_AFTER='' B_ADDED='' B_DURABLE=''
# B at a paced load: the same 32 clients, each waiting PACE_MS after an
# answer, to read the latency at about the target rate rather than at the
# most the server can take.
PACE_MS=${BENCH_PACE_MS:-7}
P_RPS='' P_P50='' P_P99='' P_OK=''
PAGE_BYTES=
part_b() {
	local db=$TMP/bench.db jar=$TMP/jar port base code csrf nin loc url cookie rc wrkout=$TMP/wrk-submit.txt
	echo
	echo "B. Submit-to-decision: POST /soknad, wrk ${WRK_ARGS[*]}"
	if [ ! -x "$STIPEND" ] || [ ! -x "$SIM" ]; then
		fail "B not run: $STIPEND or $SIM is not built"
		return 1
	fi
	# The demo population, taken from the register simulator run for it.
	port=$(free_port 19000) || { fail "B not run: no free port"; return 1; }
	"$SIM" serve --listen "127.0.0.1:$port" --persons 200 >"$TMP/sim.log" 2>&1 &
	SIM_PID=$!
	wait_http "http://127.0.0.1:$port/health" 10 "$SIM_PID" ||
		{ fail "B not run: the register simulator did not start: $(tail -n 3 "$TMP/sim.log")"; return 1; }
	rc=0
	timeout "$(budget 60)" "$STIPEND" init --demo --registers "http://127.0.0.1:$port" --db "$db" >"$TMP/init.log" 2>&1 ||
		rc=$?
	kill -TERM "$SIM_PID" 2>/dev/null || true
	wait "$SIM_PID" 2>/dev/null || true
	SIM_PID=
	[ "$rc" -eq 0 ] || { fail "B not run: stipend init --demo exited $rc: $(tail -n 3 "$TMP/init.log")"; return 1; }
	B_BEFORE=$(sqlite3 "$db" 'select count(*) from cases' 2>"$TMP/sqlite.err") ||
		{ fail "B not run: cannot count cases: $(cat "$TMP/sqlite.err")"; return 1; }
	port=$(free_port 18080) || { fail "B not run: no free port"; return 1; }
	base=http://127.0.0.1:$port
	"$STIPEND" serve --db "$db" --listen "127.0.0.1:$port" --test-login >"$TMP/serve.log" 2>&1 &
	SERVER_PID=$!
	wait_http "$base/healthz" 10 "$SERVER_PID" ||
		{ b_fail "B not run: the server did not answer /healthz in 10 s: $(tail -n 3 "$TMP/serve.log")"; return 1; }
	note "server on $base, $B_BEFORE cases in the demo database"

	# Log in as a browser would: the login page's form, then the test login.
	code=$(curl -sS -c "$jar" -b "$jar" -o "$TMP/login.html" -w '%{http_code}' "$base/login") || code=000
	[ "$code" = 200 ] || { b_fail "B not run: GET /login answered $code"; return 1; }
	csrf=$(html_values csrf <"$TMP/login.html" | head -n 1)
	nin=$(html_values nin <"$TMP/login.html" | head -n 1)
	[ -n "$csrf" ] && [ -n "$nin" ] || { b_fail "B not run: /login has no csrf token or no test person"; return 1; }
	code=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -H "Origin: $base" \
		--data-urlencode "nin=$nin" --data-urlencode "csrf=$csrf" "$base/login/test") || code=000
	[ "$code" = 303 ] || { b_fail "B not run: POST /login/test answered $code, not 303"; return 1; }
	code=$(curl -sS -c "$jar" -b "$jar" -o "$TMP/soknad.html" -w '%{http_code}' "$base/soknad") || code=000
	[ "$code" = 200 ] || { b_fail "B not run: GET /soknad after login answered $code"; return 1; }
	csrf=$(html_values csrf <"$TMP/soknad.html" | head -n 1)
	[ -n "$csrf" ] || { b_fail "B not run: the /soknad form has no csrf token"; return 1; }

	# One submission by hand: the contract, and the decision page for C.
	code=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -D "$TMP/submit.hdr" -w '%{http_code}' -H "Origin: $base" \
		--data-urlencode "csrf=$csrf" -d lives_with_parents=no -d load_percent=100 -d start=2024-08-15 \
		-d end=2025-06-15 -d months_requested=11 "$base/soknad") || code=000
	loc=$(awk 'tolower($1) == "location:" { print $2 }' "$TMP/submit.hdr" | tr -d '\r')
	case "$code $loc" in
	"303 /saker/"* | "303 http"*"/saker/"*) ;;
	*) b_fail "B not run: a submission answered $code ${loc:-without Location}, not 303 /saker/<id>"; return 1 ;;
	esac
	case "$loc" in http*) url=$loc ;; *) url=$base$loc ;; esac
	code=$(curl -sS -b "$jar" -o "$TMP/decision.html" -w '%{http_code}' "$url") || code=000
	if [ "$code" = 200 ]; then
		PAGE_BYTES=$(wc -c <"$TMP/decision.html")
		note "decision page $loc: $PAGE_BYTES bytes"
	else
		b_fail "B: GET $loc answered $code; C falls back to an assumed page size"
	fi

	cookie=$(cookie_header "$jar")
	STIPEND_COOKIE=$cookie STIPEND_CSRF=$csrf STIPEND_ORIGIN=$base \
		timeout "$(budget 40)" wrk "${WRK_ARGS[@]}" -s bench/submit.lua "$base/soknad" >"$wrkout" 2>&1 ||
		{ b_fail "B: wrk failed: $(tail -n 3 "$wrkout")"; return 1; }
	B_RPS=$(wrk_field "$wrkout" rps)
	B_P50=$(wrk_field "$wrkout" p50)
	B_P99=$(wrk_field "$wrkout" p99)
	B_REQ=$(wrk_field "$wrkout" requests)
	B_SOCK=$(wrk_field "$wrkout" socket_errors)
	B_SOCK=${B_SOCK:-0}
	B_OK=$(sed -nE 's/^submit\.lua: ok=([0-9]+).*/\1/p' "$wrkout")
	B_ERR=$(sed -nE 's/^submit\.lua: .*errors=([0-9]+).*/\1/p' "$wrkout")
	B_FIRST=$(sed -nE 's/^submit\.lua: .*first_error=([0-9]+).*/\1/p' "$wrkout")
	cp "$wrkout" "$OUT/wrk-submit.txt"
	[ -n "$B_OK" ] && [ -n "$B_RPS" ] || { b_fail "B: cannot read wrk's output: $(tail -n 5 "$wrkout")"; return 1; }

	local paced=$TMP/wrk-paced.txt
	STIPEND_COOKIE=$cookie STIPEND_CSRF=$csrf STIPEND_ORIGIN=$base STIPEND_PACE_MS=$PACE_MS \
		timeout "$(budget 40)" wrk "${WRK_ARGS[@]}" -s bench/submit.lua "$base/soknad" >"$paced" 2>&1 ||
		{ b_fail "B: paced wrk failed: $(tail -n 3 "$paced")"; return 1; }
	P_RPS=$(wrk_field "$paced" rps)
	P_P50=$(wrk_field "$paced" p50)
	P_P99=$(wrk_field "$paced" p99)
	P_OK=$(sed -nE 's/^submit\.lua: ok=([0-9]+).*/\1/p' "$paced")
	local p_err
	p_err=$(sed -nE 's/^submit\.lua: .*errors=([0-9]+).*/\1/p' "$paced")
	cp "$paced" "$OUT/wrk-submit-paced.txt"
	[ "${p_err:-1}" = 0 ] || fail "B: ERRORS in the paced run: $p_err answers were not 303"
	B_OK=$((B_OK + ${P_OK:-0}))

	# Durability: every 303 must be a case in the database, even when the
	# server is killed without a chance to flush anything.
	kill -KILL "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
	B_AFTER=$(sqlite3 "$db" 'select count(*) from cases' 2>"$TMP/sqlite.err") ||
		{ fail "B: cannot count cases after the run: $(cat "$TMP/sqlite.err")"; return 1; }
	B_ADDED=$((B_AFTER - B_BEFORE))
	# The hand-made submission is one of the new cases.
	if [ "$B_ADDED" -ge $((B_OK + 1)) ]; then B_DURABLE=true; else B_DURABLE=false; fi
	B_STATUS=ok

	printf '  %-28s %10s   target >= %s\n' "submissions/s" "$B_RPS" "$TARGET_RPS"
	printf '  %-28s %10s ms\n' "latency p50" "$B_P50"
	printf '  %-28s %10s ms  target < %s ms\n' "latency p99" "$B_P99" "$TARGET_P99_MS"
	printf '  %-28s %10s   (each client waits %s ms between submissions)\n' "paced: submissions/s" "$P_RPS" "$PACE_MS"
	printf '  %-28s %10s ms\n' "paced: latency p50" "$P_P50"
	printf '  %-28s %10s ms  target < %s ms\n' "paced: latency p99" "$P_P99" "$TARGET_P99_MS"
	printf '  %-28s %10s\n' "requests answered" "$B_REQ"
	printf '  %-28s %10s\n' "303 answers (submit.lua)" "$B_OK"
	printf '  %-28s %10s\n' "errors (other answers)" "$B_ERR"
	printf '  %-28s %10s\n' "socket errors" "$B_SOCK"
	printf '  %-28s %10s   (%s before, %s after, server killed with SIGKILL)\n' "cases added in the db" \
		"$B_ADDED" "$B_BEFORE" "$B_AFTER"
	printf '  %-28s %10s   (%s by wrk in both runs + 1 by hand)\n' "303 answers to account for" "$((B_OK + 1))" "$B_OK"
	[ "$B_ERR" = 0 ] ||
		fail "B: ERRORS: $B_ERR submissions were not answered 303 /saker/<id> (the first: HTTP $B_FIRST) - must be 0"
	[ "${B_SOCK:-0}" = 0 ] ||
		fail "B: ERRORS: $(grep -m1 '^ *Socket errors' "$wrkout" | sed 's/^ *//') - must be 0"
	if [ "$B_DURABLE" != true ]; then
		fail "B: DURABILITY: $((B_OK + 1)) submissions were answered 303 but only $B_ADDED cases are in the database"
	else
		printf '  durable: every 303 is a case in the database (%s more were committed while wrk stopped)\n' \
			"$((B_ADDED - B_OK - 1))"
	fi
}
part_b || true
if [ -n "$SERVER_PID" ]; then
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
fi

# --- C. The peer for B: nginx serving a file of the decision page's size ----

C_STATUS=failed
C_RPS='' C_P50='' C_P99='' C_REQ='' C_SOCK='' C_NON2XX='' C_BYTES='' C_BYTES_FROM='' R_RPS='' R_P50='' R_P99=''
part_c() {
	local dir=$TMP/nginx port base wrkout=$TMP/wrk-nginx.txt
	echo
	echo "C. Peer for B: nginx, static GET of a page the decision page's size, wrk ${WRK_ARGS[*]}"
	mkdir -p "$dir/www"
	chmod 755 "$dir" "$dir/www"
	if [ -n "$PAGE_BYTES" ]; then
		C_BYTES=$PAGE_BYTES C_BYTES_FROM="the decision page"
		cp "$TMP/decision.html" "$dir/www/saker.html"
	else
		C_BYTES=8192 C_BYTES_FROM="assumed: no decision page could be fetched"
		head -c "$C_BYTES" /dev/zero | tr '\0' x >"$dir/www/saker.html"
	fi
	chmod 644 "$dir/www/saker.html"
	port=$(free_port 19080) || { fail "C not run: no free port"; return 1; }
	base=http://127.0.0.1:$port
	cat >"$dir/nginx.conf" <<-EOF
		daemon off;
		worker_processes 2;
		pid $dir/nginx.pid;
		error_log $dir/error.log warn;
		events { worker_connections 1024; }
		http {
			access_log off;
			default_type text/html;
			client_body_temp_path $dir/body;
			proxy_temp_path $dir/proxy;
			fastcgi_temp_path $dir/fastcgi;
			uwsgi_temp_path $dir/uwsgi;
			scgi_temp_path $dir/scgi;
			server {
				listen 127.0.0.1:$port;
				root $dir/www;
			}
		}
	EOF
	"$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
	NGINX_PID=$!
	wait_http "$base/saker.html" 10 "$NGINX_PID" ||
		{ fail "C not run: nginx did not serve in 10 s: $(tail -n 3 "$dir/error.log" "$dir/stdout.log")"; return 1; }
	timeout "$(budget 40)" wrk "${WRK_ARGS[@]}" "$base/saker.html" >"$wrkout" 2>&1 ||
		{ fail "C: wrk failed: $(tail -n 3 "$wrkout")"; return 1; }
	C_RPS=$(wrk_field "$wrkout" rps)
	C_P50=$(wrk_field "$wrkout" p50)
	C_P99=$(wrk_field "$wrkout" p99)
	C_REQ=$(wrk_field "$wrkout" requests)
	C_SOCK=$(wrk_field "$wrkout" socket_errors)
	C_SOCK=${C_SOCK:-0}
	C_NON2XX=$(wrk_field "$wrkout" non2xx)
	C_NON2XX=${C_NON2XX:-0}
	cp "$wrkout" "$OUT/wrk-nginx.txt"
	[ -n "$C_RPS" ] || { fail "C: cannot read wrk's output: $(tail -n 5 "$wrkout")"; return 1; }
	C_STATUS=ok
	printf '  %-28s %10s bytes (%s)\n' "static file" "$C_BYTES" "$C_BYTES_FROM"
	printf '  %-28s %10s\n' "requests/s" "$C_RPS"
	printf '  %-28s %10s ms\n' "latency p50" "$C_P50"
	printf '  %-28s %10s ms\n' "latency p99" "$C_P99"
	printf '  %-28s %10s (non-2xx %s, socket errors %s)\n' "requests answered" "$C_REQ" "${C_NON2XX:-0}" "${C_SOCK:-0}"
	[ "${C_NON2XX:-0}" = 0 ] && [ "${C_SOCK:-0}" = 0 ] ||
		fail "C: nginx answered ${C_NON2XX:-0} non-2xx and had ${C_SOCK:-0} socket errors"
	R_RPS=$(ratio "$B_RPS" "$C_RPS")
	R_P50=$(ratio "$B_P50" "$C_P50")
	R_P99=$(ratio "$B_P99" "$C_P99")
	if [ "$B_STATUS" = ok ]; then
		printf '  stipend/nginx: requests/s %s, p50 %sx, p99 %sx\n' "$R_RPS" "$R_P50" "$R_P99"
	fi
}
part_c || true
if [ -n "$NGINX_PID" ]; then
	kill -TERM "$NGINX_PID" 2>/dev/null || true
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=
fi

# --- D. The mix of all four schemes, and a rules-engine peer ------------------

D_STATUS=failed
D_BYTES='' D_S='' D_DPS='' D_ERRORS='' D_OUTCOMES='' D_US_ALL='' D_US_N='' D_US_S='' D_US_DPS=''
D_PEER_VERSION='' D_PEER_RUNS=0 D_PEER_ENGINE_S='' D_PEER_ENGINE_DPS='' D_PEER_IO_S='' D_PEER_IO_DPS=''
D_RATIO_ENGINE='' D_RATIO_IO='' D_COMPARED='' D_DISAGREE='' D_CPU_S='' D_CPU_DPS='' D_CORES='' D_CORES_DPS=''
part_d() {
	local mix=$TMP/mix.jsonl us=$TMP/mix-us.jsonl gen=$OUT/gen r rc best_s best_u best_p best_e e
	echo
	echo "D. The mix: $MIX_N applications of all four schemes, traces on, and json-rules-engine as the rules' peer"
	if [ ! -x "$STIPEND" ]; then
		fail "D not run: $STIPEND is not built"
		return 1
	fi
	D_PEER_VERSION=$(node -p 'require("json-rules-engine/package.json").version' 2>/dev/null) ||
		{ fail "D not run: json-rules-engine is not installed (make deps installs it)"; return 1; }
	cc -O2 -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2 \
		-o "$gen" bench/gen.c || { fail "D not run: bench/gen.c does not compile"; return 1; }
	timeout "$(budget 30)" "$gen" --mix "$MIX_N" 1 >"$mix" || { fail "D not run: the generator failed"; return 1; }
	D_BYTES=$(wc -c <"$mix")
	grep '^{"scheme":"upper-secondary"' "$mix" >"$TMP/mix-us-all.jsonl" || true
	D_US_ALL=$(wc -l <"$TMP/mix-us-all.jsonl")
	if [ "$PEER_N" -gt 0 ] && [ "$PEER_N" -lt "$D_US_ALL" ]; then
		head -n "$PEER_N" "$TMP/mix-us-all.jsonl" >"$us"
	else
		cp "$TMP/mix-us-all.jsonl" "$us"
	fi
	D_US_N=$(wc -l <"$us")
	note "generated $(wc -l <"$mix") applications, $D_BYTES bytes; $D_US_ALL upper-secondary, $D_US_N of them decided by both"

	# stipend on the whole mix and on its upper-secondary subset, writing the
	# decisions with their traces to files; every line must be understood.
	cat "$mix" "$us" >/dev/null
	best_s='' best_u='' best_p='' best_e=''
	# #9: the CPU time (user + sys) of each run of the mix as well, the
	# honest figure on a shared machine; the least of the runs is kept.
	local cpu_cmd=() c
	[ -x /usr/bin/time ] && cpu_cmd=(/usr/bin/time -f '%U %S' -o "$TMP/mix.cpu")
	for r in $(seq 1 "$REPEAT"); do
		rc=0
		rm -f "$TMP/mix.cpu"
		timed timeout "$(budget 60)" "${cpu_cmd[@]}" "$STIPEND" decide --jsonl "$mix" >"$TMP/mix.out" || rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
			fail "D: stipend decide --jsonl exited $rc on the mix (124: out of time)"
			return 1
		fi
		[ -z "$best_s" ] || [ "$T_NS" -lt "$best_s" ] && best_s=$T_NS
		c=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ { printf "%.2f", $1 + $2 }' "$TMP/mix.cpu" 2>/dev/null || true)
		[ -n "$c" ] && { [ -z "$D_CPU_S" ] || [ "$(calc %d "$c < $D_CPU_S")" = 1 ]; } && D_CPU_S=$c
		rc=0
		timed timeout "$(budget 60)" "$STIPEND" decide --jsonl "$us" >"$TMP/mix-us.out" || rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
			fail "D: stipend decide --jsonl exited $rc on the upper-secondary subset (124: out of time)"
			return 1
		fi
		[ -z "$best_u" ] || [ "$T_NS" -lt "$best_u" ] && best_u=$T_NS
		note "stipend run $r of $REPEAT: best so far the mix $(calc %.2f "$best_s / 1e9") s," \
			"the subset $(calc %.3f "$best_u / 1e9") s"
	done
	D_ERRORS=$(grep -c '^{"error"' "$TMP/mix.out" || true)
	[ "$D_ERRORS" -eq 0 ] ||
		fail "D: $D_ERRORS of $MIX_N mixed applications were not understood: $(grep -m1 '^{"error"' "$TMP/mix.out")"
	[ "$(wc -l <"$TMP/mix.out")" -eq "$(wc -l <"$mix")" ] ||
		{ fail "D: stipend wrote $(wc -l <"$TMP/mix.out") decisions for $(wc -l <"$mix") applications"; return 1; }
	D_OUTCOMES=$(sed -nE 's/^\{"scheme":"([a-z-]+)","outcome":"([a-z-]+)".*/\1 \2/p' "$TMP/mix.out" | sort | uniq -c |
		awk '{ if ($2 != s) { printf "%s%s: %s %s", (s == "" ? "" : "; "), $2, $3, $1; s = $2 } else printf ", %s %s", $3, $1 }')

	# The peer builds its engine once and runs it per application. Its own
	# clock times the engine loop alone; the wall clock the whole process.
	for r in $(seq 1 "$REPEAT"); do
		[ "$r" -eq 1 ] || [ $((DEADLINE - $(date +%s))) -gt 25 ] || break
		rc=0
		timed timeout "$(budget 90)" node bench/peer-rules.js "$us" >"$TMP/peer.out" 2>"$TMP/peer.err" || rc=$?
		[ "$rc" -eq 0 ] || { fail "D: the json-rules-engine peer failed (exit $rc): $(head -c 300 "$TMP/peer.err")"; return 1; }
		e=$(sed -nE 's/.*engine_seconds=([0-9.]+).*/\1/p' "$TMP/peer.err")
		[ -n "$e" ] || { fail "D: cannot read the peer's engine time: $(head -c 300 "$TMP/peer.err")"; return 1; }
		[ -z "$best_p" ] || [ "$T_NS" -lt "$best_p" ] && best_p=$T_NS
		[ -z "$best_e" ] || [ "$(calc %d "$e < $best_e")" = 1 ] && best_e=$e
		D_PEER_RUNS=$r
		note "peer run $r of $REPEAT: best so far the engine loop $best_e s, the whole process" \
			"$(calc %.2f "$best_p / 1e9") s"
	done

	rc=0
	node bench/agree.js "$us" "$TMP/mix-us.out" "$TMP/peer.out" >"$TMP/agree.txt" 2>&1 || rc=$?
	cp "$TMP/agree.txt" "$OUT/agree-d.txt"
	D_COMPARED=$(sed -nE 's/^agree: compared=([0-9]+) .*/\1/p' "$TMP/agree.txt")
	D_DISAGREE=$(sed -nE 's/^agree: .*disagreements=([0-9]+).*/\1/p' "$TMP/agree.txt")
	if [ "$rc" -gt 1 ] || [ -z "$D_COMPARED" ] || [ -z "$D_DISAGREE" ]; then
		fail "D: the agreement check could not run (exit $rc): $(tail -n 3 "$TMP/agree.txt")"
		return 1
	fi

	D_S=$(calc %.3f "$best_s / 1e9")
	D_DPS=$(calc %.0f "$MIX_N / ($best_s / 1e9)")
	if [ -n "$D_CPU_S" ] && [ "$(calc %d "$D_CPU_S > 0")" = 1 ]; then
		D_CPU_DPS=$(calc %.0f "$MIX_N / $D_CPU_S")
		# What the CPU time gives when every core works for this run alone:
		# stipend decides on one worker a core (at most four).
		D_CORES=$(nproc 2>/dev/null || echo 1)
		[ "$D_CORES" -gt 4 ] && D_CORES=4
		D_CORES_DPS=$(calc %.0f "$D_CORES * $D_CPU_DPS")
	fi
	D_US_S=$(calc %.3f "$best_u / 1e9")
	D_US_DPS=$(calc %.0f "$D_US_N / ($best_u / 1e9)")
	D_PEER_ENGINE_S=$best_e
	D_PEER_ENGINE_DPS=$(calc %.0f "$D_US_N / $best_e")
	D_PEER_IO_S=$(calc %.3f "$best_p / 1e9")
	D_PEER_IO_DPS=$(calc %.0f "$D_US_N / ($best_p / 1e9)")
	D_RATIO_ENGINE=$(ratio "$D_US_DPS" "$D_PEER_ENGINE_DPS")
	D_RATIO_IO=$(ratio "$D_US_DPS" "$D_PEER_IO_DPS")
	D_STATUS=ok
	printf '  %-58s %8s s %8s decisions/s\n' "stipend decide --jsonl, the whole mix, traces on, > file" "$D_S" "$D_DPS"
	[ -z "$D_CPU_S" ] ||
		printf '  %-58s %8s s %8s decisions/s (by %s cores: %s/s)\n' "the same, by CPU time (user + sys, least of the runs)" \
			"$D_CPU_S" "$D_CPU_DPS" "$D_CORES" "$D_CORES_DPS"
	printf '  %-58s %8s s %8s decisions/s\n' "stipend decide --jsonl, its $D_US_N upper-secondary" "$D_US_S" "$D_US_DPS"
	printf '  %-58s %8s s %8s decisions/s\n' "peer: json-rules-engine $D_PEER_VERSION, the same, engine loop only" \
		"$D_PEER_ENGINE_S" "$D_PEER_ENGINE_DPS"
	printf '  %-58s %8s s %8s decisions/s\n' "peer: the same, whole process (node, read, parse, write)" \
		"$D_PEER_IO_S" "$D_PEER_IO_DPS"
	printf '  stipend/peer: %sx against the engine loop alone, %sx process to process (aim >= %sx)\n' \
		"$D_RATIO_ENGINE" "$D_RATIO_IO" "$TARGET_PEER_RATIO"
	printf '    the engine loop times engine.run per application only, after reading and parsing the file\n'
	printf '  agreement on the boarding grant and the manual reasons: %s compared, %s disagreements\n' \
		"$D_COMPARED" "$D_DISAGREE"
	grep -v '^agree: ' "$TMP/agree.txt" || true
	printf '  outcomes: %s\n' "${D_OUTCOMES:-none}"
	printf '  not understood: %s of %s; stipend best of %s runs, the peer of %s\n' \
		"$D_ERRORS" "$MIX_N" "$REPEAT" "$D_PEER_RUNS"
	[ "$D_DISAGREE" = 0 ] ||
		fail "D: DISAGREEMENTS: stipend and the json-rules-engine peer disagree on $D_DISAGREE of $D_COMPARED applications (see $OUT/agree-d.txt) - must be 0"

	# The policy simulation on the same mix: each application decided under
	# two parameter sets (the built-in one twice: a change costs what none
	# does), beside its peer, the two runs of stipend decide --jsonl over the
	# mix that a simulation without it would take.
	rc=0
	timed timeout "$(budget 60)" "$STIPEND" simulate --intake "$mix" --params builtin --params builtin --json \
		>"$TMP/sim.json" || rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "D: stipend simulate exited $rc on the mix (124: out of time)"
	else
		D_SIM_S=$(calc %.3f "$T_NS / 1e9")
		printf '  %-58s %8s s   %sx the two decide runs above (%s s)\n' "stipend simulate, the mix under two parameter sets" \
			"$D_SIM_S" "$(calc %.2f "2 * $best_s / $T_NS")" "$(calc %.3f "2 * $best_s / 1e9")"
	fi
}
part_d || true

# --- E. Batch intake ----------------------------------------------------------

E_STATUS=failed
E_SIZES='' E_LINEAR_RATIO='' E_MILLION_S='' E_REG_RATE='' E_REG_PEER_RATE='' E_REG_RATIO='' E_PROBLEMS=()
if BENCH_STIPEND=$STIPEND bench/batch.sh; then :; fi
if [ -f "$OUT/batch.env" ]; then
	# shellcheck disable=SC1091
	. "$OUT/batch.env"
	for f in ${E_PROBLEMS[@]+"${E_PROBLEMS[@]}"}; do FAILURES+=("$f"); done
else
	fail "E: bench/batch.sh wrote no figures"
fi
E_LINE=''
for n in $E_SIZES; do
	v=E_RATE_$n
	E_LINE="$E_LINE${E_LINE:+, }$n: ${!v:--}/s"
done

# --- F. The support centre's month (#14; bench/support.sh) -----------------

F_TOTAL='' F_HTTP_RATE='' F_REPORT_S='' F_REPORT_CPU='' F_PEER_S='' F_AGREE='' F_PROBLEMS=()
BENCH_STIPEND=$STIPEND bench/support.sh || true
if [ -f "$OUT/support.env" ]; then
	# shellcheck disable=SC1091
	. "$OUT/support.env"
	for f in ${F_PROBLEMS[@]+"${F_PROBLEMS[@]}"}; do FAILURES+=("$f"); done
else
	fail "F: bench/support.sh wrote no figures"
fi
# --- G. The year's first payout (bench/payout.sh) ----------------------------

G_LINE=''
if G_LINE=$(BENCH_STIPEND=$STIPEND bench/payout.sh 2>/dev/null | tail -1); then :; else
	fail "G: bench/payout.sh failed: ${G_LINE:-no figures}"
fi
echo "$G_LINE"
# --- H. The loan account over a lifetime (#11; bench/loans.sh) ---------------

# #11, speed: 25 years of months in one process (BENCH_LOANS_N borrowers),
# then conversion to grant on a register simulator's population.
if ! BENCH_STIPEND=$STIPEND BENCH_LOANS_N=${BENCH_LOANS_N:-200} bench/loans.sh; then
	fail "H: bench/loans.sh failed (a command, the ledger check, or a debt not repaid)"
fi
if ! BENCH_STIPEND=$STIPEND BENCH_CONVERT_N=${BENCH_CONVERT_N:-10000} bench/convert.sh; then
	fail "H: bench/convert.sh failed (the intake, the conversion or the ledger check)"
fi

# --- I. The policy simulation on a million (#9; bench/simulate.sh) ----------

I_S='' I_RATE='' I_KB='' I_PEER_S='' I_RATIO='' I_MET=- I_PROBLEMS=()
BENCH_STIPEND=$STIPEND bench/simulate.sh || true
if [ -f "$OUT/simulate.env" ]; then
	# shellcheck disable=SC1091
	. "$OUT/simulate.env"
	for f in ${I_PROBLEMS[@]+"${I_PROBLEMS[@]}"}; do FAILURES+=("$f"); done
else
	fail "I: bench/simulate.sh wrote no figures"
fi

# --- Summary and report.json -------------------------------------------------

meets() { # meets VALUE OP TARGET -> yes/no/-
	[ -n "$1" ] || { echo -; return; }
	[ "$(calc %d "$1 $2 $3")" = 1 ] && echo yes || echo no
}
P99_MET=$(meets "$B_P99" '<' "$TARGET_P99_MS")
PACED_P99_MET=$(meets "$P_P99" '<' "$TARGET_P99_MS")
PACED_RPS_MET=$(meets "$P_RPS" '>=' "$TARGET_RPS")
RPS_MET=$(meets "$B_RPS" '>=' "$TARGET_RPS")
PEER_MET=$(meets "$D_RATIO_ENGINE" '>=' "$TARGET_PEER_RATIO")
echo
echo "==================================== summary ===================================="
printf '  A decide --jsonl   %s: %s decisions/s; node JSON round trip %s lines/s; ratio %s\n' \
	"$A_STATUS" "${A_DPS:--}" "${NODE_LPS:--}" "${A_RATIO_NODE:--}"
printf '  B submit (POST)    %s: %s req/s, p50 %s ms, p99 %s ms, errors %s, 303s %s, cases added %s\n' \
	"$B_STATUS" "${B_RPS:--}" "${B_P50:--}" "${B_P99:--}" "${B_ERR:--}" "${B_OK:--}" "${B_ADDED:--}"
printf '  B paced            %s req/s (clients wait %s ms), p50 %s ms, p99 %s ms\n' \
	"${P_RPS:--}" "$PACE_MS" "${P_P50:--}" "${P_P99:--}"
printf '  C nginx (GET)      %s: %s req/s, p50 %s ms, p99 %s ms\n' \
	"$C_STATUS" "${C_RPS:--}" "${C_P50:--}" "${C_P99:--}"
printf '  stipend/nginx      requests/s %s, p50 %sx, p99 %sx\n' "${R_RPS:--}" "${R_P50:--}" "${R_P99:--}"
printf '  D mix, traces on   %s: %s decisions/s over %s applications, %s not understood\n' \
	"$D_STATUS" "${D_DPS:--}" "$MIX_N" "${D_ERRORS:--}"
printf '  D upper-secondary  stipend %s/s; json-rules-engine %s/s engine loop, %s/s whole; ratio %sx, %sx\n' \
	"${D_US_DPS:--}" "${D_PEER_ENGINE_DPS:--}" "${D_PEER_IO_DPS:--}" "${D_RATIO_ENGINE:--}" "${D_RATIO_IO:--}"
printf '  D agreement        %s compared, %s disagreements\n' "${D_COMPARED:--}" "${D_DISAGREE:--}"
printf '  D target           >= %s decisions/s in the mix: %s (load average now %s; the machine is shared)\n' \
	"$TARGET_MIX_DPS" "$(meets "$D_DPS" '>=' "$TARGET_MIX_DPS")" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  D by CPU time      %s s user+sys, %s decisions a CPU second; %s cores to itself: %s/s, target: %s\n' \
	"${D_CPU_S:--}" "${D_CPU_DPS:--}" "${D_CORES:--}" "${D_CORES_DPS:--}" "$(meets "$D_CORES_DPS" '>=' "$TARGET_MIX_DPS")"
printf '  I simulate 10^6    %s s (%s/s, peak %s KB); peer, decide --jsonl twice, %s s; ratio %sx; under %s s: %s\n' \
	"${I_S:--}" "${I_RATE:--}" "${I_KB:--}" "${I_PEER_S:--}" "${I_RATIO:--}" 60 "$I_MET"
printf '  E batch intake     %s: %s; time per application largest/smallest %sx%s\n' \
	"$E_STATUS" "${E_LINE:--}" "${E_LINEAR_RATIO:--}" "$([ -n "$E_MILLION_S" ] && echo "; 1 000 000 in $E_MILLION_S s")"
printf '  E from registers   bulk lookups %s applications/s; one person at a time %s/s; ratio %sx\n' \
	"${E_REG_RATE:--}" "${E_REG_PEER_RATE:--}" "${E_REG_RATIO:--}"
printf '  F support month    %s inquiries: report %s s (CPU %s s), peer %s s, agree %s; logged over HTTP %s/s\n' \
	"${F_TOTAL:--}" "${F_REPORT_S:--}" "${F_REPORT_CPU:--}" "${F_PEER_S:--}" "${F_AGREE:--}" "${F_HTTP_RATE:--}"
printf '  targets            p99 < %s ms at full load: %s, paced: %s;  >= %s submissions/s: %s (paced: %s);  >= %sx json-rules-engine: %s\n' \
	"$TARGET_P99_MS" "$P99_MET" "$PACED_P99_MET" "$TARGET_RPS" "$RPS_MET" "$PACED_RPS_MET" "$TARGET_PEER_RATIO" "$PEER_MET"
if [ "${#FAILURES[@]}" -eq 0 ]; then
	echo "  problems           none"
else
	echo "  PROBLEMS (${#FAILURES[@]}):"
	for f in "${FAILURES[@]}"; do printf '    - %s\n' "$f"; done
fi
echo "================================================================================="

num() { [[ "${1:-}" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "$1" || echo null; }
str() { printf '"%s"' "$(printf '%s' "$1" | tr '\n\t' '  ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }
bool() { case "${1:-}" in true | false) echo "$1" ;; *) echo null ;; esac; }
failures_json() {
	local sep='' f
	printf '['
	for f in ${FAILURES[@]+"${FAILURES[@]}"}; do
		printf '%s%s' "$sep" "$(str "$f")"
		sep=', '
	done
	printf ']'
}
cat >"$REPORT" <<EOF
{
  "date": $(str "$(date -u +%Y-%m-%dT%H:%M:%SZ)"),
  "commit": $(str "$(git rev-parse HEAD 2>/dev/null || true)"),
  "cores": $(nproc),
  "decide": {
    "status": $(str "$A_STATUS"), "applications": $(num "$N"), "input_bytes": $(num "$A_BYTES"),
    "runs": $(num "$REPEAT"), "seconds": $(num "$A_S"), "decisions_per_second": $(num "$A_DPS"),
    "outcomes_sample_2000": $(str "$A_MIX"),
    "peer_node_seconds": $(num "$NODE_S"), "peer_node_lines_per_second": $(num "$NODE_LPS"),
    "peer_cat_seconds": $(num "$CAT_S"),
    "ratio_stipend_to_node_throughput": $(num "$A_RATIO_NODE"), "ratio_stipend_to_cat_time": $(num "$A_RATIO_CAT")
  },
  "submit": {
    "status": $(str "$B_STATUS"), "wrk": $(str "${WRK_ARGS[*]}"),
    "requests_per_second": $(num "$B_RPS"), "latency_p50_ms": $(num "$B_P50"), "latency_p99_ms": $(num "$B_P99"),
    "requests": $(num "$B_REQ"), "answers_303": $(num "$B_OK"), "errors": $(num "$B_ERR"),
    "first_error_status": $(num "$B_FIRST"), "socket_errors": $(num "$B_SOCK"),
    "cases_before": $(num "$B_BEFORE"), "cases_after": $(num "$B_AFTER"), "cases_added": $(num "$B_ADDED"),
    "durable": $(bool "$B_DURABLE"), "decision_page_bytes": $(num "$PAGE_BYTES"),
    "paced": {"pace_ms": $(num "$PACE_MS"), "requests_per_second": $(num "$P_RPS"),
              "latency_p50_ms": $(num "$P_P50"), "latency_p99_ms": $(num "$P_P99")}
  },
  "nginx": {
    "status": $(str "$C_STATUS"), "file_bytes": $(num "$C_BYTES"), "file_bytes_from": $(str "$C_BYTES_FROM"),
    "requests_per_second": $(num "$C_RPS"), "latency_p50_ms": $(num "$C_P50"), "latency_p99_ms": $(num "$C_P99"),
    "requests": $(num "$C_REQ"), "non_2xx": $(num "${C_NON2XX:-0}"), "socket_errors": $(num "$C_SOCK")
  },
  "mix": {
    "status": $(str "$D_STATUS"), "applications": $(num "$MIX_N"), "input_bytes": $(num "$D_BYTES"),
    "runs": $(num "$REPEAT"), "not_understood": $(num "$D_ERRORS"), "outcomes": $(str "$D_OUTCOMES"),
    "seconds": $(num "$D_S"), "decisions_per_second": $(num "$D_DPS"),
    "cpu_seconds": $(num "$D_CPU_S"), "decisions_per_cpu_second": $(num "$D_CPU_DPS"),
    "cores": $(num "$D_CORES"), "decisions_per_second_by_cpu_on_all_cores": $(num "$D_CORES_DPS"),
    "upper_secondary": $(num "$D_US_ALL"), "subset": $(num "$D_US_N"),
    "subset_seconds": $(num "$D_US_S"), "subset_decisions_per_second": $(num "$D_US_DPS"),
    "peer": $(str "json-rules-engine $D_PEER_VERSION"), "peer_runs": $(num "$D_PEER_RUNS"),
    "peer_engine_loop_seconds": $(num "$D_PEER_ENGINE_S"),
    "peer_engine_loop_decisions_per_second": $(num "$D_PEER_ENGINE_DPS"),
    "peer_whole_process_seconds": $(num "$D_PEER_IO_S"),
    "peer_whole_process_decisions_per_second": $(num "$D_PEER_IO_DPS"),
    "ratio_stipend_to_peer_engine_loop": $(num "$D_RATIO_ENGINE"),
    "ratio_stipend_to_peer_whole_process": $(num "$D_RATIO_IO"),
    "compared": $(num "$D_COMPARED"), "disagreements": $(num "$D_DISAGREE")
  },
  "batch": $(cat "$OUT/batch.json" 2>/dev/null || echo null),
  "support": $(cat "$OUT/support.json" 2>/dev/null || echo null),
  "payout": $(cat "$OUT/payout.json" 2>/dev/null || echo null),
  "simulate": $(cat "$OUT/simulate.json" 2>/dev/null || echo null),
  "ratios_stipend_to_nginx": {
    "requests_per_second": $(num "$R_RPS"), "latency_p50": $(num "$R_P50"), "latency_p99": $(num "$R_P99")
  },
  "targets": {
    "latency_p99_ms_below": $TARGET_P99_MS, "latency_p99_met": $(str "$P99_MET"),
    "submissions_per_second_at_least": $TARGET_RPS, "submissions_per_second_met": $(str "$RPS_MET"),
    "ratio_to_json_rules_engine_at_least": $TARGET_PEER_RATIO, "ratio_to_json_rules_engine_met": $(str "$PEER_MET")
  },
  "problems": $(failures_json)
}
EOF
echo "report: $REPORT (wrk's own output and D's agreement check beside it)"
[ "${#FAILURES[@]}" -eq 0 ]
