/* gen.c - generate applications as JSONL for the decision core benchmark.
 *
 * Writes N applications, one a line, in the input shape of
 * ../shared/spec/decide.md. By default all are higher-education
 * applications (part A): load 50 to 100 %, living with parents or not,
 * married or not, zero to three children, study periods inside the school
 * years 2023-2024 and 2024-2025, 0 to 11 months of loan requested, and the
 * travel, parents and income facts the rules read.
 *
 * With --mix (part D) the four schemes come in about equal shares, in both
 * school years, and the facts crowd the rules' boundaries: distances of
 * 39.9, 40 and 55 km, a day's travel around 3 hours with the walking that
 * tips it over, ages around the youth entitlement's 20, parents' incomes
 * around the means-tested grant's ceiling, equipment rates 0 to 5,
 * deferrals and interest relief near their 36-month limits, incomes around
 * the relief limits and children around the age that counts for them. Some
 * facts are left out on purpose (no travel, no parents, no relief ground),
 * as an applicant may.
 *
 * The sequence is fixed by the seed, so two runs with the same arguments
 * write the same bytes; the default mode writes what it always wrote.
 *
 *   gen [--mix] N [SEED] > apps.jsonl
 *
 * Every line is meant to be read by `stipend decide --jsonl` without error;
 * the benchmark checks that it is. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void put_higher_education(FILE *f)
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

/* --- The mix of all four schemes (--mix) ---------------------------------- */

/* A number of tenths written as a decimal; a whole one sometimes without
 * its ".0", as JSON allows and applicants write. */
static void put_tenths(FILE *f, int64_t tenths)
{
	if (tenths % 10 == 0 && rng_chance(50))
		fprintf(f, "%d", (int)(tenths / 10));
	else
		fprintf(f, "%d.%d", (int)(tenths / 10), (int)(tenths % 10));
}

/* A day in the calendar year y, 1 January to 31 December. */
static int64_t day_in_year(int y)
{
	int64_t first = days_from_civil(y, 1, 1);
	return first + rng_range(0, days_from_civil(y + 1, 1, 1) - first - 1);
}

/* Whole years of age on day on, as the rules count them. */
static int age_on(int64_t birth, int64_t on)
{
	struct ymd b = civil_from_days(birth), o = civil_from_days(on);
	return o.y - b.y - (o.m < b.m || (o.m == b.m && o.d < b.d));
}

/* An amount in øre around a limit: at it, one øre either side, near it, or
 * anywhere from 0 to wide. */
static int64_t around(int64_t limit, int64_t near, int64_t wide)
{
	int64_t v;
	switch (rng_range(0, 5)) {
	case 0: v = limit; break;
	case 1: v = limit - 1; break;
	case 2: v = limit + 1; break;
	case 3: v = limit + rng_range(-near, near); break;
	default: v = rng_range(0, wide); break;
	}
	return v < 0 ? 0 : v;
}

/* The head every scheme shares: scheme, school year, decision date. Returns
 * the first year of the school year and leaves the decision date. */
static int put_head(FILE *f, const char *scheme, int64_t *decision)
{
	int y1 = rng_chance(50) ? 2023 : 2024;
	*decision = days_from_civil(y1, 6, 1) + rng_range(0, 120);
	fprintf(f, "{\"scheme\":\"%s\",\"school_year\":\"%d-%d\",\"decision_date\":", scheme, y1, y1 + 1);
	put_date(f, *decision);
	return y1;
}

