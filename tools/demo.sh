#!/bin/sh
# demo.sh - serve the portal with the test login at http://127.0.0.1:8080,
# beside the simulated outside world (stipend-sim: the registers over the
# synthetic population, and the test SMS gateway) at http://127.0.0.1:8090,
# until Ctrl-C. The demo database is created once, with the persons the
# simulated population register lists. E-mail notices go to a local SMTP
# sink that writes each message to demo/mail/, SMS notices to the
# simulator's test gateway (GET /sms/v1/messages). Login is real OpenID
# Connect against the simulator's test ID-porten (and its agency provider
# for staff, /login/ansatt), beside the test login; LOGIN=real leaves the
# test login off, as in production.
set -eu
cd "$(dirname "$0")/.."
PERSONS=1000
SEED=7
REG_PORT=${REG_PORT:-8090}
REGISTERS="http://127.0.0.1:$REG_PORT"
SMTP_PORT=${SMTP_PORT:-2525}
mkdir -p demo
# The simulator's signing service keeps its test CA in demo/, so that the
# agreements signed in one demo still verify in the next.
./stipend-sim serve --persons "$PERSONS" --seed "$SEED" --listen "127.0.0.1:$REG_PORT" \
	--signing-ca demo/signing-ca.pem --signing-key demo/signing-ca.key &
REG_PID=$!
MAIL_PID=
trap 'kill $REG_PID $MAIL_PID 2>/dev/null' EXIT INT TERM
# The database takes its people from the registers: wait until they answer.
tries=0
until curl -fs "$REGISTERS/health" >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ "$tries" -gt 100 ] || ! kill -0 "$REG_PID" 2>/dev/null; then
		echo "stipend: the register simulator did not start on $REGISTERS" >&2
		exit 1
	fi
	sleep 0.1
done
if [ ! -f demo/stipend.db ]; then
	./stipend init --demo --registers "$REGISTERS" --persons "$PERSONS" --db demo/stipend.db
else
	./stipend migrate --db demo/stipend.db
fi
node tools/mail-sink.mjs --listen "127.0.0.1:$SMTP_PORT" --dir demo/mail &
MAIL_PID=$!
TEST_LOGIN=--test-login
[ "${LOGIN:-both}" = real ] && TEST_LOGIN=
echo "stipend: open http://127.0.0.1:${PORT:-8080}/ and log in through the test ID-porten (or the test login)"
echo "stipend: the audit log's signed checkpoints go to demo/audit.checkpoints;" \
	"check them with stipend verify --db demo/stipend.db --checkpoints demo/audit.checkpoints --audit-key demo/audit.key"
# The simulator's test OpenID clients (sim/oidc.h); their secrets are no secret.
./stipend serve --db demo/stipend.db --listen "127.0.0.1:${PORT:-8080}" $TEST_LOGIN \
	--oidc-issuer "$REGISTERS/oidc/idporten" --oidc-client-id stipend --oidc-client-secret stipend-test-secret \
	--staff-oidc-issuer "$REGISTERS/oidc/agency" --staff-oidc-client-id stipend-staff \
	--staff-oidc-client-secret stipend-staff-test-secret \
	--registers "$REGISTERS" --smtp "smtp://127.0.0.1:$SMTP_PORT" \
	--sms "$REGISTERS/sms/v1/messages" \
	--signing-url "$REGISTERS/signing/v1" --signing-ca demo/signing-ca.pem \
	--audit-key demo/audit.key --checkpoints demo/audit.checkpoints
