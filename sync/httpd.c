/* httpd.h on libmicrohttpd: in the network module (net.so) only. */
#include "httpd.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Deferred answers.  One mutex (the server's) guards every stream: the
 * server's thread (libmicrohttpd's), the ticker and the jobs all take it.
 * A connection waiting for its job is suspended (libmicrohttpd leaves it
 * alone, and would not see its client leave): the ticker polls its socket
 * for a hang-up, writes keep-alives to idle streams, and whoever gives a
 * suspended connection something to do resumes it.  A stream is freed
 * when both its connection and its job are done with it (refs).
 */
struct httpd_stream {
	struct httpd *srv;
	struct httpd_stream *prev, *next; /* the server's live streams */
	struct MHD_Connection *mc;	  /* NULL once the connection ended */
	int fd;
	int refs;	/* the connection's and the job's */
	bool streaming; /* the body goes out as it is written */
	bool ended;	/* the job called httpd_stream_end */
	bool gone;	/* the client left, or the server is stopping */
	bool suspended; /* the connection waits (MHD_suspend_connection) */
	atomic_int *cancel;
	struct sbuf out; /* written, not sent yet, from off */
	size_t off;
	struct httpd_resp final; /* !streaming: the answer, once ended */
	double last;		 /* when the stream last got something */
};

/* A connection's socket, while it is one: a request must arrive whole
 * (headers and body) within request_s of the connection's start or of the
 * previous answer, else the ticker shuts the socket down (a client that
 * trickles a byte now and then is never idle long enough to time out). */
struct httpd_sock {
	struct httpd_sock *prev, *next;
	int fd;
	bool receiving;	 /* a request is awaited or being read */
	bool in_request; /* its headers are in, its answer not sent yet */
	double since;	 /* when it began to be */
};

struct httpd {
	const struct httpd_opts *o;
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	pthread_cond_t idle; /* signalled when a stream is freed */
	struct httpd_stream *streams;
	size_t nstreams;
	struct httpd_sock *socks;
	bool stopping;
	atomic_bool draining; /* httpd_drain(): no new connections, answers close theirs */
	size_t buffered;      /* the bytes of all bodies held (the server's thread) */
	int wake[2];	      /* a byte wakes the ticker */
	int settled[2];	      /* a byte wakes httpd_drain(): a request was answered */
	pthread_t ticker;
};

/* One request in progress: its body as it arrives. */
struct httpd_conn {
	struct sbuf body;
	bool too_large, busy;
	bool stopping; /* the server was draining when the headers came */
	struct MHD_Connection *mc;
	struct httpd_stream *st; /* when its answer was deferred */
	bool answered;		 /* by admit(), before the body */
	void *admitted;		 /* admit()'s rs->admitted, for the handler */
	void (*admitted_free)(void *admitted);
};

static void wake_ticker(struct httpd *h)
{
	char b = 1;

	if (write(h->wake[1], &b, 1) < 0 && errno != EAGAIN)
		return;
}

/* A connection has no request in progress any more (or is gone): a
 * draining server may be done. */
static void wake_drain(struct httpd *h)
{
	char b = 1;

	if (atomic_load(&h->draining) && write(h->settled[1], &b, 1) < 0 && errno != EAGAIN)
		return;
}

/* Under the lock: let a suspended connection go on. */
static void resume_locked(struct httpd_stream *st)
{
	if (st->suspended && st->mc) {
		st->suspended = false;
		MHD_resume_connection(st->mc);
	}
}

/* Under the lock: the client left or the server stops. */
static void gone_locked(struct httpd_stream *st)
{
	st->gone = true;
	if (!st->ended && st->cancel)
		atomic_store(st->cancel, 1);
	resume_locked(st);
}

static void unref_locked(struct httpd_stream *st)
{
	struct httpd *h = st->srv;

	if (--st->refs > 0)
		return;
	if (st->prev)
		st->prev->next = st->next;
	else
		h->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	h->nstreams--;
	pthread_cond_broadcast(&h->idle);
	sbuf_release(&st->out);
	httpd_resp_release(&st->final);
	free(st);
}

int httpd_stream_write(struct httpd_stream *st, const char *data, size_t len, struct err *e)
{
	int rc = 0;

	pthread_mutex_lock(&st->srv->lock);
	if (st->gone || !st->mc) {
		rc = err_set(e, ERR_FAIL, "the client went away");
	} else {
		sbuf_add(&st->out, data, len);
		st->last = monotonic_s();
		resume_locked(st);
	}
	pthread_mutex_unlock(&st->srv->lock);
	return rc;
}

