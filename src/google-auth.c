/* Signing in to Google: the loopback redirect with PKCE, tokens kept as
 * secrets, refresh, revoke (google.h). */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "google-int.h"
#include "gsync.h"
#include "http.h"
#include "log.h"
#include "secret.h"
#include "url.h"
#include "utf8.h"
#include "xalloc.h"

#define SECRET_CLIENT  "google_client_secret"
#define SECRET_REFRESH "google_refresh_token"
#define SECRET_ACCESS  "google_access_token"

#define RELOGIN                                                                                    \
	"Google refused the sign-in (revoked or expired): Google sync is paused, run `nestor "     \
	"google login`; local changes wait in the outbox"

bool google_configured(struct config *cfg)
{
	const char *id = config_get(cfg, "google.client_id");

	return id && *id;
}

static int client(struct config *cfg, char **id, char **secret, struct err *e)
{
	*id = NULL;
	*secret = NULL;
	if (!google_configured(cfg))
		return err_set(e, ERR_USAGE,
			       "google.client_id is not set (nestor config set google.client_id "
			       "ID, and the secret google_client_secret)");
	if (secret_get(SECRET_CLIENT, secret, e) < 0)
		return -1;
	*id = xstrdup(config_get(cfg, "google.client_id"));
	return 0;
}

void gsess_close(struct gsess *g)
{
	free(g->client_id);
	secret_free(g->secret);
	secret_free(g->refresh);
	secret_free(g->access);
	memset(g, 0, sizeof(*g));
}

int gsess_open(struct gsess *g, struct config *cfg, struct store *s, time_t now, struct err *e)
{
	char *why = NULL;

	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->s = s;
	g->now = now;
	g->api.base = config_get(cfg, "google.api_url");
	g->api.timeout_ms = config_get_int(cfg, "google.timeout") * 1000L;
	if (gsync_paused(s, &why, e) < 0)
		return -1;
	if (why) {
		err_set(e, ERR_FAIL, "%s", why);
		free(why);
		return -1;
	}
	if (client(cfg, &g->client_id, &g->secret, e) < 0)
		goto fail;
	if (secret_get(SECRET_REFRESH, &g->refresh, e) < 0) {
		if (e->code == ERR_NOTFOUND)
			err_set(e, ERR_FAIL, "not signed in to Google: run `nestor google login`");
		goto fail;
	}
	if (secret_get(SECRET_ACCESS, &g->access, e) < 0)
		err_clear(e);
	g->api.token = g->access;
	return 0;
fail:
	gsess_close(g);
	return -1;
}

static int refresh(struct gsess *g, struct err *e)
{
	struct gcal_tokens t;
	struct err ignored = { 0 };

	if (gcal_token(config_get(g->cfg, "google.token_url"), g->client_id, g->secret, NULL, NULL,
		       NULL, g->refresh, &t, e) < 0)
		return -1;
	if (t.error) {
		int bad = !strcmp(t.error, "invalid_grant");

		if (bad) {
			log_msg(LOG_WARN, "google", "refresh refused: %s; sync paused", t.error);
			gsync_pause(g->s, g->now, RELOGIN, &ignored);
			err_set(e, ERR_FAIL, RELOGIN);
		} else {
			err_set(e, ERR_FAIL, "Google refused to refresh the sign-in: %s", t.error);
		}
		gcal_tokens_release(&t);
		return -1;
	}
	secret_free(g->access);
	g->access = xstrdup(t.access);
	g->api.token = g->access;
	/* keeping it saves a refresh next time; without a keyring, no matter */
	secret_set(SECRET_ACCESS, t.access, &ignored);
	gcal_tokens_release(&t);
	return 0;
}

