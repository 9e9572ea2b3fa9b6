/*
 * httpd.h - the HTTP server under `nestor serve`: libmicrohttpd, wrapped.
 *
 * libmicrohttpd lives in the network module (lib/nestor/net.so), loaded
 * the first time httpd_start() is called: no other command maps it.  The
 * wrapper speaks HTTP only; what a request means is the handler's
 * (src/api.c).
 *
 * httpd_start() listens on addr:port (port 0: any free one, reported to
 * ready()) and calls handle() once per complete request until
 * httpd_stop().  Requests are handled one at a time, in one thread (not
 * the caller's): the handler may use a store without locks, and must be
 * quick.  What the server does for every handler:
 *
 *  - admit(), when given, sees each request once its headers are in,
 *    before its body is read: an answer it gives (rs->status set) is sent
 *    at once and the body is never read (a request without a valid
 *    token costs no memory); what it found (rs->admitted, the caller)
 *    the handler gets as rq->admitted, so it is not looked up twice;
 *  - a body over max_body bytes is not read: the handler sees too_large
 *    (and answers 413);
 *  - the bodies held at once, over all connections, are at most
 *    max_buffered bytes: a body that would go over is not read, and the
 *    handler sees busy (and answers 503);
 *  - a connection idle for timeout_s seconds is closed (slow clients),
 *    and so is one whose request has not arrived whole (headers and body)
 *    request_s seconds after the connection opened or the previous answer
 *    went out (a client trickling a byte now and then);
 *  - at most max_conns connections at once, max_conns_per_ip from one
 *    address: more are closed as they come;
 *  - with cert_pem and key_pem (PEM text), HTTPS through GnuTLS.
 *
 *	static void handle(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
 *	{
 *		rs->status = 200;
 *		sbuf_adds(&rs->body, "{}");
 *		httpd_resp_header(rs, "ETag", "\"1\"");
 *	}
 *
 * A slow answer (an assistant's turn) is handed to another thread, a job,
 * and the server goes on with other requests meanwhile.  The handler sets
 * rs->defer; the server keeps the connection and calls defer(defer_arg,
 * st) once, after the handler returned, and defer starts the job with st:
 *
 *  - rs->stream false: the job's httpd_stream_end(st, &answer) is the
 *    answer (status, headers, body), sent then;
 *  - rs->stream true: rs's status and headers are sent at once, and the
 *    body is what the job writes (httpd_stream_write), sent as it is
 *    written (chunked), until httpd_stream_end(st, NULL).  A stream with
 *    nothing written for keepalive_s seconds gets the keepalive text
 *    (an SSE comment line), so proxies and clients see it alive.
 *
 * A client that goes away (its connection closed, even while its job has
 * nothing to send) or a server that stops stores 1 in *rs->cancel, and
 * httpd_stream_write() fails from then on: the job should stop early.
 * The job must call httpd_stream_end() exactly once, and not touch st
 * after; httpd_stop() waits for every job to have done so.
 */
#ifndef NESTOR_HTTPD_H
#define NESTOR_HTTPD_H

#include <stdatomic.h>
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
	bool busy;	/* the server held too many bodies: not read */
	bool stopping;	/* the server was draining (httpd_drain_start) when its headers came */
	/* What admit() left in rs->admitted, or NULL: the server's, freed
	 * when the request is over (the handler may take what it holds). */
	void *admitted;
	/* A request header (case-insensitive) or query argument, or NULL. */
	const char *(*header)(const struct httpd_req *rq, const char *name);
	const char *(*query)(const struct httpd_req *rq, const char *name);
	void *conn; /* the wrapper's */
};

#define HTTPD_MAX_HEADERS 8

/* A deferred answer's link between the server and the job (opaque). */
struct httpd_stream;

