/* test_paper.c - the paper fallback (src/mailbox/paper.c, the store's
 * sqlite_paper.c): which letters are due, one batch per letter ever, the
 * files a batch leaves, a run killed after claiming or after writing that
 * the next run completes, batches split at their maximum, and persons with
 * a confidential address who are never printed with their address. The
 * clock is an input: letters are delivered at T and runs happen at T plus
 * some days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "mailbox/paper.h"
#include "store/paper.h"
#include "testdb.h"
#include "mailbox/letter.h"

#define T 1735689600 /* 2025-01-01T00:00:00Z: the letters are delivered */
#define DAY 86400

struct fixture {
	struct testdb db;
	char out[64];
	int64_t person, secret; /* a person with an address, one with a confidential one */
};

static json_t *model(struct store *s, enum lang lang, struct arena *a, const struct letter *l)
{
	return mbox_letter_model(s, lang, a, l);
}

static struct paper_options options(struct fixture *f, int days)
{
	struct paper_options o = {f->out, T + (int64_t)days * DAY, PAPER_AFTER_DAYS, model, 0};
	return o;
}

struct add {
	int64_t person;
	const char *kind;
	int64_t at;
	int64_t id;
	int confidential;
	const char *nin;
};

static int add_person(struct store_tx *tx, void *arg, struct err *e)
{
	struct add *ad = arg;
	struct person p = {0,
	                   ad->nin,
	                   "Åse",
	                   ad->confidential ? "Hemmelig" : "Ødegård",
	                   date_from_ymd(2004, 5, 17),
	                   ad->confidential ? "Skjultveien 13" : "Bjørkeveien 7",
	                   "9990",
	                   "Båtsfjord",
	                   ad->confidential,
	                   NULL,
	                   NULL};
	return store_person_insert(tx, &p, &ad->id, e);
}

static int add_letter(struct store_tx *tx, void *arg, struct err *e)
{
	struct add *ad = arg;
	struct letter l = {0, ad->person, 0, ad->kind, ad->at, 0};
	l.sender_unit = "student-support";
	return store_letter_insert(tx, &l, &ad->id, e);
}

static int64_t letter(struct fixture *f, int64_t person, const char *kind)
{
	struct err e;
	struct add ad = {person, kind, T};
	assert_int_equal(store_write(f->db.s, add_letter, &ad, &e), 0);
	return ad.id;
}

static int setup(void **state)
{
	struct err e;
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL || testdb_open(&f->db, "paper") != 0)
		return -1;
	snprintf(f->out, sizeof(f->out), "/tmp/stipend-paper-out-XXXXXX");
	if (mkdtemp(f->out) == NULL)
		return -1;
	struct add a = {.nin = "01010112345"}, b = {.nin = "02020212345", .confidential = 1};
	if (store_write(f->db.s, add_person, &a, &e) != 0 || store_write(f->db.s, add_person, &b, &e) != 0)
		return -1;
	f->person = a.id;
	f->secret = b.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->out);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		char p[384];
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->out, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->out);
	testdb_close(&f->db);
	free(f);
	return 0;
}

