/* router.c - the routes of the portal and the API, each with the action of
 * the policy that governs it (the calendar feed is public: its secret
 * address is the key, and the feed audits each reading). */
#include "web/router.h"

#include <string.h>

#include "core/arena.h"
#include "web/handlers.h"

static const struct route routes[] = {
	{"GET", "/", portal_home, ACT_PUBLIC},
	{"GET", "/login", portal_login_page, ACT_PUBLIC},
	{"POST", "/login/test", portal_login_test, ACT_PUBLIC},
	{"POST", "/logout", portal_logout, ACT_PUBLIC},
	{"GET", "/soknad", portal_apply_form, ACT_APPLY},
	{"POST", "/soknad", portal_apply_submit, ACT_APPLY},
	{"GET", "/saker", portal_cases, ACT_CASE_READ},
	{"GET", "/saker/:id", portal_case, ACT_CASE_READ},
	{"GET", "/saker/:id/dokumentasjon", portal_upload_form, ACT_DOCUMENT_UPLOAD},
	{"POST", "/saker/:id/dokumentasjon", portal_upload, ACT_DOCUMENT_UPLOAD},
	{"GET", "/innboks", portal_inbox, ACT_LETTER_READ},
	{"GET", "/innboks/skriv", portal_write_form, ACT_MESSAGE_WRITE},
	{"POST", "/innboks/skriv", portal_write, ACT_MESSAGE_WRITE},
	{"GET", "/innboks/:id", portal_letter, ACT_LETTER_READ},
	{"GET", "/innboks/:id/pdf", portal_letter_pdf, ACT_LETTER_READ},
	{"GET", "/mine-opplysninger", portal_my_data, ACT_PERSON_READ},
	{"GET", "/mine-sider", mypages_overview, ACT_MYPAGES_READ},
	{"GET", "/mine-sider/kalender", mypages_calendar, ACT_MYPAGES_READ},
	{"POST", "/mine-sider/kalender/adresse", mypages_feed_address, ACT_CALENDAR_FEED_MANAGE},
	{"GET", "/mine-sider/paminnelser", mypages_reminders, ACT_PREFERENCES_READ},
	{"POST", "/mine-sider/paminnelser", mypages_reminders_save, ACT_PREFERENCES_WRITE},
	{"GET", "/mine-sider/varsling", mypages_contact, ACT_PREFERENCES_READ},
	{"POST", "/mine-sider/varsling", mypages_contact_save, ACT_PREFERENCES_WRITE},
	{"GET", "/kalender/*", mypages_feed, ACT_PUBLIC},
	{"GET", "/kalkulator", portal_calculators, ACT_PUBLIC},
	{"GET", "/kalkulator/stotte", portal_calc_support, ACT_PUBLIC},
	{"GET", "/kalkulator/nedbetaling", portal_calc_repayment, ACT_PUBLIC},
	{"GET", "/saksbehandling", workbench_queue, ACT_QUEUE_READ},
	{"GET", "/saksbehandling/saker/:id", workbench_case, ACT_CASE_EXAMINE},
	{"POST", "/saksbehandling/saker/:id/vedtak", workbench_decide, ACT_CASE_DECIDE},
	{"POST", "/saksbehandling/saker/:id/dokumentasjon", workbench_request_docs, ACT_CASE_REQUEST_DOCS},
	{"GET", "/saksbehandling/henvendelser", workbench_messages, ACT_MESSAGES_QUEUE},
	{"GET", "/saksbehandling/henvendelser/:id", workbench_message, ACT_MESSAGE_READ},
	{"POST", "/saksbehandling/henvendelser/:id/svar", workbench_message_answer, ACT_MESSAGE_ANSWER},
	{"GET", "/saksbehandling/dokumenter/:id", workbench_document, ACT_DOCUMENT_READ},
	{"GET", "/saksbehandling/statistikk", workbench_stats, ACT_STATS_READ},
	{"POST", "/saksbehandling/saker/:id/ny-vurdering", workbench_redecide, ACT_CASE_REDECIDE},
	{"POST", "/api/v1/decide", api_decide, ACT_PUBLIC},
	{"GET", "/static/*", static_asset, ACT_PUBLIC},
	{"GET", "/healthz", health, ACT_PUBLIC},
	/* Real login (tracker #13). */
	{"GET", "/login/idporten", portal_login_oidc, ACT_PUBLIC},
	{"GET", "/login/ansatt", portal_login_staff, ACT_PUBLIC},
	{"GET", "/login/callback", portal_login_callback, ACT_PUBLIC},
	/* #9 (rules): the policy simulation */
	{"GET", "/saksbehandling/simulering", workbench_simulate_form, ACT_RULES_SIMULATE},
	{"POST", "/saksbehandling/simulering", workbench_simulate, ACT_RULES_SIMULATE},
	/* The support centre (#14). */
	{"GET", "/kundesenter", support_desk, ACT_INQUIRY_LOG},
	{"POST", "/kundesenter/innringer", support_identify_caller, ACT_INQUIRY_LOG},
	{"POST", "/kundesenter/henvendelser", support_log_inquiry, ACT_INQUIRY_LOG},
	{"GET", "/kundesenter/personer/:id/historikk", support_person_timeline, ACT_TIMELINE_READ},
	{"GET", "/kundesenter/rapport", support_report_page, ACT_SUPPORT_REPORT},
	{"GET", "/kundesenter/faq", faq_editor, ACT_FAQ_EDIT},
	{"POST", "/kundesenter/faq", faq_editor_create, ACT_FAQ_EDIT},
	{"GET", "/kundesenter/faq/:id", faq_editor_entry, ACT_FAQ_EDIT},
	{"POST", "/kundesenter/faq/:id", faq_editor_save, ACT_FAQ_EDIT},
	{"GET", "/mine-sider/historikk", mypages_timeline, ACT_TIMELINE_READ},
	{"GET", "/faq", faq_public, ACT_PUBLIC},
	{"GET", "/faq/:id", faq_public_entry, ACT_PUBLIC},
	{"POST", "/faq/:id/svar", faq_vote, ACT_PUBLIC},
	{"GET", "/ledelse", management_dashboard, ACT_DASHBOARD_READ},
	{"GET", "/metrics", metrics_page, ACT_PUBLIC},
	/* Payouts (#10) */
	{"GET", "/mine-sider/utbetaling", mypages_payout, ACT_PAYOUT_READ},
	{"POST", "/mine-sider/utbetaling/konto", mypages_payout_account, ACT_PAYOUT_ACCOUNT_WRITE},
	/* The institutions' workspace and API (#13). */
	{"GET", "/larested", inst_home, ACT_INSTITUTION_WORKSPACE},
	{"POST", "/larested/bekreft", inst_confirm_selected, ACT_INSTITUTION_WORKSPACE},
	{"GET", "/larested/studenter/:id", inst_student_page, ACT_INSTITUTION_STUDENT_READ},
	{"POST", "/larested/studenter/:id/rapport", inst_student_report, ACT_INSTITUTION_REPORT},
	{"GET", "/larested/fil", inst_upload_form, ACT_INSTITUTION_WORKSPACE},
	{"POST", "/larested/fil", inst_upload, ACT_INSTITUTION_WORKSPACE},
	{"GET", "/larested/kolleger", inst_staff_page, ACT_INSTITUTION_STAFF_MANAGE},
	{"POST", "/larested/kolleger", inst_staff_add_post, ACT_INSTITUTION_STAFF_MANAGE},
	{"POST", "/larested/nokler", inst_key_register, ACT_INSTITUTION_STAFF_MANAGE},
	{"POST", "/larested/nokler/trekk", inst_key_revoke, ACT_INSTITUTION_STAFF_MANAGE},
	{"POST", "/api/v1/token", api_inst_token, ACT_PUBLIC},
	{"GET", "/api/v1/institutions/:id/students", api_inst_students, ACT_INSTITUTION_WORKSPACE},
	{"POST", "/api/v1/institutions/:id/confirmations", api_inst_confirmations, ACT_INSTITUTION_WORKSPACE},
	{"GET", "/saksbehandling/saker/:id/utbetaling", workbench_payout, ACT_PAYOUT_EXAMINE},
	/* the support agreement, guardians and proxies (portal/agreements.c) */
	{"GET", "/avtaler", portal_agreements, ACT_AGREEMENT_READ},
	{"GET", "/avtaler/retur", portal_agreement_return, ACT_AGREEMENT_SIGN},
	{"GET", "/avtaler/:id/pdf", portal_agreement_pdf, ACT_AGREEMENT_READ},
	{"POST", "/avtaler/:id/signer", portal_agreement_sign, ACT_AGREEMENT_SIGN},
	{"POST", "/avtaler/:id/papir", portal_agreement_paper, ACT_AGREEMENT_SIGN},
	{"GET", "/handle-for", portal_actfor, ACT_ACTFOR_CHOOSE},
	{"POST", "/handle-for", portal_actfor_choose, ACT_ACTFOR_CHOOSE},
	{"GET", "/fullmakter", portal_proxies, ACT_PROXY_MANAGE},
	{"POST", "/fullmakter", portal_proxy_give, ACT_PROXY_MANAGE},
	{"POST", "/fullmakter/:id/tilbakekall", portal_proxy_revoke, ACT_PROXY_MANAGE},
	{"GET", "/saksbehandling/avtaler", workbench_agreements, ACT_AGREEMENTS_PAPER_QUEUE},
	{"POST", "/saksbehandling/avtaler/:id/mottatt", workbench_agreement_received, ACT_AGREEMENT_PAPER_RECEIVED},
	/* The loan account (#11). */
	{"GET", "/mine-sider/gjeld", loans_page, ACT_LOAN_READ},
	{"POST", "/mine-sider/gjeld/fastrente", loans_fixed_rate, ACT_LOAN_FIXED_RATE},
	{"GET", "/saksbehandling/innbetalinger", workbench_loan_payments, ACT_LOAN_PAYMENTS_QUEUE},
	{"POST", "/mine-sider/gjeld/plan", loans_plan_change, ACT_LOAN_PLAN_CHANGE},
	/* The support centre's upkeep and FAQ links (#14). */
	{"GET", "/kundesenter/temaer", support_topics_page, ACT_SUPPORT_TOPICS_MANAGE},
	{"POST", "/kundesenter/temaer", support_topics_post, ACT_SUPPORT_TOPICS_MANAGE},
	{"GET", "/kundesenter/etater", support_agencies_page, ACT_SUPPORT_AGENCIES_MANAGE},
	{"POST", "/kundesenter/etater", support_agencies_post, ACT_SUPPORT_AGENCIES_MANAGE},
	{"POST", "/kundesenter/faq-lenke", support_send_faq, ACT_FAQ_SEND},
	/* The loan account's open features (#11, helper D): resolving a
	 * payment no account took. */
	{"POST", "/saksbehandling/innbetalinger/:id/bokfor", workbench_loan_payment_book, ACT_LOAN_PAYMENT_RESOLVE},
	{"POST", "/saksbehandling/innbetalinger/:id/tilbakebetal", workbench_loan_payment_refund, ACT_LOAN_PAYMENT_RESOLVE},
	{"POST", "/mine-sider/gjeld/forfall", loans_due_day, ACT_LOAN_DUE_DAY},
	/* #11, helper B: the write-off at permanent disability. */
	{"GET", "/saksbehandling/personer/:id/gjeld", workbench_loan_disability, ACT_LOAN_WRITE_OFF},
	{"POST", "/saksbehandling/personer/:id/gjeld/uforhet", workbench_loan_disability_post, ACT_LOAN_WRITE_OFF},
	/* #11, helper A: deferral and interest relief from "Min gjeld". */
	{"GET", "/mine-sider/gjeld/utsettelse", loan_relief_deferral_form, ACT_APPLY},
	{"POST", "/mine-sider/gjeld/utsettelse", loan_relief_deferral_submit, ACT_APPLY},
	{"GET", "/mine-sider/gjeld/rentefritak", loan_relief_relief_form, ACT_APPLY},
	{"POST", "/mine-sider/gjeld/rentefritak", loan_relief_relief_submit, ACT_APPLY},
	/* #11, helper C: end the fixed-rate agreement, with its interest loss
	 * or gain (loans/fixedpost.h); the same action as choosing one. */
	{"POST", "/mine-sider/gjeld/fastrente/avslutt", loans_fixed_rate_end, ACT_LOAN_FIXED_RATE},
	{NULL, NULL, NULL, ACT_PUBLIC}};

