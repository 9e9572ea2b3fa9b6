/*
 * httpd.h - the HTTP server under `nestor serve`: libmicrohttpd, wrapped.
 *
 * libmicrohttpd lives in the network module (lib/nestor/net.so), loaded
 * the first time httpd_run() is called: no other command maps it.  The
 * wrapper speaks HTTP only; what a request means is the handler's
 * (src/api.c).
 *
 * httpd_run() listens on addr:port (port 0: any free one, reported to
 * ready()), calls handle() once per complete request, and returns when
 * stop_fd becomes readable.  Requests are handled one at a time, in one
 * thread (not the caller's): the handler may use a store without locks.
 * What the server does for every handler:
 *
 *  - a body over max_body bytes is not read: the handler sees too_large
 *    (and answers 413);
 *  - a connection idle for timeout_s seconds is closed (slow clients);
 *  - with cert_pem and key_pem (PEM text), HTTPS through GnuTLS.
 *
 *	static void handle(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
 *	{
 *		rs->status = 200;
 *		sbuf_adds(&rs->body, "{}");
 *		httpd_resp_header(rs, "ETag", "\"1\"");
 *	}
 */
#ifndef NESTOR_HTTPD_H
#define NESTOR_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "sbuf.h"

struct httpd_req {
	const char *method; /* "GET" */
	const char *path;   /* "/v1/tasks/3", without the query */
	const char *body;   /* NUL-terminated; "" when none */
	size_t body_len;
	bool too_large; /* the body was over max_body: not read */
	/* A request header (case-insensitive) or query argument, or NULL. */
	const char *(*header)(const struct httpd_req *rq, const char *name);
	const char *(*query)(const struct httpd_req *rq, const char *name);
	void *conn; /* the wrapper's */
};

#define HTTPD_MAX_HEADERS 8

struct httpd_resp {
	int status;
	char content_type[64]; /* "" means application/json */
	struct sbuf body;
	char *names[HTTPD_MAX_HEADERS], *values[HTTPD_MAX_HEADERS];
	int nheaders;
};

struct httpd_opts {
	const char *addr; /* dotted IPv4 or IPv6 */
	unsigned port;
	const char *cert_pem, *key_pem; /* both or neither */
	size_t max_body;
	unsigned timeout_s;
	void (*handle)(void *arg, const struct httpd_req *rq, struct httpd_resp *rs);
	/* Listening on port (the real one when 0 was asked for). */
	void (*ready)(void *arg, unsigned port);
	void *arg;
	int stop_fd;
};

/* Serve until stop_fd is readable.  -1 with e when it cannot listen
 * ("cannot listen on 127.0.0.1:8765: Address already in use"). */
int httpd_run(const struct httpd_opts *o, struct err *e);

/* On the executable's side (sync/httpd-resp.c): the response's life. */
void httpd_resp_init(struct httpd_resp *rs);
void httpd_resp_release(struct httpd_resp *rs);
/* Add a response header (copied); past HTTPD_MAX_HEADERS it is dropped. */
void httpd_resp_header(struct httpd_resp *rs, const char *name, const char *value);

#endif
