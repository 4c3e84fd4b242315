/* overview.c - what "Mine sider" shows a person: the overview (cases,
 * letters, deadlines) and the calendar page with its feed address, each
 * read after the gate (access_check_subject); see calendar.h. */
#include "calendar/calendar.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

int cal_overview_read(struct store *s, const struct principal *who, int64_t now, struct cal_overview *out,
		      struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (access_check_subject(s, who, ACT_MYPAGES_READ, "page", now, e) != 0)
		return -1;
	int64_t pid = access_subject(who);
	out->n_cases = store_cases_of_person(s, pid, &out->cases, a, e);
	if (out->n_cases < 0)
		return -1;
	out->n_letters = store_letters_of_person(s, pid, &out->letters, &out->unread, a, e);
	if (out->n_letters < 0)
		return -1;
	out->n_entries = store_calendar_of_person(s, pid, &out->entries, a, e);
	return out->n_entries < 0 ? -1 : 0;
}

int cal_calendar_read(struct store *s, const struct principal *who, int64_t now, struct cal_calendar *out,
		      struct arena *a, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (access_check_subject(s, who, ACT_MYPAGES_READ, "page", now, e) != 0)
		return -1;
	int64_t pid = access_subject(who);
	out->n_entries = store_calendar_of_person(s, pid, &out->entries, a, e);
	if (out->n_entries < 0)
		return -1;
	int rc = cal_feed_token(s, pid, out->token, e);
	if (rc < 0)
		return -1;
	out->has_feed = rc == 0;
	if (!out->has_feed)
		out->token[0] = '\0';
	return 0;
}
