/* upper_secondary.c - support for upper secondary school for pupils with
 * youth entitlement (ungdomsrett): the boarding grant, the means-tested
 * grant, the equipment grant and the child grant.
 *
 * forskrift om utdanningsstøtte part 2 (§§ 48-69), for a pupil 20 or
 * younger in the calendar year the school year starts without a study or
 * vocational qualification, or in the transition scheme; anyone else is
 * decided by the rules for higher education (part 3). The boarding grant (borteboerstipend) is paid for the months of
 * the school year to a pupil who lives away from the parents because the
 * parents' home is 40 km or more from school, or because the day's travel
 * there and back takes 3 hours or more (walking counts 15 minutes a
 * kilometre); "special circumstances of a personal or social kind" can
 * also qualify, but only a person may judge them. The means-tested grant
 * (inntektsavhengig stipend) is none above a combined parental income;
 * below it, its rate depends on the household (siblings, whether the
 * parents live together), which the application does not carry, so a
 * person settles it. The equipment grant (utstyrsstipend) is a year's
 * amount by the programme's rate group, half for one semester. The child
 * grant is paid a month per child through the calendar year the child
 * turns 16, at a lower rate for the third and fourth child. A pupil with
 * children of their own gets the boarding grant wherever they live. */
#include <math.h>

#include "core/money.h"
#include "rules/internal.h"

#define REF_PART2 "forskrift om utdanningsstøtte del 2 (§§ 48–69)"
#define REF_ADULT "forskrift om utdanningsstøtte del 3"
#define REF_BOARDING "forskrift om utdanningsstøtte del 2 (§§ 48–69), borteboerstipend"
#define REF_MEANS "forskrift om utdanningsstøtte del 2 (§§ 48–69), inntektsavhengig stipend"
/* § 50 sets the equipment grant's rate groups (lanekassen.no, "Nye
 * utstyrsstipendssatser for elever i videregående opplæring"). */
#define REF_EQUIPMENT "forskrift om utdanningsstøtte § 50"
#define REF_CHILD "forskrift om utdanningsstøtte del 2 (§§ 48–69), barnestipend"
/* The travel grant (reisestipend) for a pupil who lives away from the
 * parents: lanekassen.no, "Reisestipend" and "Slik reknar vi ut
 * reisestipendet" for ordinary upper secondary school. */
#define REF_TRAVEL "forskrift om utdanningsstøtte del 2 (§§ 48–69), reisestipend"

static int birth_year(date_t d)
{
	int y, m, day;
	date_to_ymd(d, &y, &m, &day);
	return y;
}

/* The rules for ordinary upper secondary school (part 2) are for a pupil
 * 20 or younger in the calendar year the school year starts, whatever the
 * birthday, who holds no study or vocational qualification yet; and, until
 * the transition ends (2025-2026), for a pupil in the transition scheme:
 * 21 to 24 in 2024, without a qualification, who had support under part 2
 * the year before (lanekassen.no, "Noen elever er med i en
 * overgangsordning"). Anyone else applies under the rules for higher
 * education (part 3): the basic loan, part of which may become a grant. */
static int youth_entitlement(struct ctx *c)
{
	const struct application *app = c->app;
	struct trace_step *s = step_begin(c, "youth.entitlement", REF_PART2, "rule.youth.entitlement");
	int age = birth_year(app->year_first) - birth_year(app->birth_date);
	step_int(s, "birth_date", TV_DATE, app->birth_date);
	step_int(s, "age_in_year", TV_INT, age);
	step_int(s, "qualification", TV_BOOL, app->qualification);
	int64_t max = step_param(c, s, "youth.max_age_in_start_year");
	int ok = age <= max && !app->qualification;
	step_value(s, TV_BOOL, ok);
	if (ok || c->missing || app->qualification || !step_has_param(c, "transition.reference_year"))
		return ok;
	s = step_begin(c, "youth.transition", REF_PART2, "rule.youth.transition");
	int64_t year = step_param(c, s, "transition.reference_year");
	int64_t lo = step_param(c, s, "transition.min_age");
	int64_t hi = step_param(c, s, "transition.max_age");
	int age_then = (int)year - birth_year(app->birth_date);
	step_int(s, "age_then", TV_INT, age_then);
	step_int(s, "youth_support_last_year", TV_BOOL, app->youth_support_last_year);
	ok = !c->missing && app->youth_support_last_year && age_then >= lo && age_then <= hi;
	step_value(s, TV_BOOL, ok);
	return ok;
}

