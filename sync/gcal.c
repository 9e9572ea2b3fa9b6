#include "gcal.h"
#include "jsonnul.h"

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "http.h"
#include "sbuf.h"
#include "xalloc.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding of n bytes into out (>= 4n/3 + 2). */
static void b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = b64url[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = b64url[v & 63];
	}
	out[o] = '\0';
}

void gcal_pkce_challenge(const char *verifier, char *out, size_t len)
{
	unsigned char digest[32];
	gsize dlen = sizeof(digest);
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(c, (const guchar *)verifier, (gssize)strlen(verifier));
	g_checksum_get_digest(c, digest, &dlen);
	g_checksum_free(c);
	if (len >= 44)
		b64url_encode(digest, dlen, out);
	else if (len)
		out[0] = '\0';
}

int gcal_pkce_new(struct gcal_pkce *p, struct err *e)
{
	unsigned char r[48 + 16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return err_set(e, ERR_FAIL, "no random bytes for the sign-in");
	b64url_encode(r, 48, p->verifier);
	b64url_encode(r + 48, 16, p->state);
	gcal_pkce_challenge(p->verifier, p->challenge, sizeof(p->challenge));
	return 0;
}

char *gcal_authorize_url(const char *auth_url, const char *client_id, const char *redirect,
			 const struct gcal_pkce *p)
{
	char *cid = http_escape(client_id), *red = http_escape(redirect);
	char *scope = http_escape(GCAL_SCOPE);
	char *url = xasprintf("%s%cclient_id=%s&redirect_uri=%s&response_type=code&scope=%s"
			      "&code_challenge=%s&code_challenge_method=S256&state=%s"
			      "&access_type=offline&prompt=consent",
			      auth_url, strchr(auth_url, '?') ? '&' : '?', cid, red, scope,
			      p->challenge, p->state);

	free(cid);
	free(red);
	free(scope);
	return url;
}

void gcal_tokens_release(struct gcal_tokens *t)
{
	if (!t)
		return;
	if (t->access)
		memset(t->access, 0, strlen(t->access));
	if (t->refresh)
		memset(t->refresh, 0, strlen(t->refresh));
	free(t->access);
	free(t->refresh);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

static void form_add(struct sbuf *sb, const char *k, const char *v)
{
	char *x;

	if (!v)
		return;
	x = http_escape(v);
	sbuf_addf(sb, "%s%s=%s", sb->len ? "&" : "", k, x);
	memset(x, 0, strlen(x));
	free(x);
}

static char *json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring ? xstrdup(v->valuestring) : NULL;
}

static int post_form(const char *url, const char *form, struct http_resp *rs, struct err *e)
{
	static const char *const hdr[] = { "Content-Type: application/x-www-form-urlencoded",
					   "Accept: application/json", NULL };
	struct http_req rq = { .method = "POST", .url = url, .body = form, .headers = hdr };

	return http_request(&rq, rs, e);
}

/* Whether s (NULL: none given) is a token nestor can carry: 1 to
 * GCAL_TOKEN_MAX bytes of printable ASCII without space, as it goes into
 * an "Authorization: Bearer" header and the keyring. */
static bool token_ok(const char *s)
{
	size_t n = 0;

	if (!s)
		return true;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e || n >= GCAL_TOKEN_MAX)
			return false;
	return n > 0;
}

int gcal_token(const char *token_url, const char *client_id, const char *client_secret,
	       const char *code, const char *verifier, const char *redirect, const char *refresh,
	       struct gcal_tokens *t, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	struct http_resp rs;
	const char *bad;
	cJSON *j;
	int rc;

	memset(t, 0, sizeof(*t));
	form_add(&sb, "client_id", client_id);
	form_add(&sb, "client_secret", client_secret);
	if (code) {
		form_add(&sb, "grant_type", "authorization_code");
		form_add(&sb, "code", code);
		form_add(&sb, "code_verifier", verifier);
		form_add(&sb, "redirect_uri", redirect);
	} else {
		form_add(&sb, "grant_type", "refresh_token");
		form_add(&sb, "refresh_token", refresh);
	}
	rc = post_form(token_url, sb.buf ? sb.buf : "", &rs, e);
	if (sb.buf)
		memset(sb.buf, 0, sb.len);
	sbuf_release(&sb);
	if (rc < 0) {
		http_resp_release(&rs);
		return -1;
	}
	j = json_parse_text(rs.body, rs.len, NULL);
	if (http_ok(&rs) && j) {
		const cJSON *exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");

		t->access = json_str(j, "access_token");
		t->refresh = json_str(j, "refresh_token");
		/* Seconds, at most a year; anything else
		 * (negative, huge) is taken as unknown, 0. */
		t->expires_in = cJSON_IsNumber(exp) && exp->valuedouble >= 0 &&
						exp->valuedouble <= 31536000.0
					? (long)exp->valuedouble
					: 0;
	} else if (rs.status >= 400 && rs.status < 500) {
		t->error = j ? json_str(j, "error") : NULL;
		if (!t->error)
			t->error = xasprintf("HTTP %ld", rs.status);
	}
	cJSON_Delete(j);
	bad = !token_ok(t->access)    ? "access_token"
	      : !token_ok(t->refresh) ? "refresh_token"
				      : NULL;
	if (bad || (!t->access && !t->error)) {
		char *host = http_host(token_url);

		if (bad)
			err_set(e, ERR_USAGE,
				"%s: the answer's %s is no token (printable ASCII without "
				"spaces, at most %d bytes)",
				host, bad, GCAL_TOKEN_MAX);
		else
			err_set(e, ERR_FAIL, "%s: no access token in the answer (HTTP %ld)", host,
				rs.status);
		free(host);
		gcal_tokens_release(t);
		memset(t, 0, sizeof(*t));
		http_resp_release(&rs);
		return -1;
	}
	http_resp_release(&rs);
	return 0;
}

