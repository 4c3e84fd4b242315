/* decide.c - the decision core: dispatch to the scheme, settle the outcome,
 * and write the decision as the contract's JSON (../shared/spec/decide.md).
 *
 * The scheme files (higher_education.c, ...) apply their rules through the
 * step_* helpers here, so that every rule leaves a trace step with the
 * paragraph it implements, the inputs and dated parameter values it read,
 * its value and the catalogue key of a sentence a citizen can read. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/money.h"
#include "rules/internal.h"

const char *rules_scheme_name(enum scheme s)
{
	switch (s) {
	case SCHEME_HIGHER_EDUCATION: return "higher-education";
	case SCHEME_UPPER_SECONDARY: return "upper-secondary";
	case SCHEME_PAYMENT_DEFERRAL: return "payment-deferral";
	case SCHEME_INTEREST_RELIEF: return "interest-relief";
	case SCHEME_SICKNESS_GRANT: return "sickness-grant";
	case SCHEME_PARENTAL_GRANT: return "parental-grant";
	}
	return "unknown";
}

const char *rules_outcome_name(enum outcome o)
{
	switch (o) {
	case OUTCOME_GRANTED: return "granted";
	case OUTCOME_PARTLY: return "partly-granted";
	case OUTCOME_REJECTED: return "rejected";
	case OUTCOME_MANUAL: return "manual";
	}
	return "unknown";
}

struct trace_step *step_begin(struct ctx *c, const char *rule, const char *reference, const char *message)
{
	struct decision *d = c->d;
	if (d->n_steps == DECISION_MAX_STEPS) {
		c->failed = 1;
		err_set(c->e, ERR_INTERNAL, NULL, "trace of %s is full", rule);
		/* The failed flag discards the decision; the rule writes into
		 * a spare step that nobody reads. */
		memset(&c->spare, 0, sizeof(c->spare));
		return &c->spare;
	}
	struct trace_step *s = &d->steps[d->n_steps++];
	memset(s, 0, sizeof(*s));
	s->rule = rule;
	s->reference = reference;
	s->message = message;
	return s;
}

