#!/bin/sh
# lint.sh - refuse the C calls our style bans (../shared/STYLE.md), and
# keep the floors apart: handlers (src/web/) call domain functions, never
# the store.
set -eu
cd "$(dirname "$0")/.."
status=0
banned='\b(sprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|sscanf|localtime|gmtime|strerror)[[:space:]]*\('
if grep -rnE "$banned" src sim tests tools --include='*.c' --include='*.h'; then
	echo "lint: banned calls above (see STYLE.md)" >&2
	status=1
fi
# A handler includes no header of store/ and calls no store_ function (a
# member such as app->store is not a call).
if grep -rnE '#include +"(\.\./)*store/' src/web; then
	echo "lint: src/web includes the store above: call a domain function instead" >&2
	status=1
fi
if grep -rnE '(^|[^>._a-z0-9])store_[a-z0-9_]+[[:space:]]*\(' src/web --include='*.c' --include='*.h'; then
	echo "lint: src/web calls the store above: call a domain function instead" >&2
	status=1
fi
# The simulated world (sim/) stands apart from what ships: it includes of
# src/ only core/, and nothing in src/ includes sim/ (see Makefile).
if grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' sim --include='*.c' --include='*.h' |
	grep -vE '#[[:space:]]*include[[:space:]]*"(core|sim)/'; then
	echo "lint: sim/ may include only core/ and sim/ headers (above)" >&2
	status=1
fi
if grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(\.\./)*sim/' src --include='*.c' --include='*.h'; then
	echo "lint: src/ may not include sim/ (above): stipend never holds the simulated world" >&2
	status=1
fi
[ $status -eq 0 ] && echo "lint: clean"
exit $status
