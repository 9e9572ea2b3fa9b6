#include "tgapi.h"
#include "jsonnul.h"
#include "http.h"
#include "sbuf.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tg_status_parse(const cJSON *o, long http, struct tg_status *st)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "error_code");
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(o, "description");
	const cJSON *par = cJSON_GetObjectItemCaseSensitive(o, "parameters");
	const cJSON *ra = cJSON_GetObjectItemCaseSensitive(par, "retry_after");

	memset(st, 0, sizeof(*st));
	st->code = cJSON_IsNumber(code) ? code->valueint : (int)http;
	if (cJSON_IsString(desc))
		snprintf(st->description, sizeof(st->description), "%s", desc->valuestring);
	/* Clamped before the conversion: 1e300 is no long. */
	if (cJSON_IsNumber(ra) && ra->valuedouble > 0)
		st->retry_after = ra->valuedouble >= TG_RETRY_MAX ? TG_RETRY_MAX
				  : ra->valuedouble <= 1	  ? 1
								  : (long)ra->valuedouble;
}

int tg_call(const struct tg_client *c, const char *method, const cJSON *params, long poll_secs,
	    cJSON **result, struct tg_status *st, struct err *e)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	char *url = xasprintf("%s/bot%s/%s", c->base, c->token, method);
	char *body = params ? cJSON_PrintUnformatted(params) : xstrdup("{}");
	long timeout = (c->timeout_ms > 0 ? c->timeout_ms : TG_TIMEOUT_MS) + poll_secs * 1000;
	struct http_req rq = { .method = "POST",
			       .url = url,
			       .body = body,
			       .headers = headers,
			       .timeout_ms = timeout,
			       .connect_timeout_ms = 10000,
			       .max_retries = HTTP_NO_RETRY,
			       .cancel = c->cancel };
	struct http_resp rs;
	cJSON *o = NULL, *ok;
	char *host = http_host(c->base);
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (result)
		*result = NULL;
	if (http_request(&rq, &rs, e) < 0) {
		st->timed_out = rs.timed_out;
		err_prefix(e, "%s", method);
		goto out;
	}
	o = json_parse_text(rs.body, rs.len, NULL);
	ok = cJSON_GetObjectItemCaseSensitive(o, "ok");
	if (!cJSON_IsObject(o) || !cJSON_IsBool(ok)) {
		st->code = (int)rs.status;
		if (http_ok(&rs))
			err_set(e, ERR_FAIL, "%s: %s: not a Bot API answer", host, method);
		else
			http_status_error(&rq, &rs, e);
		goto out;
	}
	if (!cJSON_IsTrue(ok)) {
		tg_status_parse(o, rs.status, st);
		err_set(e, ERR_FAIL, "%s: %s: %d %s", host, method, st->code,
			*st->description ? st->description : "failed");
		goto out;
	}
	if (result)
		*result = cJSON_DetachItemFromObjectCaseSensitive(o, "result");
	rc = 0;
out:
	cJSON_Delete(o);
	http_resp_release(&rs);
	free(host);
	free(body);
	free(url);
	return rc;
}

bool tg_status_bad_entities(const struct tg_status *st)
{
	return st->code == 400 && strstr(st->description, "can't parse entities");
}

bool tg_status_webhook(const struct tg_status *st)
{
	return st->code == 409 && strstr(st->description, "webhook");
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Telegram's ids fit in 52 bits; a number beyond 2^53 (or not a number)
 * is no id: 0. */
#define TG_ID_MAX 9007199254740992.0

long long tg_id(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -TG_ID_MAX && v->valuedouble <= TG_ID_MAX))
		return 0;
	return (long long)v->valuedouble;
}

static long long chat_of(const cJSON *msg)
{
	return tg_id(cJSON_GetObjectItemCaseSensitive(msg, "chat"), "id");
}

/* Whether msg's chat is other than a private one (Chat.type). */
static bool group_of(const cJSON *msg)
{
	const char *type = str(cJSON_GetObjectItemCaseSensitive(msg, "chat"), "type");

	return type && strcmp(type, "private");
}

