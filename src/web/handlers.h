/* handlers.h - the request handlers the router dispatches to: the portal
 * (web/portal/), the JSON API (web/api/) and static assets. */
#ifndef STIPEND_HANDLERS_H
#define STIPEND_HANDLERS_H

#include "web/http.h"

void portal_home(struct req *r, struct resp *w);
void portal_login_page(struct req *r, struct resp *w);
void portal_login_test(struct req *r, struct resp *w);
void portal_logout(struct req *r, struct resp *w);
void portal_apply_form(struct req *r, struct resp *w);
void portal_apply_submit(struct req *r, struct resp *w);
void portal_cases(struct req *r, struct resp *w);
void portal_case(struct req *r, struct resp *w);
void portal_inbox(struct req *r, struct resp *w);
void portal_letter(struct req *r, struct resp *w);
void portal_my_data(struct req *r, struct resp *w);

/* "Min kalkyl" (portal/calculator.c): open to anyone, store nothing. */
void portal_calculators(struct req *r, struct resp *w);
void portal_calc_support(struct req *r, struct resp *w);
void portal_calc_repayment(struct req *r, struct resp *w);

/* The case worker's workbench (workbench/workbench.c): the queue of
 * manual cases, a case with its facts, trace and history, and the case
 * worker's decision or request for documentation. */
void workbench_queue(struct req *r, struct resp *w);
void workbench_case(struct req *r, struct resp *w);
void workbench_decide(struct req *r, struct resp *w);
void workbench_request_docs(struct req *r, struct resp *w);
/* Management's statistics (workbench/stats.c): how soon letters are
 * opened, by type and notice channel; staff only. */
void workbench_stats(struct req *r, struct resp *w);
/* Have a case decided again on the registers' facts as they are now. */
void workbench_redecide(struct req *r, struct resp *w);

void api_decide(struct req *r, struct resp *w);

void static_asset(struct req *r, struct resp *w);
void health(struct req *r, struct resp *w);

#endif
