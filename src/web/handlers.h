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
/* A letter as a PDF download (portal/letter_pdf.c); reading it opens it. */
void portal_letter_pdf(struct req *r, struct resp *w);
void portal_my_data(struct req *r, struct resp *w);

/* The mailbox (portal/inbox.c): the inbox with search and filters is
 * portal_inbox above; writing to the agency about a case; sending the
 * documentation a case worker asked for (multipart/form-data). */
void portal_write_form(struct req *r, struct resp *w);
void portal_write(struct req *r, struct resp *w);
void portal_upload_form(struct req *r, struct resp *w);
void portal_upload(struct req *r, struct resp *w);
/* The case id when method and path are the documentation upload's, else
 * 0. It is the one route whose body may be larger than SERVER_MAX_BODY: up
 * to PORTAL_UPLOAD_MAX_BODY (five files of 10 MiB and the form around
 * them), streamed to a temporary file once the gate let it in. */
int64_t portal_upload_route(const char *method, const char *path);
#define PORTAL_UPLOAD_MAX_BODY ((size_t)51 * 1024 * 1024)

/* "Min kalkyl" (portal/calculator.c): open to anyone, store nothing. */
void portal_calculators(struct req *r, struct resp *w);
void portal_calc_support(struct req *r, struct resp *w);
void portal_calc_repayment(struct req *r, struct resp *w);

/* "Mine sider" (portal/mypages.c, portal/preferences.c): the overview,
 * the calendar with its secret iCalendar address (and the feed at it,
 * served without login), reminder settings and contact preferences. */
void mypages_overview(struct req *r, struct resp *w);
void mypages_calendar(struct req *r, struct resp *w);
void mypages_feed_address(struct req *r, struct resp *w);
void mypages_feed(struct req *r, struct resp *w);
void mypages_reminders(struct req *r, struct resp *w);
void mypages_reminders_save(struct req *r, struct resp *w);
void mypages_contact(struct req *r, struct resp *w);
void mypages_contact_save(struct req *r, struct resp *w);

/* The case worker's workbench (workbench/workbench.c): the queue of
 * manual cases, a case with its facts, trace and history, and the case
 * worker's decision or request for documentation. */
void workbench_queue(struct req *r, struct resp *w);
void workbench_case(struct req *r, struct resp *w);
void workbench_decide(struct req *r, struct resp *w);
void workbench_request_docs(struct req *r, struct resp *w);
/* The case workers' side of the mailbox (workbench/messages.c): the
 * messages waiting for an answer, one message with its case's
 * conversation, the answer, and a document a person sent. */
void workbench_messages(struct req *r, struct resp *w);
void workbench_message(struct req *r, struct resp *w);
void workbench_message_answer(struct req *r, struct resp *w);
void workbench_document(struct req *r, struct resp *w);
/* Management's statistics (workbench/stats.c): how soon letters are
 * opened, by type and notice channel; staff only. */
void workbench_stats(struct req *r, struct resp *w);
/* Have a case decided again on the registers' facts as they are now. */
void workbench_redecide(struct req *r, struct resp *w);

/* The support centre (#14; web/support/): the agent's desk (identify a
 * caller, log an inquiry), one communication history per person (for the
 * person, a case worker and an agent), the cost report, the FAQ (public
 * and the agents' editor), management's dashboard and /metrics. */
void support_desk(struct req *r, struct resp *w);
void support_identify_caller(struct req *r, struct resp *w);
void support_log_inquiry(struct req *r, struct resp *w);
void support_person_timeline(struct req *r, struct resp *w);
void mypages_timeline(struct req *r, struct resp *w);
void support_report_page(struct req *r, struct resp *w);
void faq_public(struct req *r, struct resp *w);
void faq_public_entry(struct req *r, struct resp *w);
void faq_vote(struct req *r, struct resp *w);
void faq_editor(struct req *r, struct resp *w);
void faq_editor_create(struct req *r, struct resp *w);
void faq_editor_entry(struct req *r, struct resp *w);
void faq_editor_save(struct req *r, struct resp *w);
void management_dashboard(struct req *r, struct resp *w);
void metrics_page(struct req *r, struct resp *w);

/* The support agreement, guardians and proxies (portal/agreements.c):
 * "Avtaler" with its PDF, signing at the signing service and the way
 * back, paper; "Handle for"; "Fullmakter"; the case workers' list of
 * agreements on paper and the registration of a signed copy's arrival. */
void portal_agreements(struct req *r, struct resp *w);
void portal_agreement_pdf(struct req *r, struct resp *w);
void portal_agreement_sign(struct req *r, struct resp *w);
void portal_agreement_return(struct req *r, struct resp *w);
void portal_agreement_paper(struct req *r, struct resp *w);
void portal_actfor(struct req *r, struct resp *w);
void portal_actfor_choose(struct req *r, struct resp *w);
void portal_proxies(struct req *r, struct resp *w);
void portal_proxy_give(struct req *r, struct resp *w);
void portal_proxy_revoke(struct req *r, struct resp *w);
void workbench_agreements(struct req *r, struct resp *w);
void workbench_agreement_received(struct req *r, struct resp *w);
void api_decide(struct req *r, struct resp *w);