int gsess_call(struct gsess *g, const char *method, const char *path, const char *query,
	       const cJSON *body, const char *if_match, struct gcal_resp *r, struct err *e)
{
	if (!g->access && refresh(g, e) < 0)
		return -1;
	if (gcal_call(&g->api, method, path, query, body, if_match, r, e) < 0)
		return -1;
	if (r->status != 401)
		return 0;
	gcal_resp_release(r);
	if (refresh(g, e) < 0)
		return -1;
	return gcal_call(&g->api, method, path, query, body, if_match, r, e);
}

int gsess_status_error(const struct gcal_resp *r, const char *what, struct err *e)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");

	return err_set(e, ERR_FAIL, "Google: %s: HTTP %ld%s%s", what, r->status,
		       cJSON_IsString(msg) ? ": " : "",
		       cJSON_IsString(msg) ? msg->valuestring : "");
}

char *google_query_value(const char *line, const char *key)
{
	const char *q = line ? strchr(line, '?') : NULL;
	size_t klen = strlen(key);

	if (!q)
		return NULL;
	for (const char *p = q + 1; *p && *p != ' ';) {
		size_t n = strcspn(p, "& ");

		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			char *v = xstrndup(p + klen + 1, n - klen - 1), *o = v;

			for (const char *i = v; *i; i++) {
				int x = *i == '%'   ? url_pct_byte(i)
					: *i == '+' ? ' '
						    : (unsigned char)*i;

				if (x <= 0) { /* "%", "%4", "%zz", "%00": no value */
					free(v);
					return NULL;
				}
				i += *i == '%' ? 2 : 0;
				*o++ = (char)x;
			}
			*o = '\0';
			return v;
		}
		p += n + (p[n] == '&');
	}
	return NULL;
}

/* Wait (until deadline, CLOCK_MONOTONIC) for one request on the listening
 * socket; *line gets its request line, *conn the connection to answer. */
