/*
 * tgapi.h - the Telegram Bot API, wire format only
 * (https://core.telegram.org/bots/api): calls, updates, HTML text.
 *
 * A call is POST BASE/bot<TOKEN>/<method> with JSON parameters; the answer
 * is {"ok": true, "result": ...} or {"ok": false, "error_code",
 * "description", "parameters": {"retry_after"}}.  Nothing here retries or
 * sleeps: tg_call() reports what Telegram said in a struct tg_status and
 * the caller (the relay, src/telegram.h) decides.  The token is part of the
 * URL and never appears in a message: errors name the host only.
 *
 *	struct tg_client c = { .base = url, .token = token };
 *	struct tg_status st;
 *	cJSON *res;
 *
 *	if (tg_call(&c, "getMe", NULL, 0, &res, &st, &err) < 0)
 *		return -1;		// st.code: 401, 409, 429 (st.retry_after)...
 */
#ifndef NESTOR_TGAPI_H
#define NESTOR_TGAPI_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define TG_DEFAULT_URL	   "https://api.telegram.org"
#define TG_MAX_TEXT	   4096 /* characters of a message, after entities */
#define TG_MAX_CALLBACK	   64	/* bytes of callback_data */
#define TG_ALLOWED_UPDATES "[\"message\",\"callback_query\"]"

#define TG_TIMEOUT_MS 15000L /* a call's time out, by default */

struct tg_client {
	const char *base;  /* "https://api.telegram.org" or a fake's URL */
	const char *token; /* "123456:ABC..." */
	const atomic_int *cancel;
	long timeout_ms; /* 0: 15 s (a long poll adds its own timeout) */
};

#define TG_RETRY_MAX 3600L /* seconds: a longer retry_after is taken as this */

/* What Telegram answered to a failed call. */
struct tg_status {
	int code;	  /* error_code or the HTTP status; 0: no answer */
	long retry_after; /* parameters.retry_after (429) in 1..TG_RETRY_MAX, else 0 */
	/* no answer in time to a request that went out whole: Telegram may
	 * have done it */
	bool timed_out;
	char description[256];
};

/* Fill st from a failed call's answer o ({"ok": false, ...}) with HTTP
 * status http. */
void tg_status_parse(const cJSON *o, long http, struct tg_status *st);

/* Call method with params (may be NULL; not consumed); a getUpdates long
 * poll waits poll_secs more than the usual timeout.  0 with *result the
 * "result" (caller deletes; may be NULL when result is NULL); -1 with st
 * and e filled: "HOST: getMe: 401 Unauthorized", "cannot reach ...". */
int tg_call(const struct tg_client *c, const char *method, const cJSON *params, long poll_secs,
	    cJSON **result, struct tg_status *st, struct err *e);

/* Whether st is Telegram's "can't parse entities" (bad HTML: send plain). */
bool tg_status_bad_entities(const struct tg_status *st);
/* Whether st is a 409 because a webhook is set (else another poller). */
bool tg_status_webhook(const struct tg_status *st);

enum tg_update_kind {
	TG_UPDATE_OTHER,    /* something the relay does not handle */
	TG_UPDATE_TEXT,	    /* a text message */
	TG_UPDATE_LOCATION, /* a location message */
	TG_UPDATE_MEDIA,    /* voice, audio, photo, video, document, sticker */
	TG_UPDATE_CALLBACK, /* an inline button pressed */
};

/* One update, the fields the relay reads (pointers into the JSON). */
struct tg_update {
	long long update_id;
	enum tg_update_kind kind;
	long long chat_id;
	const char *text;	    /* TEXT: the text; CALLBACK: callback_data */
	const char *lang;	    /* from.language_code, or NULL */
	const char *callback_id;    /* CALLBACK: the query id */
	long long message_id;	    /* CALLBACK: the message the button is on */
	const char *media;	    /* MEDIA: "voice", "photo", ... */
	double latitude, longitude; /* LOCATION */
	/* chat.type is not "private" (a group, a supergroup, a channel); a
	 * chat without its type is taken for a private one */
	bool group;
};

/* The id o.name (update_id, chat.id, message_id), or 0 when it is not a
 * number or beyond 2^53 (none Telegram sends). */
long long tg_id(const cJSON *o, const char *name);

/* Read one element of getUpdates' result; -1 when it has no update_id. */
int tg_update_parse(const cJSON *u, struct tg_update *out);

/* text with &, < and > escaped for parse_mode HTML (newly allocated). */
char *tg_html_escape(const char *text);

/* Cut text into pieces of at most max characters (UTF-16 units, as
 * Telegram counts), at a paragraph break if one is in the second half of
 * the piece, else a line break, else a space, else anywhere between
 * characters.  Returns the count; *pieces is a newly allocated array of
 * newly allocated strings. */
size_t tg_split(const char *text, size_t max, char ***pieces);
void tg_pieces_free(char **pieces, size_t n);

#endif