static void put_upper_secondary(FILE *f)
{
	int64_t decision;
	int y1 = put_head(f, "upper-secondary", &decision);
	int64_t year_first = days_from_civil(y1, 8, 1);
	int64_t year_last = days_from_civil(y1 + 1, 7, 31);

	/* Youth entitlement ends with the calendar year of the 20th birthday:
	 * most pupils are 19 to 21 in the year the school year starts. */
	int age = rng_chance(60) ? (int)rng_range(19, 21) : (int)rng_range(15, 23);
	int64_t birth = day_in_year(y1 - age);

	/* The period: the school year, one term, spilling over either end,
	 * touching only its last month, or wholly outside it. */
	int64_t start, end;
	switch (rng_range(0, 9)) {
	case 0:
		start = year_first + rng_range(10, 25);
		end = days_from_civil(y1, 12, 18) + rng_range(0, 13);
		break;
	case 1:
		start = days_from_civil(y1 + 1, 1, 2) + rng_range(0, 10);
		end = days_from_civil(y1 + 1, 6, 10) + rng_range(0, 15);
		break;
	case 2:
		start = year_first - rng_range(0, 60);
		end = year_last + rng_range(-30, 60);
		break;
	case 3:
		start = year_last - rng_range(0, 3);
		end = year_last + rng_range(0, 20);
		break;
	case 4:
		if (rng_chance(50)) {
			start = year_first - rng_range(200, 300);
			end = year_first - rng_range(1, 30);
		} else {
			start = year_last + rng_range(1, 30);
			end = start + rng_range(0, 200);
		}
		break;
	default:
		start = year_first + rng_range(10, 25);
		end = days_from_civil(y1 + 1, 6, 12) + rng_range(0, 10);
		break;
	}

	fputs(",\"applicant\":{\"birth_date\":", f);
	put_date(f, birth);
	fprintf(f, ",\"lives_with_parents\":%s,\"married\":%s,\"children\":[", rng_chance(30) ? "true" : "false",
		rng_chance(3) ? "true" : "false");
	int children = rng_chance(92) ? 0 : (int)rng_range(1, 3);
	for (int i = 0; i < children; i++) {
		int64_t lo = birth + 16 * 365, hi = decision - 1;
		fputs(i ? ",{\"birth_date\":" : "{\"birth_date\":", f);
		put_date(f, lo < hi ? rng_range(lo, hi) : hi);
		fputc('}', f);
	}
	fprintf(f, "],\"income\":%" PRId64 ",\"wealth\":0}", rng_chance(70) ? 0 : rng_range(0, 15000000));

	fprintf(f, ",\"education\":{\"level\":\"upper-secondary\",\"load_percent\":%d,\"start\":",
		rng_chance(90) ? 100 : (int)rng_range(50, 99));
	put_date(f, start);
	fputs(",\"end\":", f);
	put_date(f, end);
	fprintf(f, ",\"equipment_rate\":%d}", (int)rng_range(0, 5));

	/* Travel, when given: 40 km and 180 minutes are the boarding grant's
	 * thresholds, walking counting 15 minutes a kilometre. */
	if (!rng_chance(7)) {
		int64_t tenths, minutes, walking;
		switch (rng_range(0, 9)) {
		case 0: tenths = 399; break;
		case 1: tenths = 400; break;
		case 2: tenths = 550; break;
		case 3: tenths = rng_range(380, 420); break;
		case 4:
		case 5: tenths = rng_range(0, 399); break;
		default: tenths = rng_range(0, 2000); break;
		}
		switch (rng_range(0, 6)) {
		case 0: minutes = 180, walking = 0; break;
		case 1: minutes = 179, walking = rng_range(0, 1); break;
		case 2:
			/* Walking that brings the day to 3 hours, or just short. */
			walking = rng_range(1, 30);
			minutes = 180 - walking * 15 / 10 + rng_range(-1, 1);
			break;
		case 3: minutes = rng_range(165, 195), walking = rng_range(0, 20); break;
		default: minutes = rng_range(0, 300), walking = rng_range(0, 30); break;
		}
		fputs(",\"travel\":{\"distance_km\":", f);
		put_tenths(f, tenths);
		fprintf(f, ",\"daily_travel_minutes\":%d,\"walking_km\":", (int)minutes);
		put_tenths(f, walking);
		fputc('}', f);
	}

	/* Parents: none given (the means-tested grant not applied for), one or
	 * two, their combined income around the ceiling of 724 998 kr. */
	int parents = rng_chance(15) ? 0 : (int)rng_range(1, 2);
	int64_t combined = around(72499800, 500000, 150000000);
	int64_t first = parents == 2 ? rng_range(0, combined) : combined;
	fputs(",\"parents\":[", f);
	if (parents >= 1)
		fprintf(f, "{\"income\":%" PRId64 "}", first);
	if (parents == 2)
		fprintf(f, ",{\"income\":%" PRId64 "}", combined - first);
	fputc(']', f);
	if (!rng_chance(15))
		fprintf(f, ",\"special_circumstances\":%s", rng_chance(20) ? "true" : "false");
	fputs("}\n", f);
}

