/* faq.c - the FAQ (see support.h): public answers in bokmål and English,
 * searched with SQLite's FTS5, each word of a query taken as a prefix so
 * that "bortebo" finds "borteboer"; written and published by support agents
 * (every version kept with who wrote it); "Did this help?" on each.
 *
 * A query is never handed to FTS5 as typed: it is cut into words (letters
 * and digits, any script), each quoted as a string and marked a prefix, so
 * that no FTS5 syntax (NEAR, column filters, quotes) can come from outside. */
#include "support/support.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "mailbox/messages.h"

#define QUERY_WORDS 8

const char *faq_fts_query(struct arena *a, const char *query)
{
	struct buf b;
	buf_init(&b, 1024);
	int words = 0;
	const unsigned char *p = (const unsigned char *)(query ? query : "");
	while (*p && words < QUERY_WORDS) {
		while (*p && !(*p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
			p++;
		const unsigned char *w = p;
		while (*p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			p++;
		if (p == w || p - w > 64)
			continue;
		if (words++)
			buf_putc(&b, ' ');
		buf_putc(&b, '"');
		buf_append(&b, (const char *)w, (size_t)(p - w));
		buf_puts(&b, "\"*");
	}
	const char *out = words ? arena_strdup(a, buf_str(&b)) : NULL;
	buf_cleanup(&b);
	return out;
}

int faq_search(struct store *s, const char *query, int limit, struct faq_entry **out, struct arena *a,
	       struct err *e)
{
	const char *match = faq_fts_query(a, query);
	*out = NULL;
	if (match == NULL)
		return 0;
	return store_faq_search(s, match, limit, out, a, e);
}

int faq_published(struct store *s, struct faq_entry **out, struct arena *a, struct err *e)
{
	return store_faq_list(s, 1, out, a, e);
}

int faq_read(struct store *s, int64_t id, struct faq_entry *out, struct arena *a, struct err *e)
{
	return store_faq_get(s, id, 1, out, a, e);
}

struct vote {
	int64_t id, at;
	int helped;
};

static int store_vote(struct store_tx *tx, void *arg, struct err *e)
{
	struct vote *v = arg;
	return store_faq_feedback(tx, v->id, v->helped, v->at, e);
}

int faq_feedback(struct store *s, int64_t id, int helped, int64_t now, struct err *e)
{
	struct vote v = {id, now, helped};
	return store_write(s, store_vote, &v, e);
}

/* ---- the editor ---- */

struct saving {
	int64_t id, topic_id;
	struct faq_version v;
	int publish;
	char actor[32];
	int version;
};

static int store_saving(struct store_tx *tx, void *arg, struct err *e)
{
	struct saving *sv = arg;
	char object[32], detail[32];
	if (sv->id == 0 && store_faq_entry_insert(tx, sv->topic_id, sv->v.created_at, &sv->id, e) != 0)
		return -1;
	sv->v.entry_id = sv->id;
	if (store_faq_version_add(tx, &sv->v, sv->topic_id, &sv->version, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "faq:%lld", (long long)sv->id);
	snprintf(detail, sizeof(detail), "version=%d", sv->version);
	if (audit_append(tx, sv->v.created_at, sv->actor, "faq.saved", object, detail, e) != 0)
		return -1;
	if (!sv->publish)
		return 0;
	if (store_faq_publish(tx, sv->id, sv->version, e) != 0)
		return -1;
	return audit_append(tx, sv->v.created_at, sv->actor, "faq.published", object, detail, e);
}

static int64_t topic_id_of(struct store *s, const char *code, struct arena *a, struct err *e)
{
	struct support_topic *t;
	int n = store_support_topics(s, &t, a, e);
	if (n < 0)
		return -1;
	for (int i = 0; code && i < n; i++)
		if (t[i].active && strcmp(t[i].code, code) == 0)
			return t[i].id;
	return 0;
}

static int save(struct store *s, const char *actor, int64_t staff_id, int64_t id, const struct faq_form *f,
		int64_t now, int64_t *out_id, struct err *e)
{
	struct arena a;
	arena_init(&a, 0);
	int64_t topic = topic_id_of(s, f->topic, &a, e);
	arena_cleanup(&a);
	if (topic < 0)
		return -1;
	if (topic == 0)
		return err_set(e, ERR_INVALID, "topic", "choose a topic from the list");
	if (!msg_text_ok(f->question_nb, 1, 300) || strchr(f->question_nb, '\n'))
		return err_set(e, ERR_INVALID, "question_nb", "a question is 1 to 300 characters on one line");
	if (!msg_text_ok(f->answer_nb, 1, 8000))
		return err_set(e, ERR_INVALID, "answer_nb", "an answer is 1 to 8000 characters of text");
	if (!msg_text_ok(f->question_en, 1, 300) || strchr(f->question_en, '\n'))
		return err_set(e, ERR_INVALID, "question_en", "a question is 1 to 300 characters on one line");
	if (!msg_text_ok(f->answer_en, 1, 8000))
		return err_set(e, ERR_INVALID, "answer_en", "an answer is 1 to 8000 characters of text");
	const char *source = f->source && f->source[0] ? f->source : NULL;
	if (source && (!msg_text_ok(source, 9, 500) || strncmp(source, "https://", 8) != 0 || strpbrk(source, " \n\"<>")))
		return err_set(e, ERR_INVALID, "source", "the source is the https address of the page it was written from");
	struct saving sv = {id, topic, {0}, f->publish, "", 0};
	sv.v.question_nb = f->question_nb;
	sv.v.answer_nb = f->answer_nb;
	sv.v.question_en = f->question_en;
	sv.v.answer_en = f->answer_en;
	sv.v.source = source;
	sv.v.staff_id = staff_id;
	sv.v.created_at = now;
	snprintf(sv.actor, sizeof(sv.actor), "%s", actor);
	if (store_write(s, store_saving, &sv, e) != 0)
		return -1;
	if (out_id)
		*out_id = sv.id;
	return 0;
}

int faq_save(struct store *s, const struct principal *who, int64_t id, const struct faq_form *f, int64_t now,
	     int64_t *out_id, struct err *e)
{
	char object[32], actor[32];
	snprintf(object, sizeof(object), "faq:%lld", (long long)id);
	if (access_check(s, who, ACT_FAQ_EDIT, 0, object, "answer", now, e) != 0)
		return -1;
	return save(s, access_actor(who, actor, sizeof(actor)), who->staff_id, id, f, now, out_id, e);
}

struct publishing {
	int64_t id, at;
	int version;
	char actor[32];
};

static int store_publishing(struct store_tx *tx, void *arg, struct err *e)
{
	struct publishing *p = arg;
	char object[32], detail[32];
	if (store_faq_publish(tx, p->id, p->version, e) != 0)
		return -1;
	snprintf(object, sizeof(object), "faq:%lld", (long long)p->id);
	snprintf(detail, sizeof(detail), "version=%d", p->version);
	return audit_append(tx, p->at, p->actor, "faq.published", object, detail, e);
}

int faq_publish(struct store *s, const struct principal *who, int64_t id, int version, int64_t now,
		struct err *e)
{
	char object[32];
	snprintf(object, sizeof(object), "faq:%lld", (long long)id);
	if (access_check(s, who, ACT_FAQ_EDIT, 0, object, "answer", now, e) != 0)
		return -1;
	struct publishing p = {id, now, version, ""};
	access_actor(who, p.actor, sizeof(p.actor));
	return store_write(s, store_publishing, &p, e);
}

int faq_all(struct store *s, const struct principal *who, int64_t now, struct faq_entry **out, struct arena *a,
	    struct err *e)
{
	if (access_check(s, who, ACT_FAQ_EDIT, 0, "faq", "FAQ", now, e) != 0)
		return -1;
	return store_faq_list(s, 0, out, a, e);
}

int faq_edit_read(struct store *s, const struct principal *who, int64_t id, int64_t now, struct faq_entry *out,
		  struct faq_version **versions, int *n_versions, struct arena *a, struct err *e)
{
	char object[32];
	snprintf(object, sizeof(object), "faq:%lld", (long long)id);
	if (access_check(s, who, ACT_FAQ_EDIT, 0, object, "answer", now, e) != 0)
		return -1;
	int rc = store_faq_get(s, id, 0, out, a, e);
	if (rc != 0)
		return rc < 0 ? -1 : err_set(e, ERR_NOT_FOUND, NULL, "no such answer");
	*n_versions = store_faq_versions(s, id, versions, a, e);
	return *n_versions < 0 ? -1 : 0;
}

int support_topic_tallies(struct store *s, const struct principal *who, int64_t from, int64_t to, int64_t now,
			  struct topic_tally **out, struct arena *a, struct err *e)
{
	enum action act = access_allowed(who, ACT_FAQ_EDIT, 0) ? ACT_FAQ_EDIT : ACT_SUPPORT_REPORT;
	if (access_check(s, who, act, 0, "inquiries", "inquiry log", now, e) != 0)
		return -1;
	return store_topic_tallies(s, from, to, out, a, e);
}

/* ---- the demo's answers ---- */

/* Written in our own words from the agency's pages named in each source. */
static const struct seed {
	const char *topic, *qnb, *anb, *qen, *aen, *source;
} seeds[] = {
	{"boarding", "Når regnes jeg som borteboer i høyere utdanning?",
	 "Du er borteboer når du ikke bor sammen med foreldrene dine mens du studerer, for eksempel på hybel. "
	 "Du regnes også som borteboer når du bor alene i en leilighet foreldrene dine eier, eller i en selvstendig "
	 "boenhet med eget bad og kjøkken på samme eiendom. Det er hvor du faktisk bor under studiene som teller, "
	 "ikke adressen i folkeregisteret. Bare borteboere kan få gjort om lån til stipend.",
	 "When am I counted as living away from home in higher education?",
	 "You live away from home when you do not live with your parents while you study, for example in a rented "
	 "room. You also count as living away when you live alone in a flat your parents own, or in a separate unit "
	 "with its own bathroom and kitchen on their property. What counts is where you actually live during your "
	 "studies, not your address in the population register. Only students living away from home can have loan "
	 "converted to grant.",
	 "https://lanekassen.no/nb-NO/Stipend-og-lan/utdanning-i-norge/Hoyere-utdanning/Hvor-mye-kan-du-fa/basisstotte/sporsmal-og-svar-om-borte--og-hjemmeboer/"},
	{"boarding", "Hvem kan få borteboerstipend i videregående opplæring?",
	 "Borteboerstipend gis til elever og lærlinger i videregående opplæring som bor borte fra foreldrene. I tillegg "
	 "må avstanden mellom hjemmet og skolen være minst 40 kilometer, eller reisen til og fra skolen ta minst tre "
	 "timer om dagen, eller det må være særlige forhold i hjemmet som gjør at du ikke kan bo der. Du søker ikke "
	 "særskilt: du krysser av for at du skal bo borte i søknaden om stipend.",
	 "Who can get the boarding grant in upper secondary school?",
	 "The boarding grant is for pupils and apprentices in upper secondary education who live away from their "
	 "parents. In addition the distance between home and school must be at least 40 kilometres, or the journey to "
	 "and from school must take at least three hours a day, or there must be special circumstances at home that "
	 "mean you cannot live there. There is no separate application: you tick that you will live away from home "
	 "when you apply.",
	 "https://lanekassen.no/en-US/laresteder/veiledning/veilede-om-borteboerstipend"},
	{"conversion", "Hvordan blir lån gjort om til stipend?",
	 "Inntil 40 prosent av basislånet kan bli gjort om til stipend. Du må være borteboer, ha inntekt og formue under "
	 "grensene og bestå utdanningen du har fått støtte til; i universitets- og høyskoleutdanning kommer en del av "
	 "omgjøringen først når graden er fullført. Omgjøringen skjer når skatteopplysningene for året er klare, året "
	 "etter at du fikk støtte.",
	 "How is loan converted to grant?",
	 "Up to 40 per cent of the basic loan can be converted to a grant. You must live away from home, have income "
	 "and wealth below the limits, and pass the education you were supported for; in university and college "
	 "education part of the conversion comes only when you complete your degree. The conversion is made when the "
	 "tax figures for the year are ready, the year after you had the support.",
	 "https://lanekassen.no/nb-NO/Stipend-og-lan/utdanning-i-norge/Hoyere-utdanning/Omgjoring-av-lan-til-stipend/omgjoring-hoyere-utdanning/"},
	{"deferral", "Kan jeg utsette betalingen av en regning?",
	 "Ja. Kan du ikke betale regningen, kan du søke om betalingsutsettelse uten å oppgi noen grunn. Du kan utsette "
	 "opptil seks forfall av gangen og 36 regninger til sammen. Nedbetalingstiden blir forlenget med én måned for "
	 "hver regning du utsetter, og du betaler mer i renter. Har du avtalegiro, må du selv stoppe trekket i nettbanken.",
	 "Can I defer paying a bill?",
	 "Yes. If you cannot pay the bill, you can apply for a payment deferral without giving a reason. You can defer "
	 "up to six due dates at a time and 36 bills in all. The repayment period is extended by one month for each "
	 "bill you defer, and you pay more interest. If you pay by direct debit, stop it in your online bank yourself.",
	 "https://www.lanekassen.no/nb-NO/Tilbakebetaling/Betalingsutsettelse/"},
	{"contact", "Hvordan melder jeg fra om at jeg flytter?",
	 "Flytter du til eller fra foreldrene dine mens du får stipend og lån, må du melde fra skriftlig med flyttedato "
	 "og ny adresse, under «meld fra om endringer» på Mine sider. Det er ikke nok å ringe, sende vanlig e-post eller "
	 "endre adressen i folkeregisteret. Om du bor hjemme eller borte betyr mye for hvor mye du får.",
	 "How do I tell you that I am moving?",
	 "If you move to or from your parents while you receive grants and loans, you must tell us in writing, with "
	 "the date and your new address, under \"report changes\" in My pages. Calling, ordinary e-mail or changing your "
	 "address in the population register is not enough. Whether you live at home or away matters a great deal to "
	 "how much you get.",
	 "https://lanekassen.no/stipend-og-lan/hoyere-og-annen-utdanning/forsinkelse-avbrudd-og-andre-endringer/flytting/"},
};

int faq_seed(struct store *s, int64_t now, struct err *e)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct faq_form f = {seeds[i].topic, seeds[i].qnb, seeds[i].anb, seeds[i].qen, seeds[i].aen,
				     seeds[i].source, 1};
		if (save(s, "system", 0, 0, &f, now, NULL, e) != 0)
			return -1;
	}
	return 0;
}
