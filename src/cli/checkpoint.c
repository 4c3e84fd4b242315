/* checkpoint.c - `stipend audit-key`, and the --audit-key and
 * --checkpoints options that `stipend serve` and `stipend work` share: the
 * key that signs checkpoints of the audit chain and the file outside the
 * database they go to (audit/audit.h says why). */
#include <getopt.h>
#include <stdio.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/log.h"

static const char audit_key_help[] =
	"Usage: stipend audit-key --out FILE\n\n"
	"Make the key that signs checkpoints of the audit chain (Ed25519): the\n"
	"secret in FILE, readable by its owner only (mode 0600), the public key in\n"
	"FILE.pub and on standard output. Keep FILE outside the database and away\n"
	"from whoever may write the database; keep the public key beside the\n"
	"checkpoints (and somewhere they cannot change it) for stipend verify\n"
	"--audit-public-key. serve and work take it as --audit-key FILE.\n\n"
	"  --out FILE   where the key goes; FILE must not exist\n\n"
	"Exit status: 0, 1 when FILE cannot be written, 2 bad usage or FILE exists.\n";

int cli_audit_key(int argc, char **argv)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *out = NULL;
	int c;
	struct audit_key key;
	struct err e;
	char hex[65];
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': fputs(audit_key_help, stdout); return 0;
		default: fputs(audit_key_help, stderr); return 2;
		}
	}
	if (out == NULL || optind != argc) {
		fputs(audit_key_help, stderr);
		return 2;
	}
	if (audit_key_create(out, &key, &e) != 0) {
		fprintf(stderr, "stipend audit-key: %s\n", e.message);
		return e.code == ERR_CONFLICT ? 2 : 1;
	}
	printf("%s\n", audit_public_key_hex(key.pk, hex));
	return 0;
}

int cli_audit_anchor(const char *cmd, const char *key_path, const char *checkpoints, struct audit_key *key,
		     struct audit_anchor *anchor)
{
	struct err e;
	char hex[65];
	int created = 0;
	anchor->key = NULL;
	anchor->path = checkpoints;
	anchor->every = AUDIT_CHECKPOINT_EVERY;
	if (key_path == NULL && checkpoints == NULL)
		return 0;
	if (key_path == NULL || checkpoints == NULL) {
		fprintf(stderr, "stipend %s: --audit-key FILE and --checkpoints FILE go together\n", cmd);
		return 2;
	}
	if (audit_key_load(key_path, 1, key, &created, &e) != 0) {
		fprintf(stderr, "stipend %s: %s\n", cmd, e.message);
		return e.code == ERR_IO ? 1 : 2;
	}
	if (created)
		log_info("made the audit checkpoint key %s; its public key (also in %s.pub): %s", key_path, key_path,
			 audit_public_key_hex(key->pk, hex));
	anchor->key = key;
	return 0;
}