int httpd_stream_end(struct httpd_stream *st, struct httpd_resp *rs, struct err *e)
{
	struct httpd *h = st->srv;

	(void)e;
	pthread_mutex_lock(&h->lock);
	st->ended = true;
	if (rs && !st->streaming) {
		st->final = *rs;
		httpd_resp_init(rs);
	}
	resume_locked(st);
	unref_locked(st); /* st may be gone from here */
	pthread_mutex_unlock(&h->lock);
	return 0;
}

/* The body of a streamed answer, as the job writes it. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct httpd_stream *st = cls;
	ssize_t n = 0;

	(void)pos;
	pthread_mutex_lock(&st->srv->lock);
	if (st->off < st->out.len) {
		size_t k = st->out.len - st->off < max ? st->out.len - st->off : max;

		memcpy(buf, st->out.buf + st->off, k);
		st->off += k;
		if (st->off == st->out.len) {
			sbuf_reset(&st->out);
			st->off = 0;
		}
		n = (ssize_t)k;
	} else if (st->gone) {
		n = MHD_CONTENT_READER_END_WITH_ERROR;
	} else if (st->ended) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		st->suspended = true;
		MHD_suspend_connection(st->mc);
		wake_ticker(st->srv);
	}
	pthread_mutex_unlock(&st->srv->lock);
	return n;
}

static const char *conn_header(const struct httpd_req *rq, const char *name)
{
	struct httpd_conn *c = rq->conn;

	return MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, name);
}

static const char *conn_query(const struct httpd_req *rq, const char *name)
{
	struct httpd_conn *c = rq->conn;

	return MHD_lookup_connection_value(c->mc, MHD_GET_ARGUMENT_KIND, name);
}

static void add_headers(struct httpd *h, struct MHD_Response *r, const struct httpd_resp *rs)
{
	/* no body (a 202, a 204), no type of it */
	if (rs->stream || rs->body.len)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					*rs->content_type ? rs->content_type : "application/json");
	for (int i = 0; i < rs->nheaders; i++)
		MHD_add_response_header(r, rs->names[i], rs->values[i]);
	/* a server on its way out keeps no connection for a next request */
	if (atomic_load(&h->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result send_resp(struct httpd *h, struct MHD_Connection *mc, struct httpd_resp *rs)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		rs->body.len, rs->body.buf ? rs->body.buf : (char *)"", MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	add_headers(h, r, rs);
	ret = MHD_queue_response(mc, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The body of c is not read (any more): what it held is given back. */
static void drop_body(struct httpd *h, struct httpd_conn *c)
{
	h->buffered -= c->body.len;
	sbuf_release(&c->body);
}

/* Hand the answer of c's request to a job (rs->defer). */
static enum MHD_Result defer(struct httpd *h, struct httpd_conn *c, struct httpd_resp *rs)
{
	struct httpd_stream *st = xcalloc(1, sizeof(*st));
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c->mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	enum MHD_Result ret = MHD_YES;

	st->srv = h;
	st->mc = c->mc;
	st->fd = ci ? ci->connect_fd : -1;
	st->refs = 2;
	st->streaming = rs->stream;
	st->cancel = rs->cancel;
	st->last = monotonic_s();
	sbuf_init(&st->out);
	httpd_resp_init(&st->final);
	c->st = st;
	pthread_mutex_lock(&h->lock);
	st->next = h->streams;
	if (h->streams)
		h->streams->prev = st;
	h->streams = st;
	h->nstreams++;
	if (h->stopping)
		gone_locked(st);
	else if (!st->streaming) {
		st->suspended = true;
		MHD_suspend_connection(c->mc);
	}
	pthread_mutex_unlock(&h->lock);
	if (st->streaming) {
		struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
									   stream_read, st, NULL);

		if (r) {
			add_headers(h, r, rs);
			ret = MHD_queue_response(c->mc, (unsigned)rs->status, r);
			MHD_destroy_response(r);
		}
		if (!r || ret != MHD_YES) {
			pthread_mutex_lock(&h->lock);
			gone_locked(st);
			pthread_mutex_unlock(&h->lock);
			ret = MHD_NO;
		}
	}
	wake_ticker(h);
	/* The handler took what it needs of the body: it no longer counts
	 * against what the server holds while the job runs. */
	drop_body(h, c);
	rs->defer(rs->defer_arg, st);
	return ret;
}

/* A connection resumed after its job ended (or its client left). */
static enum MHD_Result deferred_answer(struct httpd *h, struct httpd_conn *c)
{
	struct httpd_resp rs;
	bool ready;

	pthread_mutex_lock(&h->lock);
	ready = c->st->ended && !c->st->gone;
	if (ready) {
		rs = c->st->final;
		httpd_resp_init(&c->st->final);
	}
	pthread_mutex_unlock(&h->lock);
	if (!ready)
		return MHD_NO;
	if (send_resp(h, c->mc, &rs) != MHD_YES) {
		httpd_resp_release(&rs);
		return MHD_NO;
	}
	httpd_resp_release(&rs);
	return MHD_YES;
}

static int hex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* %XX of the path and the query decoded in place, but %00: a NUL would cut
 * the text there ("/v1/tasks/1%00x" read as task 1), so it stays "%00" and
 * the id or value is refused as it is. */
static size_t unescape(void *cls, struct MHD_Connection *mc, char *s)
{
	char *w = s;

	(void)cls;
	(void)mc;
	for (const char *r = s; *r; r++) {
		int hi = *r == '%' ? hex(r[1]) : -1, lo = hi >= 0 ? hex(r[2]) : -1;

		if (lo < 0 || (hi == 0 && lo == 0)) {
			*w++ = *r;
			continue;
		}
		*w++ = (char)(hi * 16 + lo);
		r += 2;
	}
	*w = '\0';
	return (size_t)(w - s);
}

static struct httpd_sock *sock_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Whether mc is waiting for (the rest of) a request, from now; yes also
 * ends the request before (its answer went). */
static void receiving(struct httpd *h, struct MHD_Connection *mc, bool yes)
{
	struct httpd_sock *sk = sock_of(mc);

	if (!sk)
		return;
	pthread_mutex_lock(&h->lock);
	sk->receiving = yes;
	if (yes)
		sk->in_request = false;
	sk->since = monotonic_s();
	pthread_mutex_unlock(&h->lock);
	/* The ticker may be asleep with no deadline to keep (after a
	 * deferred answer): it has one now. */
	if (yes && h->o->request_s)
		wake_ticker(h);
	if (yes)
		wake_drain(h);
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct httpd *h = cls;
	struct httpd_sock *sk = *socket_context;
	const union MHD_ConnectionInfo *ci;

	pthread_mutex_lock(&h->lock);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		sk = xcalloc(1, sizeof(*sk));
		sk->fd = ci ? ci->connect_fd : -1;
		sk->receiving = true;
		sk->since = monotonic_s();
		sk->next = h->socks;
		if (h->socks)
			h->socks->prev = sk;
		h->socks = sk;
		*socket_context = sk;
	} else if (sk) { /* closed: MHD closes the socket after this */
		if (sk->prev)
			sk->prev->next = sk->next;
		else
			h->socks = sk->next;
		if (sk->next)
			sk->next->prev = sk->prev;
		free(sk);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	wake_ticker(h);
	wake_drain(h);
}

static void conn_req(struct httpd_conn *c, const char *method, const char *url,
		     struct httpd_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->stopping = c->stopping;
	rq->method = method;
	rq->path = url;
	rq->body = c->body.buf ? c->body.buf : "";
	rq->body_len = c->body.len;
	rq->too_large = c->too_large;
	rq->busy = c->busy;
	rq->header = conn_header;
	rq->query = conn_query;
	rq->conn = c;
	rq->admitted = c->admitted;
}

/* Whether n more bytes of body would go over what the server holds. */
static bool over_buffered(struct httpd *h, size_t n)
{
	size_t max = h->o->max_buffered;

	return max && (n > max || h->buffered > max - n);
}

/* How a request says where its body ends. */
struct framing {
	int lengths;	   /* Content-Length headers */
	bool bad_length;   /* one of them is not plain digits */
	bool transfer_enc; /* a Transfer-Encoding header */
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
		f->lengths++;
		if (!value || !*value || strspn(value, "0123456789") != strlen(value))
			f->bad_length = true;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		f->transfer_enc = true;
	}
	return MHD_YES;
}

/*
 * Why a request's body has no one end, or NULL.  libmicrohttpd reads the
 * first Content-Length and ignores a second one: a request with two (even
 * equal), or with one and a Transfer-Encoding, is read one way here and
 * may be read another by a proxy in front, which then takes the rest of
 * the body for a next request (smuggling).  Refused, the connection closed.
 */
static const char *bad_framing(struct MHD_Connection *mc)
{
	struct framing f = { 0 };

	MHD_get_connection_values(mc, MHD_HEADER_KIND, count_framing, &f);
	if (f.lengths > 1)
		return "more than one Content-Length header";
	if (f.lengths && f.transfer_enc)
		return "both Content-Length and Transfer-Encoding";
	if (f.bad_length)
		return "Content-Length is not a number";
	return NULL;
}

/* The first call for a request: its headers are in, its body not yet. */
static enum MHD_Result request_start(struct httpd *h, struct MHD_Connection *mc, const char *url,
				     const char *method, void **con_cls)
{
	const struct httpd_opts *o = h->o;
	const char *len =
		MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = len ? strtoull(len, NULL, 10) : 0;
	struct httpd_conn *c = xcalloc(1, sizeof(*c));
	struct httpd_sock *sk = sock_of(mc);
	enum MHD_Result ret = MHD_YES;
	struct httpd_req rq;
	struct httpd_resp rs;
	const char *why;

	sbuf_init(&c->body);
	c->mc = mc;
	*con_cls = c;
	/* In progress from now, for a drain (busy()): marked before the
	 * drain is looked at, so that one of the two sees the other. */
	if (sk) {
		pthread_mutex_lock(&h->lock);
		sk->in_request = true;
		pthread_mutex_unlock(&h->lock);
	}
	c->stopping = atomic_load(&h->draining);
	if ((why = bad_framing(mc))) {
		httpd_resp_init(&rs);
		rs.status = 400;
		sbuf_addf(&rs.body, "{\"error\":\"%s\"}", why);
		if (!atomic_load(&h->draining))
			httpd_resp_header(&rs, MHD_HTTP_HEADER_CONNECTION, "close");
		c->answered = true;
		ret = send_resp(h, mc, &rs);
		httpd_resp_release(&rs);
		return ret;
	}
	if (o->admit) {
		conn_req(c, method, url, &rq);
		httpd_resp_init(&rs);
		rs.status = 0;
		o->admit(o->arg, &rq, &rs);
		c->admitted = rs.admitted;
		c->admitted_free = rs.admitted_free;
		if (rs.status) {
			c->answered = true;
			ret = send_resp(h, mc, &rs);
		}
		httpd_resp_release(&rs);
		if (c->answered)
			return ret;
	}
	if (declared > o->max_body)
		c->too_large = true;
	else if (over_buffered(h, (size_t)declared))
		c->busy = true;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct httpd *h = cls;
	const struct httpd_opts *o = h->o;
	struct httpd_conn *c = *con_cls;
	struct httpd_req rq;
	struct httpd_resp rs;
	enum MHD_Result ret;

	(void)version;
	if (!c) {
		ret = request_start(h, mc, url, method, con_cls);
		c = *con_cls;
		/* refused at once: answered now, the body never read */
		if (c->answered)
			receiving(h, mc, false);
		if (c->answered || (!c->too_large && !c->busy))
			return ret;
	}
	if (c->answered) { /* the rest of a body refused unread */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!c->too_large && !c->busy) {
			if (c->body.len + *upload_size > o->max_body)
				c->too_large = true;
			else if (over_buffered(h, *upload_size))
				c->busy = true;
			if (c->too_large || c->busy)
				drop_body(h, c);
		}
		if (!c->too_large && !c->busy) {
			sbuf_add(&c->body, upload, *upload_size);
			h->buffered += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->st)
		return deferred_answer(h, c);
	receiving(h, mc, false);
	conn_req(c, method, url, &rq);
	httpd_resp_init(&rs);
	o->handle(o->arg, &rq, &rs);
	ret = rs.defer ? defer(h, c, &rs) : send_resp(h, mc, &rs);
	httpd_resp_release(&rs);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct httpd *h = cls;
	struct httpd_conn *c = *con_cls;

	(void)toe;
	receiving(h, mc, true); /* the next request, if the connection stays */
	if (!c)
		return;
	if (c->st) {
		pthread_mutex_lock(&h->lock);
		c->st->mc = NULL;
		c->st->suspended = false;
		if (!c->st->ended)
			gone_locked(c->st);
		unref_locked(c->st);
		pthread_mutex_unlock(&h->lock);
	}
	drop_body(h, c);
	if (c->admitted && c->admitted_free)
		c->admitted_free(c->admitted);
	free(c);
	*con_cls = NULL;
}

/*
 * The ticker: keep-alives for idle streams, and the sockets of suspended
 * connections watched for their client hanging up, which cancels the job.
 */
/* The stream a polled socket is of. */
struct polled {
	struct httpd_stream *st;
};

static void *ticker(void *arg)
{
	struct httpd *h = arg;
	struct pollfd *fds = NULL;
	struct polled *of = NULL;
	size_t cap = 0;

	for (;;) {
		double now = monotonic_s(), next = -1;
		unsigned ka = h->o->keepalive_s;
		size_t n = 1;
		int ms;

		pthread_mutex_lock(&h->lock);
		if (h->stopping) {
			pthread_mutex_unlock(&h->lock);
			break;
		}
		if (cap < h->nstreams + 1) {
			cap = h->nstreams + 16;
			fds = xrealloc(fds, cap * sizeof(*fds));
			of = xrealloc(of, cap * sizeof(*of));
		}
		fds[0].fd = h->wake[0];
		fds[0].events = POLLIN;
		for (struct httpd_stream *st = h->streams; st; st = st->next) {
			if (st->gone || st->ended || !st->mc)
				continue;
			if (st->streaming && ka && h->o->keepalive) {
				if (now - st->last >= ka) {
					sbuf_adds(&st->out, h->o->keepalive);
					st->last = now;
					resume_locked(st);
				}
				if (next < 0 || st->last + ka < next)
					next = st->last + ka;
			}
			if (st->suspended && st->fd >= 0) {
				fds[n].fd = st->fd;
				fds[n].events = POLLRDHUP;
				fds[n].revents = 0;
				of[n++].st = st;
			}
		}
		for (struct httpd_sock *sk = h->socks; sk && h->o->request_s; sk = sk->next) {
			if (!sk->receiving || sk->fd < 0)
				continue;
			if (now - sk->since >= h->o->request_s) {
				/* MHD sees the end and closes the connection */
				shutdown(sk->fd, SHUT_RDWR);
				sk->receiving = false;
			} else if (next < 0 || sk->since + h->o->request_s < next) {
				next = sk->since + h->o->request_s;
			}
		}
		pthread_mutex_unlock(&h->lock);
		ms = next < 0 ? -1 : (int)((next - now) * 1000) + 1;
		if (poll(fds, n, ms) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN) {
			char buf[64];

			while (read(h->wake[0], buf, sizeof(buf)) > 0)
				;
		}
		pthread_mutex_lock(&h->lock);
		for (size_t i = 1; i < n; i++) {
			if (!(fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)))
				continue;
			/* Still live and still that connection's socket? */
			for (struct httpd_stream *st = h->streams; st; st = st->next)
				if (st == of[i].st && st->mc && st->fd == fds[i].fd &&
				    st->suspended)
					gone_locked(st);
		}
		pthread_mutex_unlock(&h->lock);
	}
	free(fds);
	free(of);
	return NULL;
}

