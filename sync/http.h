/*
 * http.h - the one libcurl wrapper every HTTP call in nestor goes through.
 *
 * libcurl is loaded with the network module on the first request
 * (src/base/module.h): a command that makes none never maps it.
 *
 * A request is a struct http_req on the caller's stack; every field left at
 * zero takes a sensible default, so the common case is
 *
 *	struct http_req rq = { .url = url };
 *	struct http_resp rs;
 *
 *	if (http_request(&rq, &rs, &err) < 0)
 *		return -1;			// err says why, with the host
 *	if (rs.status != 200)
 *		http_status_error(&rq, &rs, &err);
 *	...
 *	http_resp_release(&rs);
 *
 * What the wrapper does for every caller:
 *
 *  - timeouts: the whole transfer (default 10 s) and, for streams, the time
 *    without any data;
 *  - a response size limit (default 4 MiB, after decompression);
 *  - retries with exponential backoff and jitter on HTTP 429 and 5xx and on
 *    connection failures (default 2 retries), honouring a Retry-After of
 *    delta-seconds up to a cap; a timeout is not retried;
 *  - no redirects: a 3xx answer is an error naming where it points;
 *  - cancellation: *cancel is checked at least every 50 ms, during the
 *    transfer and during backoff sleeps;
 *  - messages that name the host, never the whole URL (a URL can hold a
 *    token, as Telegram's do): `cannot reach 127.0.0.1:8080: connection
 *    refused`, `api.open-meteo.com timed out after 10 s`.
 *
 * Header values are never logged: they can hold API keys.
 *
 * Thread safety: requests may run concurrently in different threads; the
 * library initialises libcurl once (pthread_once) on first use.  Signals
 * are not used for timeouts (CURLOPT_NOSIGNAL).
 */
#ifndef NESTOR_HTTP_H
#define NESTOR_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "err.h"

#define HTTP_DEFAULT_TIMEOUT_MS		10000L
#define HTTP_DEFAULT_MAX_BYTES		((size_t)4 << 20)
#define HTTP_DEFAULT_RETRIES		2
#define HTTP_DEFAULT_BACKOFF_MS		250L
#define HTTP_DEFAULT_RETRY_AFTER_MAX_MS 30000L

/* For timeout_ms: no limit on the whole transfer (long streams). */
#define HTTP_NO_TIMEOUT (-1L)
/* For max_retries: a single attempt. */
#define HTTP_NO_RETRY (-1)

/*
 * Streaming callback: receives the body of a 2xx response as it arrives.
 * Return n to go on, anything else (0) to abort the transfer; the request
 * then fails with "HOST: transfer aborted".  A non-2xx body is not streamed:
 * it is collected in http_resp.body so the caller can read the error.
 */
typedef size_t (*http_data_fn)(const char *buf, size_t n, void *arg);

struct http_req {
	const char *method; /* NULL: POST when body is set, else GET */
	const char *url;
	const char *body;	    /* request body or NULL */
	size_t body_len;	    /* 0: strlen(body) */
	const char *const *headers; /* NULL-terminated "Name: value" list */

	long timeout_ms;	 /* whole transfer; 0: 10 s, HTTP_NO_TIMEOUT */
	long connect_timeout_ms; /* 0: the transfer timeout, at most 10 s */
	long idle_timeout_ms;	 /* fail after this long without data; 0: off */
	size_t max_bytes;	 /* response body limit; 0: 4 MiB */
	int max_retries;	 /* 0: 2, HTTP_NO_RETRY: none */
	long backoff_ms;	 /* first backoff; 0: 250 ms, doubled each time */
	long retry_after_max_ms; /* cap on a server's Retry-After; 0: 30 s */

	http_data_fn on_data;	  /* streaming; NULL collects the body */
	void *arg;		  /* for on_data */
	const char *stream_type;  /* with on_data: stream only a response whose
				   * Content-Type is this media type (or has
				   * none); collect any other in body */
	const atomic_int *cancel; /* nonzero aborts: "HOST: cancelled" */
	const char *keep_header;  /* a response header to keep in resp.kept
				   * (case-insensitive name), or NULL */
};

struct http_resp {
	long status;	    /* HTTP status of the last attempt */
	char *body;	    /* NUL-terminated body (never NULL after success) */
	size_t len;	    /* body length without the NUL */
	char *content_type; /* Content-Type header or NULL */
	char *retry_after;  /* Retry-After header or NULL */
	char *kept;	    /* the header req.keep_header named, or NULL */
	int attempts;	    /* requests made, retries included */
	int timed_out;	    /* the request went out and its answer did not come
			     * in time (timeout_ms or idle_timeout_ms): the
			     * server may still be at work on it */
	int too_big;	    /* the request failed: the body passed max_bytes */
};

/*
 * Perform rq.  Returns 0 when a response arrived, whatever its status (after
 * the retries the status allowed), and -1 with e filled on a transport
 * failure, a timeout, a body over max_bytes, an abort or a cancel.  A
 * redirect (3xx) is not followed: -1, "HOST: HTTP 307 redirect to
 * https://other, not followed: ..." (the Location's origin only: its
 * path, query or user information may hold a token), so a request and its body never go
 * anywhere but the URL configured.  resp is
 * initialised by the call and must be released in both cases.
 */
int http_request(const struct http_req *rq, struct http_resp *resp, struct err *e);

/*
 * The transfer behind http_request, for a resp already initialised:
 * sync/http-curl.c, built into the network module (src/README).  Call
 * http_request instead.  When the module cannot be loaded, fails with
 * "cannot load .../net.so: ...".
 */
int http_transfer(const struct http_req *rq, struct http_resp *resp, struct err *e);

void http_resp_init(struct http_resp *resp);
void http_resp_release(struct http_resp *resp);

/* True for 2xx. */
int http_ok(const struct http_resp *resp);

/*
 * Describe a non-2xx response in e ("HOST: HTTP 503" plus a short, printable
 * excerpt of the body).  Returns -1.
 */
int http_status_error(const struct http_req *rq, const struct http_resp *resp, struct err *e);

/* "host" or "host:port" of url, newly allocated; "?" when it cannot parse. */
char *http_host(const char *url);

/* Percent-encode s for a query value (RFC 3986 unreserved kept), newly allocated. */
char *http_escape(const char *s);

#endif
