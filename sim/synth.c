/* synth.c - the synthetic population: households of students, parents,
 * siblings and children, each person a pure function of (seed, index).
 *
 * How a national identity number encodes its person. Eleven digits are a
 * birth date, an individual number and two check digits. For every date in
 * our ranges at least 411 individual numbers have valid check digits, so
 * the first K = 408 of them (in the order 000-499, 900-999 for the 1900s,
 * 500-999 for the 2000s) are "positions". Person i gets position i mod K and
 * a birth date that is a one-to-one function of m = i / K within the
 * person's slot, so that two persons can share a number only if they share
 * both i mod K and m, that is, only if they are the same person:
 *
 *   - a student's date is a keyed pseudo-random permutation of m (a Feistel
 *     network over the 4 749 days of 1996-2008, walked until it lands in
 *     range), keyed by seed and position;
 *   - a parent's date is the student's date mapped one-to-one: the day of the
 *     year through a seeded permutation of the 366 days, the year through a
 *     seeded injection of the student years into 1955-1980 that keeps a
 *     parent 20-45 years older (keyed by the day, so it is one-to-one);
 *   - a sibling's date likewise, into 1996-2008, at least two years from the
 *     student and 18-46 years after each parent;
 *   - a child's date is a permutation of m over the 3 653 days of 2015-2024.
 *
 * The slot is position mod 4 (K is a multiple of 4), and the date ranges of
 * the roles that may share a slot (parent or sibling, child or sibling) do
 * not overlap. synth_find() inverts the same maps and then makes the person
 * to compare numbers. A child's date needs m < 3 653, which bounds a
 * population at K x 3 653 persons (SYNTH_MAX_PERSONS rounds it down).
 *
 * Everything else (names, addresses, incomes, schools) comes from a
 * splitmix64 stream keyed by (seed, household) or (seed, person). */
#include "sim/synth.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/nin.h"

#define K 408 /* positions: individual numbers every date has */

#define STUDENT_FIRST_YEAR 1996
#define STUDENT_YEARS 13 /* 1996-2008 */
#define STUDENT_DAYS 4749
#define PARENT_FIRST_YEAR 1955
#define PARENT_LAST_YEAR 1980
#define CHILD_FIRST_YEAR 2015
#define CHILD_DAYS 3653 /* 2015-2024 */
#define LEAP_DAY 59     /* 29 February as a day of a leap year, from 0 */

enum tag {
	TAG_STUDENT_DATE = 1,
	TAG_CHILD_DATE,
	TAG_SIGMA,
	TAG_PARENT_YEARS,
	TAG_SIBLING_YEARS = TAG_PARENT_YEARS + 2,
	TAG_HOUSEHOLD = TAG_SIBLING_YEARS + 4,
	TAG_PERSON,
	TAG_INCOME,
	TAG_INCOME_YEAR
};

/* ---- the random streams ---- */

static uint64_t mix(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t key(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b)
{
	return mix(mix(mix(seed ^ mix(tag)) ^ a) ^ mix(b));
}

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9E3779B97F4A7C15ULL;
	return mix(r->s);
}

static int rng_below(struct rng *r, int n)
{
	return (int)(rng_next(r) % (uint64_t)n);
}

