/* registers.c - `stipend registers serve`: the register simulator over HTTP
 * until SIGINT or SIGTERM, serving the synthetic population that
 * `stipend init --demo` loads with the same --persons and --seed. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/log.h"
#include "registers/simulator.h"
#include "registers/synth.h"

static const char registers_help[] =
    "Usage: stipend registers serve [--listen HOST:PORT] [--persons N] [--seed S] [--threads N]\n\n"
    "Run the register simulator: the population register, the tax authority, the\n"
    "schools and the welfare agency over HTTP and JSON, answering about the\n"
    "synthetic population that `stipend init --demo` loads with the same --persons\n"
    "and --seed. Endpoints:\n\n"
    "  GET  /population/v1/persons/{nin}        identity, address, family\n"
    "  GET  /population/v1/persons?offset=&limit=  batch intake (limit <= 1000)\n"
    "  GET  /tax/v1/persons/{nin}/income?year=  income and wealth (øre)\n"
    "  GET  /tax/v1/persons/{nin}/account       bank account\n"
    "  GET  /schools/v1/persons/{nin}/enrolments?school_year=2024-2025\n"
    "  GET  /schools/v1/persons/{nin}/credits   credits passed per semester\n"
    "  GET  /schools/v1/institutions            schools and institutions\n"
    "  GET  /welfare/v1/persons/{nin}/benefits  benefit periods\n"
    "  POST /population/v1/bulk/persons, /tax/v1/bulk/income, /tax/v1/bulk/account,\n"
    "       /schools/v1/bulk/enrolments, /schools/v1/bulk/credits,\n"
    "       /welfare/v1/bulk/benefits {\"nins\": [...]}  the same for up to 1000\n"
    "  GET  /{register}/v1/events?after=N&limit=L  the register's corrections\n"
    "  POST /_control/corrections {\"nin\", \"change\": enrolment|credits|income, ...}\n"
    "       a register corrects a fact (see README \"Registers\")\n"
    "  POST /sms/v1/messages {\"to\": \"+4791234567\", \"text\"}  the test SMS gateway (202)\n"
    "  GET  /sms/v1/messages?to=+4791234567    what the gateway received (newest 1000)\n"
    "  GET  /health\n"
    "  GET  /_control, POST /_control {\"register\", \"mode\", \"delay_ms\"}\n"
    "       failure injection: register population|tax|schools|welfare|all,\n"
    "       mode ok|error|slow|malformed|down; register sms: ok|error|down\n\n"
    "A confidential address is returned only with the header\n"
    "X-Scope: confidential-address.\n\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8090)\n"
    "  --persons N         the population's size (default 200, at most 1400000)\n"
    "  --seed S            the population's seed (default 7)\n"
    "  --threads N         event loops (default 2)\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'}, {"persons", required_argument, NULL, 'n'},
	    {"seed", required_argument, NULL, 's'},   {"threads", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
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
				fprintf(stderr, "stipend registers: --persons must be a number from 1 to %d\n",
				        SYNTH_MAX_PERSONS);
				return 2;
			}
			break;
		case 's':
			seed = strtoull(optarg, &end, 10);
			if (*end || *optarg == '-') {
				fprintf(stderr, "stipend registers: --seed must be a number\n");
				return 2;
			}
			break;
		case 't':
			threads = strtol(optarg, &end, 10);
			if (*end || threads < 1 || threads > 64) {
				fprintf(stderr, "stipend registers: --threads must be a number from 1 to 64\n");
				return 2;
			}
			break;
		case 'h': fputs(registers_help, stdout); return 0;
		default: fputs(registers_help, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stipend registers serve: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (colon == NULL || *end || port < 1 || port > 65535 || (size_t)(colon - listen) >= sizeof(host)) {
		fprintf(stderr, "stipend registers: --listen must be HOST:PORT, e.g. 127.0.0.1:8090\n");
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (reg_simulator_listen(host, (int)port, persons, seed, (int)threads, &e) < 0) {
		fprintf(stderr, "stipend registers: %s\n", e.message);
		return e.code == ERR_INVALID ? 2 : 1;
	}
	log_info("registers: serving http://%s:%ld/ with %lld synthetic persons (seed %llu)", host, port, persons,
	         seed);
	while (!stop)
		pause();
	log_info("registers: stopping");
	reg_simulator_stop();
	return 0;
}

int cli_registers(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(registers_help, stdout);
		return 0;
	}
	fputs(registers_help, stderr);
	return 2;
}
