/*
 * http-curl.c - the transfer behind http_request, with libcurl.  Built into
 * the network module (net.so, src/README): the executable reaches it
 * through the stub in src/net.c.
 */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "sbuf.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#ifndef NESTOR_VERSION
#define NESTOR_VERSION "0"
#endif

/* How often a running transfer looks at the cancel flag and the idle timer. */
#define POLL_MS	       50
#define BACKOFF_MAX_MS 30000L

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc;

static void global_init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* State of one attempt, shared with the libcurl callbacks. */
struct xfer {
	const struct http_req *rq;
	struct http_resp *resp;
	CURL *h;
	struct sbuf body;
	size_t max_bytes;
	int64_t last_data;
	int streamed, too_big, aborted, cancelled, idle;
};

static int is_cancelled(const struct http_req *rq)
{
	return rq->cancel && atomic_load(rq->cancel);
}

/* Whether a Content-Type value (parameters allowed) is the media type want;
 * true when either is missing. */
static int media_type_is(const char *ct, const char *want)
{
	size_t n;

	if (!ct || !want)
		return 1;
	n = strlen(want);
	return !strncasecmp(ct, want, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	long status = 0;

	x->last_data = monotonic_ms();
	if (x->rq->on_data) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300 &&
		    media_type_is(x->resp->content_type, x->rq->stream_type)) {
			x->streamed = 1;
			if (x->rq->on_data(p, len, x->rq->arg) != len) {
				x->aborted = 1;
				return len ? 0 : 1;
			}
			return len;
		}
	}
	if (len > x->max_bytes - x->body.len) {
		x->too_big = 1;
		return len ? 0 : 1;
	}
	sbuf_add(&x->body, p, len);
	return len;
}

/* Copy header NAME's value (trimmed) into *out when line is that header.
 * A NUL ends the value: it is trimmed there, not at the line's end (a
 * blank or CR before the NUL is no part of it). */
static void header_value(const char *line, size_t len, const char *name, char **out)
{
	size_t nl = strlen(name);

	if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl))
		return;
	line += nl + 1;
	len = strnlen(line, len - nl - 1);
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	free(*out);
	*out = xstrndup(line, len);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	x->last_data = monotonic_ms();
	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* A new response (after a redirect or a 100): forget the last one's. */
		free(x->resp->retry_after);
		free(x->resp->content_type);
		free(x->resp->kept);
		x->resp->retry_after = x->resp->content_type = x->resp->kept = NULL;
		return len;
	}
	header_value(p, len, "retry-after", &x->resp->retry_after);
	header_value(p, len, "content-type", &x->resp->content_type);
	if (x->rq->keep_header)
		header_value(p, len, x->rq->keep_header, &x->resp->kept);
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (is_cancelled(x->rq)) {
		x->cancelled = 1;
		return 1;
	}
	return 0;
}

/*
 * Drive one attempt through a multi handle, so cancellation and the idle
 * timer are looked at every POLL_MS however quiet the connection is.
 */
static CURLcode run(CURLM *m, struct xfer *x)
{
	CURLcode rc = CURLE_OK;
	CURLMsg *msg;
	int running = 1, left;

	x->last_data = monotonic_ms();
	if (curl_multi_add_handle(m, x->h) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	for (;;) {
		if (curl_multi_perform(m, &running) != CURLM_OK) {
			rc = CURLE_OUT_OF_MEMORY;
			break;
		}
		if (!running)
			break;
		if (is_cancelled(x->rq)) {
			x->cancelled = 1;
			rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		if (x->rq->idle_timeout_ms > 0 &&
		    monotonic_ms() - x->last_data > x->rq->idle_timeout_ms) {
			x->idle = 1;
			rc = CURLE_OPERATION_TIMEDOUT;
			break;
		}
		if (curl_multi_poll(m, NULL, 0, POLL_MS, NULL) != CURLM_OK) {
			rc = CURLE_OUT_OF_MEMORY;
			break;
		}
	}
	if (!running) {
		while ((msg = curl_multi_info_read(m, &left)))
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == x->h)
				rc = msg->data.result;
	}
	curl_multi_remove_handle(m, x->h);
	return rc;
}

static unsigned int jitter_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned int)(ts.tv_nsec ^ ts.tv_sec ^ (uintptr_t)pthread_self());
}