int gcal_revoke(const char *revoke_url, const char *token, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	struct http_resp rs;
	int rc;

	form_add(&sb, "token", token);
	rc = post_form(revoke_url, sb.buf ? sb.buf : "", &rs, e);
	if (sb.buf)
		memset(sb.buf, 0, sb.len);
	sbuf_release(&sb);
	/* 400 invalid_token: already revoked, which is what was asked */
	if (rc == 0 && !http_ok(&rs) && rs.status != 400) {
		char *host = http_host(revoke_url);

		rc = err_set(e, ERR_FAIL, "%s: revoking failed: HTTP %ld", host, rs.status);
		free(host);
	}
	http_resp_release(&rs);
	return rc;
}

void gcal_resp_release(struct gcal_resp *r)
{
	if (!r)
		return;
	cJSON_Delete(r->json);
	r->json = NULL;
	r->status = 0;
}

const char *gcal_reason(const struct gcal_resp *r)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(err, "errors");
	const cJSON *reason =
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errs, 0), "reason");

	return cJSON_IsString(reason) ? reason->valuestring : "";
}

char *gcal_events_path(const char *calendar, const char *eid)
{
	char *c = http_escape(calendar), *x = eid ? http_escape(eid) : NULL;
	char *p = xasprintf("/calendar/v3/calendars/%s/events%s%s", c, x ? "/" : "", x ? x : "");

	free(c);
	free(x);
	return p;
}

static int rate_limited(const struct gcal_resp *r)
{
	const char *why = gcal_reason(r);

	return r->status == 403 &&
	       (!strcmp(why, "rateLimitExceeded") || !strcmp(why, "userRateLimitExceeded"));
}

int gcal_call(const struct gcal_api *api, const char *method, const char *path, const char *query,
	      const cJSON *body, const char *if_match, struct gcal_resp *r, struct err *e)
{
	char *auth = xasprintf("Authorization: Bearer %s", api->token ? api->token : "");
	char *im = if_match ? xasprintf("If-Match: %s", if_match) : NULL;
	const char *hdr[] = { auth, "Accept: application/json", "Content-Type: application/json",
			      im, NULL };
	char *url = xasprintf("%s%s%s%s", api->base, path, query ? "?" : "", query ? query : "");
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	long wait_ms = 500;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	for (int attempt = 0;; attempt++) {
		struct http_req rq = { .method = method,
				       .url = url,
				       .body = text,
				       .headers = hdr,
				       .max_bytes = GCAL_MAX_BODY,
				       .timeout_ms = api->timeout_ms ? api->timeout_ms : 30000 };
		struct http_resp rs;

		rc = http_request(&rq, &rs, e);
		if (rc == 0) {
			gcal_resp_release(r);
			r->status = rs.status;
			r->json = rs.len ? json_parse_text(rs.body, rs.len, NULL) : NULL;
			r->bytes = rs.len;
		}
		http_resp_release(&rs);
		if (rc < 0 || !rate_limited(r) || attempt >= 3)
			break;
		{
			/* half to one and a half times the wait, doubled each time */
			long ms = wait_ms / 2 + (long)g_random_int_range(0, (gint32)wait_ms);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			wait_ms *= 2;
		}
	}
	memset(auth, 0, strlen(auth));
	free(auth);
	free(im);
	free(url);
	cJSON_free(text);
	return rc;
}
