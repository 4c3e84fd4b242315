/* stats.h - the agency's figures on how soon letters are opened, by type
 * of letter and by the channel their notice went by, within 1, 3 and 7
 * days of delivery: for the workbench's statistics page, asked through the
 * gate (`stipend stats` reads the same figures as the operator, from the
 * database itself). */
#ifndef STIPEND_NOTIFY_STATS_H
#define STIPEND_NOTIFY_STATS_H

#include <stdint.h>

#include "access/access.h"
#include "store/notices.h"

struct arena;
struct err;
struct store;

/* The statistics at now for who (ACT_STATS_READ; a refusal is
 * ERR_FORBIDDEN, audited "stats.read.denied" on "stats:notices") into
 * *rows, by kind then channel, allocated in a. Returns the row count or
 * -1 with e filled. Thread-safe. */
int notify_stats_read(struct store *s, const struct principal *who, int64_t now, struct notice_stat **rows,
		      struct arena *a, struct err *e);

#endif