/* The boarding grant for the months of the school year, at the month's
 * rate; nothing when a parameter read since gaps was not in force. */
static void boarding_amount(struct ctx *c, int months, int gaps)
{
	struct trace_step *s = step_begin(c, "boarding-grant.amount", REF_BOARDING, "rule.boarding-grant.amount");
	step_int(s, "months", TV_INT, months);
	int64_t monthly = step_param(c, s, "boarding_grant.monthly");
	if (c->missing != gaps)
		return;
	step_value(s, TV_MONEY, monthly * months);
	struct award *a = award_add(c, "boarding-grant", "grant", REF_BOARDING);
	a->months = months;
	a->monthly = monthly;
	a->amount = monthly * months;
}

static void boarding_grant(struct ctx *c, int months)
{
	const struct application *app = c->app;
	int gaps = c->missing;
	if (app->n_children > 0) {
		/* A pupil with children of their own gets the boarding grant
		 * wherever they live, with the parents too (lanekassen.no,
		 * "Elev med barn"): no distance or travel to weigh. */
		struct trace_step *s =
		    step_begin(c, "boarding-grant.own-children", REF_BOARDING, "rule.boarding-grant.own-children");
		step_int(s, "children", TV_INT, (int64_t)app->n_children);
		step_int(s, "lives_with_parents", TV_BOOL, app->lives_with_parents);
		step_value(s, TV_BOOL, 1);
		boarding_amount(c, months, gaps);
		return;
	}
	if (app->lives_with_parents) {
		struct trace_step *s = step_begin(c, "boarding-grant.lives-away", REF_BOARDING, "rule.boarding-grant.at-home");
		step_int(s, "lives_with_parents", TV_BOOL, 1);
		step_value(s, TV_BOOL, 0);
		return;
	}
	if (!app->has_travel) {
		struct trace_step *s = step_begin(c, "boarding-grant.distance", REF_BOARDING, "rule.boarding-grant.no-travel");
		step_value(s, TV_BOOL, 0);
		manual_add(c, "travel-missing", "reason.travel-missing", REF_BOARDING);
		return;
	}
	struct trace_step *s = step_begin(c, "boarding-grant.distance", REF_BOARDING, "rule.boarding-grant.distance");
	step_real(s, "distance_km", app->distance_km);
	int64_t min_km = step_param(c, s, "boarding_grant.min_distance_km");
	int far = app->distance_km >= (double)min_km;
	step_value(s, TV_BOOL, far);

	s = step_begin(c, "boarding-grant.travel-time", REF_BOARDING, "rule.boarding-grant.travel-time");
	step_int(s, "daily_travel_minutes", TV_INT, app->daily_travel_minutes);
	step_real(s, "walking_km", app->walking_km);
	int64_t per_km = step_param(c, s, "boarding_grant.walking_minutes_per_km");
	int64_t min_minutes = step_param(c, s, "boarding_grant.min_daily_travel_minutes");
	/* rounding.minutes: walking counts to the exact minute; the day's
	 * travel is compared unrounded, so 179.9 minutes is under 3 hours. */
	double minutes = app->daily_travel_minutes + app->walking_km * (double)per_km;
	step_real(s, "total_minutes", minutes);
	int long_day = minutes >= (double)min_minutes;
	step_value(s, TV_BOOL, long_day);
	if (c->missing != gaps)
		return;

	if (!far && !long_day) {
		s = step_begin(c, "boarding-grant.special", REF_BOARDING,
			       app->special_circumstances ? "rule.boarding-grant.special" : "rule.boarding-grant.none");
		step_int(s, "special_circumstances", TV_BOOL, app->special_circumstances);
		step_value(s, TV_BOOL, 0);
		if (app->special_circumstances)
			manual_add(c, "special-circumstances", "reason.special-circumstances", REF_BOARDING);
		else
			c->refused = 1; /* living away was claimed, and is not met */
		return;
	}
	boarding_amount(c, months, gaps);
}