/* Inclusive range. */
static int rng_range(struct rng *r, int lo, int hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

static int chance(struct rng *r, int per_mille)
{
	return rng_below(r, 1000) < per_mille;
}

static void shuffle(int *v, int n, struct rng *r)
{
	for (int i = n - 1; i > 0; i--) {
		int j = rng_below(r, i + 1), t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* ---- a keyed permutation of 0..n-1 (Feistel network, cycle walking) ---- */

static uint32_t feistel(uint64_t k, uint32_t x, int half, int inverse)
{
	uint32_t mask = (1u << half) - 1, l = x >> half, r = x & mask;
	if (!inverse) {
		for (uint64_t round = 0; round < 4; round++) {
			uint32_t t = l ^ (uint32_t)(mix(k ^ (round << 32) ^ r) & mask);
			l = r;
			r = t;
		}
	} else {
		for (uint64_t round = 4; round-- > 0;) {
			uint32_t t = r ^ (uint32_t)(mix(k ^ (round << 32) ^ l) & mask);
			r = l;
			l = t;
		}
	}
	return (l << half) | r;
}

/* x < n <= 4^half. */
static uint32_t permute(uint64_t k, uint32_t n, int half, uint32_t x, int inverse)
{
	do
		x = feistel(k, x, half, inverse);
	while (x >= n);
	return x;
}

/* ---- positions: the valid individual numbers of a date, in order ---- */

/* The check digits of a number depend on its date only through the date
 * digits' two weighted sums modulo 11 (the weights of core/nin.c), so the
 * valid individual numbers of every date are one of 2 x 11 x 11 lists. */
static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
static const int w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

struct positions {
	int n;
	short list[600]; /* position -> individual number */
	short pos[1000]; /* individual number -> position, or -1 */
};

static struct positions positions[2][11][11]; /* [2000s][sum1][sum2] */
static pthread_once_t positions_once = PTHREAD_ONCE_INIT;

static void positions_build(void)
{
	for (int c = 0; c < 2; c++)
		for (int s1 = 0; s1 < 11; s1++)
			for (int s2 = 0; s2 < 11; s2++) {
				struct positions *p = &positions[c][s1][s2];
				memset(p->pos, -1, sizeof(p->pos));
				for (int j = 0; j < (c ? 500 : 600); j++) {
					int ind = c ? 500 + j : (j < 500 ? j : 400 + j);
					int d[3] = {ind / 100, ind / 10 % 10, ind % 10};
					int k1 = 11 - (s1 + d[0] * w1[6] + d[1] * w1[7] + d[2] * w1[8]) % 11;
					k1 = k1 == 11 ? 0 : k1;
					if (k1 == 10)
						continue;
					int k2 =
					    11 - (s2 + d[0] * w2[6] + d[1] * w2[7] + d[2] * w2[8] + k1 * w2[9]) % 11;
					if (k2 == 10)
						continue;
					p->pos[ind] = (short)p->n;
					p->list[p->n++] = (short)ind;
				}
			}
}

static const struct positions *positions_of(date_t birth)
{
	int y, m, d;
	pthread_once(&positions_once, positions_build);
	date_to_ymd(birth, &y, &m, &d);
	m += 80; /* synthetic */
	int dig[6] = {d / 10, d % 10, m / 10, m % 10, y % 100 / 10, y % 10}, s1 = 0, s2 = 0;
	for (int i = 0; i < 6; i++) {
		s1 += dig[i] * w1[i];
		s2 += dig[i] * w2[i];
	}
	return &positions[y >= 2000][s1 % 11][s2 % 11];
}

static void make_nin(date_t birth, int position, char out[12])
{
	const struct positions *p = positions_of(birth);
	assert(position < p->n);
	int rc = nin_make(birth, p->list[position], 1, out);
	assert(rc == 0);
	(void)rc;
}

/* ---- days of the year and the date maps ---- */

static const int month_start[13] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366};

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int day_of_year(int m, int d)
{
	return month_start[m - 1] + d - 1;
}

static void month_day(int doy, int *m, int *d)
{
	int i = 0;
	while (doy >= month_start[i + 1])
		i++;
	*m = i + 1;
	*d = doy - month_start[i] + 1;
}

/* The day-of-year permutations of parent A, parent B and the siblings of
 * slots 2 and 3, with 29 February kept in place; cached per thread for the
 * last seed. */
struct sigmas {
	uint64_t seed;
	int ready;
	short fwd[4][366], inv[4][366];
};

static _Thread_local struct sigmas sigma_cache;

static const struct sigmas *sigmas_for(uint64_t seed)
{
	struct sigmas *s = &sigma_cache;
	if (s->ready && s->seed == seed)
		return s;
	for (int t = 0; t < 4; t++) {
		int days[365], n = 0;
		struct rng r = {key(seed, TAG_SIGMA, (uint64_t)t, 0)};
		for (int doy = 0; doy < 366; doy++)
			if (doy != LEAP_DAY)
				days[n++] = doy;
		shuffle(days, n, &r);
		n = 0;
		for (int doy = 0; doy < 366; doy++) {
			int to = doy == LEAP_DAY ? LEAP_DAY : days[n++];
			s->fwd[t][doy] = (short)to;
			s->inv[t][to] = (short)doy;
		}
	}
	s->seed = seed;
	s->ready = 1;
	return s;
}

enum { SIGMA_A, SIGMA_B, SIGMA_SIB2, SIGMA_SIB3 };

/* The years of a student's relatives, by student year (index from 1996),
 * for students born on day of year doy: -1 where no student is born (29
 * February in a common year). */
struct years {
	int a[STUDENT_YEARS], b[STUDENT_YEARS], sib2[STUDENT_YEARS], sib3[STUDENT_YEARS];
};

static int abs_int(int v)
{
	return v < 0 ? -v : v;
}

/* A one-to-one map of the student years into the parent years, each parent
 * 20-45 years older, a second parent within 8 years of the first where it
 * can be. */
static void parent_years(uint64_t seed, int which, int doy, const int *near, int *py)
{
	int leap_day = doy == LEAP_DAY, order[STUDENT_YEARS], n = 0;
	int used[PARENT_LAST_YEAR - PARENT_FIRST_YEAR + 1] = {0};
	struct rng r = {key(seed, TAG_PARENT_YEARS + (uint64_t)which, (uint64_t)doy, 0)};
	for (int y = 0; y < STUDENT_YEARS; y++) {
		py[y] = -1;
		if (!leap_day || is_leap(STUDENT_FIRST_YEAR + y))
			order[n++] = y;
	}
	shuffle(order, n, &r);
	for (int i = 0; i < n; i++) {
		int y = order[i], ys = STUDENT_FIRST_YEAR + y, cand[26], nc = 0;
		for (int pass = 0; pass < 3 && nc == 0; pass++) {
			int lo = pass < 2 ? ys - 45 : PARENT_FIRST_YEAR, hi = pass < 2 ? ys - 20 : PARENT_LAST_YEAR;
			for (int p = lo < PARENT_FIRST_YEAR ? PARENT_FIRST_YEAR : lo; p <= hi && p <= PARENT_LAST_YEAR;
			     p++)
				if (!used[p - PARENT_FIRST_YEAR] && (!leap_day || is_leap(p)) &&
				    (pass > 0 || near == NULL || abs_int(p - near[y]) <= 8))
					cand[nc++] = p;
		}
		assert(nc > 0);
		py[y] = cand[rng_below(&r, nc)];
		used[py[y] - PARENT_FIRST_YEAR] = 1;
	}
}

static int sibling_fits(int ys, int t, int pa, int pb)
{
	return abs_int(t - ys) >= 2 && t - pa >= 18 && t - pa <= 46 && (pb < 0 || (t - pb >= 18 && t - pb <= 46));
}

/* A permutation of the student years: a sibling at least two years from
 * the student and 18-46 years younger than the parents, found by random
 * tries; a cyclic shift when no try succeeds. */
static void sibling_years(uint64_t seed, int slot, int doy, const int *pa, const int *pb, int *sy)
{
	int leap_day = doy == LEAP_DAY, years[STUDENT_YEARS], n = 0;
	struct rng r = {key(seed, TAG_SIBLING_YEARS + (uint64_t)slot, (uint64_t)doy, 0)};
	for (int y = 0; y < STUDENT_YEARS; y++) {
		sy[y] = -1;
		if (!leap_day || is_leap(STUDENT_FIRST_YEAR + y))
			years[n++] = y;
	}
	for (int attempt = 0; attempt < 32; attempt++) {
		int order[STUDENT_YEARS], used[STUDENT_YEARS] = {0}, ok = 1;
		memcpy(order, years, sizeof(int) * (size_t)n);
		shuffle(order, n, &r);
		for (int i = 0; i < n && ok; i++) {
			int y = order[i], cand[STUDENT_YEARS], nc = 0;
			for (int j = 0; j < n; j++) {
				int t = years[j];
				if (!used[t] && sibling_fits(STUDENT_FIRST_YEAR + y, STUDENT_FIRST_YEAR + t, pa[y],
				                             pb ? pb[y] : -1))
					cand[nc++] = t;
			}
			if (nc == 0) {
				ok = 0;
				break;
			}
			sy[y] = STUDENT_FIRST_YEAR + cand[rng_below(&r, nc)];
			used[sy[y] - STUDENT_FIRST_YEAR] = 1;
		}
		if (ok)
			return;
	}
	for (int j = 0; j < n; j++)
		sy[years[j]] = STUDENT_FIRST_YEAR + years[(j + (n > 4 ? 2 : 1)) % n];
}

/* The family years of each day of the year, cached per thread for the
 * last seed as they are made: they depend on (seed, doy) alone, and making
 * them (random tries) took most of a bulk lookup's time (#11: a million
 * borrowers' registers asked in two minutes). */
struct years_cache {
	uint64_t seed;
	unsigned char ready[366];
	struct years y[366];
};

static _Thread_local struct years_cache years_cache;

static void family_years(uint64_t seed, int doy, struct years *y)
{
	struct years_cache *c = &years_cache;
	if (c->seed != seed) {
		memset(c->ready, 0, sizeof(c->ready));
		c->seed = seed;
	}
	if (doy >= 0 && doy < 366 && c->ready[doy]) {
		*y = c->y[doy];
		return;
	}
	parent_years(seed, 0, doy, NULL, y->a);
	parent_years(seed, 1, doy, y->a, y->b);
	sibling_years(seed, 2, doy, y->a, NULL, y->sib2);
	sibling_years(seed, 3, doy, y->a, y->b, y->sib3);
	if (doy >= 0 && doy < 366) {
		c->y[doy] = *y;
		c->ready[doy] = 1;
	}
}

static date_t student_date(uint64_t seed, int position, int m)
{
	uint32_t x = permute(key(seed, TAG_STUDENT_DATE, (uint64_t)position, 0), STUDENT_DAYS, 7, (uint32_t)m, 0);
	return date_from_ymd(STUDENT_FIRST_YEAR, 1, 1) + (date_t)x;
}

static date_t child_date(uint64_t seed, int position, int m)
{
	uint32_t x = permute(key(seed, TAG_CHILD_DATE, (uint64_t)position, 0), CHILD_DAYS, 6, (uint32_t)m, 0);
	return date_from_ymd(CHILD_FIRST_YEAR, 1, 1) + (date_t)x;
}

/* A relative's date from the student's: year through `years`, day through
 * the permutation `sigma`. */
static date_t relative_date(const struct sigmas *s, int sigma, const int *years, date_t student)
{
	int y, m, d;
	date_to_ymd(student, &y, &m, &d);
	month_day(s->fwd[sigma][day_of_year(m, d)], &m, &d);
	return date_from_ymd(years[y - STUDENT_FIRST_YEAR], m, d);
}

/* The student's date from a relative's, or -1 when no student maps there. */
static int student_of_relative(uint64_t seed, int sigma, date_t rel, date_t *student)
{
	const struct sigmas *s = sigmas_for(seed);
	struct years ys;
	int y, m, d;
	date_to_ymd(rel, &y, &m, &d);
	int doy = s->inv[sigma][day_of_year(m, d)];
	family_years(seed, doy, &ys);
	const int *years = sigma == SIGMA_A ? ys.a : sigma == SIGMA_B ? ys.b : sigma == SIGMA_SIB2 ? ys.sib2 : ys.sib3;
	for (int i = 0; i < STUDENT_YEARS; i++)
		if (years[i] == y) {
			month_day(doy, &m, &d);
			if (!date_valid(STUDENT_FIRST_YEAR + i, m, d))
				return -1;
			*student = date_from_ymd(STUDENT_FIRST_YEAR + i, m, d);
			return 0;
		}
	return -1;
}

/* ---- places, schools, names ---- */

static const struct synth_place places[] = {
    {"Oslo", "0150", 42, 213, 30},          {"Bergen", "5003", -257, 266, 14},
    {"Trondheim", "7010", 20, 604, 11},     {"Stavanger", "4006", -245, 108, 9},
    {"Drammen", "3015", 11, 194, 6},        {"Fredrikstad", "1606", 53, 136, 5},
    {"Kristiansand", "4608", -117, 17, 6},  {"Sandnes", "4306", -245, 95, 5},
    {"Tromsø", "9008", 347, 1297, 5},       {"Sarpsborg", "1706", 63, 142, 4},
    {"Skien", "3713", -22, 135, 4},         {"Ålesund", "6002", -198, 498, 4},
    {"Tønsberg", "3110", 23, 141, 4},       {"Moss", "1530", 37, 159, 3},
    {"Haugesund", "5525", -268, 157, 3},    {"Bodø", "8006", 189, 1033, 4},
    {"Arendal", "4836", -72, 51, 3},        {"Hamar", "2317", 58, 311, 3},
    {"Larvik", "3256", 2, 117, 3},          {"Halden", "1767", 79, 125, 2},
    {"Lillehammer", "2609", 25, 347, 2},    {"Molde", "6413", -145, 528, 2},
    {"Harstad", "9405", 263, 1202, 2},      {"Gjøvik", "2815", 37, 312, 2},
    {"Kongsberg", "3611", -20, 186, 2},     {"Narvik", "8514", 304, 1162, 1},
    {"Alta", "9510", 506, 1333, 1},         {"Steinkjer", "7713", 73, 669, 1},
    {"Elverum", "2408", 85, 321, 1},        {"Førde", "6800", -220, 384, 1},
    {"Mo i Rana", "8622", 185, 925, 1},     {"Levanger", "7600", 64, 640, 1},
    {"Kristiansund", "6509", -114, 569, 1}, {"Hønefoss", "3510", 14, 242, 2},
    {"Volda", "6100", -204, 462, 1},        {"Notodden", "3674", -42, 174, 1},
    {"Stord", "5411", -252, 198, 1},        {"Sogndal", "6856", -155, 360, 1},
    {"Bø i Telemark", "3800", -53, 157, 1}, {"Nesbyen", "3540", -49, 286, 1},
    {"Otta", "2670", -24, 420, 1},          {"Fagernes", "2900", -42, 333, 1},
    {"Valle", "4747", -141, 134, 1},        {"Honningsvåg", "9750", 579, 1445, 1},
    {"Kirkenes", "9900", 773, 1306, 1},     {"Mosjøen", "8657", 145, 873, 1},
    {"Røros", "7374", 71, 509, 1},          {"Oppdal", "7340", -16, 511, 1},
    {"Tynset", "2500", 40, 476, 1},         {"Ås", "1430", 44, 185, 1},
};

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define UPPER SYNTH_UPPER_SECONDARY
#define HIGHER SYNTH_HIGHER

/* Each with an organisation number (9 digits, the last a MOD11 check digit
 * as Brønnøysundregistrene's, weights 3 2 7 6 5 4 3 2): synthetic numbers,
 * none of them meant to be a real organisation's. */
static const struct synth_institution institutions[] = {
    {"Oslo katedralskole", UPPER, 0, "974600005"},
    {"Elvebakken videregående skole", UPPER, 0, "974601370"},
    {"Bergen katedralskole", UPPER, 1, "974602741"},
    {"Amalie Skram videregående skole", UPPER, 1, "974604116"},
    {"Trondheim katedralskole", UPPER, 2, "974605481"},
    {"Strinda videregående skole", UPPER, 2, "974606852"},
    {"St. Olav videregående skole", UPPER, 3, "974608227"},
    {"Drammen videregående skole", UPPER, 4, "974609592"},
    {"Frederik II videregående skole", UPPER, 5, "974610965"},
    {"Kristiansand katedralskole Gimle", UPPER, 6, "974613700"},
    {"Sandnes videregående skole", UPPER, 7, "974616440"},
    {"Kongsbakken videregående skole", UPPER, 8, "974617811"},
    {"Sarpsborg videregående skole", UPPER, 9, "974619180"},
    {"Skien videregående skole", UPPER, 10, "974620553"},
    {"Ålesund videregående skole", UPPER, 11, "974621924"},
    {"Greveskogen videregående skole", UPPER, 12, "974623293"},
    {"Malakoff videregående skole", UPPER, 13, "974624664"},
    {"Karmsund videregående skole", UPPER, 14, "974626039"},
    {"Bodø videregående skole", UPPER, 15, "974628775"},
    {"Arendal videregående skole", UPPER, 16, "974630141"},
    {"Hamar katedralskole", UPPER, 17, "974631512"},
    {"Larvik videregående skole", UPPER, 18, "974632888"},
    {"Halden videregående skole", UPPER, 19, "974634252"},
    {"Lillehammer videregående skole", UPPER, 20, "974635623"},
    {"Molde videregående skole", UPPER, 21, "974636999"},
    {"Heggen videregående skole", UPPER, 22, "974638363"},
    {"Gjøvik videregående skole", UPPER, 23, "974639734"},
    {"Kongsberg videregående skole", UPPER, 24, "974641100"},
    {"Narvik videregående skole", UPPER, 25, "974642476"},
    {"Alta videregående skole", UPPER, 26, "974643847"},
    {"Steinkjer videregående skole", UPPER, 27, "974645211"},
    {"Elverum videregående skole", UPPER, 28, "974646587"},
    {"Hafstad vidaregåande skule", UPPER, 29, "974647958"},
    {"Polarsirkelen videregående skole", UPPER, 30, "974649322"},
    {"Levanger videregående skole", UPPER, 31, "974652064"},
    {"Atlanten videregående skole", UPPER, 32, "974653435"},
    {"Ringerike videregående skole", UPPER, 33, "974654806"},
    {"Volda vidaregåande skule", UPPER, 34, "974656175"},
    {"Notodden videregående skole", UPPER, 35, "974657546"},
    {"Stord vidaregåande skule", UPPER, 36, "974658917"},
    {"Sogndal vidaregåande skule", UPPER, 37, "974660288"},
    {"Bø vidaregåande skule", UPPER, 38, "974661659"},
    {"Hallingdal vidaregåande skule", UPPER, 39, "974663023"},
    {"Nord-Gudbrandsdal vidaregåande skule", UPPER, 40, "974664399"},
    {"Valdres vidaregåande skule", UPPER, 41, "974667134"},
    {"Setesdal vidaregåande skule", UPPER, 42, "974668505"},
    {"Nordkapp videregående skole", UPPER, 43, "974669870"},
    {"Kirkenes videregående skole", UPPER, 44, "974671247"},
    {"Mosjøen videregående skole", UPPER, 45, "974672618"},
    {"Røros videregående skole", UPPER, 46, "974673983"},
    {"Oppdal videregående skole", UPPER, 47, "974675358"},
    {"Nord-Østerdal videregående skole", UPPER, 48, "974676729"},
    {"Ås videregående skole", UPPER, 49, "974678098"},
    {"Universitetet i Oslo", HIGHER, 0, "974679469"},
    {"OsloMet – storbyuniversitetet", HIGHER, 0, "974680831"},
    {"Handelshøyskolen BI", HIGHER, 0, "974682206"},
    {"Universitetet i Bergen", HIGHER, 1, "974683571"},
    {"Norges handelshøyskole", HIGHER, 1, "974684942"},
    {"Høgskulen på Vestlandet, campus Bergen", HIGHER, 1, "974686317"},
    {"NTNU, campus Trondheim", HIGHER, 2, "974687682"},
    {"Universitetet i Stavanger", HIGHER, 3, "974689057"},
    {"Universitetet i Sørøst-Norge, campus Drammen", HIGHER, 4, "974691795"},
    {"Høgskolen i Østfold, campus Fredrikstad", HIGHER, 5, "974694530"},
    {"Universitetet i Agder, campus Kristiansand", HIGHER, 6, "974695901"},
    {"UiT Norges arktiske universitet, campus Tromsø", HIGHER, 8, "974697270"},
    {"NTNU, campus Ålesund", HIGHER, 11, "974698641"},
    {"Høgskulen på Vestlandet, campus Haugesund", HIGHER, 14, "974700018"},
    {"Nord universitet, campus Bodø", HIGHER, 15, "974701383"},
    {"Høgskolen i Innlandet, campus Hamar", HIGHER, 17, "974702754"},
    {"Høgskolen i Østfold, campus Halden", HIGHER, 19, "974704129"},
    {"Høgskolen i Innlandet, campus Lillehammer", HIGHER, 20, "974705494"},
    {"Høgskolen i Molde", HIGHER, 21, "974706865"},
    {"UiT Norges arktiske universitet, campus Harstad", HIGHER, 22, "974709600"},
    {"NTNU, campus Gjøvik", HIGHER, 23, "974710978"},
    {"Universitetet i Sørøst-Norge, campus Kongsberg", HIGHER, 24, "974712342"},
    {"UiT Norges arktiske universitet, campus Narvik", HIGHER, 25, "974713713"},
    {"UiT Norges arktiske universitet, campus Alta", HIGHER, 26, "974715082"},
    {"Nord universitet, campus Steinkjer", HIGHER, 27, "974716453"},
    {"Høgskolen i Innlandet, campus Elverum", HIGHER, 28, "974717824"},
    {"Høgskulen på Vestlandet, campus Førde", HIGHER, 29, "974719193"},
    {"Nord universitet, campus Mo i Rana", HIGHER, 30, "974720566"},
    {"Nord universitet, campus Levanger", HIGHER, 31, "974721937"},
    {"Universitetet i Sørøst-Norge, campus Ringerike", HIGHER, 33, "974723301"},
    {"Høgskulen i Volda", HIGHER, 34, "974724677"},
    {"Universitetet i Sørøst-Norge, campus Notodden", HIGHER, 35, "974726041"},
    {"Høgskulen på Vestlandet, campus Stord", HIGHER, 36, "974727412"},
    {"Høgskulen på Vestlandet, campus Sogndal", HIGHER, 37, "974728788"},
    {"Universitetet i Sørøst-Norge, campus Bø", HIGHER, 38, "974730154"},
    {"Norges miljø- og biovitenskapelige universitet", HIGHER, 49, "974731525"},
};

#define FIRST_HIGHER 53 /* index of the first institution of higher education */

/* Upper-secondary programmes with the equipment-grant rate group the
 * simulator assigns them (1 least equipment, 5 most), and how often they are
 * chosen (per mille). */
static const struct {
	const char *name;
	int rate, weight;
} upper_programmes[] = {
    {"Studiespesialisering", 1, 420},
    {"Påbygging til generell studiekompetanse", 1, 40},
    {"Salg, service og reiseliv", 2, 40},
    {"Helse- og oppvekstfag", 2, 100},
    {"Musikk, dans og drama", 2, 30},
    {"Idrettsfag", 3, 60},
    {"Informasjonsteknologi og medieproduksjon", 3, 40},
    {"Restaurant- og matfag", 3, 30},
    {"Elektro og datateknologi", 4, 70},
    {"Bygg- og anleggsteknikk", 4, 60},
    {"Teknologi- og industrifag", 4, 50},
    {"Frisør, blomster, interiør og eksponeringsdesign", 4, 20},
    {"Kunst, design og arkitektur", 5, 20},
    {"Naturbruk", 5, 20},
};

static const char *higher_programmes[] = {
    "Bachelor i informatikk",
    "Bachelor i sykepleie",
    "Bachelor i økonomi og administrasjon",
    "Grunnskolelærerutdanning 1-7",
    "Grunnskolelærerutdanning 5-10",
    "Barnehagelærerutdanning",
    "Master i bygg- og miljøteknikk",
    "Master i datateknologi",
    "Profesjonsstudiet i medisin",
    "Master i rettsvitenskap",
    "Bachelor i psykologi",
    "Bachelor i biologi",
    "Bachelor i samfunnsøkonomi",
    "Bachelor i vernepleie",
    "Bachelor i ingeniørfag, elektro",
    "Bachelor i historie",
    "Master i statsvitenskap",
    "Bachelor i journalistikk",
    "Bachelor i fysioterapi",
    "Årsstudium i norsk",
};

static const char *young_female[] = {"Nora",   "Emma",  "Ella",   "Maja",     "Olivia",  "Ingrid", "Sofie",
                                     "Leah",   "Sara",  "Frida",  "Tiril",    "Solveig", "Hedda",  "Thea",
                                     "Ida",    "Julie", "Vilde",  "Mathilde", "Astrid",  "Selma",  "Amalie",
                                     "Sigrid", "Hanna", "Aurora", "Marte",    "Ronja",   "Åse",    "Aisha"};
static const char *young_male[] = {"Jakob",  "Emil",   "Noah",   "Oliver",   "Filip",    "William", "Lucas",
                                   "Henrik", "Aksel",  "Magnus", "Sindre",   "Øystein",  "Håkon",   "Elias",
                                   "Isak",   "Tobias", "Sander", "Jonas",    "Mathias",  "Kasper",  "Even",
                                   "Eirik",  "Ola",    "Vetle",  "Torbjørn", "Mohammed", "Ali",     "Adrian"};
static const char *older_female[] = {"Anne",  "Kari",   "Hilde",  "Randi",   "Marianne", "Ingrid", "Camilla",
                                     "Silje", "Tone",   "Heidi",  "Kristin", "Linda",    "Merete", "Bente",
                                     "Gro",   "Trine",  "Siri",   "Astrid",  "Liv",      "Grete",  "Wenche",
                                     "Elin",  "Åshild", "Fatima", "Nina",    "Tove"};
static const char *older_male[] = {"Jan",    "Per",    "Bjørn",  "Ole",   "Lars",  "Knut",  "Geir",  "Terje",
                                   "Morten", "Arne",   "Tor",    "Rune",  "Espen", "Trond", "Svein", "Frode",
                                   "Håvard", "Kjetil", "Øyvind", "Stein", "Are",   "Rolf",  "Tariq", "Pål"};
static const char *family_names[] = {
    "Hansen",   "Johansen", "Olsen",     "Larsen",  "Andersen", "Pedersen",    "Nilsen",  "Kristiansen",
    "Jensen",   "Karlsen",  "Berg",      "Haugen",  "Hagen",    "Johannessen", "Bakken",  "Dahl",
    "Lie",      "Solberg",  "Strand",    "Ødegård", "Sæther",   "Aas",         "Eriksen", "Halvorsen",
    "Jacobsen", "Moen",     "Gundersen", "Iversen", "Strøm",    "Ali",         "Nguyen",  "Khan",
    "Ahmed",    "Kowalski", "Mikkelsen", "Lund",    "Rønning",  "Foss",        "Vik",     "Nygård",
    "Brekke",   "Myhre",    "Tveit",     "Fjeld",   "Løken",    "Aasen"};
static const char *streets[] = {"Storgata",         "Kirkeveien",   "Skolegata",   "Parkveien",        "Strandgata",
                                "Bakkeveien",       "Granveien",    "Fjordgata",   "Løkkeveien",       "Sjøgata",
                                "Bjørkeveien",      "Furuveien",    "Solbakken",   "Elvegata",         "Torggata",
                                "Haugeveien",       "Åsveien",      "Lindealleen", "Skogveien",        "Bekkeveien",
                                "Tunveien",         "Jernbanegata", "Rådhusgata",  "Prestegårdsveien", "Kongens gate",
                                "Dronningens gate", "Fjellveien",   "Nordre gate", "Søndre gate",      "Eikeveien"};
static const int banks[] = {1503, 1506, 1207, 1254, 3000, 3624, 4200, 6345, 9710, 2801, 1822, 3905};

const struct synth_place *synth_places(int *n)
{
	*n = N(places);
	return places;
}

const struct synth_institution *synth_institutions(int *n)
{
	*n = N(institutions);
	return institutions;
}

/* ---- households ---- */

struct home {
	int place;
	int x_m, y_m; /* metres on the grid */
	char line[48];
};

struct household {
	int64_t h;
	int m, position; /* the student's */
	enum synth_role role[4];
	date_t date[4];
	char nin[4][12];
	int two_parents, parents_apart, parents_married, confidential;
	int has_child, student_married;
	const char *family, *mother_family;
	struct home home, home_b; /* the parents' home; parent B's when apart */
};

static int pick_place(struct rng *r)
{
	int total = 0;
	for (int i = 0; i < N(places); i++)
		total += places[i].weight;
	int x = rng_below(r, total);
	for (int i = 0; i < N(places); i++) {
		if (x < places[i].weight)
			return i;
		x -= places[i].weight;
	}
	return 0;
}

/* A home in or around a town: mostly within a few km, some far out. */
static void make_home(struct rng *r, int place, int spread, struct home *out)
{
	int radius = spread ? (chance(r, 550) ? 4000 : chance(r, 660) ? 20000 : 70000) : 3000, dx, dy;
	do {
		dx = rng_range(r, -radius, radius);
		dy = rng_range(r, -radius, radius);
	} while ((int64_t)dx * dx + (int64_t)dy * dy > (int64_t)radius * radius);
	out->place = place;
	out->x_m = places[place].x_km * 1000 + dx;
	out->y_m = places[place].y_km * 1000 + dy;
	int number = rng_range(r, 1, 150), letter = chance(r, 100) ? 'A' + rng_below(r, 3) : 0;
	if (letter)
		snprintf(out->line, sizeof(out->line), "%s %d %c", streets[rng_below(r, N(streets))], number, letter);
	else
		snprintf(out->line, sizeof(out->line), "%s %d", streets[rng_below(r, N(streets))], number);
}

static int age_at_school_start(date_t birth)
{
	return date_age(birth, date_from_ymd(SYNTH_SCHOOL_YEAR_START, 8, 1));
}

static void household(uint64_t seed, int64_t h, struct household *hh)
{
	const struct sigmas *s = sigmas_for(seed);
	struct years ys;
	int y, mo, d;
	memset(hh, 0, sizeof(*hh));
	hh->h = h;
	hh->m = (int)(4 * h / K);
	hh->position = (int)(4 * h % K);
	date_t student = student_date(seed, hh->position, hh->m);
	date_to_ymd(student, &y, &mo, &d);
	family_years(seed, day_of_year(mo, d), &ys);

	struct rng r = {key(seed, TAG_HOUSEHOLD, (uint64_t)h, 0)};
	hh->two_parents = chance(&r, 820);
	hh->parents_apart = hh->two_parents && chance(&r, 220);
	hh->parents_married = hh->two_parents && !hh->parents_apart && chance(&r, 700);
	hh->confidential = chance(&r, 20);
	hh->family = family_names[rng_below(&r, N(family_names))];
	hh->mother_family = chance(&r, 350) ? family_names[rng_below(&r, N(family_names))] : hh->family;
	make_home(&r, pick_place(&r), 1, &hh->home);
	make_home(&r, chance(&r, 600) ? hh->home.place : pick_place(&r), 1, &hh->home_b);
	int wants_child = chance(&r, 120), wants_marriage = chance(&r, 100);

	date_t child = child_date(seed, hh->position + 3, hh->m);
	int cy, cm, cd;
	date_to_ymd(child, &cy, &cm, &cd);
	int age = age_at_school_start(student);
	hh->has_child = wants_child && age >= 21 && cy - y >= 20;
	hh->student_married = age >= 21 && (wants_marriage || (hh->has_child && chance(&r, 400)));

	hh->role[0] = SYNTH_STUDENT;
	hh->role[1] = SYNTH_PARENT;
	hh->role[2] = hh->two_parents ? SYNTH_PARENT : SYNTH_SIBLING;
	hh->role[3] = hh->has_child ? SYNTH_CHILD : SYNTH_SIBLING;
	hh->date[0] = student;
	hh->date[1] = relative_date(s, SIGMA_A, ys.a, student);
	hh->date[2] =
	    hh->two_parents ? relative_date(s, SIGMA_B, ys.b, student) : relative_date(s, SIGMA_SIB2, ys.sib2, student);
	hh->date[3] = hh->has_child ? child : relative_date(s, SIGMA_SIB3, ys.sib3, student);
	for (int slot = 0; slot < 4; slot++)
		make_nin(hh->date[slot], hh->position + slot, hh->nin[slot]);
}

static void relation(const struct household *hh, int slot, struct synth_relation *out)
{
	out->index = 4 * hh->h + slot;
	memcpy(out->nin, hh->nin[slot], 12);
	out->birth_date = hh->date[slot];
}

/* ---- the person ---- */

static void set_home(struct synth_person *p, const struct home *home)
{
	snprintf(p->address_line, sizeof(p->address_line), "%s", home->line);
	p->place = &places[home->place];
}

/* The mod-11 check digit of an account number's first ten digits (weights
 * 5 4 3 2 7 6 5 4 3 2), or -1 when no digit can end them: the banks' rule,
 * which the registers' client checks (reg_account_valid). */
static int account_check_digit(const char ten[10])
{
	static const int w[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	int sum = 0;
	for (int i = 0; i < 10; i++)
		sum += (ten[i] - '0') * w[i];
	int k = 11 - sum % 11;
	return k == 11 ? 0 : k == 10 ? -1 : k;
}

static void make_account(struct rng *r, char out[12])
{
	int bank = banks[rng_below(r, N(banks))], body = rng_below(r, 1000000);
	for (;;) {
		snprintf(out, 12, "%04d%06d", bank, body);
		int check = account_check_digit(out);
		if (check >= 0) {
			out[10] = (char)('0' + check);
			out[11] = '\0';
			return;
		}
		body = (body + 1) % 1000000;
	}
}

static int nearest(int x_m, int y_m, enum synth_level level)
{
	int best = -1;
	int64_t best_d = 0;
	for (int i = 0; i < N(institutions); i++) {
		if (institutions[i].level != level)
			continue;
		int64_t dx = (int64_t)places[institutions[i].place].x_km * 1000 - x_m;
		int64_t dy = (int64_t)places[institutions[i].place].y_km * 1000 - y_m;
		if (best < 0 || dx * dx + dy * dy < best_d) {
			best = i;
			best_d = dx * dx + dy * dy;
		}
	}
	return best;
}

static int random_institution(struct rng *r, enum synth_level level)
{
	/* Weighted by the town's share of homes, so that big towns teach more. */
	for (;;) {
		int i = level == HIGHER ? FIRST_HIGHER + rng_below(r, N(institutions) - FIRST_HIGHER)
		                        : rng_below(r, FIRST_HIGHER);
		if (rng_below(r, 30) < places[institutions[i].place].weight)
			return i;
	}
}

/* Road distance, travel time and walking between the parents' home and a
 * school: roads run about a quarter longer than the straight line. */
static void travel(struct rng *r, const struct home *home, const struct synth_institution *inst, struct synth_person *p)
{
	double dx = places[inst->place].x_km * 1000.0 - home->x_m, dy = places[inst->place].y_km * 1000.0 - home->y_m;
	double km = 1.25 * sqrt(dx * dx + dy * dy) / 1000.0;
	p->distance_dm = (int)(km * 10.0 + 0.5);
	if (p->distance_dm < 3)
		p->distance_dm = 3;
	km = p->distance_dm / 10.0;
	/* One way: a town bus for short trips, a regional bus or train beyond,
	 * a long-distance train or a flight far away, and a wait that depends
	 * on the timetable. */
	double one_way = km < 10.0    ? 6.0 + 2.2 * km
	                 : km < 150.0 ? 28.0 + 1.05 * (km - 10.0)
	                              : 175.0 + 0.12 * (km - 150.0);
	one_way += rng_below(r, 13);
	p->daily_travel_minutes = (int)(2.0 * one_way + 0.5);
	p->walking_dm = rng_below(r, 21);
}

static void enrol(struct rng *r, const struct household *hh, int slot, struct synth_person *p)
{
	int age = age_at_school_start(p->birth_date), x = 0, w = 0;
	int upper = age <= 18 || (age <= 20 && chance(r, 200));
	if (chance(r, 10)) {
		p->manual |= SYNTH_MANUAL_MISSING_ENROLMENT;
		p->lives_with_parents = chance(r, 700);
		return;
	}
	if (upper) {
		int i = chance(r, 800) ? nearest(hh->home.x_m, hh->home.y_m, UPPER) : random_institution(r, UPPER);
		p->level = SYNTH_UPPER_SECONDARY;
		p->institution = &institutions[i];
		x = rng_below(r, 1000);
		for (w = 0; x >= upper_programmes[w].weight; w++)
			x -= upper_programmes[w].weight;
		p->programme = upper_programmes[w].name;
		p->equipment_rate = upper_programmes[w].rate;
		p->load_percent = 100;
		p->start = date_from_ymd(SYNTH_SCHOOL_YEAR_START, 8, 19);
		p->end = date_from_ymd(SYNTH_SCHOOL_YEAR_START + 1, 6, 20);
		travel(r, &hh->home, p->institution, p);
		p->lives_with_parents = p->distance_dm >= 400 ? chance(r, 200) : chance(r, 950);
	} else {
		int home_campus = chance(r, 300);
		int i = home_campus ? nearest(hh->home.x_m, hh->home.y_m, HIGHER) : random_institution(r, HIGHER);
		p->level = SYNTH_HIGHER;
		p->institution = &institutions[i];
		p->programme = higher_programmes[rng_below(r, N(higher_programmes))];
		p->equipment_rate = 0;
		x = rng_below(r, 100);
		p->load_percent = x < 85 ? 100 : x < 90 ? 75 : 50;
		p->start = date_from_ymd(SYNTH_SCHOOL_YEAR_START, 8, 15);
		p->end = date_from_ymd(SYNTH_SCHOOL_YEAR_START + 1, 6, 15);
		travel(r, &hh->home, p->institution, p);
		p->lives_with_parents = home_campus && p->distance_dm < 400 && !p->married &&
		                        !(slot == 0 && hh->has_child) && chance(r, 700);
		/* Semesters passed since the studies began, the latest autumn last. */
		int y, mo, d;
		date_to_ymd(p->birth_date, &y, &mo, &d);
		int begun = y + 19 + rng_below(r, 3);
		if (begun > SYNTH_SCHOOL_YEAR_START)
			begun = SYNTH_SCHOOL_YEAR_START;
		int n = 2 * (SYNTH_SCHOOL_YEAR_START - begun) + 1;
		if (n > N(p->semesters))
			n = N(p->semesters);
		for (int k = 0; k < n; k++) {
			int back = n - 1 - k; /* semesters before 2024 autumn */
			struct synth_semester *sem = &p->semesters[k];
			sem->year = SYNTH_SCHOOL_YEAR_START - back / 2;
			sem->autumn = back % 2 == 0;
			x = rng_below(r, 100);
			sem->half_credits = x < 75 ? 60 : x < 83 ? 45 : x < 93 ? 30 : 0;
			/* Part-time students pass at most their share. */
			int most = 60 * p->load_percent / 100 / 15 * 15;
			if (sem->half_credits > most)
				sem->half_credits = most;
		}
		p->n_semesters = n;
	}
}

static void add_benefit(struct synth_person *p, struct rng *r, enum synth_benefit_kind kind)
{
	struct synth_benefit *b = &p->benefits[p->n_benefits++];
	int y = SYNTH_SCHOOL_YEAR_START - rng_below(r, 2), m = rng_range(r, 1, 12), months = rng_range(r, 3, 14);
	b->kind = kind;
	b->from = date_from_ymd(y, m, 1);
	int ey = y + (m - 1 + months) / 12, em = (m - 1 + months) % 12 + 1;
	b->to = date_from_ymd(ey, em, 1) - 1;
}

static void make_student(const struct household *hh, int slot, struct rng *r, struct synth_person *p)
{
	int female = chance(r, 500);
	p->given_name = female ? young_female[rng_below(r, N(young_female))] : young_male[rng_below(r, N(young_male))];
	p->family_name = hh->family;
	p->married = slot == 0 ? hh->student_married : age_at_school_start(p->birth_date) >= 22 && chance(r, 30);
	relation(hh, 1, &p->parents[p->n_parents++]);
	if (hh->two_parents)
		relation(hh, 2, &p->parents[p->n_parents++]);
	if (slot == 0 && hh->has_child)
		relation(hh, 3, &p->children[p->n_children++]);
	enrol(r, hh, slot, p);
	if (p->lives_with_parents) {
		set_home(p, &hh->home);
	} else {
		struct home own;
		int place = p->institution ? p->institution->place : pick_place(r);
		make_home(r, place, 0, &own);
		set_home(p, &own);
	}
	/* A few are registered at the parents' dwelling but with an address
	 * that is neither parent's: facts that contradict each other. */
	if (!hh->confidential && chance(r, 5)) {
		struct home other;
		int place;
		do
			place = pick_place(r);
		while (place == hh->home.place || place == hh->home_b.place);
		make_home(r, place, 0, &other);
		set_home(p, &other);
		p->lives_with_parents = 1;
		p->manual |= SYNTH_MANUAL_ADDRESS_CONFLICT;
	}
	if (chance(r, 5))
		p->manual |= SYNTH_MANUAL_SPECIAL_CIRCUMSTANCES;
	make_account(r, p->account);
	if (chance(r, 30))
		add_benefit(p, r, SYNTH_WORK_ASSESSMENT_ALLOWANCE);
	if (age_at_school_start(p->birth_date) >= 20 && chance(r, 20))
		add_benefit(p, r, SYNTH_UNEMPLOYMENT);
}

static void make_parent(const struct household *hh, int slot, struct rng *r, struct synth_person *p)
{
	int female = slot == 1 ? chance(r, 900) : chance(r, 100);
	p->given_name = female ? older_female[rng_below(r, N(older_female))] : older_male[rng_below(r, N(older_male))];
	p->family_name = slot == 1 ? hh->mother_family : hh->family;
	p->married = hh->parents_married;
	set_home(p, slot == 2 && hh->parents_apart ? &hh->home_b : &hh->home);
	relation(hh, 0, &p->children[p->n_children++]);
	for (int s = 2; s < 4; s++)
		if (hh->role[s] == SYNTH_SIBLING && (slot == 1 || s == 3))
			relation(hh, s, &p->children[p->n_children++]);
	make_account(r, p->account);
	if (chance(r, 40))
		add_benefit(p, r, SYNTH_UNEMPLOYMENT);
	if (chance(r, 15))
		add_benefit(p, r, SYNTH_WORK_ASSESSMENT_ALLOWANCE);
}

static void make_child(uint64_t seed, const struct household *hh, struct rng *r, struct synth_person *p)
{
	struct synth_person parent;
	synth_person(seed, 4 * hh->h, &parent);
	int female = chance(r, 500);
	p->given_name = female ? young_female[rng_below(r, N(young_female))] : young_male[rng_below(r, N(young_male))];
	p->family_name = hh->family;
	memcpy(p->address_line, parent.address_line, sizeof(p->address_line));
	p->place = parent.place;
	p->lives_with_parents = 1;
	relation(hh, 0, &p->parents[p->n_parents++]);
}

int synth_person(uint64_t seed, int64_t i, struct synth_person *p)
{
	struct household hh;
	if (i < 0 || i >= SYNTH_MAX_PERSONS)
		return -1;
	household(seed, i / 4, &hh);
	int slot = (int)(i % 4);
	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->index = i;
	p->household = hh.h;
	p->role = hh.role[slot];
	memcpy(p->nin, hh.nin[slot], 12);
	p->birth_date = hh.date[slot];
	p->confidential_address = hh.confidential;
	struct rng r = {key(seed, TAG_PERSON, (uint64_t)i, 0)};
	switch (p->role) {
	case SYNTH_STUDENT:
	case SYNTH_SIBLING: make_student(&hh, slot, &r, p); break;
	case SYNTH_PARENT: make_parent(&hh, slot, &r, p); break;
	case SYNTH_CHILD: make_child(seed, &hh, &r, p); break;
	}
	return 0;
}

int synth_find(uint64_t seed, int64_t size, const char *nin, struct synth_person *out)
{
	date_t birth;
	enum nin_kind kind;
	if (nin_parse(nin, &birth, &kind) != 0 || kind != NIN_SYNTHETIC)
		return 1;
	int individual = (nin[6] - '0') * 100 + (nin[7] - '0') * 10 + (nin[8] - '0');
	int pos = positions_of(birth)->pos[individual];
	if (pos < 0 || pos >= K)
		return 1;
	int slot = pos % 4, position = pos - slot, y, mo, d;
	date_to_ymd(birth, &y, &mo, &d);
	date_t student;
	const date_t s0 = date_from_ymd(STUDENT_FIRST_YEAR, 1, 1), c0 = date_from_ymd(CHILD_FIRST_YEAR, 1, 1);
	uint32_t m;
	if (birth >= c0 && birth < c0 + CHILD_DAYS) {
		if (slot != 3)
			return 1;
		m = permute(key(seed, TAG_CHILD_DATE, (uint64_t)pos, 0), CHILD_DAYS, 6, (uint32_t)(birth - c0), 1);
	} else {
		if (birth >= s0 && birth < s0 + STUDENT_DAYS) {
			if (slot == 1)
				return 1;
			if (slot == 0)
				student = birth;
			else if (student_of_relative(seed, slot == 2 ? SIGMA_SIB2 : SIGMA_SIB3, birth, &student) != 0)
				return 1;
		} else if (y >= PARENT_FIRST_YEAR && y <= PARENT_LAST_YEAR && (slot == 1 || slot == 2)) {
			if (student_of_relative(seed, slot == 1 ? SIGMA_A : SIGMA_B, birth, &student) != 0)
				return 1;
		} else {
			return 1;
		}
		m = permute(key(seed, TAG_STUDENT_DATE, (uint64_t)position, 0), STUDENT_DAYS, 7,
		            (uint32_t)(student - s0), 1);
	}
	int64_t i = (int64_t)m * K + pos;
	if (i >= size || i >= SYNTH_MAX_PERSONS || synth_person(seed, i, out) != 0 || strcmp(out->nin, nin) != 0)
		return 1;
	return 0;
}

/* ---- tax ---- */

static int64_t scaled(int64_t base_kr, uint64_t seed, int64_t index, int year, int salt)
{
	struct rng r = {key(seed, TAG_INCOME_YEAR, (uint64_t)index, (uint64_t)(year * 4 + salt))};
	int64_t pct = 100 + 3 * (year - 2022) + rng_range(&r, -5, 5);
	return base_kr * pct / 100;
}

int synth_income(const struct synth_person *p, int year, int64_t *income, int64_t *wealth)
{
	int y, m, d;
	date_to_ymd(p->birth_date, &y, &m, &d);
	if (year < SYNTH_FIRST_TAX_YEAR || year > SYNTH_LAST_TAX_YEAR || year < y)
		return 1;
	struct rng r = {key(p->seed, TAG_INCOME, (uint64_t)p->index, 0)};
	int64_t inc = 0, wea = 0, cap = 0; /* kroner */
	int x;
	switch (p->role) {
	case SYNTH_PARENT:
		x = rng_below(&r, 100);
		if (x < 5)
			inc = 0;
		else if (x < 9)
			inc = rng_range(&r, 900000, 1500000);
		else
			inc = 620000 + rng_range(&r, -140000, 140000) + rng_range(&r, -140000, 140000) +
			      rng_range(&r, -140000, 140000) + rng_range(&r, -140000, 140000);
		x = rng_below(&r, 100);
		wea = x < 20   ? rng_range(&r, 0, 100000)
		      : x < 80 ? rng_range(&r, 100000, 1500000)
		               : rng_range(&r, 1500000, 5000000);
		cap = 1500000;
		break;
	case SYNTH_STUDENT:
	case SYNTH_SIBLING:
		x = rng_below(&r, 100);
		inc = x < 30   ? 0
		      : x < 85 ? rng_range(&r, 0, 80000)
		      : x < 97 ? rng_range(&r, 80000, 200000)
		               : rng_range(&r, 200000, 300000);
		x = rng_below(&r, 100);
		wea = x < 85   ? rng_range(&r, 0, 30000)
		      : x < 97 ? rng_range(&r, 30000, 200000)
		               : rng_range(&r, 200000, 600000);
		cap = 300000;
		if (year - y < 15)
			inc = 0;
		break;
	case SYNTH_CHILD: break;
	}
	inc = scaled(inc, p->seed, p->index, year, 0);
	if (inc > cap)
		inc = cap;
	*income = inc * 100;
	*wealth = scaled(wea, p->seed, p->index, year, 1) * 100;
	return 0;
}