/* Exponential backoff with jitter: a delay in [d/2, d], d = base * 2^attempt. */
static long backoff_delay(const struct http_req *rq, int attempt, unsigned int *seed)
{
	long base = rq->backoff_ms > 0 ? rq->backoff_ms : HTTP_DEFAULT_BACKOFF_MS;
	long d = base;
	int i;

	for (i = 0; i < attempt && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > BACKOFF_MAX_MS)
		d = BACKOFF_MAX_MS;
	return d / 2 + (long)(rand_r(seed) % (unsigned int)(d / 2 + 1));
}

/* A Retry-After of delta-seconds or an HTTP date, in ms; -1 when unusable. */
static long retry_after_ms(const char *v)
{
	char *end;
	long s;
	time_t t;

	if (!v || !*v)
		return -1;
	s = strtol(v, &end, 10);
	if (end != v && !*end)
		return s < 0 ? -1 : (s > 86400 ? 86400000L : s * 1000);
	t = curl_getdate(v, NULL);
	if (t == -1)
		return -1;
	t -= time(NULL);
	return t < 0 ? 0 : (t > 86400 ? 86400000L : (long)t * 1000);
}

/* Sleep ms, waking up to look at the cancel flag.  1 when cancelled. */
static int sleep_ms(const struct http_req *rq, long ms)
{
	int64_t end = monotonic_ms() + ms;
	int64_t left;
	struct timespec ts;

	while ((left = end - monotonic_ms()) > 0) {
		if (is_cancelled(rq))
			return 1;
		if (left > POLL_MS)
			left = POLL_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000;
		nanosleep(&ts, NULL);
	}
	return is_cancelled(rq);
}

static int retryable_status(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

static int retryable_code(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE: return 1;
	default: return 0;
	}
}

/* "10" or "0.3": seconds for messages. */
static void fmt_secs(char *buf, size_t n, long ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, n, "%ld", ms / 1000);
	else
		snprintf(buf, n, "%.1f", ms / 1000.0);
}

/* libcurl's messages start with a capital; ours do not. */
static const char *lower_first(char *s)
{
	if (s[0] && isupper((unsigned char)s[0]) && !isupper((unsigned char)s[1]))
		s[0] = (char)tolower((unsigned char)s[0]);
	return s;
}

static int transfer_error(const struct http_req *rq, const struct xfer *x, CURLcode rc,
			  const char *host, char *errbuf, struct err *e)
{
	long total = rq->timeout_ms ? rq->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
	long connect_ms = rq->connect_timeout_ms;
	long oserr = 0;
	curl_off_t connected = 0;
	char secs[32], reason[256];

	if (x->cancelled)
		return err_set(e, ERR_FAIL, "%s: cancelled", host);
	if (x->aborted)
		return err_set(e, ERR_FAIL, "%s: transfer aborted", host);
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return err_set(e, ERR_FAIL, "%s: response larger than %zu bytes", host,
			       x->max_bytes);
	if (x->idle) {
		fmt_secs(secs, sizeof(secs), rq->idle_timeout_ms);
		return err_set(e, ERR_FAIL, "%s sent nothing for %s s", host, secs);
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		curl_easy_getinfo(x->h, CURLINFO_CONNECT_TIME_T, &connected);
		if (!connected && connect_ms > 0 && (total < 0 || connect_ms < total))
			total = connect_ms;
		else if (!connected && total < 0)
			total = HTTP_DEFAULT_TIMEOUT_MS;
		fmt_secs(secs, sizeof(secs), total);
		return err_set(e, ERR_FAIL, "%s timed out after %s s", host, secs);
	}
	if (errbuf[0])
		snprintf(reason, sizeof(reason), "%s", errbuf);
	else
		snprintf(reason, sizeof(reason), "%s", curl_easy_strerror(rc));
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr)
			snprintf(reason, sizeof(reason), "%s", strerror((int)oserr));
		return err_set(e, ERR_FAIL, "cannot reach %s: %s", host, lower_first(reason));
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, ERR_FAIL, "cannot reach %s: cannot resolve host name (offline?)",
			       host);
	case CURLE_COULDNT_RESOLVE_PROXY:
		return err_set(e, ERR_FAIL, "cannot reach %s: cannot resolve proxy", host);
	case CURLE_GOT_NOTHING: return err_set(e, ERR_FAIL, "%s: empty reply from server", host);
	default: return err_set(e, ERR_FAIL, "%s: %s", host, lower_first(reason));
	}
}

