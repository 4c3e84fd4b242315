/* fuzz_registers.c - libFuzzer target for the register clients' validation
 * of an answer (reg_answer_parse, src/registers/client.c): what the
 * population register, the tax authority, the schools and the welfare
 * agency send back is outside input like any other, and no fact may be made
 * of an answer that breaks the register's promise. The first input byte
 * picks the answer (% 8: person, persons, income, account, enrolments,
 * credits, benefits, events) and, for an event feed, the register; the rest
 * is the answer's JSON, read as the client reads it. An answer the
 * validation takes must hold what the caller then relies on.
 *
 *   make build/fuzz/fuzz_registers
 *   build/fuzz/fuzz_registers -dict=tests/fuzz/registers.dict build/fuzz/new tests/fuzz/corpus/registers
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/nin.h"
#include "registers/registers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The person asked about in the seeds (the register simulator's first). */
#define ASKED "01870050069"
#define YEAR 2022
#define LIMIT 50

static void check_person(const struct reg_person *p)
{
	date_t birth;
	if (p->nin == NULL || nin_parse(p->nin, &birth, NULL) != 0 || birth != p->birth_date)
		abort();
	if (p->given_name == NULL || !*p->given_name || p->family_name == NULL || !*p->family_name)
		abort();
	if (p->address == NULL ? !p->confidential_address
	                       : strlen(p->address->postcode) != 4 || !*p->address->line || !*p->address->city)
		abort();
	if (p->n_parents < 0 || p->n_parents > 2 || p->n_children < 0 || p->n_children > 20)
		abort();
	for (int i = 0; i < p->n_parents; i++)
		if (nin_parse(p->parents[i], NULL, NULL) != 0)
			abort();
	for (int i = 0; i < p->n_children; i++)
		if (nin_parse(p->children[i].nin, &birth, NULL) != 0 || birth != p->children[i].birth_date)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	json_error_t jerr;
	json_t *j = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &jerr);
	/* The client hands over only an object (request_json). */
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	enum reg_answer kind = (enum reg_answer)(data[0] % 8);
	struct reg_question q = {ASKED, YEAR, (enum reg_register)((data[0] / 8) % REG_N), 7, LIMIT};
	union {
		struct reg_person person;
		struct reg_person_list persons;
		struct reg_income income;
		const char *account;
		struct reg_enrolments enrolments;
		struct reg_credits credits;
		struct reg_benefits benefits;
		struct reg_events events;
	} out;
	struct arena a;
	struct err e;
	err_clear(&e);
	arena_init(&a, 0);
	memset(&out, 0, sizeof(out));
	int rc = reg_answer_parse(kind, &q, j, &out, &a, &e);
	json_decref(j);
	if (rc != 0) {
		if (e.code != ERR_INVALID || e.field[0] == '\0')
			abort(); /* a refusal names the register and the field */
		goto done;
	}
	switch (kind) {
	case REG_ANSWER_PERSON:
		check_person(&out.person);
		if (strcmp(out.person.nin, ASKED) != 0)
			abort();
		break;
	case REG_ANSWER_PERSONS:
		if (out.persons.n < 0 || out.persons.n > LIMIT || out.persons.total < 0)
			abort();
		for (int i = 0; i < out.persons.n; i++)
			check_person(&out.persons.items[i]);
		break;
	case REG_ANSWER_INCOME:
		if (out.income.year != YEAR || out.income.income < 0 || out.income.wealth < 0)
			abort();
		break;
	case REG_ANSWER_ACCOUNT:
		if (out.account == NULL || !reg_account_valid(out.account))
			abort();
		break;
	case REG_ANSWER_ENROLMENTS:
		if (out.enrolments.n < 0 || out.enrolments.n > 20)
			abort();
		for (int i = 0; i < out.enrolments.n; i++) {
			const struct reg_enrolment *en = &out.enrolments.items[i];
			if (en->end < en->start || en->load_percent < 0 || en->load_percent > 100 ||
			    en->equipment_rate < 0 || en->equipment_rate > 5 || !*en->institution || !*en->programme)
				abort();
			if (en->has_travel && (!(en->travel.distance_km >= 0) || en->travel.daily_travel_minutes < 0 ||
			                       !(en->travel.walking_km >= 0)))
				abort();
		}
		break;
	case REG_ANSWER_CREDITS:
		if (out.credits.n < 0 || out.credits.n > 100)
			abort();
		for (int i = 0; i < out.credits.n; i++)
			if (!(out.credits.items[i].credits >= 0 && out.credits.items[i].credits <= 60) ||
			    strlen(out.credits.items[i].semester) < 10)
				abort();
		break;
	case REG_ANSWER_BENEFITS:
		if (out.benefits.n < 0 || out.benefits.n > 100)
			abort();
		for (int i = 0; i < out.benefits.n; i++)
			if (out.benefits.items[i].to < out.benefits.items[i].from)
				abort();
		break;
	case REG_ANSWER_EVENTS: {
		int64_t prev = q.after;
		if (out.events.n < 0 || out.events.n > LIMIT)
			abort();
		for (int i = 0; i < out.events.n; i++) {
			const struct reg_event *ev = &out.events.items[i];
			if (ev->sequence <= prev || ev->sequence > out.events.last ||
			    nin_parse(ev->nin, NULL, NULL) != 0 || !*ev->change)
				abort();
			prev = ev->sequence;
		}
		break;
	}
	}
done:
	arena_cleanup(&a);
	return 0;
}