static struct tval *next_input(struct trace_step *s, const char *name)
{
	if (s->n_inputs == TRACE_MAX_INPUTS)
		return NULL;
	struct tval *t = &s->inputs[s->n_inputs++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	return t;
}

void step_int(struct trace_step *s, const char *name, enum tv_type type, int64_t v)
{
	struct tval *t = next_input(s, name);
	if (t) {
		t->type = type;
		t->i = v;
	}
}

void step_real(struct trace_step *s, const char *name, double v)
{
	struct tval *t = next_input(s, name);
	if (t) {
		t->type = TV_REAL;
		t->r = v;
	}
}

void step_str(struct trace_step *s, const char *name, const char *v)
{
	struct tval *t = next_input(s, name);
	if (t) {
		t->type = TV_STR;
		t->s = v;
	}
}

int64_t step_param(struct ctx *c, struct trace_step *s, const char *key)
{
	const struct param *p = params_get_literal(c->params, key, c->on);
	if (p == NULL) {
		/* A value the rule set does not hold for this date is a fact the
		 * machine lacks: never guess it, send the case to a person. */
		c->missing++;
		if (!c->missing_reported) {
			c->missing_reported = 1;
			manual_add(c, "parameter-not-in-force", "reason.parameter-not-in-force", s->reference);
			if (c->d->n_reasons > 0 &&
			    strcmp(c->d->reasons[c->d->n_reasons - 1].code, "parameter-not-in-force") == 0)
				c->d->reasons[c->d->n_reasons - 1].parameter = key;
		}
		/* The step names the first value it lacks: the trace's inputs
		 * are a JSON object, which holds a name once. */
		int named = 0;
		for (int i = 0; i < s->n_inputs; i++)
			named |= strcmp(s->inputs[i].name, "missing_parameter") == 0;
		if (!named)
			step_str(s, "missing_parameter", key);
		return 0;
	}
	if (s->n_params < TRACE_MAX_PARAMS)
		s->params[s->n_params++] = p;
	return p->value;
}

int step_has_param(struct ctx *c, const char *key)
{
	return params_get_literal(c->params, key, c->on) != NULL;
}

void step_value(struct trace_step *s, enum tv_type type, int64_t v)
{
	s->value.name = "value";
	s->value.type = type;
	s->value.i = v;
}

struct award *award_add(struct ctx *c, const char *name, const char *kind, const char *reference)
{
	struct decision *d = c->d;
	if (d->n_awards == DECISION_MAX_AWARDS) {
		c->failed = 1;
		err_set(c->e, ERR_INTERNAL, NULL, "too many awards");
		return &d->awards[DECISION_MAX_AWARDS - 1];
	}
	struct award *a = &d->awards[d->n_awards++];
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->kind = kind;
	a->reference = reference;
	a->convertible = -1;
	return a;
}

void manual_add(struct ctx *c, const char *code, const char *message, const char *reference)
{
	struct decision *d = c->d;
	for (int i = 0; i < d->n_reasons; i++)
		if (strcmp(d->reasons[i].code, code) == 0)
			return; /* one reason is enough said once */
	if (d->n_reasons == DECISION_MAX_REASONS)
		return;
	struct manual_reason *r = &d->reasons[d->n_reasons++];
	r->code = code;
	r->message = message;
	r->reference = reference;
	r->parameter = NULL;
}

int rules_decide(const struct application *app, const struct params *p, struct decision *d, struct err *e)
{
	/* Support is read for its school year's first day; a deferral and
	 * interest relief for the decision date. */
	int for_a_date = app->scheme == SCHEME_PAYMENT_DEFERRAL || app->scheme == SCHEME_INTEREST_RELIEF;
	struct ctx c = {.app = app, .params = p, .d = d, .on = for_a_date ? app->decision_date : app->year_first, .e = e};

	/* Only the counts and the header are cleared (#9, speed: the whole
	 * decision is 12 kB, and every element is cleared where it is added:
	 * step_begin, award_add, manual_add). */
	d->outcome = OUTCOME_GRANTED;
	d->n_awards = d->n_reasons = d->n_steps = 0;
	d->scheme = app->scheme;
	/* "<set>-<school year>", cut to fit as snprintf would cut it. */
	const char *parts[3] = {params_name(p), "-", app->school_year};
	size_t o = 0;
	for (int k = 0; k < 3; k++) {
		size_t n = strlen(parts[k]);
		if (o + n >= sizeof(d->rules_version))
			n = sizeof(d->rules_version) - 1 - o;
		memcpy(d->rules_version + o, parts[k], n);
		o += n;
	}
	d->rules_version[o] = '\0';
	if (!params_covers(p, c.on))
		return for_a_date ? err_set(e, ERR_INVALID, "decision_date", "no rules are in force on the decision date")
				  : err_set(e, ERR_INVALID, "school_year", "no rules are in force for the school year %s",
					    app->school_year);
	if (app->conflicting_facts) {
		/* Facts that contradict each other are for a person to clear up
		 * (the duty to clarify a case); the rules still settle the rest. */
		struct trace_step *s = step_begin(&c, "facts.consistent", "forvaltningsloven § 17", "rule.facts.conflict");
		step_int(s, "conflicting_facts", TV_BOOL, 1);
		step_value(s, TV_BOOL, 0);
		manual_add(&c, "conflicting-facts", "reason.conflicting-facts", "forvaltningsloven § 17");
	}
	switch (app->scheme) {
	case SCHEME_HIGHER_EDUCATION:
		decide_higher_education(&c);
		break;
	case SCHEME_UPPER_SECONDARY:
		decide_upper_secondary(&c);
		break;
	case SCHEME_PAYMENT_DEFERRAL:
		decide_payment_deferral(&c);
		break;
	case SCHEME_INTEREST_RELIEF:
		decide_interest_relief(&c);
		break;
	case SCHEME_SICKNESS_GRANT:
		decide_sickness_grant(&c);
		break;
	case SCHEME_PARENTAL_GRANT:
		decide_parental_grant(&c);
		break;
	}
	if (c.failed)
		return -1;
	if (d->n_reasons > 0)
		d->outcome = OUTCOME_MANUAL;
	else if (d->n_awards == 0)
		d->outcome = OUTCOME_REJECTED;
	else if (d->outcome != OUTCOME_PARTLY)
		d->outcome = c.refused ? OUTCOME_PARTLY : OUTCOME_GRANTED;
	return 0;
}

const struct award *rules_award(const struct decision *d, const char *name)
{
	for (int i = 0; i < d->n_awards; i++)
		if (strcmp(d->awards[i].name, name) == 0)
			return &d->awards[i];
	return NULL;
}

/* r as printf's "%g" writes it. Distances and the like are mostly whole
 * or of one decimal below 100 000: those are written by hand (six
 * significant digits or fewer, so "%g" writes them the same), the rest by
 * snprintf. */
static void real_g(double r, char *out, size_t len)
{
	double tenths = r * 10;
	if (r >= 0 && !signbit(r) && tenths < 1e6 && tenths == (double)(int64_t)tenths &&
	    (double)(int64_t)tenths / 10 == r && len >= 16) {
		int64_t t = (int64_t)tenths;
		char digits[24], *p = digits + sizeof(digits);
		int64_t whole = t / 10;
		*--p = '\0';
		if (t % 10 != 0) {
			*--p = (char)('0' + t % 10);
			*--p = '.';
		}
		do {
			*--p = (char)('0' + whole % 10);
			whole /= 10;
		} while (whole != 0);
		memcpy(out, p, (size_t)(digits + sizeof(digits) - p));
		return;
	}
	snprintf(out, len, "%g", r);
}

/* The catalogue text of key, split (i18n_text_of()), remembered by the
 * key's address: every key the rules name (a step's message, a reason's,
 * "word.yes") is a string literal, whose address always denotes the same
 * text, and traces look the same few up for every decision. A small table
 * of each thread's own, so nothing is shared; a key the catalogues lack is
 * not remembered (the caller writes it the slow way). */
#define MEMO_SLOTS 512
struct text_memo {
	const char *key;
	const struct i18n_text *t;
};
static _Thread_local struct text_memo memo[LANG_COUNT][MEMO_SLOTS];

static const struct i18n_text *literal_text(enum lang lang, const char *key)
{
	uintptr_t k = (uintptr_t)key;
	struct text_memo *m = &memo[lang][(k >> 3 ^ k >> 12) & (MEMO_SLOTS - 1)];
	if (m->key == key)
		return m->t;
	const struct i18n_text *t = i18n_text_of(lang, key);
	if (t != NULL) {
		m->key = key;
		m->t = t;
	}
	return t;
}

/* i18n_get() of a literal key, through the table above. */
static const char *literal_get(enum lang lang, const char *key)
{
	const struct i18n_text *t = literal_text(lang, key);
	return t ? t->text : i18n_get(lang, key);
}

/* Fill a placeholder of a step's explanation from its inputs, parameters
 * and value: name, its format as written and as a kind, and for a count
 * the noun's texts (NULL when the caller has none: looked up here). */
static int put_arg(struct buf *b, enum lang lang, const char *name, const char *fmt, enum i18n_fmt kind,
		   const struct i18n_piece *pc, const struct trace_step *s)
{
	const struct tval *t = NULL;
	char tmp[64];
	int64_t n;
	for (int i = 0; i < s->n_inputs && t == NULL; i++)
		if (s->inputs[i].name[0] == name[0] && strcmp(s->inputs[i].name, name) == 0)
			t = &s->inputs[i];
	if (t == NULL && strcmp(name, "value") == 0)
		t = &s->value;
	if (t == NULL) {
		for (int i = 0; i < s->n_params; i++)
			if (s->params[i]->key[0] == name[0] && strcmp(s->params[i]->key, name) == 0) {
				int64_t v = s->params[i]->value;
				if (kind == I18N_FMT_COUNT) {
					n = v;
					goto count;
				}
				if (strcmp(s->params[i]->unit, "ore") == 0 || kind == I18N_FMT_MONEY)
					return buf_puts(b, money_format(v, lang, tmp, sizeof(tmp)));
				return buf_put_i64(b, v);
			}
		return 1;
	}
	switch (t->type) {
	case TV_MONEY:
		return buf_puts(b, money_format(t->i, lang, tmp, sizeof(tmp)));
	case TV_DATE:
		return i18n_put_day(b, lang, (date_t)t->i);
	case TV_BOOL:
		return buf_puts(b, literal_get(lang, t->i ? "word.yes" : "word.no"));
	case TV_REAL:
		real_g(t->r, tmp, sizeof(tmp));
		if (lang == LANG_NB && strchr(tmp, '.'))
			*strchr(tmp, '.') = ',';
		return buf_puts(b, tmp);
	case TV_STR:
		if (kind == I18N_FMT_PARAM)
			return i18n_put_param(b, lang, t->s);
		return kind == I18N_FMT_LABEL ? i18n_put_label(b, lang, name, t->s) : buf_puts(b, t->s);
	case TV_INT:
		if (kind == I18N_FMT_COUNT) {
			n = t->i;
			goto count;
		}
		return kind == I18N_FMT_MONEY ? buf_puts(b, money_format(t->i, lang, tmp, sizeof(tmp)))
					      : buf_put_i64(b, t->i);
	}
	return 1;
count:
	if (pc == NULL)
		return i18n_put_count(b, lang, fmt + 6, n);
	if (buf_put_i64(b, n) != 0 || buf_putc(b, ' ') != 0)
		return -1;
	return n == 1 ? buf_append(b, pc->one[lang], pc->one_len[lang])
		      : buf_append(b, pc->other[lang], pc->other_len[lang]);
}

/* The kind of a format as written, as i18n_text_of()'s pieces hold it. */
static enum i18n_fmt fmt_kind(const char *fmt)
{
	return *fmt == '\0'                    ? I18N_FMT_NONE
	       : strcmp(fmt, "money") == 0      ? I18N_FMT_MONEY
	       : strcmp(fmt, "date") == 0       ? I18N_FMT_DATE
	       : strncmp(fmt, "count=", 6) == 0 ? I18N_FMT_COUNT
	       : strcmp(fmt, "label") == 0      ? I18N_FMT_LABEL
	       : strcmp(fmt, "param") == 0      ? I18N_FMT_PARAM
						: I18N_FMT_OTHER;
}

static int put_step_arg(struct buf *b, enum lang lang, const char *name, const char *fmt, void *ctx)
{
	return put_arg(b, lang, name, fmt, fmt_kind(fmt), NULL, ctx);
}

static int put_step_piece(struct buf *b, enum lang lang, const struct i18n_piece *pc, void *ctx)
{
	return put_arg(b, lang, pc->name, pc->format, pc->fmt, pc, ctx);
}

/* The catalogue key that explains s. A step that lacked a figure cannot
 * say what the figure gave: it says which figure is missing instead of a
 * value of nothing, in the text made here and in the key the decision's
 * JSON keeps for the pages that show it in another language. */
static const char *step_key(const struct trace_step *s)
{
	for (int i = 0; i < s->n_inputs; i++)
		if (s->inputs[i].name[0] == 'm' && strcmp(s->inputs[i].name, "missing_parameter") == 0)
			return "rule.parameter-missing";
	return s->message;
}

/* The explanation of s, whose catalogue key is key (step_key(s)). */
static int explain(struct buf *out, const struct trace_step *s, const char *key, enum lang lang)
{
	const struct i18n_text *t = literal_text(lang, key);
	if (t != NULL)
		return i18n_render_text(out, lang, t, put_step_piece, (void *)s);
	return i18n_render_with(out, lang, key, put_step_arg, (void *)s);
}

int rules_step_explain(struct buf *out, const struct trace_step *s, enum lang lang)
{
	return explain(out, s, step_key(s), lang);
}

static int put_tval(struct buf *b, const struct tval *t)
{
	char day[11];
	switch (t->type) {
	case TV_INT:
	case TV_MONEY:
		return buf_put_i64(b, t->i);
	case TV_BOOL:
		return buf_puts(b, t->i ? "true" : "false");
	case TV_REAL:
		return buf_put_json_real(b, t->r);
	case TV_STR:
		return buf_put_json_string(b, t->s);
	case TV_DATE:
		return buf_put_json_string(b, date_format((date_t)t->i, day));
	}
	return -1;
}

/* Append a string literal without measuring it: the JSON of a decision is
 * written in a few hundred appends. */
#define PUT_LIT(b, lit) buf_append((b), (lit), sizeof(lit) - 1)

/* ,"key": (names here are our own identifiers: no escaping needed) */
static int put_key(struct buf *b, int first, const char *key)
{
	int rc = first ? 0 : buf_putc(b, ',');
	rc |= buf_putc(b, '"');
	rc |= buf_puts(b, key);
	rc |= PUT_LIT(b, "\":");
	return rc;
}

/* Pieces of a decision's JSON made only of string literals of the rules
 * (a step's rule and paragraph, an input's name, a message key, an award's
 * name, kind and paragraph), remembered by the literals' addresses: the
 * same few hundred are written for every decision (#9, speed). Each
 * thread has its own table and pool, so nothing is shared or freed; a
 * piece is kept only when it was written whole, and when the pool is full
 * the rest are written as before. The bytes are those the code writing
 * the piece wrote the first time, so the output is the same either way. */
enum frag_kind { FRAG_STEP, FRAG_INPUT, FRAG_MESSAGE, FRAG_AWARD };
#define FRAG_SLOTS 1024
#define FRAG_POOL 32768
struct frag {
	const char *a, *b; /* the literals it was made of */
	uint16_t kind, len;
	uint16_t off; /* in frag_pool */
};
static _Thread_local struct frag frags[FRAG_SLOTS];
static _Thread_local char frag_pool[FRAG_POOL];
static _Thread_local size_t frag_used;

static struct frag *frag_slot(const char *a, const char *b, enum frag_kind kind)
{
	uintptr_t h = (uintptr_t)a * 31 + (uintptr_t)b * 7 + (uintptr_t)kind;
	return &frags[(h >> 3 ^ h >> 13) & (FRAG_SLOTS - 1)];
}

/* Append the remembered piece of (a, b, kind): 1 when there is one, 0 when
 * the caller must write it. */
static int frag_put(struct buf *out, const char *a, const char *b, enum frag_kind kind, int *rc)
{
	const struct frag *f = frag_slot(a, b, kind);
	if (f->a != a || f->b != b || f->kind != kind || f->len == 0)
		return 0;
	*rc |= buf_append(out, frag_pool + f->off, f->len);
	return 1;
}

/* Remember the bytes of out from mark as the piece of (a, b, kind), unless
 * writing them failed or they do not fit. */
static void frag_keep(const struct buf *out, size_t mark, int rc, const char *a, const char *b, enum frag_kind kind)
{
	size_t n = out->len - mark;
	if (rc != 0 || n == 0 || n > 1024 || frag_used + n > FRAG_POOL)
		return;
	struct frag *f = frag_slot(a, b, kind);
	memcpy(frag_pool + frag_used, out->p + mark, n);
	f->a = a;
	f->b = b;
	f->kind = (uint16_t)kind;
	f->len = (uint16_t)n;
	f->off = (uint16_t)frag_used;
	frag_used += n;
}

/* An explanation longer than this is a defect of the catalogue: the
 * decision fails as too large. */
#define EXPLANATION_MAX 4096

/* 1 when none of the n bytes at p is one JSON escapes (a control byte, a
 * quote, a backslash): eight bytes at a time (#9, speed: every explanation
 * of every decision is checked), with the bit tricks of "Bit Twiddling
 * Hacks", which never miss such a byte; the rest one at a time. */
static int plain_json(const char *p, size_t n)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
		if ((((q - ones) & ~q) | ((bs - ones) & ~bs) | ((w - ones * 0x20) & ~w)) & highs)
			return 0;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/* The explanation of s as a JSON string. Rendered straight into b, as
 * explanations seldom hold a byte that JSON escapes; one that does is
 * taken out again and written escaped. */
static int put_explanation(struct buf *b, const struct trace_step *s, const char *key, enum lang lang)
{
	size_t mark = b->len;
	if (buf_putc(b, '"') != 0)
		return -1;
	size_t start = b->len;
	if (explain(b, s, key, lang) != 0 || b->len - start > EXPLANATION_MAX)
		return -1;
	if (plain_json(b->p + start, b->len - start))
		return buf_putc(b, '"');
	char *text = strndup(b->p + start, b->len - start);
	if (text == NULL)
		return -1;
	b->len = mark;
	b->p[mark] = '\0';
	int rc = buf_put_json_string(b, text);
	free(text);
	return rc;
}

int rules_decision_json(struct buf *b, const struct decision *d, enum lang lang)
{
	int rc = 0;
	rc |= PUT_LIT(b, "{\"scheme\":\"");
	rc |= buf_puts(b, rules_scheme_name(d->scheme));
	rc |= PUT_LIT(b, "\",\"outcome\":\"");
	rc |= buf_puts(b, rules_outcome_name(d->outcome));
	rc |= PUT_LIT(b, "\",\"awards\":[");
	for (int i = 0; i < d->n_awards; i++) {
		const struct award *a = &d->awards[i];
		rc |= (i ? PUT_LIT(b, ",{\"name\":\"") : PUT_LIT(b, "{\"name\":\""));
		if (!frag_put(b, a->name, a->kind, FRAG_AWARD, &rc)) {
			size_t mark = b->len;
			int r = buf_puts(b, a->name);
			r |= PUT_LIT(b, "\",\"kind\":\"");
			r |= buf_puts(b, a->kind);
			r |= buf_putc(b, '"');
			frag_keep(b, mark, r, a->name, a->kind, FRAG_AWARD);
			rc |= r;
		}
		if (a->months > 0) {
			rc |= put_key(b, 0, "months");
			rc |= buf_put_i64(b, a->months);
			rc |= put_key(b, 0, "monthly");
			rc |= buf_put_i64(b, a->monthly);
		}
		rc |= put_key(b, 0, "amount");
		rc |= buf_put_i64(b, a->amount);
		if (a->convertible >= 0) {
			rc |= put_key(b, 0, "convertible");
			rc |= buf_put_i64(b, a->convertible);
		}
		rc |= put_key(b, 0, "reference");
		if (!frag_put(b, a->reference, NULL, FRAG_AWARD, &rc)) {
			size_t mark = b->len;
			int r = buf_put_json_string(b, a->reference);
			frag_keep(b, mark, r, a->reference, NULL, FRAG_AWARD);
			rc |= r;
		}
		rc |= buf_putc(b, '}');
	}
	rc |= PUT_LIT(b, "],\"manual_reasons\":[");
	for (int i = 0; i < d->n_reasons; i++) {
		const struct manual_reason *r = &d->reasons[i];
		rc |= (i ? PUT_LIT(b, ",{\"code\":\"") : PUT_LIT(b, "{\"code\":\""));
		rc |= buf_puts(b, r->code);
		rc |= PUT_LIT(b, "\",\"text\":");
		rc |= buf_put_json_string(b, literal_get(lang, r->message));
		rc |= put_key(b, 0, "reference");
		rc |= buf_put_json_string(b, r->reference);
		if (r->parameter) {
			rc |= put_key(b, 0, "parameter");
			rc |= buf_put_json_string(b, r->parameter);
		}
		rc |= buf_putc(b, '}');
	}
	rc |= PUT_LIT(b, "],\"trace\":[");
	for (int i = 0; i < d->n_steps; i++) {
		const struct trace_step *s = &d->steps[i];
		rc |= (i ? PUT_LIT(b, ",{\"rule\":\"") : PUT_LIT(b, "{\"rule\":\""));
		if (!frag_put(b, s->rule, s->reference, FRAG_STEP, &rc)) {
			size_t mark = b->len;
			int r = buf_puts(b, s->rule);
			r |= PUT_LIT(b, "\",\"reference\":");
			r |= buf_put_json_string(b, s->reference);
			r |= PUT_LIT(b, ",\"inputs\":{");
			frag_keep(b, mark, r, s->rule, s->reference, FRAG_STEP);
			rc |= r;
		}
		for (int j = 0; j < s->n_inputs; j++) {
			if (j > 0)
				rc |= buf_putc(b, ',');
			if (!frag_put(b, s->inputs[j].name, NULL, FRAG_INPUT, &rc)) {
				size_t mark = b->len;
				int r = put_key(b, 1, s->inputs[j].name);
				frag_keep(b, mark, r, s->inputs[j].name, NULL, FRAG_INPUT);
				rc |= r;
			}
			rc |= put_tval(b, &s->inputs[j]);
		}
		rc |= PUT_LIT(b, "},\"parameters\":{");
		for (int j = 0; j < s->n_params; j++) {
			const struct param *pm = s->params[j];
			if (pm->json_key != NULL) {
				if (j > 0)
					rc |= buf_putc(b, ',');
				rc |= buf_append(b, pm->json_key, pm->json_key_len);
			} else {
				rc |= put_key(b, j == 0, pm->key);
			}
			rc |= buf_put_i64(b, pm->value);
		}
		/* Each parameter's period of validity (both days included), so
		 * that the trace says which dated value was read: written once
		 * when the set was loaded (struct param). */
		rc |= PUT_LIT(b, "},\"parameter_validity\":{");
		for (int j = 0; j < s->n_params; j++) {
			const struct param *pm = s->params[j];
			if (j > 0)
				rc |= buf_putc(b, ',');
			if (pm->json_validity != NULL) {
				rc |= buf_append(b, pm->json_validity, pm->json_validity_len);
				continue;
			}
			char from[11], to[11];
			rc |= put_key(b, 1, pm->key);
			rc |= PUT_LIT(b, "{\"valid_from\":\"");
			rc |= buf_puts(b, date_format(pm->valid_from, from));
			rc |= PUT_LIT(b, "\",\"valid_to\":\"");
			rc |= buf_puts(b, date_format(pm->valid_to, to));
			rc |= PUT_LIT(b, "\"}");
		}
		rc |= PUT_LIT(b, "},\"value\":");
		rc |= put_tval(b, &s->value);
		rc |= PUT_LIT(b, ",\"message\":\"");
		const char *key = step_key(s);
		if (!frag_put(b, key, NULL, FRAG_MESSAGE, &rc)) {
			size_t mark = b->len;
			int r = buf_puts(b, key);
			r |= PUT_LIT(b, "\",\"explanation\":");
			frag_keep(b, mark, r, key, NULL, FRAG_MESSAGE);
			rc |= r;
		}
		rc |= put_explanation(b, s, key, lang);
		rc |= buf_putc(b, '}');
	}
	rc |= PUT_LIT(b, "],\"rules_version\":");
	rc |= buf_put_json_string(b, d->rules_version);
	rc |= buf_putc(b, '}');
	return rc ? -1 : 0;
}
