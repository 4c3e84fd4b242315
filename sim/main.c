/* main.c - stipend-sim, the simulated outside world: the registers (the
 * population register, the tax authority, the schools, the welfare agency)
 * over their synthetic population, and the test SMS gateway, served over
 * HTTP until SIGINT or SIGTERM.
 *
 * A program of its own so that the binary an agency runs (stipend) holds
 * nothing that stands in for the world: stipend speaks to this one over
 * HTTP only, as it would to the real registers, and `stipend init --demo
 * --registers URL` takes its demo population from here. Exit status: 0
 * success, 1 failure of the machine (the address cannot be bound), 2 bad
 * usage. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/stop.h"
#include "sim/registers.h"
#include "sim/signing.h"
#include "sim/synth.h"

#define SIM_VERSION "0.1.0"

static const char usage_text[] =
    "Usage: stipend-sim COMMAND [OPTIONS]\n\n"
    "stipend-sim stands in for the world outside the agency in demos and tests:\n"
    "the registers over a synthetic population, a test SMS gateway and test\n"
    "OpenID providers (ID-porten, the agency's staff login). It is\n"
    "never part of what an agency runs.\n\nCommands:\n"
    "  serve       serve the registers and the test SMS gateway over HTTP\n\n"
    "Run \"stipend-sim serve --help\" for its options and endpoints.\n";

static const char serve_help[] =
    "Usage: stipend-sim serve [--listen HOST:PORT] [--persons N] [--seed S] [--threads N]\n"
    "                         [--signing-ca FILE --signing-key FILE]\n\n"
    "Run the register simulator: the population register, the tax authority, the\n"
    "schools and the welfare agency over HTTP and JSON, answering about persons\n"
    "0..N-1 of the synthetic population of seed S (same seed, same people, in\n"
    "the same order), and the test SMS gateway. `stipend init --demo --registers\n"
    "URL` creates a database holding that population. Endpoints:\n\n"
    "  GET  /population/v1/persons/{nin}        identity, address, family\n"
    "  GET  /population/v1/persons?offset=&limit=  batch intake (limit <= 1000)\n"
    "  GET  /tax/v1/persons/{nin}/income?year=  income and wealth (øre)\n"
    "  GET  /tax/v1/persons/{nin}/account       bank account\n"
    "  GET  /schools/v1/persons/{nin}/enrolments?school_year=2024-2025\n"
    "  GET  /schools/v1/persons/{nin}/credits   credits passed per semester\n"
    "  GET  /schools/v1/institutions            schools and institutions, by orgnr\n"
    "  GET  /welfare/v1/persons/{nin}/benefits  benefit periods\n"
    "  POST /population/v1/bulk/persons, /tax/v1/bulk/income, /tax/v1/bulk/account,\n"
    "       /schools/v1/bulk/enrolments, /schools/v1/bulk/credits,\n"
    "       /welfare/v1/bulk/benefits {\"nins\": [...]}  the same for up to 1000\n"
    "  GET  /{register}/v1/events?after=N&limit=L  the register's corrections\n"
    "  POST /_control/corrections {\"nin\", \"change\": enrolment|credits|income, ...}\n"
    "       a register corrects a fact (see README \"Registers\")\n"
    "  POST /sms/v1/messages {\"to\": \"+4791234567\", \"text\"}  the test SMS gateway (202)\n"
    "  GET  /sms/v1/messages?to=+4791234567    what the gateway received (newest 1000)\n"
    "  GET  /oidc/{idporten|agency}/.well-known/openid-configuration, /jwks,\n"
    "       /authorize (the login page), /endsession; POST /token\n"
    "       the test OpenID providers: ID-porten for citizens, the agency's for staff\n"
    "  GET  /oidc/_control, POST /oidc/_control {\"rotate\": true} | {\"reset\": true} |\n"
    "       {\"next_token\": {nonce, aud, iss, exp_offset, unknown_key, forged}}\n"
    "       (tests only) rotate the signing key, or make the next ID token wrong\n"
    "  POST /signing/v1/orders?reference=&signer=&return=  (the PDF) the test\n"
    "       signing service: GET /signing/v1/orders/{ref} signs with BankID\n"
    "       (test); GET .../signature the detached CMS; GET /signing/v1/ca.pem\n"
    "  GET  /tax/v1/persons/{nin}/accounts/{account}  the person's own? (404: no)\n"
    "  GET  /schools/v1/confirmations?after=N&limit=L  confirmed semester\n"
    "       registrations and attendance, as an event feed\n"
    "  POST /_control/accounts {\"nin\", \"account\", \"state\": open|closed}\n"
    "  POST /_control/confirmations {\"nin\", \"school_year\", \"kind\"}\n"
    "  POST /bank/v1/payments   a pain.001.001.03 file -> pain.002 per transfer\n"
    "       (RJCT AC04 a closed account, AC01 an unknown one)\n"
    "  GET  /bank/v1/notifications?date=D  camt.054: transfers booked by D\n"
    "  POST /giro/v1/payments {\"kid\", \"amount_ore\", \"booked\", \"debtor\"}  the bank: pay with a KID\n"
    "  GET  /giro/v1/reports/camt054           the bank's camt.054 report of the credits\n"
    "  GET  /health\n"
    "  GET  /_control, POST /_control {\"register\", \"mode\", \"delay_ms\"}\n"
    "       failure injection: register population|tax|schools|welfare|all,\n"
    "       mode ok|error|slow|malformed|down; register sms: ok|error|down\n\n"
    "A confidential address is returned only with the header\n"
    "X-Scope: confidential-address.\n\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8090)\n"
    "  --persons N         the population's size (default 200, at most 1400000)\n"
    "  --seed S            the population's seed (default 7)\n"
    "  --threads N         event loops (default 2)\n"
    "  --signing-ca FILE   the signing service's test CA certificate (PEM), with\n"
    "  --signing-key FILE  its key: read when both exist, else made and written\n"
    "                      there (give stipend serve --signing-ca the same file);\n"
    "                      without them a new CA in memory (GET /signing/v1/ca.pem)\n";

static int serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'}, {"persons", required_argument, NULL, 'n'},
	    {"seed", required_argument, NULL, 's'},   {"threads", required_argument, NULL, 't'},
	    {"signing-ca", required_argument, NULL, 'C'}, {"signing-key", required_argument, NULL, 'K'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	const char *signing_ca = NULL, *signing_key = NULL;
	const char *listen = "127.0.0.1:8090";
	long long persons = 200;
	unsigned long long seed = 7;
	long threads = 2;
	int c;
	struct err e;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'l': listen = optarg; break;
		case 'n':
			persons = strtoll(optarg, &end, 10);
			if (*end || persons < 1 || persons > SYNTH_MAX_PERSONS) {
				fprintf(stderr, "stipend-sim serve: --persons must be a number from 1 to %d\n",
				        SYNTH_MAX_PERSONS);
				return 2;
			}
			break;
		case 's':
			seed = strtoull(optarg, &end, 10);
			if (*end || *optarg == '-') {
				fprintf(stderr, "stipend-sim serve: --seed must be a number\n");
				return 2;
			}
			break;
		case 't':
			threads = strtol(optarg, &end, 10);
			if (*end || threads < 1 || threads > 64) {
				fprintf(stderr, "stipend-sim serve: --threads must be a number from 1 to 64\n");
				return 2;
			}
			break;
		case 'C': signing_ca = optarg; break;
		case 'K': signing_key = optarg; break;
		case 'h': fputs(serve_help, stdout); return 0;
		default: fputs(serve_help, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stipend-sim serve: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (colon == NULL || *end || port < 1 || port > 65535 || (size_t)(colon - listen) >= sizeof(host)) {
		fprintf(stderr, "stipend-sim serve: --listen must be HOST:PORT, e.g. 127.0.0.1:8090\n");
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if ((signing_ca == NULL) != (signing_key == NULL)) {
		fprintf(stderr, "stipend-sim serve: --signing-ca and --signing-key go together\n");
		return 2;
	}
	if (signing_service_init(signing_ca, signing_key, seed, persons, &e) != 0) {
		fprintf(stderr, "stipend-sim serve: %s\n", e.message);
		return e.code == ERR_INVALID ? 2 : 1;
	}
	if (stop_signals_block() != 0) { /* before any thread: core/stop.h */
		fprintf(stderr, "stipend-sim serve: cannot block the stop signals\n");
		return 1;
	}
	if (sim_listen(host, (int)port, persons, seed, (int)threads, &e) < 0) {
		fprintf(stderr, "stipend-sim serve: %s\n", e.message);
		return e.code == ERR_INVALID ? 2 : 1;
	}
	log_info("registers: serving http://%s:%ld/ with %lld synthetic persons (seed %llu)", host, port, persons,
	         seed);
	stop_signals_wait();
	log_info("registers: stopping");
	sim_stop();
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("stipend-sim " SIM_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve(argc - 1, argv + 1);
	fprintf(stderr, "stipend-sim: unknown command \"%s\"\n\n", argv[1]);
	fputs(usage_text, stderr);
	return 2;
}