int tg_update_parse(const cJSON *u, struct tg_update *out)
{
	static const char *const media[] = { "voice",	 "audio",   "photo",	  "video",
					     "document", "sticker", "video_note", "animation" };
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(u, "message");
	const cJSON *cb = cJSON_GetObjectItemCaseSensitive(u, "callback_query");
	const cJSON *loc;

	memset(out, 0, sizeof(*out));
	out->update_id = tg_id(u, "update_id");
	if (out->update_id <= 0)
		return -1; /* no update_id, or none Telegram sends */
	if (cJSON_IsObject(cb)) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(cb, "message");

		out->kind = TG_UPDATE_CALLBACK;
		out->callback_id = str(cb, "id");
		out->text = str(cb, "data");
		out->lang = str(cJSON_GetObjectItemCaseSensitive(cb, "from"), "language_code");
		out->chat_id = chat_of(m);
		out->group = group_of(m);
		out->message_id = tg_id(m, "message_id");
		if (!out->callback_id || !out->text)
			out->kind = TG_UPDATE_OTHER;
		return 0;
	}
	if (!cJSON_IsObject(msg))
		return 0;
	out->chat_id = chat_of(msg);
	out->group = group_of(msg);
	out->lang = str(cJSON_GetObjectItemCaseSensitive(msg, "from"), "language_code");
	if ((out->text = str(msg, "text")) != NULL) {
		out->kind = TG_UPDATE_TEXT;
		return 0;
	}
	loc = cJSON_GetObjectItemCaseSensitive(msg, "location");
	if (cJSON_IsObject(loc)) {
		out->kind = TG_UPDATE_LOCATION;
		out->latitude =
			cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(loc, "latitude"));
		out->longitude =
			cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(loc, "longitude"));
		return 0;
	}
	for (size_t i = 0; i < sizeof(media) / sizeof(*media); i++)
		if (cJSON_GetObjectItemCaseSensitive(msg, media[i])) {
			out->kind = TG_UPDATE_MEDIA;
			out->media = media[i];
		}
	return 0;
}

char *tg_html_escape(const char *text)
{
	struct sbuf sb;

	sbuf_init(&sb);
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "&<>");

		sbuf_add(&sb, p, n);
		p += n;
		if (!*p)
			break;
		sbuf_adds(&sb, *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : "&gt;");
		p++;
	}
	return sbuf_detach(&sb);
}

/* The length in bytes of the UTF-8 sequence at p (1 for a stray byte). */
static size_t seq_len(const unsigned char *p)
{
	size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* Bytes of text (at most len) that hold at most max UTF-16 units. */
static size_t fit(const char *text, size_t len, size_t max)
{
	size_t i = 0, units = 0;

	while (i < len) {
		size_t n = seq_len((const unsigned char *)text + i);
		size_t u = n == 4 ? 2 : 1;

		if (units + u > max || i + n > len)
			break;
		units += u;
		i += n;
	}
	return i;
}

/* The last occurrence of sep in text[from, to), or 0. */
static size_t last_sep(const char *text, size_t from, size_t to, const char *sep)
{
	size_t n = strlen(sep);

	for (size_t i = to; i >= from + n; i--)
		if (!memcmp(text + i - n, sep, n))
			return i;
	return 0;
}

size_t tg_split(const char *text, size_t max, char ***pieces)
{
	static const char *const seps[] = { "\n\n", "\n", " " };
	size_t len = strlen(text), n = 0;

	*pieces = NULL;
	while (len) {
		size_t cut = fit(text, len, max);

		if (cut < len && text[cut] != ' ' && text[cut] != '\n') {
			for (size_t k = 0; k < sizeof(seps) / sizeof(*seps); k++) {
				size_t at = last_sep(text, cut / 2, cut, seps[k]);

				if (at) {
					cut = at;
					break;
				}
			}
		}
		if (!cut)
			cut = seq_len((const unsigned char *)text);
		*pieces = xrealloc(*pieces, (n + 1) * sizeof(**pieces));
		{
			size_t keep = cut;

			while (keep && (text[keep - 1] == '\n' || text[keep - 1] == ' '))
				keep--;
			(*pieces)[n++] = xstrndup(text, keep ? keep : cut);
		}
		text += cut;
		len -= cut;
		while (len && (*text == '\n' || *text == ' ')) {
			text++;
			len--;
		}
	}
	return n;
}

void tg_pieces_free(char **pieces, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(pieces[i]);
	free(pieces);
}
