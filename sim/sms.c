/* sms.c - the test SMS gateway; see sms.h.
 *
 * A ring of the newest SMS_GATEWAY_KEEP messages under one mutex: a
 * message's id counts up from 1 for as long as the simulator runs, so a
 * test can tell new messages from old ones. The gateway logs no number and
 * no text: a message may carry a verification code. */
#include "sim/sms.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"

#define TEXT_MAX 1600

enum sms_mode { SMS_OK, SMS_ERROR, SMS_DOWN };

struct sms {
	int64_t id;
	char to[17];
	char *text;
	int64_t received_at;
};

static struct {
	pthread_mutex_t mu;
	struct sms ring[SMS_GATEWAY_KEEP];
	int64_t next_id; /* the id the next message gets, from 1 */
	atomic_int mode;
} gw = {.mu = PTHREAD_MUTEX_INITIALIZER, .next_id = 1};

int sms_gateway_handles(const char *url)
{
	return strcmp(url, SMS_GATEWAY_PATH) == 0;
}

/* "+" and 8 to 15 digits. */
static int number_ok(const char *s)
{
	size_t n = strlen(s);
	return n >= 9 && n <= 16 && s[0] == '+' && strspn(s + 1, "0123456789") == n - 1;
}

static int invalid(struct buf *out, const char *field)
{
	buf_puts(out, "{\"error\":\"invalid\",\"field\":");
	buf_put_json_string(out, field);
	buf_puts(out, "}\n");
	return 400;
}

static int accept_message(const char *body, size_t len, struct buf *out)
{
	json_error_t je;
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
	const char *to = json_string_value(json_object_get(j, "to"));
	const char *text = json_string_value(json_object_get(j, "text"));
	int status;
	if (!json_is_object(j)) {
		status = invalid(out, "body");
	} else if (to == NULL || !number_ok(to)) {
		status = invalid(out, "to");
	} else if (text == NULL || text[0] == '\0' || strlen(text) > TEXT_MAX) {
		status = invalid(out, "text");
	} else {
		char *copy = strdup(text);
		if (copy == NULL) {
			json_decref(j);
			buf_puts(out, "{\"error\":\"internal\"}\n");
			return 500;
		}
		pthread_mutex_lock(&gw.mu);
		int64_t id = gw.next_id++;
		struct sms *m = &gw.ring[id % SMS_GATEWAY_KEEP];
		free(m->text);
		m->id = id;
		memcpy(m->to, to, strlen(to) + 1);
		m->text = copy;
		m->received_at = date_now_unix();
		pthread_mutex_unlock(&gw.mu);
		buf_printf(out, "{\"id\":%lld}\n", (long long)id);
		status = 202;
	}
	json_decref(j);
	return status;
}

static int list_messages(const char *to, struct buf *out)
{
	char want[17] = "";
	if (to != NULL) {
		/* A query's "+" reads as a blank: "?to=+47..." means "+47...". */
		size_t n = strlen(to);
		if (n >= sizeof(want))
			return invalid(out, "to");
		memcpy(want, to, n + 1);
		if (want[0] == ' ')
			want[0] = '+';
		if (!number_ok(want))
			return invalid(out, "to");
	}
	int rc = buf_puts(out, "{\"messages\":[");
	int first = 1;
	pthread_mutex_lock(&gw.mu);
	int64_t from = gw.next_id - SMS_GATEWAY_KEEP > 1 ? gw.next_id - SMS_GATEWAY_KEEP : 1;
	for (int64_t id = from; id < gw.next_id; id++) {
		const struct sms *m = &gw.ring[id % SMS_GATEWAY_KEEP];
		if (m->id != id || (want[0] && strcmp(m->to, want) != 0))
			continue;
		char at[21];
		rc |= buf_printf(out, "%s{\"id\":%lld,\"to\":", first ? "" : ",", (long long)m->id);
		rc |= buf_put_json_string(out, m->to);
		rc |= buf_puts(out, ",\"text\":");
		rc |= buf_put_json_string(out, m->text);
		rc |= buf_printf(out, ",\"received_at\":\"%s\"}", date_format_timestamp(m->received_at, at));
		first = 0;
	}
	pthread_mutex_unlock(&gw.mu);
	rc |= buf_puts(out, "]}\n");
	if (rc != 0) {
		buf_reset(out);
		buf_puts(out, "{\"error\":\"internal\"}\n");
		return 500;
	}
	return 200;
}

int sms_gateway_answer(const char *method, const char *to, const char *body, size_t len, struct buf *out)
{
	if (strcmp(method, "GET") == 0)
		return list_messages(to, out);
	if (strcmp(method, "POST") != 0) {
		buf_puts(out, "{\"error\":\"method-not-allowed\"}\n");
		return 405;
	}
	int mode = atomic_load(&gw.mode);
	if (mode == SMS_DOWN)
		return 0;
	if (mode == SMS_ERROR) {
		buf_puts(out, "{\"error\":\"injected-failure\"}\n");
		return 500;
	}
	return accept_message(body, len, out);
}

int sms_gateway_set_mode(const char *mode, struct err *e)
{
	static const char *const names[] = {"ok", "error", "down"};
	for (int i = 0; i < 3; i++)
		if (mode && strcmp(mode, names[i]) == 0) {
			atomic_store(&gw.mode, i);
			return 0;
		}
	return err_set(e, ERR_INVALID, "mode", "the SMS gateway's mode must be ok, error or down");
}

void sms_gateway_reset(void)
{
	pthread_mutex_lock(&gw.mu);
	for (int i = 0; i < SMS_GATEWAY_KEEP; i++) {
		free(gw.ring[i].text);
		gw.ring[i] = (struct sms){0};
	}
	gw.next_id = 1;
	pthread_mutex_unlock(&gw.mu);
	atomic_store(&gw.mode, SMS_OK);
}
