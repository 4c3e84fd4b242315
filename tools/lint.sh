#!/bin/sh
# lint.sh - refuse the C calls our style bans (../shared/STYLE.md).
set -eu
cd "$(dirname "$0")/.."
banned='\b(sprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|sscanf|localtime|gmtime|strerror)[[:space:]]*\('
if grep -rnE "$banned" src tests tools --include='*.c' --include='*.h'; then
	echo "lint: banned calls above (see STYLE.md)" >&2
	exit 1
fi
echo "lint: clean"
