/* The HTTP server under `nestor serve` (sync/httpd.c) reading raw request
 * bytes: libmicrohttpd's parser with httpd.c's options and callbacks
 * (unescape, request_start, the header and query lookups, the body limits,
 * admit), one connection per input.  An input is what a client sends on
 * it, in one go and then its end: one request or several (pipelined), cut
 * anywhere.
 *
 * No network: the daemon has no listening socket (MHD_USE_NO_LISTEN_SOCKET)
 * and is handed one end of a socket pair (MHD_add_connection), run from
 * here (MHD_run_wait), no thread of its own and no ticker.  The handler
 * answers with what it read; a path under /deny is answered by admit(),
 * before the body.  Bodies over 1024 bytes are too large, over 512 more
 * than the server holds (busy).
 *
 * The callbacks are static: httpd.c is compiled in here.
 *
 *	FUZZ_HTTPD_TRACE=1 build-fuzz/fuzz/httpd tests/fuzz/corpus/httpd/FILE
 *
 * prints what the client got back. */
#include "httpd.c"

#include "fuzz.h"

#include <stdio.h>

/* Rounds of MHD_run_wait() an input gets before its client gives up. */
#define MAX_ROUNDS 2000

static void fz_admit(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
{
	(void)arg;
	if (!strncmp(rq->path, "/deny", 5)) {
		rs->status = 401;
		httpd_resp_header(rs, "WWW-Authenticate", "Bearer");
	}
}

static void fz_handle(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
{
	static const char *const headers[] = { "Host",		 "Content-Type", "Content-Length",
					       "Authorization",	 "If-Match",	 "Origin",
					       "Mcp-Session-Id", "Accept" };
	static const char *const args[] = { "limit", "q", "from", "to", "" };

	(void)arg;
	if (!rq->method || !rq->path || !rq->body || strlen(rq->body) > rq->body_len) {
		fprintf(stderr, "fuzz: httpd: a request without its method, path or body\n");
		abort();
	}
	rs->status = rq->too_large ? 413 : rq->busy ? 503 : 200;
	sbuf_addf(&rs->body, "%s %s %zu\n", rq->method, rq->path, rq->body_len);
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		const char *v = rq->header(rq, headers[i]);

		if (v)
			sbuf_addf(&rs->body, "%s: %s\n", headers[i], v);
	}
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		const char *v = rq->query(rq, args[i]);

		if (v)
			sbuf_addf(&rs->body, "?%s=%s\n", args[i], v);
	}
	httpd_resp_header(rs, "ETag", "\"1\"");
}

static struct httpd_opts opts = {
	.addr = "127.0.0.1",
	.max_body = 1024,
	.max_buffered = 512,
	.timeout_s = 5,
	.max_conns = 8,
	.max_conns_per_ip = 8,
	.handle = fz_handle,
	.admit = fz_admit,
};

static struct httpd *server(void)
{
	static struct httpd *h;
	struct sockaddr_storage ss = { 0 };

	if (h)
		return h;
	h = xcalloc(1, sizeof(*h));
	h->o = &opts;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	if (pipe2(h->wake, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(h->settled, O_CLOEXEC | O_NONBLOCK) < 0)
		abort();
	ss.ss_family = AF_INET;
	h->d = start_daemon(h, MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_SUSPEND_RESUME, &ss);
	if (!h->d) {
		fprintf(stderr, "fuzz: httpd: no daemon\n");
		abort();
	}
	return h;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static unsigned connections(struct httpd *h)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i ? i->num_connections : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int trace = -1;
	struct httpd *h = server();
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(40000) };
	size_t off = 0;
	int sv[2], n;

	if (trace < 0)
		trace = getenv("FUZZ_HTTPD_TRACE") != NULL;
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	if (MHD_add_connection(h->d, sv[0], (struct sockaddr *)&peer, sizeof(peer)) != MHD_YES)
		abort();
	for (n = 0; n < MAX_ROUNDS; n++) {
		char buf[4096];
		ssize_t r;

		if (off < size) {
			r = write(sv[1], data + off, size - off);
			if (r > 0)
				off += (size_t)r;
			if (off == size)
				shutdown(sv[1], SHUT_WR);
		} else if (!size && n == 0) {
			shutdown(sv[1], SHUT_WR);
		}
		MHD_run_wait(h->d, 1);
		while ((r = read(sv[1], buf, sizeof(buf))) > 0)
			if (trace)
				fwrite(buf, 1, (size_t)r, stderr);
		if (r == 0 && off == size)
			break; /* the server closed its end */
	}
	close(sv[1]);
	for (n = 0; connections(h) && n < MAX_ROUNDS; n++)
		MHD_run_wait(h->d, 1);
	if (connections(h)) {
		fprintf(stderr, "fuzz: httpd: the connection stays after its client left\n");
		abort();
	}
	drain(h->wake[0]);
	drain(h->settled[0]);
	if (h->buffered) {
		fprintf(stderr, "fuzz: httpd: %zu bytes of body held after the connection\n",
			h->buffered);
		abort();
	}
	return 0;
}
