/* cli.h - the commands of the stipend binary, one function each, called
 * with the command's own argv (argv[0] is the command name). Each returns
 * the process exit status: 0, 1 (the machine failed) or 2 (bad usage or
 * input). Only the command line may call exit() or read the clock freely. */
#ifndef STIPEND_CLI_H
#define STIPEND_CLI_H

#define STIPEND_VERSION "0.1.0"

struct err;

int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_decide(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_work(int argc, char **argv);
int cli_params(int argc, char **argv);
int cli_test_rules(int argc, char **argv);
int cli_registers(int argc, char **argv);
int cli_batch(int argc, char **argv);

/* Print e as the contract's JSON error on standard error. */
void cli_print_error(const struct err *e);

#endif
