/* cli.h - the commands of the stipend binary, one function each, called
 * with the command's own argv (argv[0] is the command name). Each returns
 * the process exit status: 0, 1 (the machine failed) or 2 (bad usage or
 * input). Only the command line may call exit() or read the clock freely. */
#ifndef STIPEND_CLI_H
#define STIPEND_CLI_H

#define STIPEND_VERSION "0.1.0"

struct audit_anchor;
struct audit_key;
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
int cli_simulate(int argc, char **argv);
/* The support centre's operator commands (#14; cli/support.c). */
int cli_support(int argc, char **argv);
/* `stipend payout` (payout.c): the daily payout run (#10). Before
 * cli_job_kinds(), cli_job_kinds_payout() adds the daily run's job with
 * env (kept, not copied). */
struct payout_env;
void cli_job_kinds_payout(const struct payout_env *env);
int cli_payout(int argc, char **argv);
/* The loan account (#11): `stipend ledger check` (ledger.c). */
int cli_ledger(int argc, char **argv);
/* `stipend loans`: the monthly run, the bank's payments (loans.c). */
int cli_loans(int argc, char **argv);
/* `stipend convert --year Y`: loan converted to grant (convert.c). */
int cli_convert(int argc, char **argv);
/* #11, speed: `stipend loans run --from M --through M`, the months in turn
 * in one process (loans_months.c); cli_loans() hands it over. */
int cli_loans_months(int argc, char **argv);

/* Every job kind this binary runs (kinds.c), each with its context: the
 * case life cycle's in env, the notices' in notify (may be NULL), the audit
 * checkpoints' in anchor (may be NULL: none written). Call once at start;
 * the array is static and ended by a kind named NULL. */
const struct job_kind *cli_job_kinds(struct cases_env *env, const struct notify_config *notify,
				     const struct audit_anchor *anchor);

/* `stipend audit-key` (checkpoint.c): make the audit checkpoints' key. */
int cli_audit_key(int argc, char **argv);

/* The --audit-key FILE and --checkpoints FILE of serve and work (both or
 * neither; FILE NULL when not given): load the key, making it on first use
 * (its public key is logged), and fill anchor (key NULL when neither was
 * given). Returns 0, 2 for bad usage or a key refused, 1 when a file
 * failed; the message is printed as "stipend CMD: ...". */
int cli_audit_anchor(const char *cmd, const char *key_path, const char *checkpoints, struct audit_key *key,
		     struct audit_anchor *anchor);

/* The help text of those two options, for the commands' --help. */
#define CLI_AUDIT_ANCHOR_HELP                                                                             \
	"  --audit-key FILE   sign checkpoints of the audit chain with the key in FILE\n"                      \
	"                     (Ed25519, mode 0600, outside the database; made on first\n"                       \
	"                     use, its public key written to FILE.pub; or stipend\n"                            \
	"                     audit-key --out FILE)\n"                                                           \
	"  --checkpoints FILE append a signed checkpoint of the audit chain's head to\n"                        \
	"                     FILE (outside the database) at start, every 5 minutes and\n"                      \
	"                     at a clean stop; stipend verify --checkpoints FILE then\n"                        \
	"                     finds a removed tail or a rewritten log. Give serve and\n"                        \
	"                     work the same two.\n"

/* Print e as the contract's JSON error on standard error. */
void cli_print_error(const struct err *e);

#endif