/* One number from the database (a separate connection, as an operator's). */
static int64_t sql_int(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;
	assert_int_equal(sqlite3_open(f->db.path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void sql_exec(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db.path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static char *file_text(const char *path)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	struct buf b;
	buf_init(&b, 8 << 20);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(fp);
	char *s = buf_take(&b);
	return s ? s : calloc(1, 1);
}

static char *pdf_text(const char *path)
{
	char cmd[640];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s %s.txt", path, path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.txt", path);
	char *s = file_text(cmd);
	unlink(cmd);
	return s;
}

static char *out_file(struct fixture *f, const char *name)
{
	static char p[256];
	snprintf(p, sizeof(p), "%s/%s", f->out, name);
	return p;
}

static void due_letters_go_on_paper_once(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	int64_t due = letter(f, f->person, "decision");
	int64_t request = letter(f, f->person, "documentation-request");
	int64_t opened = letter(f, f->person, "decision");
	int64_t secret = letter(f, f->secret, "decision");
	int first;
	char sql[128];
	/* The person opens one letter on day 3. */
	snprintf(sql, sizeof(sql), "UPDATE letters SET first_read_at = %d WHERE id = %lld", T + 3 * DAY,
	         (long long)opened);
	sql_exec(f, sql);

	/* Day 6: nothing due. */
	struct paper_options o = options(f, 6);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.letters, 0);
	assert_int_equal(sum.n_batches, 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM print_batches"), 0);

	/* Day 8: the unread decision letter; the request is no decision, the
	 * opened one was opened, the confidential one is withheld. */
	o = options(f, 8);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.n_batches, 1);
	assert_int_equal(sum.letters, 1);
	assert_int_equal(sum.pages, 1);
	assert_int_equal(sum.withheld, 1);
	assert_int_equal(sum.withheld_new, 1);
	int64_t batch = sum.batches[0].id;
	snprintf(sql, sizeof(sql), "SELECT paper_batch FROM letters WHERE id = %lld AND paper_at = %d", (long long)due,
	         T + 8 * DAY);
	assert_int_equal(sql_int(f, sql), batch);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM letters WHERE paper_at IS NOT NULL AND id IN (%lld, %lld, %lld)",
	         (long long)request, (long long)opened, (long long)secret);
	assert_int_equal(sql_int(f, sql), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE action = 'letter.paper'"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE action = 'letter.paper.withheld'"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM print_batches WHERE state = 'written'"), 1);

	/* The files: a PDF with the letter at its address, a manifest. */
	char *text = pdf_text(out_file(f, sum.batches[0].pdf));
	assert_non_null(strstr(text, "Åse Ødegård"));
	assert_non_null(strstr(text, "Bjørkeveien 7"));
	assert_non_null(strstr(text, "Side 1 av 1"));
	assert_null(strstr(text, "Skjultveien"));
	free(text);
	json_error_t je;
	json_t *man = json_load_file(out_file(f, sum.batches[0].manifest), 0, &je);
	assert_non_null(man);
	assert_int_equal(json_integer_value(json_object_get(man, "batch_id")), batch);
	assert_int_equal(json_integer_value(json_object_get(man, "letter_count")), 1);
	assert_int_equal(json_integer_value(json_object_get(man, "page_count")), 1);
	assert_string_equal(json_string_value(json_object_get(man, "created")), "2025-01-09T00:00:00Z");
	json_t *l = json_array_get(json_object_get(man, "letters"), 0);
	assert_int_equal(json_integer_value(json_object_get(l, "letter_id")), due);
	assert_int_equal(json_integer_value(json_object_get(l, "first_page")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(l, "address"), 2)), "9990 Båtsfjord");
	assert_int_equal(strlen(json_string_value(json_object_get(man, "pdf_sha256"))), 64);
	json_decref(man);
	first = (int)sql_int(f, "SELECT count(*) FROM print_batch_letters");
	assert_int_equal(first, 1);

	/* Run again: nothing more; the withheld letter is still counted. */
	o = options(f, 9);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.n_batches, 0);
	assert_int_equal(sum.withheld, 1);
	assert_int_equal(sum.withheld_new, 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM print_batches"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE action = 'letter.paper.withheld'"), 1);
}

static void after_days_is_an_option(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	letter(f, f->person, "decision");
	struct paper_options o = options(f, 3);
	o.after_days = 3;
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.letters, 1);
}

/* Killed after the claim: the batch is open, no file exists. The next run
 * writes that batch (same number) before it claims anything new. */