/* Real login (portal/login_oidc.c, tracker #13): the redirect to
 * ID-porten (?acr=high for a step-up, ?next=/path), to the agency's own
 * provider for staff, and the callback both return to. portal_login_real
 * answers GET /login when the test login is off (1: it answered);
 * portal_logout_oidc ends a session at the provider too (1: it answered). */
void portal_login_oidc(struct req *r, struct resp *w);
void portal_login_staff(struct req *r, struct resp *w);
void portal_login_callback(struct req *r, struct resp *w);
int portal_login_real(struct req *r, struct resp *w);
int portal_logout_oidc(struct req *r, struct resp *w);
/* The institutions' workspace (#13, web/institution/workspace.c): the
 * students who applied and confirming a selection, one student and a
 * report about them, a CSV file of reports, the administrator's colleagues
 * and the student system's key. */
void inst_home(struct req *r, struct resp *w);
void inst_confirm_selected(struct req *r, struct resp *w);
void inst_student_page(struct req *r, struct resp *w);
void inst_student_report(struct req *r, struct resp *w);
void inst_upload_form(struct req *r, struct resp *w);
void inst_upload(struct req *r, struct resp *w);
void inst_staff_page(struct req *r, struct resp *w);
void inst_staff_add_post(struct req *r, struct resp *w);
void inst_key_register(struct req *r, struct resp *w);
void inst_key_revoke(struct req *r, struct resp *w);
/* The institutions' API (web/institution/api.c): the token endpoint, the
 * students and the confirmations, with a bearer token. */
void api_inst_token(struct req *r, struct resp *w);
void api_inst_students(struct req *r, struct resp *w);
void api_inst_confirmations(struct req *r, struct resp *w);

void static_asset(struct req *r, struct resp *w);
void health(struct req *r, struct resp *w);

/* #9 (rules): the case workers' policy simulation (workbench/simulate.c):
 * the form, and a run on stored applications that stores nothing. */
void workbench_simulate_form(struct req *r, struct resp *w);
void workbench_simulate(struct req *r, struct resp *w);
/* Payouts (#10, payout.c): Dine sider's payout page and the account form. */
void mypages_payout(struct req *r, struct resp *w);
void mypages_payout_account(struct req *r, struct resp *w);
/* #15 (applying right): 1 when p is a path on this site ("/innboks/7"),
 * safe to send a person to after the login: it starts with one '/', and
 * holds no backslash or control character. */
int portal_local_path(const char *p);
/* Where a member of staff in role lands after a login: the workbench, the
 * support desk, management's dashboard, or the institution's workspace. */
const char *portal_staff_home(enum role role);
void workbench_payout(struct req *r, struct resp *w);
/* The loan account (#11): "Min gjeld" (portal/loans.c). */
void loans_page(struct req *r, struct resp *w);
void loans_fixed_rate(struct req *r, struct resp *w);
void loans_plan_change(struct req *r, struct resp *w);
void workbench_loan_payments(struct req *r, struct resp *w);
/* #11, helper D: book a payment no account took to a borrower, or refund it
 * (workbench/loans.c). */
void workbench_loan_payment_book(struct req *r, struct resp *w);
void workbench_loan_payment_refund(struct req *r, struct resp *w);
/* #11, helper D: choose the invoices' due day on "Min gjeld" (portal/loans.c). */
void loans_due_day(struct req *r, struct resp *w);
/* #11, helper C: end the fixed-rate agreement (loans/fixedpost.h). */
void loans_fixed_rate_end(struct req *r, struct resp *w);

/* The support centre's upkeep and FAQ links (#14; web/support/upkeep.c,
 * desk.c): the topics and agencies kept by their own people, and an FAQ
 * answer's link sent to a caller. */
void support_topics_page(struct req *r, struct resp *w);
void support_topics_post(struct req *r, struct resp *w);
void support_agencies_page(struct req *r, struct resp *w);
void support_agencies_post(struct req *r, struct resp *w);
void support_send_faq(struct req *r, struct resp *w);

/* #11, helper B: a case worker's write-off of a borrower's debt at
 * permanent disability (workbench/loan_disability.c): the borrower's loan
 * account with the form, the proposal, and the decision. */
void workbench_loan_disability(struct req *r, struct resp *w);
void workbench_loan_disability_post(struct req *r, struct resp *w);
/* #11, helper A: payment deferral and interest relief applied for from
 * "Min gjeld" (portal/loan_relief.c). GET shows the form (or, without a
 * loan account, says so); POST applies once and sends the person to the
 * case. */
void loan_relief_deferral_form(struct req *r, struct resp *w);
void loan_relief_deferral_submit(struct req *r, struct resp *w);
void loan_relief_relief_form(struct req *r, struct resp *w);
void loan_relief_relief_submit(struct req *r, struct resp *w);

#endif