static int one_request(int fd, const struct timespec *deadline, int timeout_s, char **line,
		       int *conn, struct err *e)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec now;
	char buf[8192];
	size_t len = 0;
	long ms;
	int c, rc;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000L + (deadline->tv_nsec - now.tv_nsec) / 1000000L;
	rc = ms > 0 ? poll(&p, 1, (int)ms) : 0;
	if (rc <= 0)
		return err_set(e, ERR_FAIL, "no answer from the browser within %d s", timeout_s);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return err_set(e, ERR_FAIL, "accept: %s", strerror(errno));
	while (len < sizeof(buf) - 1 && !memchr(buf, '\n', len)) {
		struct pollfd q = { .fd = c, .events = POLLIN };
		ssize_t n;

		if (poll(&q, 1, 10000) <= 0)
			break;
		n = read(c, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*line = xstrndup(buf, strcspn(buf, "\r\n"));
	*conn = c;
	return 0;
}

/* Answer the request on c and close it: the page for the browser, or (ok
 * false) a 400 for a request that is not the redirect waited for. */
static void answer(int c, bool ok)
{
	static const char page[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
				   "Connection: close\r\n\r\n<html><body><p>nestor: you can "
				   "close this page and go back to the terminal.</p></body></html>";
	static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
				  "Connection: close\r\n\r\nnestor: not the sign-in nestor waits "
				  "for\n";

	if (write(c, ok ? page : bad, ok ? sizeof(page) - 1 : sizeof(bad) - 1) < 0)
		log_msg(LOG_DEBUG, "google", "the browser left early");
	close(c);
}

static int listen_on(int port, int *fd, int *bound, struct err *e)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t alen = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return err_set(e, ERR_FAIL, "socket: %s", strerror(errno));
	if (bind(*fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(*fd, 4) < 0 ||
	    getsockname(*fd, (struct sockaddr *)&a, &alen) < 0) {
		err_set(e, ERR_FAIL, "cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
		close(*fd);
		return -1;
	}
	*bound = ntohs(a.sin_port);
	return 0;
}

/* Wait (at most timeout_s in all) for the redirect: the code, or Google's
 * error, of the one whose state matches.  Any other request (a favicon, a
 * local process that found the port) gets a 400 and the wait goes on. */
static int redirect_code(int fd, int timeout_s, const char *state, char **code, struct err *e)
{
	struct timespec deadline;

	*code = NULL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	while (!*code) {
		char *line = NULL, *st, *error;
		int c = -1;

		if (one_request(fd, &deadline, timeout_s, &line, &c, e) < 0)
			return -1;
		st = google_query_value(line, "state");
		if (!st || strcmp(st, state)) {
			log_msg(LOG_INFO, "google",
				"a request to the sign-in port without its state");
			answer(c, false);
			free(st);
			free(line);
			continue;
		}
		free(st);
		answer(c, true);
		error = google_query_value(line, "error");
		if (error) {
			err_set(e, ERR_FAIL, "Google did not grant access: %.*s",
				utf8_prec(error, 100), error);
			free(error);
			free(line);
			return -1;
		}
		*code = google_query_value(line, "code");
		free(line);
		if (!*code || !**code) {
			free(*code);
			*code = NULL;
			return err_set(e, ERR_FAIL, "no sign-in code came back to the redirect");
		}
	}
	return 0;
}

int google_login(struct config *cfg, struct store *s, int port, int timeout_s,
		 void (*show)(void *arg, const char *url), void *arg, struct err *e)
{
	struct gcal_pkce pk;
	struct gcal_tokens t = { 0 };
	char *id, *secret, *url, *redirect, *code = NULL;
	int fd = -1, bound = 0, rc = -1;

	if (client(cfg, &id, &secret, e) < 0 || gcal_pkce_new(&pk, e) < 0 ||
	    listen_on(port, &fd, &bound, e) < 0) {
		free(id);
		secret_free(secret);
		return -1;
	}
	redirect = xasprintf("http://127.0.0.1:%d", bound);
	url = gcal_authorize_url(config_get(cfg, "google.auth_url"), id, redirect, &pk);
	show(arg, url);
	free(url);
	if (redirect_code(fd, timeout_s, pk.state, &code, e) < 0)
		goto out;
	if (gcal_token(config_get(cfg, "google.token_url"), id, secret, code, pk.verifier, redirect,
		       NULL, &t, e) < 0)
		goto out;
	if (t.error) {
		err_set(e, ERR_FAIL, "Google refused the sign-in code: %s", t.error);
		goto out;
	}
	if (!t.refresh) {
		err_set(e, ERR_FAIL,
			"Google gave no refresh token (remove nestor's access at "
			"myaccount.google.com and log in again)");
		goto out;
	}
	if (secret_set(SECRET_REFRESH, t.refresh, e) < 0)
		goto out;
	{
		struct err ignored = { 0 };

		secret_set(SECRET_ACCESS, t.access, &ignored);
	}
	rc = gsync_resume(s, e);
out:
	close(fd);
	gcal_tokens_release(&t);
	secret_free(code);
	free(redirect);
	free(id);
	secret_free(secret);
	memset(&pk, 0, sizeof(pk));
	return rc;
}

int google_logout(struct config *cfg, struct err *e)
{
	char *refresh = NULL;
	struct err ignored = { 0 };
	int rc = 0;

	if (secret_get(SECRET_REFRESH, &refresh, &ignored) == 0) {
		if (gcal_revoke(config_get(cfg, "google.revoke_url"), refresh, e) < 0)
			log_msg(LOG_WARN, "google", "revoke failed: %s", e->msg);
		err_clear(e);
		secret_free(refresh);
	}
	if (secret_rm(SECRET_REFRESH, e) < 0 && e->code != ERR_NOTFOUND)
		rc = -1;
	else
		err_clear(e);
	if (rc == 0 && secret_rm(SECRET_ACCESS, &ignored) < 0 && ignored.code != ERR_NOTFOUND)
		log_msg(LOG_WARN, "google", "cannot forget the access token: %s", ignored.msg);
	return rc;
}