/* "HOST: HTTP 307 redirect to https://h, not followed ...": the origin the
 * Location points to, without its user information, path, query or
 * fragment (a token may be in any of them: Telegram's is in its path),
 * printable and cut short. */
static int redirect_error(CURL *h, long status, const char *host, struct err *e)
{
	char *loc = NULL, *was = NULL, *scheme = NULL, *to = NULL, *port = NULL, *shown;
	CURLU *u = curl_url();
	struct sbuf sb = SBUF_INIT;
	size_t n;

	curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
	curl_easy_getinfo(h, CURLINFO_SCHEME, &was);
	if (u && loc && curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &to, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		sbuf_addf(&sb, "%s%s%s", to, port ? ":" : "", port ? port : "");
		if (strcmp(sb.buf, host) == 0 && was && strcasecmp(was, scheme) == 0) {
			/* the same server: its path moved (a slash added, say) */
			err_set(e, ERR_FAIL,
				"%s: HTTP %ld redirect to another path on the same server, not "
				"followed: check the path of the URL set",
				host, status);
			sbuf_release(&sb);
			goto out;
		}
		sbuf_reset(&sb);
		sbuf_addf(&sb, "%s://%s%s%s", scheme, to, port ? ":" : "", port ? port : "");
	}
	shown = utf8_clean_str(sb.len ? sb.buf : "(no Location)", UTF8_PRINTABLE);
	n = strlen(shown);
	err_set(e, ERR_FAIL,
		"%s: HTTP %ld redirect to %.*s%s, not followed: set the URL to where the server "
		"points",
		host, status, (int)(n > 120 ? utf8_cut(shown, 120) : n), shown, n > 120 ? "…" : "");
	free(shown);
	sbuf_release(&sb);
out:
	curl_free(scheme);
	curl_free(to);
	curl_free(port);
	curl_url_cleanup(u);
	return -1;
}

/* Free a header list, wiping each header first: curl_slist_append copied
 * them, an Authorization or an API key among them. */
static void headers_free(struct curl_slist *hdrs)
{
	for (struct curl_slist *l = hdrs; l; l = l->next)
		if (l->data)
			explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(hdrs);
}

static struct curl_slist *build_headers(const struct http_req *rq)
{
	struct curl_slist *l = NULL, *n;
	const char *const *h;

	/* Never wait for a 100-continue that plain servers do not send. */
	if (!(l = curl_slist_append(NULL, "Expect:")))
		return NULL;
	for (h = rq->headers; h && *h; h++) {
		if (!(n = curl_slist_append(l, *h))) {
			headers_free(l);
			return NULL;
		}
		l = n;
	}
	return l;
}

static int setup(CURL *h, const struct http_req *rq, struct xfer *x, struct curl_slist *hdrs,
		 char *errbuf)
{
	const char *method = rq->method;
	long total = rq->timeout_ms ? rq->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
	long connect_ms = rq->connect_timeout_ms;
	CURLcode rc = CURLE_OK;

	if (!method)
		method = rq->body ? "POST" : "GET";
	if (connect_ms <= 0)
		connect_ms = total > 0 && total < HTTP_DEFAULT_TIMEOUT_MS ? total
									  : HTTP_DEFAULT_TIMEOUT_MS;

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(h, opt, val);                                        \
	} while (0)
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_USERAGENT, "nestor/" NESTOR_VERSION);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	/* A redirect is not followed (redirect_error): it could take the
	 * request, body and headers, to another host or from https to http. */
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	if (total > 0)
		SET(CURLOPT_TIMEOUT_MS, total);
	SET(CURLOPT_HTTPHEADER, hdrs);
	if (rq->body) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(rq->body_len ? rq->body_len : strlen(rq->body)));
		SET(CURLOPT_POSTFIELDS, rq->body);
	}
	if (!strcmp(method, "GET") && !rq->body)
		SET(CURLOPT_HTTPGET, 1L);
	else if (!strcmp(method, "HEAD"))
		SET(CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") || !rq->body)
		SET(CURLOPT_CUSTOMREQUEST, method);
#undef SET
	return rc == CURLE_OK ? 0 : -1;
}

