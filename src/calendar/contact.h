/* contact.h - how a person wants to hear from the agency ("Varsling" on Mine
 * sider): e-mail address, mobile number verified by a code, preferred
 * channel and language, each checked, each change audited by the names of
 * the fields changed, never their values.
 *
 * A new mobile number waits (mobile_pending) until the person enters the
 * 6-digit code sent to it. The code is random (libsodium); only its hash is
 * kept, bound to the person and the number, for CONTACT_CODE_TTL seconds
 * and CONTACT_CODE_TRIES wrong tries, after which it is dead and a new one
 * must be asked for; at most CONTACT_CODES_PER_DAY codes are sent a day.
 * The hash of a six-digit code cannot resist a search by someone holding
 * the database, which is why it lives ten minutes and five tries; it keeps
 * the code out of sight (pages, logs, backups read by eye). A number stays
 * the person's verified `mobile` until the new one is verified. */
#ifndef STIPEND_CONTACT_H
#define STIPEND_CONTACT_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "store/store.h"

struct arena;
struct err;

#define CONTACT_CODE_TTL 600
#define CONTACT_CODE_TRIES 5
#define CONTACT_CODES_PER_DAY 5
#define CONTACT_EMAIL_MAX 254

/* Check an e-mail address as typed (surrounding spaces ignored): one '@',
 * a local part and a domain with a dot, no spaces or control characters,
 * at most CONTACT_EMAIL_MAX bytes. "" (nothing) is valid and means none.
 * Writes the trimmed address into out (len bytes). Returns 0 or -1. */
int contact_email_check(const char *in, char *out, size_t len);

/* A Norwegian mobile number as typed ("912 34 567", "+47 91234567",
 * "0047-91234567"): 8 digits starting with 4 or 9, with or without the
 * country code. Writes "+4791234567" into out. "" is valid and writes "".
 * Returns 0 or -1. */
int contact_mobile_normalise(const char *in, char out[16]);

/* What the form asks for, as typed: contact_save checks and normalises
 * it (a NULL field is an empty one). */
struct contact_change {
	const char *email;    /* "" for none */
	const char *mobile;   /* as typed ("912 34 567"), "" for none */
	const char *channel;  /* email, sms, none */
	const char *language; /* nb, en */
	int new_code;         /* send a new code even to the waiting number */
	int sms_unavailable;  /* no SMS gateway: a new number cannot get its code */
};

/* What was wrong with a field of the form. */
enum contact_problem {
	CONTACT_FINE = 0,
	CONTACT_EMAIL_INVALID,    /* email: not an e-mail address */
	CONTACT_MOBILE_INVALID,   /* mobile: not a Norwegian mobile number */
	CONTACT_CHANNEL_INVALID,  /* channel: not email, sms or none */
	CONTACT_LANGUAGE_INVALID, /* language: not nb or en */
	CONTACT_EMAIL_NEEDED,     /* channel: e-mail without an e-mail address */
	CONTACT_MOBILE_NEEDED,    /* channel: SMS without a verified mobile number */
	CONTACT_SMS_UNAVAILABLE,  /* mobile: a new number, and no gateway to send its code */
	CONTACT_TOO_MANY_CODES    /* mobile: CONTACT_CODES_PER_DAY codes were sent today */
};

/* What contact_save did about the mobile number, or what was wrong. */
struct contact_saved {
	int changed;           /* something changed (and was audited) */
	int code_needed;       /* a new number waits: send *code to *number */
	char code[7];
	char number[16];
	/* When refused with ERR_INVALID: each field's problem. */
	enum contact_problem email, mobile, channel, language;
};

/* Store who's preferences (for the person who acts on), in one transaction
 * with the audit record. The gate (ACT_PREFERENCES_WRITE) is asked first,
 * before the input is looked at: refused, -1 with ERR_NOT_FOUND (audited,
 * nothing stored). Then every field is checked; when the mobile number is
 * new (or waits with a dead code, or c->new_code asks for one), a code is
 * made and its hash kept (code_needed, with the code and number to send it
 * to; the caller sends it by SMS after the commit). Refused, storing
 * nothing, with ERR_INVALID naming the first field wrong and out's
 * problems naming each: an invalid field, channel "sms" without a verified
 * mobile number, channel "email" without an e-mail address, a new number
 * when c->sms_unavailable or when CONTACT_CODES_PER_DAY codes were sent
 * today. */
int contact_save(struct store *s, const struct principal *who, const struct contact_change *c, int64_t now,
		 struct contact_saved *out, struct err *e);

/* Send a new code to who's waiting number, keeping the rest of the stored
 * preferences: contact_save with the stored values and new_code, after the
 * same gate. Returns as contact_save does. */
int contact_resend(struct store *s, const struct principal *who, int sms_unavailable, int64_t now,
		   struct contact_saved *out, struct err *e);

enum contact_verify_result {
	CONTACT_VERIFIED,
	CONTACT_WRONG,   /* tries left: *left */
	CONTACT_LOCKED,  /* too many wrong tries: ask for a new code */
	CONTACT_EXPIRED, /* ask for a new code */
	CONTACT_NO_CODE  /* no number waits */
};

/* Try code for who's waiting number, after the gate
 * (ACT_PREFERENCES_WRITE; refused: -1 with ERR_NOT_FOUND, audited): a right
 * one makes it the verified mobile; a wrong one counts (committed,
 * audited) toward the lock. *left (may be NULL) receives the tries left.
 * Returns 0 with *result, or -1 (ERR_INVALID, field "code", when the code
 * is not 6 digits). */
int contact_verify(struct store *s, const struct principal *who, const char *code, int64_t now,
		   enum contact_verify_result *result, int *left, struct err *e);

/* The preferences to show: the stored ones, or the defaults (channel
 * email, language nb) with person_id set. For the domain's own use: asks
 * no one. Returns 0 or -1. */
int contact_load(struct store *s, int64_t person_id, struct contact_prefs *out, struct arena *a, struct err *e);

/* who's preferences as contact_load gives them, after the gate
 * (ACT_PREFERENCES_READ). Returns 0, or -1: ERR_NOT_FOUND when refused
 * (audited), the store's error otherwise. */
int contact_read(struct store *s, const struct principal *who, int64_t now, struct contact_prefs *out,
		 struct arena *a, struct err *e);

#endif