static void means_tested_rate(struct ctx *c, int64_t combined, int months);

static void means_tested_grant(struct ctx *c, int months)
{
	const struct application *app = c->app;
	if (app->n_parents == 0)
		return; /* not applied for: no parents' income given */
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "means-tested-grant.income", REF_MEANS, "rule.means-tested.income");
	int64_t combined = 0;
	for (size_t i = 0; i < app->n_parents; i++)
		combined += app->parent_income[i];
	step_int(s, "parents_income", TV_MONEY, combined);
	int64_t max = step_param(c, s, "means_tested_grant.income_max");
	if (c->missing != gaps)
		return;
	int above = combined > max;
	step_value(s, TV_BOOL, !above);
	if (above) {
		c->refused = 1;
		return;
	}
	means_tested_rate(c, combined, months);
}

/* The bands' keys, static: a lacked one is named in the decision, which
 * outlives the rule's frame; the catalogue describes each. */
static const char *const names[2][4][3] = {
    {{"means_tested_grant.table_a.siblings_0.band_1_max", "means_tested_grant.table_a.siblings_0.band_2_max",
      "means_tested_grant.table_a.siblings_0.band_3_max"},
     {"means_tested_grant.table_a.siblings_1.band_1_max", "means_tested_grant.table_a.siblings_1.band_2_max",
      "means_tested_grant.table_a.siblings_1.band_3_max"},
     {"means_tested_grant.table_a.siblings_2.band_1_max", "means_tested_grant.table_a.siblings_2.band_2_max",
      "means_tested_grant.table_a.siblings_2.band_3_max"},
     {"means_tested_grant.table_a.siblings_3.band_1_max", "means_tested_grant.table_a.siblings_3.band_2_max",
      "means_tested_grant.table_a.siblings_3.band_3_max"}},
    {{"means_tested_grant.table_b.siblings_0.band_1_max", "means_tested_grant.table_b.siblings_0.band_2_max",
      "means_tested_grant.table_b.siblings_0.band_3_max"},
     {"means_tested_grant.table_b.siblings_1.band_1_max", "means_tested_grant.table_b.siblings_1.band_2_max",
      "means_tested_grant.table_b.siblings_1.band_3_max"},
     {"means_tested_grant.table_b.siblings_2.band_1_max", "means_tested_grant.table_b.siblings_2.band_2_max",
      "means_tested_grant.table_b.siblings_2.band_3_max"},
     {"means_tested_grant.table_b.siblings_3.band_1_max", "means_tested_grant.table_b.siblings_3.band_2_max",
      "means_tested_grant.table_b.siblings_3.band_3_max"}}};

/* Under the ceiling the rate comes from the agency's income table: table A
 * when the parents live together (or one has the responsibility alone),
 * table B when they do not; the row by the number of siblings (3 or more
 * share a row); three income bands, the lowest income giving the highest
 * rate. The household comes with the application (from the population
 * register); the table's bands are parameters, one key per band:
 * means_tested_grant.table_a.siblings_0.band_1_max is the most income that
 * gives the highest rate with no siblings, band_2 the middle rate and
 * band_3 the lowest. */