struct httpd_resp {
	int status;
	char content_type[64]; /* "" means application/json; none without a body */
	struct sbuf body;
	char *names[HTTPD_MAX_HEADERS], *values[HTTPD_MAX_HEADERS];
	int nheaders;
	/* Answer later, from a job (above); NULL: the answer is this. */
	void (*defer)(void *arg, struct httpd_stream *st);
	void *defer_arg;
	bool stream;	    /* the body is written as the job goes */
	atomic_int *cancel; /* set to 1 when the client left (may be NULL) */
	/* admit() only: what the handler gets as rq->admitted, and how it
	 * is freed (admitted_free(admitted)) once the request is over. */
	void *admitted;
	void (*admitted_free)(void *admitted);
};

struct httpd_opts {
	const char *addr; /* dotted IPv4 or IPv6 */
	unsigned port;
	const char *cert_pem, *key_pem; /* both or neither */
	size_t max_body;
	size_t max_buffered; /* all the bodies held at once; 0: no limit */
	unsigned timeout_s;
	unsigned request_s;		      /* 0: no bound */
	unsigned max_conns, max_conns_per_ip; /* both over 0 */
	unsigned keepalive_s;		      /* 0: none */
	const char *keepalive;		      /* what an idle stream gets (": keep-alive\n\n") */
	void (*handle)(void *arg, const struct httpd_req *rq, struct httpd_resp *rs);
	/* Before the body (may be NULL): rq has no body yet; leave rs->status
	 * 0 to go on, or answer now. */
	void (*admit)(void *arg, const struct httpd_req *rq, struct httpd_resp *rs);
	/* httpd_stop() calls it once no request is handled any more, before
	 * it waits for the jobs: the handler ends the streams it keeps open
	 * without a job of their own (may be NULL). */
	void (*closing)(void *arg);
	/* Listening on port (the real one when 0 was asked for). */
	void (*ready)(void *arg, unsigned port);
	void *arg;
	int stop_fd; /* httpd_run() only */
};

struct httpd;

/* Listen and serve in the server's threads; *out is the server.  -1 with e
 * when it cannot listen ("cannot listen on 127.0.0.1:8765: Address
 * already in use").  o must outlive the server. */
int httpd_start(const struct httpd_opts *o, struct httpd **out, struct err *e);
/* Stop serving: clients are disconnected, jobs cancelled and waited for;
 * h is freed.  NULL is a no-op.  Always 0. */
int httpd_stop(struct httpd *h, struct err *e);
/*
 * A graceful stop, before httpd_stop().  httpd_drain_start() closes the
 * listening socket (new clients are refused) and calls closing(); from
 * then on every answer closes its connection, and the handler sees
 * rq->stopping for a request that comes on a connection already open (it
 * answers 503).  *n (unless NULL): the requests in progress (being read
 * whole, being answered, waiting for their job).  httpd_drain_wait()
 * (which starts the drain when needed) waits until every request in
 * progress is answered and its answer sent (0), or until wait_s seconds
 * passed or fd (when >= 0: a signalfd) gave SIGTERM or SIGINT (1; any
 * other signal it gives is taken and ignored); httpd_stop() cancels what
 * is left.
 */
int httpd_drain_start(struct httpd *h, size_t *n, struct err *e);
int httpd_drain_wait(struct httpd *h, unsigned wait_s, int fd, struct err *e);
/* httpd_start(), then serve until o->stop_fd is readable, then httpd_stop(). */
int httpd_run(const struct httpd_opts *o, struct err *e);

/* A job's part (any thread).  Append len bytes to a stream's body; -1
 * with e when the client is gone (or the server stopping). */
int httpd_stream_write(struct httpd_stream *st, const char *data, size_t len, struct err *e);
/* The job is over: for a stream, its body ends (rs NULL); otherwise rs
 * is the answer (its body and headers are taken, rs is left empty).  st
 * is no longer the job's.  Always 0. */
int httpd_stream_end(struct httpd_stream *st, struct httpd_resp *rs, struct err *e);

/* On the executable's side (sync/httpd-resp.c): the response's life. */
void httpd_resp_init(struct httpd_resp *rs);
void httpd_resp_release(struct httpd_resp *rs);
/* Add a response header (copied); past HTTPD_MAX_HEADERS it is dropped. */
void httpd_resp_header(struct httpd_resp *rs, const char *name, const char *value);

#endif
