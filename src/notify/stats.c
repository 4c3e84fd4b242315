/* stats.c - the letter statistics through the gate; see stats.h. The
 * figures themselves are one SQL query (store_notice_stats), and the
 * shares are notify_share_tenths(). */
#include "notify/stats.h"

int notify_stats_read(struct store *s, const struct principal *who, int64_t now, struct notice_stat **rows,
		      struct arena *a, struct err *e)
{
	if (access_check(s, who, ACT_STATS_READ, 0, "stats:notices", "statistics", now, e) != 0)
		return -1;
	return store_notice_stats(s, now, rows, a, e);
}