/* Whether the request went out (some of it, at least). */
static int request_sent(CURL *h)
{
	long n = 0;

	return curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &n) == CURLE_OK && n > 0;
}

static void reset_attempt(struct xfer *x, struct http_resp *resp, char *errbuf)
{
	x->body.len = 0;
	if (x->body.buf)
		x->body.buf[0] = '\0';
	x->streamed = x->too_big = x->aborted = x->cancelled = x->idle = 0;
	resp->status = 0;
	resp->timed_out = 0;
	free(resp->retry_after);
	free(resp->content_type);
	free(resp->kept);
	resp->retry_after = resp->content_type = resp->kept = NULL;
	errbuf[0] = '\0';
}

int http_transfer(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	struct xfer x = { 0 };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	char *host = NULL;
	CURL *h = NULL;
	CURLM *m = NULL;
	CURLcode rc;
	unsigned int seed = jitter_seed();
	int retries, attempt, ret = -1;
	long delay, ra, cap;

	pthread_once(&init_once, global_init);
	if (init_rc != CURLE_OK)
		return err_set(e, ERR_FAIL, "http: cannot initialise libcurl: %s",
			       curl_easy_strerror(init_rc));
	if (!rq->url || !*rq->url)
		return err_set(e, ERR_USAGE, "http: no url");
	host = http_host(rq->url);
	retries = rq->max_retries < 0 ? 0
				      : (rq->max_retries ? rq->max_retries : HTTP_DEFAULT_RETRIES);
	cap = rq->retry_after_max_ms > 0 ? rq->retry_after_max_ms : HTTP_DEFAULT_RETRY_AFTER_MAX_MS;

	x.rq = rq;
	x.resp = resp;
	x.max_bytes = rq->max_bytes ? rq->max_bytes : HTTP_DEFAULT_MAX_BYTES;
	sbuf_init(&x.body);
	errbuf[0] = '\0';
	if (!(h = curl_easy_init()) || !(m = curl_multi_init()) || !(hdrs = build_headers(rq))) {
		err_set(e, ERR_FAIL, "%s: cannot set up the request", host);
		goto out;
	}
	x.h = h;
	if (setup(h, rq, &x, hdrs, errbuf) < 0) {
		err_set(e, ERR_FAIL, "%s: cannot set up the request%s%s", host,
			errbuf[0] ? ": " : "", errbuf);
		goto out;
	}

	for (attempt = 0;; attempt++) {
		reset_attempt(&x, resp, errbuf);
		resp->attempts++;
		rc = run(m, &x);
		if (rc == CURLE_OK) {
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
			if (!retryable_status(resp->status) || attempt >= retries || x.streamed) {
				ret = 0;
				break;
			}
			delay = backoff_delay(rq, attempt, &seed);
			ra = retry_after_ms(resp->retry_after);
			if (ra >= 0)
				delay = ra > cap ? cap : ra;
			log_info("http: %s: HTTP %ld, retry %d/%d in %ld ms", host, resp->status,
				 attempt + 1, retries, delay);
		} else {
			if (!retryable_code(rc) || attempt >= retries || x.streamed ||
			    x.cancelled || x.aborted || x.too_big || x.idle) {
				transfer_error(rq, &x, rc, host, errbuf, e);
				resp->timed_out = (x.idle || rc == CURLE_OPERATION_TIMEDOUT) &&
						  request_sent(h);
				resp->too_big = x.too_big || rc == CURLE_FILESIZE_EXCEEDED;
				break;
			}
			delay = backoff_delay(rq, attempt, &seed);
			log_info("http: %s: %s, retry %d/%d in %ld ms", host,
				 curl_easy_strerror(rc), attempt + 1, retries, delay);
		}
		if (sleep_ms(rq, delay)) {
			err_set(e, ERR_FAIL, "%s: cancelled", host);
			break;
		}
	}
	if (ret == 0 && resp->status >= 300 && resp->status < 400)
		ret = redirect_error(h, resp->status, host, e);
	if (ret == 0) {
		resp->len = x.body.len;
		resp->body = sbuf_detach(&x.body);
	}
out:
	sbuf_release(&x.body);
	headers_free(hdrs);
	if (m)
		curl_multi_cleanup(m);
	if (h)
		curl_easy_cleanup(h);
	free(host);
	return ret;
}