static void means_tested_rate(struct ctx *c, int64_t combined, int months)
{
	const struct application *app = c->app;
	int gaps = c->missing;
	int row = app->siblings > 3 ? 3 : app->siblings;
	int table_b = app->has_household && !app->parents_live_together;
	struct trace_step *s = step_begin(c, "means-tested-grant.table", REF_MEANS, "rule.means-tested.table");
	const char *const *band = names[table_b][row];
	step_int(s, "parents_income", TV_MONEY, combined);
	if (!app->has_household && step_has_param(c, band[0])) {
		/* The table is held but the household is not known: a person
		 * (or the population register) must supply it. */
		s->message = "rule.means-tested.household";
		step_value(s, TV_MONEY, 0);
		manual_add(c, "household-facts-missing", "reason.household-facts-missing", REF_MEANS);
		return;
	}
	step_int(s, "siblings", TV_INT, app->siblings);
	step_int(s, "parents_live_together", TV_BOOL, app->parents_live_together);
	int64_t max1 = step_param(c, s, band[0]);
	if (c->missing != gaps)
		return;
	int64_t max2 = step_param(c, s, band[1]);
	int64_t max3 = step_param(c, s, band[2]);
	if (c->missing != gaps)
		return;
	/* The highest rate (rate_3) for the lowest band. */
	const char *rate_key = combined <= max1   ? "means_tested_grant.rate_3"
			       : combined <= max2 ? "means_tested_grant.rate_2"
			       : combined <= max3 ? "means_tested_grant.rate_1"
						  : NULL;
	if (rate_key == NULL) {
		s->message = "rule.means-tested.above";
		step_value(s, TV_MONEY, 0);
		c->refused = 1;
		return;
	}
	int64_t monthly = step_param(c, s, rate_key);
	if (c->missing != gaps)
		return;
	step_int(s, "months", TV_INT, months);
	step_value(s, TV_MONEY, monthly * months);
	struct award *a = award_add(c, "means-tested-grant", "grant", REF_MEANS);
	a->months = months;
	a->monthly = monthly;
	a->amount = monthly * months;
}

static void equipment_grant(struct ctx *c)
{
	const struct application *app = c->app;
	if (app->equipment_rate == 0)
		return;
	static const char *const keys[] = {NULL, "equipment_grant.rate_1", "equipment_grant.rate_2",
					   "equipment_grant.rate_3", "equipment_grant.rate_4", "equipment_grant.rate_5"};
	/* A semester is the autumn (August to December) or the spring
	 * (January to July) of the school year; one of them alone gives half
	 * the year's amount, whatever its length. */
	date_t new_year = app->year_first + 153; /* 1 August + 153 days: 1 January */
	int autumn = app->edu_start < new_year && app->edu_end >= app->year_first;
	int spring = app->edu_end >= new_year && app->edu_start <= app->year_last;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "equipment-grant.amount", REF_EQUIPMENT,
					  autumn && spring ? "rule.equipment-grant.amount"
							   : "rule.equipment-grant.semester");
	step_int(s, "equipment_rate", TV_INT, app->equipment_rate);
	step_int(s, "autumn", TV_BOOL, autumn);
	step_int(s, "spring", TV_BOOL, spring);
	int64_t annual = step_param(c, s, keys[app->equipment_rate]);
	if (c->missing != gaps)
		return;
	/* rounding.ore: half a year's amount, half up. */
	int64_t amount = autumn && spring ? annual : money_muldiv_round(annual, 1, 2);
	step_value(s, TV_MONEY, amount);
	award_add(c, "equipment-grant", "grant", REF_EQUIPMENT)->amount = amount;
}

static void child_grant(struct ctx *c, int months)
{
	const struct application *app = c->app;
	if (app->n_children == 0)
		return;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "child-grant.amount", REF_CHILD, "rule.child-grant.amount");
	/* A child counts through the calendar year it turns this age: for
	 * 2024-2025, children born in 2009 or later (lanekassen.no, "Student
	 * med barn"). */
	int64_t last_age = step_param(c, s, "child_grant.last_year_age");
	int64_t first = step_param(c, s, "child_grant.monthly");
	int64_t third = step_param(c, s, "child_grant.monthly_third_fourth");
	if (c->missing != gaps)
		return;
	int counted = 0;
	int64_t monthly = 0;
	for (size_t i = 0; i < app->n_children; i++) {
		if (birth_year(app->children[i]) + last_age < birth_year(app->year_last))
			continue;
		counted++;
		monthly += counted <= 2 ? first : counted <= 4 ? third : 0;
	}
	step_int(s, "children", TV_INT, counted);
	step_int(s, "months", TV_INT, months);
	step_value(s, TV_MONEY, monthly * months);
	if (monthly == 0)
		return;
	struct award *a = award_add(c, "child-grant", "grant", REF_CHILD);
	a->months = months;
	a->monthly = monthly;
	a->amount = monthly * months;
}

