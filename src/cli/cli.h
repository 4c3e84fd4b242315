/* cli.h - the commands of the stipend binary, one function each, called
 * with the command's own argv (argv[0] is the command name). Each returns
 * the process exit status: 0, 1 (the machine failed) or 2 (bad usage or
 * input). Only the command line may call exit() or read the clock freely. */
#ifndef STIPEND_CLI_H
#define STIPEND_CLI_H

#define STIPEND_VERSION "0.1.0"

struct cases_env;
struct err;
struct job_kind;
struct notify_config;

int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_decide(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_work(int argc, char **argv);
int cli_params(int argc, char **argv);
int cli_test_rules(int argc, char **argv);
int cli_batch(int argc, char **argv);
int cli_stats(int argc, char **argv);
int cli_print_batch(int argc, char **argv);
int cli_policy(int argc, char **argv);

/* Every job kind this binary runs (kinds.c), each with its context: the
 * case life cycle's in env, the notices' in notify (may be NULL). Call once
 * at start; the array is static and ended by a kind named NULL. */
const struct job_kind *cli_job_kinds(struct cases_env *env, const struct notify_config *notify);

/* Print e as the contract's JSON error on standard error. */
void cli_print_error(const struct err *e);

#endif