static void batch_left_open_after_claim_is_completed(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	int64_t first = letter(f, f->person, "decision"), batch;
	struct paper_options o = options(f, 8);
	assert_int_equal(paper_claim(f->db.s, &o, &batch, NULL, &e), 0);
	assert_true(batch > 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM print_batches WHERE state = 'open'"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM letters WHERE paper_at IS NOT NULL"), 0);
	/* A letter claimed is not claimed again. */
	int64_t again;
	assert_int_equal(paper_claim(f->db.s, &o, &again, NULL, &e), 0);
	assert_int_equal(again, 0);

	int64_t later = letter(f, f->person, "decision");
	(void)later;
	o = options(f, 9);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.n_batches, 2);
	assert_int_equal(sum.batches[0].id, batch);
	assert_int_equal(sum.batches[0].completed, 1);
	assert_int_equal(sum.batches[1].completed, 0);
	assert_int_equal(sum.letters, 2);
	char sql[128];
	/* The completed batch's letter went on paper at its batch's time. */
	snprintf(sql, sizeof(sql), "SELECT paper_at FROM letters WHERE id = %lld", (long long)first);
	assert_int_equal(sql_int(f, sql), T + 8 * DAY);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM print_batches WHERE state = 'open'"), 0);
	assert_int_equal(access(out_file(f, sum.batches[0].pdf), F_OK), 0);
	assert_int_equal(access(out_file(f, sum.batches[0].manifest), F_OK), 0);
}

/* Killed after the files were renamed, before the letters were recorded
 * (the state of the database is as that transaction never ran): the next
 * run writes the same files again, byte for byte, and records them. */
static void batch_killed_before_recording_is_written_again_identically(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	letter(f, f->person, "decision");
	letter(f, f->person, "decision");
	struct paper_options o = options(f, 8);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.letters, 2);
	struct paper_batch_done done = sum.batches[0];
	char *pdf1 = file_text(out_file(f, done.pdf));
	struct stat st1;
	assert_int_equal(stat(out_file(f, done.pdf), &st1), 0);
	char *man1 = file_text(out_file(f, done.manifest));
	sql_exec(f, "UPDATE print_batches SET state = 'open', page_count = NULL, pdf_sha256 = NULL, written_at = NULL;"
	            "UPDATE print_batch_letters SET address_kind = NULL, first_page = NULL, page_count = NULL;"
	            "UPDATE letters SET paper_at = NULL, paper_batch = NULL;");
	/* A truncated PDF, as if the kill came while writing. */
	FILE *fp = fopen(out_file(f, done.pdf), "wb");
	fputs("%PDF-1.5\n", fp);
	fclose(fp);

	o = options(f, 12);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.n_batches, 1);
	assert_int_equal(sum.batches[0].id, done.id);
	assert_int_equal(sum.batches[0].completed, 1);
	char *pdf2 = file_text(out_file(f, done.pdf));
	struct stat st2;
	assert_int_equal(stat(out_file(f, done.pdf), &st2), 0);
	assert_int_equal(st1.st_size, st2.st_size);
	assert_memory_equal(pdf1, pdf2, (size_t)st1.st_size);
	char *man2 = file_text(out_file(f, done.manifest));
	assert_string_equal(man1, man2);
	/* Recorded at the batch's time, not the later run's. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM letters WHERE paper_at = 1735689600 + 8 * 86400"), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM print_batches"), 1);
	/* No temporary file is left behind. */
	DIR *d = opendir(f->out);
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		assert_null(strstr(de->d_name, ".tmp"));
	closedir(d);
	free(pdf1);
	free(pdf2);
	free(man1);
	free(man2);
}

static void batches_split_at_their_maximum(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	for (int i = 0; i < 5; i++)
		letter(f, f->person, "decision");
	struct paper_options o = options(f, 8);
	o.batch_max = 2;
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.n_batches, 3);
	assert_int_equal(sum.letters, 5);
	assert_int_equal(sum.batches[0].letters, 2);
	assert_int_equal(sum.batches[2].letters, 1);
	assert_int_equal(sql_int(f, "SELECT count(DISTINCT letter_id) FROM print_batch_letters"), 5);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM letters WHERE paper_batch IS NULL"), 0);
}

