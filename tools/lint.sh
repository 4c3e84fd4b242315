#!/bin/sh
# lint.sh - refuse the C calls our style bans (../shared/STYLE.md).
set -eu
cd "$(dirname "$0")/.."
banned='\b(sprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|sscanf|localtime|gmtime|strerror)[[:space:]]*\('
if grep -rnE "$banned" src sim tests tools --include='*.c' --include='*.h'; then
	echo "lint: banned calls above (see STYLE.md)" >&2
	exit 1
fi
# The simulated world (sim/) stands apart from what ships: it includes of
# src/ only core/, and nothing in src/ includes sim/ (see Makefile).
if grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' sim --include='*.c' --include='*.h' |
	grep -vE '#[[:space:]]*include[[:space:]]*"(core|sim)/'; then
	echo "lint: sim/ may include only core/ and sim/ headers (above)" >&2
	exit 1
fi
if grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(\.\./)*sim/' src --include='*.c' --include='*.h'; then
	echo "lint: src/ may not include sim/ (above): stipend never holds the simulated world" >&2
	exit 1
fi
echo "lint: clean"
