#!/bin/sh
# demo.sh - create the demo database (once) and serve the portal with the
# test login at http://127.0.0.1:8080 until Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
mkdir -p demo
if [ ! -f demo/stipend.db ]; then
	./stipend init --demo --persons 1000 --db demo/stipend.db
else
	./stipend migrate --db demo/stipend.db
fi
echo "stipend: open http://127.0.0.1:${PORT:-8080}/ and log in with a test person"
exec ./stipend serve --db demo/stipend.db --listen "127.0.0.1:${PORT:-8080}" --test-login