/* The travel grant: for a pupil who lives away from the parents and whose
 * home (the parents' address) is at least the least distance from school,
 * three trips there and back a school year at the kilometre rates (a rate
 * for the first 300 km, another up to 1 500 km and a third beyond), less
 * the pupil's own share (lanekassen.no, "Slik reknar vi ut
 * reisestipendet": 700 km gives 300 x 1,76 + 400 x 0,97 = 916 kr a trip,
 * x 6 = 5 496 kr, less 1 144 kr = 4 352 kr). The page gives no rule for a
 * part of a school year: such a pupil's travel grant goes to a person. */
static void travel_grant(struct ctx *c, int months, int64_t full_months)
{
	const struct application *app = c->app;
	if (app->lives_with_parents || !app->has_travel)
		return;
	int gaps = c->missing;
	struct trace_step *s = step_begin(c, "travel-grant.distance", REF_TRAVEL, "rule.travel-grant.distance");
	step_real(s, "distance_km", app->distance_km);
	int64_t least = step_param(c, s, "travel_grant.min_distance_km");
	if (c->missing != gaps)
		return;
	int far = app->distance_km >= (double)least;
	step_value(s, TV_BOOL, far);
	if (!far)
		return;
	/* A step records at most four figures: the trips, then the own share. */
	s = step_begin(c, "travel-grant.trips", REF_TRAVEL, "rule.travel-grant.trips");
	step_real(s, "distance_km", app->distance_km);
	step_int(s, "months", TV_INT, months);
	int64_t r1 = step_param(c, s, "travel_grant.rate_first_300_km");
	int64_t r2 = step_param(c, s, "travel_grant.rate_300_1500_km");
	int64_t r3 = step_param(c, s, "travel_grant.rate_over_1500_km");
	int64_t trips = step_param(c, s, "travel_grant.trips");
	if (c->missing != gaps)
		return;
	if (months < full_months) {
		step_value(s, TV_BOOL, 0);
		manual_add(c, "travel-grant-part-year", "reason.travel-grant-part-year", REF_TRAVEL);
		return;
	}
	double d = app->distance_km;
	double first = d < 300 ? d : 300, middle = d <= 300 ? 0 : (d < 1500 ? d : 1500) - 300,
	       beyond = d > 1500 ? d - 1500 : 0;
	/* rounding.ore: a trip to the nearest øre, half up. */
	int64_t trip = (int64_t)llround(first * (double)r1 + middle * (double)r2 + beyond * (double)r3);
	step_int(s, "trip", TV_MONEY, trip);
	step_value(s, TV_MONEY, trip * trips);
	s = step_begin(c, "travel-grant.amount", REF_TRAVEL, "rule.travel-grant.amount");
	step_int(s, "before_own_share", TV_MONEY, trip * trips);
	int64_t own = step_param(c, s, "travel_grant.own_share");
	if (c->missing != gaps)
		return;
	int64_t amount = trip * trips - own;
	if (amount < 0)
		amount = 0;
	step_value(s, TV_MONEY, amount);
	if (amount == 0)
		return;
	award_add(c, "travel-grant", "grant", REF_TRAVEL)->amount = amount;
}

void decide_upper_secondary(struct ctx *c)
{
	if (!youth_entitlement(c)) {
		if (c->missing)
			return;
		/* From 21, or with a qualification: the rules for higher
		 * education, with no June (a school year of 10 months). */
		struct trace_step *s = step_begin(c, "upper-secondary.adult", REF_ADULT, "rule.upper-secondary.adult");
		step_value(s, TV_BOOL, 1);
		decide_higher_education(c);
		return;
	}
	struct trace_step *s = step_begin(c, "support.months", REF_PART2, "rule.support.months-school");
	step_int(s, "start", TV_DATE, c->app->edu_start);
	step_int(s, "end", TV_DATE, c->app->edu_end);
	int64_t max = step_param(c, s, "upper_secondary.months");
	if (c->missing)
		return;
	int months = study_months(c->app, (int)max);
	step_value(s, TV_INT, months);
	if (months == 0) {
		s = step_begin(c, "support.period", REF_PART2, "rule.support.no-months");
		step_str(s, "school_year", c->app->school_year);
		step_value(s, TV_BOOL, 0);
		return;
	}
	boarding_grant(c, months);
	means_tested_grant(c, months);
	equipment_grant(c);
	child_grant(c, months);
	travel_grant(c, months, max);
}