static void confidential_address_goes_to_the_forwarding_address(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	int64_t id = letter(f, f->secret, "decision");
	assert_int_equal(paper_set_forwarding(f->db.s, "Skatteetaten;", "operator", T, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, "forwarding_address");
	assert_int_equal(paper_set_forwarding(f->db.s, "a;b;c;d;e", "operator", T, &e), -1);
	assert_int_equal(paper_set_forwarding(f->db.s,
	                                      " Skatteetaten, Folkeregisteret ; Postboks 9200 Grønland;0134 Oslo",
	                                      "operator", T, &e),
	                 0);
	struct paper_options o = options(f, 8);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.letters, 1);
	assert_int_equal(sum.withheld, 0);
	char *text = pdf_text(out_file(f, sum.batches[0].pdf));
	assert_non_null(strstr(text, "Postboks 9200 Grønland"));
	assert_non_null(strstr(text, "Åse Hemmelig"));
	assert_null(strstr(text, "Skjultveien"));
	free(text);
	char *man = file_text(out_file(f, sum.batches[0].manifest));
	assert_null(strstr(man, "Skjultveien"));
	assert_non_null(strstr(man, "\"forwarding\""));
	free(man);
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM letters WHERE id = %lld AND paper_at IS NOT NULL",
	         (long long)id);
	assert_int_equal(sql_int(f, sql), 1);
}

/* A person whose address became confidential between the claim and the
 * writing: their letter leaves the batch, withheld, and nothing is printed. */
static void address_made_confidential_after_the_claim_is_withheld(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	int64_t id = letter(f, f->person, "decision"), batch;
	struct paper_options o = options(f, 8);
	assert_int_equal(paper_claim(f->db.s, &o, &batch, NULL, &e), 0);
	assert_true(batch > 0);
	sql_exec(f, "UPDATE persons SET confidential_address = 1");
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
	assert_int_equal(sum.letters, 0);
	assert_int_equal(sum.withheld, 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM print_batch_letters"), 0);
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM paper_withheld WHERE letter_id = %lld", (long long)id);
	assert_int_equal(sql_int(f, sql), 1);
	assert_int_equal(access(out_file(f, "print-batch-000001.pdf"), F_OK), -1);
	/* For the case worker: the letter is marked. */
	json_t *letters = json_pack("[{s:I},{s:I}]", "id", (json_int_t)id, "id", (json_int_t)(id + 100));
	assert_int_equal(paper_mark_withheld(f->db.s, f->person, letters, &e), 0);
	assert_true(json_is_true(json_object_get(json_array_get(letters, 0), "paper_withheld")));
	assert_null(json_object_get(json_array_get(letters, 1), "paper_withheld"));
	json_decref(letters);
}

static void a_second_run_at_once_is_refused(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct paper_summary sum;
	char lock[128];
	snprintf(lock, sizeof(lock), "%s/.print-batch.lock", f->out);
	FILE *fp = fopen(lock, "w");
	assert_non_null(fp);
	assert_int_equal(flock(fileno(fp), LOCK_EX), 0);
	struct paper_options o = options(f, 8);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	fclose(fp);
	assert_int_equal(paper_run(f->db.s, &o, &sum, &e), 0);
}

static int group_setup(void **state)
{
	(void)state;
	struct err e;
	return i18n_init(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(due_letters_go_on_paper_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(after_days_is_an_option, setup, teardown),
	    cmocka_unit_test_setup_teardown(batch_left_open_after_claim_is_completed, setup, teardown),
	    cmocka_unit_test_setup_teardown(batch_killed_before_recording_is_written_again_identically, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(batches_split_at_their_maximum, setup, teardown),
	    cmocka_unit_test_setup_teardown(confidential_address_goes_to_the_forwarding_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(address_made_confidential_after_the_claim_is_withheld, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_second_run_at_once_is_refused, setup, teardown),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