/* libmicrohttpd's own messages (a client that went away...) are not ours
 * to show. */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

static void httpd_free(struct httpd *h)
{
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->idle);
	for (int i = 0; i < 2; i++) {
		if (h->wake[i] >= 0)
			close(h->wake[i]);
		if (h->settled[i] >= 0)
			close(h->settled[i]);
	}
	free(h);
}

/* libmicrohttpd's daemon for h, with or without TLS: one option list
 * serves both, ending before the certificate without one.  An option of
 * two pointers takes the first as an intptr_t. */
static struct MHD_Daemon *start_daemon(struct httpd *h, unsigned flags, struct sockaddr_storage *ss)
{
	const struct httpd_opts *o = h->o;
	struct MHD_OptionItem ops[] = {
		{ MHD_OPTION_SOCK_ADDR, 0, ss },
		{ MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h },
		{ MHD_OPTION_CONNECTION_LIMIT, o->max_conns, NULL },
		{ MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_conns_per_ip, NULL },
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)quiet_log, NULL },
		{ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL },
		{ o->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0,
		  (void *)(uintptr_t)o->cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)o->key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};

	return MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, h,
				MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

int httpd_start(const struct httpd_opts *o, struct httpd **out, struct err *e)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;
	struct httpd *h;

	*out = NULL;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o->addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)o->port);
	} else if (inet_pton(AF_INET6, o->addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)o->port);
		flags |= MHD_USE_IPv6;
	} else {
		return err_set(e, ERR_USAGE, "cannot listen on %s: not an IP address",
			       utf8_q(o->addr));
	}
	if (o->cert_pem)
		flags |= MHD_USE_TLS;
	h = xcalloc(1, sizeof(*h));
	h->o = o;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	h->wake[0] = h->wake[1] = h->settled[0] = h->settled[1] = -1;
	if (pipe2(h->wake, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(h->settled, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_set(e, ERR_FAIL, "pipe: %s", strerror(errno));
		httpd_free(h);
		return -1;
	}
	errno = 0;
	h->d = start_daemon(h, flags, &ss);
	if (!h->d) {
		err_set(e, ERR_FAIL, "cannot listen on %s:%u: %s", o->addr, o->port,
			errno ? strerror(errno)
			      : (o->cert_pem ? "bad certificate or key" : "failed"));
		httpd_free(h);
		return -1;
	}
	if (pthread_create(&h->ticker, NULL, ticker, h) != 0) {
		MHD_stop_daemon(h->d);
		httpd_free(h);
		return err_set(e, ERR_FAIL, "cannot start a thread");
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	if (o->ready)
		o->ready(o->arg, info ? info->port : o->port);
	*out = h;
	return 0;
}

/* The connections with a request in progress: its body being read,
 * being answered, or waiting for a job. */
static size_t busy(struct httpd *h)
{
	size_t n = 0;

	pthread_mutex_lock(&h->lock);
	for (struct httpd_sock *sk = h->socks; sk; sk = sk->next)
		n += sk->in_request || !sk->receiving;
	pthread_mutex_unlock(&h->lock);
	return n;
}

int httpd_drain_start(struct httpd *h, size_t *n, struct err *e)
{
	MHD_socket fd;

	(void)e;
	if (!atomic_exchange(&h->draining, true)) {
		fd = MHD_quiesce_daemon(h->d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
		if (h->o->closing)
			h->o->closing(h->o->arg);
	}
	if (n)
		*n = busy(h);
	return 0;
}

/* Whether the signalfd fd, readable, gave a signal that ends the grace
 * (SIGTERM, SIGINT); another (a daemon's SIGHUP) is taken and ignored. */
static bool ends_grace(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	return n != (ssize_t)sizeof(si) || si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT;
}

int httpd_drain_wait(struct httpd *h, unsigned wait_s, int fd, struct err *e)
{
	double end = monotonic_s() + wait_s;

	httpd_drain_start(h, NULL, e);
	for (;;) {
		struct pollfd p[2] = { { h->settled[0], POLLIN, 0 }, { fd, POLLIN, 0 } };
		double left = end - monotonic_s();
		char buf[64];

		if (busy(h) == 0)
			return 0;
		if (left <= 0)
			return 1;
		if (poll(p, fd >= 0 ? 2 : 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents && ends_grace(fd))
			return 1;
		while (read(h->settled[0], buf, sizeof(buf)) > 0)
			;
	}
}

int httpd_stop(struct httpd *h, struct err *e)
{
	(void)e;
	if (!h)
		return 0;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	for (struct httpd_stream *st = h->streams; st; st = st->next)
		gone_locked(st);
	pthread_mutex_unlock(&h->lock);
	wake_ticker(h);
	pthread_join(h->ticker, NULL);
	MHD_stop_daemon(h->d);
	if (h->o->closing)
		h->o->closing(h->o->arg);
	/* The jobs were cancelled: wait for each to let go of its stream. */
	pthread_mutex_lock(&h->lock);
	while (h->nstreams)
		pthread_cond_wait(&h->idle, &h->lock);
	pthread_mutex_unlock(&h->lock);
	httpd_free(h);
	return 0;
}

int httpd_run(const struct httpd_opts *o, struct err *e)
{
	struct httpd *h;
	struct pollfd p;

	if (httpd_start(o, &h, e) < 0)
		return -1;
	p.fd = o->stop_fd;
	p.events = POLLIN;
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	return httpd_stop(h, e);
}