const struct route *router_routes(void)
{
	return routes;
}

/* Match path against pattern, capturing ":id" segments (1-18 digits). */
static int match(const char *pattern, const char *path, struct req *r)
{
	int n = 0;
	while (*pattern && *path) {
		if (*pattern == '*')
			return 1;
		if (*pattern == ':') {
			size_t len = strspn(path, "0123456789");
			if (len == 0 || len > 18 || n == 4)
				return 0;
			r->params[n++] = arena_strndup(r->a, path, len);
			path += len;
			while (*pattern && *pattern != '/')
				pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	if (*pattern == '\0' && *path == '\0') {
		r->n_params = n;
		return 1;
	}
	return 0;
}

int router_page_exists(struct req *r, const char *path)
{
	for (const struct route *rt = routes; rt->method; rt++)
		if (strcmp(rt->method, "GET") == 0 && strchr(rt->pattern, '*') == NULL && match(rt->pattern, path, r))
			return 1;
	return 0;
}

handler_fn router_find(struct req *r, int *method_mismatch)
{
	*method_mismatch = 0;
	for (const struct route *rt = routes; rt->method; rt++) {
		if (!match(rt->pattern, r->path, r))
			continue;
		if (strcmp(rt->method, r->method) == 0 || (strcmp(rt->method, "GET") == 0 && strcmp(r->method, "HEAD") == 0))
			return rt->handler;
		*method_mismatch = 1;
	}
	return NULL;
}
