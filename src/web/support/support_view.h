/* support_view.h - what the support centre's pages share (web/support/). */
#ifndef STIPEND_WEB_SUPPORT_VIEW_H
#define STIPEND_WEB_SUPPORT_VIEW_H

#include <stdint.h>

#include <jansson.h>

#include "support/support.h"
#include "web/http.h"

/* Put "day" (YYYY-MM-DD) and "time" (HH:MM) of t as Norwegian time
 * (Europe/Oslo) into o, and "iso", the instant in UTC for <time datetime>. */
void sv_put_when(json_t *o, int64_t t);

/* The name of the topic code among t (n of them) in the request's
 * language, or the code itself. */
const char *sv_topic_name(struct req *r, const struct support_topic *t, int n, const char *code);

#endif
