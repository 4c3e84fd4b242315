/* gen.c - generate higher-education applications as JSONL for the decision
 * core benchmark.
 *
 * Writes N applications, one a line, in the input shape of
 * ../shared/spec/decide.md: load 50 to 100 %, living with parents or not,
 * married or not, zero to three children, study periods inside the school
 * years 2023-2024 and 2024-2025, 0 to 11 months of loan requested, and the
 * travel, parents and income facts the rules read. The sequence is fixed by
 * the seed, so two runs with the same arguments write the same bytes.
 *
 *   gen N [SEED] > apps.jsonl
 *
 * Every line is meant to be read by `stipend decide --jsonl` without error;
 * the benchmark checks that it is. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* xorshift64*: small, fast and good enough to spread the inputs. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(0x2545F4914F6CDD1D);
}

/* A whole number from lo to hi, both included. */
static int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* True with the given chance in percent. */
static int rng_chance(int percent)
{
	return rng_range(0, 99) < percent;
}

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's
 * algorithms), so that every date written exists. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct ymd {
	int y, m, d;
};

static struct ymd civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	struct ymd r;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(yoe + era * 400 + (r.m <= 2));
	return r;
}

static void put_date(FILE *f, int64_t days)
{
	struct ymd c = civil_from_days(days);
	fprintf(f, "\"%04d-%02d-%02d\"", c.y, c.m, c.d);
}

static void put_application(FILE *f)
{
	int y1 = rng_chance(50) ? 2023 : 2024;
	int64_t year_first = days_from_civil(y1, 8, 1);
	int64_t year_last = days_from_civil(y1 + 1, 7, 31);

	/* Decided some weeks before or after the study starts. */
	int64_t decision = days_from_civil(y1, 6, 1) + rng_range(0, 120);
	/* Students from 18 to about 45 on 1 August. */
	int64_t birth = year_first - rng_range(18 * 365 + 5, 45 * 365);

	/* Most study the whole year; some one term, some start late. */
	int64_t start = year_first + rng_range(0, 45);
	int64_t end;
	switch (rng_range(0, 9)) {
	case 0: end = days_from_civil(y1, 12, 20) - rng_range(0, 10); break;
	case 1: start = days_from_civil(y1 + 1, 1, 5) + rng_range(0, 20); end = year_last - rng_range(30, 60); break;
	default: end = year_last - rng_range(30, 75); break;
	}

	fprintf(f, "{\"scheme\":\"higher-education\",\"school_year\":\"%d-%d\",\"decision_date\":", y1, y1 + 1);
	put_date(f, decision);

	int lives_with_parents = rng_chance(35);
	int married = rng_chance(15);
	fputs(",\"applicant\":{\"birth_date\":", f);
	put_date(f, birth);
	fprintf(f, ",\"lives_with_parents\":%s,\"married\":%s,\"children\":[", lives_with_parents ? "true" : "false",
		married ? "true" : "false");
	int children = rng_chance(80) ? 0 : (int)rng_range(1, 3);
	for (int i = 0; i < children; i++) {
		/* Born after the applicant turned 18, before the decision. */
		int64_t lo = birth + 18 * 365, hi = decision - 1;
		if (i > 0)
			fputc(',', f);
		fputs("{\"birth_date\":", f);
		put_date(f, lo < hi ? rng_range(lo, hi) : hi);
		fputc('}', f);
	}
	/* Income and wealth in øre: up to 600 000 kr and 800 000 kr. */
	int64_t income = rng_chance(30) ? 0 : rng_range(0, 60000000);
	int64_t wealth = rng_chance(60) ? 0 : rng_range(0, 80000000);
	fprintf(f, "],\"income\":%" PRId64 ",\"wealth\":%" PRId64 "}", income, wealth);

	fprintf(f, ",\"education\":{\"level\":\"higher\",\"load_percent\":%d,\"start\":", (int)rng_range(50, 100));
	put_date(f, start);
	fputs(",\"end\":", f);
	put_date(f, end);
	fputs(",\"equipment_rate\":0}", f);

	/* Distance with one decimal; some live next door, some far away. */
	int64_t tenths = rng_chance(40) ? rng_range(0, 400) : rng_range(400, 15000);
	fprintf(f, ",\"travel\":{\"distance_km\":%d.%d,\"daily_travel_minutes\":%d,\"walking_km\":%d.%d}",
		(int)(tenths / 10), (int)(tenths % 10), (int)rng_range(0, 300), (int)rng_range(0, 3),
		(int)rng_range(0, 9));

	int parents = (int)rng_range(0, 2);
	fputs(",\"parents\":[", f);
	for (int i = 0; i < parents; i++)
		fprintf(f, "%s{\"income\":%" PRId64 "}", i ? "," : "", rng_range(0, 150000000));
	fprintf(f, "],\"special_circumstances\":%s", rng_chance(3) ? "true" : "false");

	fprintf(f, ",\"loan\":{\"balance\":%" PRId64 ",\"deferrals_used\":0,\"months_requested\":%d}}\n",
		rng_chance(50) ? 0 : rng_range(0, 50000000), (int)rng_range(0, 11));
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fputs("usage: gen N [SEED] > apps.jsonl\n", stderr);
		return 2;
	}
	char *endp;
	errno = 0;
	long long n = strtoll(argv[1], &endp, 10);
	if (errno != 0 || *endp != '\0' || n < 0 || n > 100000000) {
		fputs("gen: N must be a whole number from 0 to 100000000\n", stderr);
		return 2;
	}
	if (argc == 3) {
		unsigned long long seed = strtoull(argv[2], &endp, 10);
		if (*endp != '\0' || seed == 0) {
			fputs("gen: SEED must be a whole number above 0\n", stderr);
			return 2;
		}
		rng_state = seed;
	}
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	for (long long i = 0; i < n; i++)
		put_application(stdout);
	if (fflush(stdout) != 0) {
		fputs("gen: write failed\n", stderr);
		return 1;
	}
	return 0;
}