/* Months used of a 36-month limit: often near it, sometimes past it. */
static int months_used(void)
{
	return rng_chance(50) ? (int)rng_range(28, 40) : (int)rng_range(0, 40);
}

static void put_deferral(FILE *f)
{
	int64_t decision;
	int y1 = put_head(f, "payment-deferral", &decision);
	fputs(",\"applicant\":{\"birth_date\":", f);
	put_date(f, day_in_year(y1 - (int)rng_range(22, 60)));
	fprintf(f, ",\"income\":%" PRId64 "}", rng_range(0, 90000000));
	fprintf(f, ",\"loan\":{\"balance\":%" PRId64 ",\"deferrals_used\":%d,\"months_requested\":%d}}\n",
		rng_chance(20) ? 0 : rng_range(1, 80000000), months_used(), (int)rng_range(1, 10));
}

static void put_interest_relief(FILE *f)
{
	static const char *const grounds[] = {"unemployment", "illness", "work-assessment-allowance",
					      "part-time-study", "low-income-full-time"};
	int64_t decision;
	int y1 = put_head(f, "interest-relief", &decision);
	int64_t year_first = days_from_civil(y1, 8, 1);

	/* Children count for the limit up to 16 on 1 August: some are about
	 * to pass it. */
	int children = rng_chance(60) ? 0 : (int)rng_range(1, 3);
	int64_t birth = day_in_year(y1 - (int)(children ? rng_range(36, 60) : rng_range(23, 60)));
	int counted = 0;
	fputs(",\"applicant\":{\"birth_date\":", f);
	put_date(f, birth);
	fputs(",\"children\":[", f);
	for (int i = 0; i < children; i++) {
		int64_t c = rng_chance(50) ? days_from_civil(y1 - 17, 8, 1) + rng_range(-20, 20)
					   : year_first - rng_range(365, 15 * 365);
		counted += age_on(c, year_first) <= 16;
		fputs(i ? ",{\"birth_date\":" : "{\"birth_date\":", f);
		put_date(f, c);
		fputc('}', f);
	}

	int ground = rng_chance(10) ? -1 : (int)rng_range(0, 4);
	int64_t income;
	if (ground == 4) /* an average month of 19 605 kr at most */
		income = rng_chance(30) ? (rng_chance(50) ? 23526011 : 23526012) : around(23526000, 300000, 60000000);
	else /* 403 782 kr, and 17 904 kr more a counted child */
		income = around(40378200 + 1790400 * (int64_t)counted, 300000, 90000000);
	fprintf(f, "],\"income\":%" PRId64 "}", income);
	if (ground >= 0)
		fprintf(f, ",\"relief_ground\":\"%s\"", grounds[ground]);
	fprintf(f, ",\"loan\":{\"balance\":%" PRId64 ",\"months_requested\":%d,\"relief_months_used\":%d}}\n",
		rng_range(1, 80000000), (int)rng_range(1, 10), months_used());
}

static void put_mix(FILE *f)
{
	switch (rng_range(0, 3)) {
	case 0: put_higher_education(f); break;
	case 1: put_upper_secondary(f); break;
	case 2: put_deferral(f); break;
	default: put_interest_relief(f); break;
	}
}

int main(int argc, char **argv)
{
	void (*put)(FILE *) = put_higher_education;
	if (argc > 1 && strcmp(argv[1], "--mix") == 0) {
		put = put_mix;
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 3) {
		fputs("usage: gen [--mix] N [SEED] > apps.jsonl\n", stderr);
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
		put(stdout);
	if (fflush(stdout) != 0) {
		fputs("gen: write failed\n", stderr);
		return 1;
	}
	return 0;
}
