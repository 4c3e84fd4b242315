/* gen-batch.c - generate an intake for `stipend batch`: N applications as
 * JSONL, {"nin", "application"} a line, for the demo population that
 * `stipend init --demo --persons P` takes from `stipend-sim serve --persons P
 * --seed S`.
 *
 * The applicants are the students among persons 0..P-1 of the synthetic
 * population (sim/synth.h), taken in turn, again from the first once
 * all have applied, so that N may exceed the students (about three in ten
 * persons). Each application says what the registers hold about its
 * student: the scheme by the enrolment's level, its load and dates, the
 * equipment-rate group, living with the parents, marriage and children,
 * the travel between the parents' home and the school, the parents'
 * assessed incomes (of the year two before the school year, as the
 * registers give them; a parent outside the population has none), and the
 * claim of special circumstances for the few the population says will make
 * it. So `stipend batch` decides these as it would with --registers.
 *
 * The output is a pure function of the arguments.
 *
 *   gen-batch N PERSONS [SEED] > intake.jsonl
 *
 * Built against the simulated world's library (make stipend-sim builds it):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc -I. -o build/bench/gen-batch bench/gen-batch.c \
 *      build/libsim.a build/libcore.a -lm */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "sim/synth.h"

/* The assessed year the registers give incomes for: two before the school
 * year's first calendar year. */
#define INCOME_YEAR (SYNTH_SCHOOL_YEAR_START - 2)

static void put_date(FILE *f, date_t d)
{
	char day[11];
	fprintf(f, "\"%s\"", date_format(d, day));
}

static void put_application(FILE *f, const struct synth_person *p, uint64_t seed, int64_t persons)
{
	int upper = p->level == SYNTH_UPPER_SECONDARY;
	fprintf(f, "{\"nin\":\"%s\",\"application\":{\"scheme\":\"%s\",\"school_year\":\"%s\",\"decision_date\":", p->nin,
		upper ? "upper-secondary" : "higher-education", SYNTH_SCHOOL_YEAR);
	put_date(f, date_from_ymd(SYNTH_SCHOOL_YEAR_START, 8, 1));
	fputs(",\"applicant\":{\"birth_date\":", f);
	put_date(f, p->birth_date);
	fprintf(f, ",\"lives_with_parents\":%s,\"married\":%s,\"children\":[", p->lives_with_parents ? "true" : "false",
		p->married ? "true" : "false");
	for (int i = 0; i < p->n_children; i++) {
		fputs(i ? ",{\"birth_date\":" : "{\"birth_date\":", f);
		put_date(f, p->children[i].birth_date);
		fputc('}', f);
	}
	fprintf(f, "]},\"education\":{\"level\":\"%s\",\"load_percent\":%d,\"start\":", upper ? "upper-secondary" : "higher",
		p->load_percent);
	put_date(f, p->start);
	fputs(",\"end\":", f);
	put_date(f, p->end);
	fprintf(f, ",\"equipment_rate\":%d}", p->equipment_rate);
	if (upper) {
		fprintf(f, ",\"travel\":{\"distance_km\":%d.%d,\"daily_travel_minutes\":%d,\"walking_km\":%d.%d}",
			p->distance_dm / 10, p->distance_dm % 10, p->daily_travel_minutes, p->walking_dm / 10,
			p->walking_dm % 10);
		fputs(",\"parents\":[", f);
		int n = 0;
		for (int i = 0; i < p->n_parents; i++) {
			struct synth_person parent;
			int64_t income, wealth;
			if (p->parents[i].index >= persons || synth_person(seed, p->parents[i].index, &parent) != 0 ||
			    synth_income(&parent, INCOME_YEAR, &income, &wealth) != 0)
				continue;
			fprintf(f, "%s{\"income\":%" PRId64 "}", n++ ? "," : "", income);
		}
		fprintf(f, "],\"special_circumstances\":%s",
			p->manual & SYNTH_MANUAL_SPECIAL_CIRCUMSTANCES ? "true" : "false");
	} else {
		int months = date_months_touched(p->start, p->end);
		fprintf(f, ",\"loan\":{\"months_requested\":%d}", months > 11 ? 11 : months);
	}
	fputs("}}\n", f);
}

static int number(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	int64_t n, persons, seed = 7;
	if (argc < 3 || argc > 4 || number(argv[1], 0, INT64_C(100000000), &n) != 0 ||
	    number(argv[2], 1, SYNTH_MAX_PERSONS, &persons) != 0 ||
	    (argc == 4 && number(argv[3], 0, INT64_MAX, &seed) != 0)) {
		fprintf(stderr, "usage: gen-batch N PERSONS [SEED]   (PERSONS 1..%d, SEED default 7)\n", SYNTH_MAX_PERSONS);
		return 2;
	}
	static char out[1 << 16];
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	int64_t written = 0;
	while (written < n) {
		int64_t round = written;
		for (int64_t i = 0; i < persons && written < n; i++) {
			struct synth_person p;
			if (synth_person((uint64_t)seed, i, &p) != 0)
				return 1;
			if (p.level == SYNTH_NOT_ENROLLED)
				continue;
			put_application(stdout, &p, (uint64_t)seed, persons);
			written++;
		}
		if (written == round) {
			fprintf(stderr, "gen-batch: no student among the first %" PRId64 " persons\n", persons);
			return 1;
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
