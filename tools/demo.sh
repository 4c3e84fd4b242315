#!/bin/sh
# demo.sh - create the demo database (once) and serve the portal with the
# test login at http://127.0.0.1:8080, with the register simulator (same
# synthetic population) at http://127.0.0.1:8090, until Ctrl-C. E-mail
# notices go to a local SMTP sink that writes each message to demo/mail/,
# SMS notices to the simulator's test gateway (GET /sms/v1/messages).
set -eu
cd "$(dirname "$0")/.."
PERSONS=1000
SEED=7
mkdir -p demo
if [ ! -f demo/stipend.db ]; then
	./stipend init --demo --persons "$PERSONS" --seed "$SEED" --db demo/stipend.db
else
	./stipend migrate --db demo/stipend.db
fi
REG_PORT=${REG_PORT:-8090}
./stipend registers serve --persons "$PERSONS" --seed "$SEED" --listen "127.0.0.1:$REG_PORT" &
REG_PID=$!
SMTP_PORT=${SMTP_PORT:-2525}
node tools/mail-sink.mjs --listen "127.0.0.1:$SMTP_PORT" --dir demo/mail &
MAIL_PID=$!
trap 'kill $REG_PID $MAIL_PID 2>/dev/null' EXIT INT TERM
echo "stipend: open http://127.0.0.1:${PORT:-8080}/ and log in with a test person"
./stipend serve --db demo/stipend.db --listen "127.0.0.1:${PORT:-8080}" --test-login \
	--registers "http://127.0.0.1:$REG_PORT" --smtp "smtp://127.0.0.1:$SMTP_PORT" \
	--sms "http://127.0.0.1:$REG_PORT/sms/v1/messages"
