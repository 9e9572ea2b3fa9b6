/*
 * nestor serve: the HTTP API (src/api.h) on libmicrohttpd (sync/httpd.h).
 *
 * It listens on 127.0.0.1:8765 unless told otherwise (--listen, or
 * serve.listen in the config).  A non-loopback address needs TLS
 * (--tls-cert, --tls-key) or an explicit --insecure: tokens must not
 * cross a network in clear text by accident.  SIGINT or SIGTERM stops it
 * gracefully (serve_drain): no new connection is taken, and the requests
 * and turns in progress have serve.grace seconds to be answered; a second
 * signal, or the end of the grace, cancels what is left.
 *
 * serve_start() and serve_stop() are shared with `nestor daemon`, which
 * serves the same API when serve.enable is set.
 */
#include "api.h"
#include "utf8.h"
#include "cmd.h"
#include "httpd.h"
#include "log.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

/* A connection idle this long is closed, and so is one whose request has
 * not come whole this long after it opened (or after the last answer). */
#define SERVE_TIMEOUT_S 30
#define SERVE_LISTEN	"127.0.0.1:8765"

enum { OPT_LISTEN = 256, OPT_CERT, OPT_KEY, OPT_INSECURE, OPT_RATE };

/* "ADDR:PORT" or "[V6]:PORT" into addr (caller frees) and port. */
static int parse_listen(struct ctx *ctx, const char *what, const char *text, char **addr,
			unsigned *port)
{
	const char *colon = strrchr(text, ':'), *host = text;
	size_t hlen;
	char *end;
	long p;

	*addr = NULL;
	if (!colon) {
		cmd_usage(ctx, "%s must be ADDR:PORT (got %s)", what, utf8_q(text));
		return -1;
	}
	hlen = (size_t)(colon - text);
	if (*text == '[' && hlen >= 2 && text[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	/* digits only: strtol would take " 80" and "+80" too */
	p = strtol(colon + 1, &end, 10);
	if (!hlen || !isdigit((unsigned char)colon[1]) || *end || p > 65535) {
		cmd_usage(ctx, "%s must be ADDR:PORT (got %s)", what, utf8_q(text));
		return -1;
	}
	*addr = xstrndup(host, hlen);
	if (!strcmp(*addr, "localhost")) {
		free(*addr);
		*addr = xstrdup("127.0.0.1");
	}
	*port = (unsigned)p;
	return 0;
}

static bool loopback(const char *addr)
{
	return !strncmp(addr, "127.", 4) || !strcmp(addr, "::1");
}

static char *read_pem(struct ctx *ctx, const char *path, const char *what)
{
	gchar *text = NULL;
	GError *ge = NULL;
	char *out;

	if (!g_file_get_contents(path, &text, NULL, &ge)) {
		cmd_usage(ctx, "%s: %s", what, ge->message);
		g_error_free(ge);
		return NULL;
	}
	out = xstrdup(text);
	g_free(text);
	return out;
}

/* What serve runs: the httpd options and the API they call. */
struct serve {
	struct httpd_opts o;
	struct api *api;
	struct httpd *h;
	FILE *out; /* where the "serving on" line goes (NULL: the log only) */
	char *addr;
	unsigned grace; /* serve.grace */
};

static void serve_handle(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
{
	struct serve *s = arg;

	api_handle(s->api, rq, rs);
}

static void serve_admit(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
{
	struct serve *s = arg;

	api_admit(s->api, rq, rs);
}

static void serve_closing(void *arg)
{
	struct serve *s = arg;

	api_close(s->api);
}

/* The first line out says where: scripts wait for it. */
static void serve_ready(void *arg, unsigned port)
{
	struct serve *s = arg;
	const char *scheme = s->o.cert_pem ? "https" : "http";
	bool v6 = strchr(s->o.addr, ':') != NULL;

	if (s->out) {
		fprintf(s->out, "serving on %s://%s%s%s:%u\n", scheme, v6 ? "[" : "", s->o.addr,
			v6 ? "]" : "", port);
		fflush(s->out);
	}
	log_info("serving on %s://%s%s%s:%u", scheme, v6 ? "[" : "", s->o.addr, v6 ? "]" : "",
		 port);
}

void serve_drain(struct serve *s, int fd)
{
	size_t n = 0;
	struct err e;

	if (!s || httpd_drain_start(s->h, &n, &e) < 0)
		return;
	if (n == 0 || s->grace == 0)
		return;
	log_info("stopping: waiting up to %u s for %zu request%s in progress", s->grace, n,
		 n == 1 ? "" : "s");
	if (s->out) {
		fprintf(s->out,
			"stopping: waiting up to %u s for %zu request%s in progress"
			" (a second signal cancels %s)\n",
			s->grace, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
		fflush(s->out);
	}
	if (httpd_drain_wait(s->h, s->grace, fd, &e) == 1)
		log_info("stopping: cancelling the requests still in progress");
}

void serve_stop(struct serve *s)
{
	struct err e;

	if (!s)
		return;
	httpd_stop(s->h, &e);
	api_free(s->api);
	free((char *)s->o.cert_pem);
	free((char *)s->o.key_pem);
	free(s->addr);
	free(s);
}

int serve_start(struct ctx *ctx, struct store *store, const struct serve_args *a,
		struct serve **out)
{
	struct config *cfg = a->cfg ? a->cfg : ctx->cfg;
	const char *listen = a->listen ? a->listen : config_get(cfg, "serve.listen");
	const char *cert = a->cert ? a->cert : config_get(cfg, "serve.tls_cert");
	const char *key = a->key ? a->key : config_get(cfg, "serve.tls_key");
	struct api_opts ao = {
		.rate = a->rate >= 0 ? (unsigned)a->rate
				     : (unsigned)config_get_int(cfg, "serve.rate_limit"),
		.max_jobs = (unsigned)config_get_int(cfg, "serve.max_jobs"),
	};
	struct serve *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	if (!cert != !key) {
		cmd_usage(ctx,
			  "--tls-cert and --tls-key go together (serve.tls_cert, serve.tls_key)");
		goto fail;
	}
	if (parse_listen(ctx, a->listen ? "--listen" : "serve.listen",
			 listen ? listen : SERVE_LISTEN, &s->addr, &s->o.port) < 0)
		goto fail;
	if (!loopback(s->addr) && !cert && !a->insecure) {
		cmd_usage(ctx,
			  "listening on %s needs TLS (--tls-cert, --tls-key) or --insecure: tokens"
			  " would cross the network in clear text",
			  s->addr);
		goto fail;
	}
	s->o.addr = s->addr;
	s->o.max_body = API_MAX_BODY;
	s->o.max_buffered = API_MAX_BUFFERED;
	s->o.timeout_s = SERVE_TIMEOUT_S;
	s->o.request_s = SERVE_TIMEOUT_S;
	s->o.max_conns = (unsigned)config_get_int(cfg, "serve.max_connections");
	s->o.max_conns_per_ip = (unsigned)config_get_int(cfg, "serve.max_per_address");
	s->o.keepalive_s = (unsigned)config_get_int(cfg, "serve.keepalive");
	s->o.keepalive = ": keep-alive\n\n";
	s->grace = (unsigned)config_get_int(cfg, "serve.grace");
	if (cert && (!(s->o.cert_pem = read_pem(ctx, cert, "--tls-cert")) ||
		     !(s->o.key_pem = read_pem(ctx, key, "--tls-key"))))
		goto fail;
	s->o.handle = serve_handle;
	s->o.admit = serve_admit;
	s->o.ready = serve_ready;
	s->o.closing = serve_closing;
	s->o.arg = s;
	s->o.stop_fd = -1;
	s->out = a->out;
	s->api = api_new(store, cfg, &ao);
	if (httpd_start(&s->o, &s->h, &ctx->err) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	serve_stop(s);
	return -1;
}

int cmd_serve(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "tls-cert", required_argument, NULL, OPT_CERT },
		{ "tls-key", required_argument, NULL, OPT_KEY },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "rate-limit", required_argument, NULL, OPT_RATE },
		{ NULL, 0, NULL, 0 },
	};
	struct serve_args a = { .rate = -1, .out = ctx->out };
	struct signalfd_siginfo si;
	struct serve *s;
	sigset_t set;
	long long rate;
	int c, sfd;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case OPT_LISTEN: a.listen = optarg; break;
		case OPT_CERT: a.cert = optarg; break;
		case OPT_KEY: a.key = optarg; break;
		case OPT_INSECURE: a.insecure = true; break;
		case OPT_RATE:
			if (cmd_parse_int(ctx, "--rate-limit", optarg, 0, UINT_MAX, &rate) < 0)
				return -1;
			a.rate = rate;
			break;
		default: return -1;
		}
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	/* a peer gone (a client, Redis) fails a write with EPIPE rather than
	 * end the server; what it starts resets it (notify.c, mcpc.c) */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return err_set(&ctx->err, ERR_FAIL, "signalfd: %s", strerror(errno));
	if (serve_start(ctx, ctx->store, &a, &s) < 0) {
		close(sfd);
		return -1;
	}
	while (read(sfd, &si, sizeof(si)) < 0 && errno == EINTR)
		;
	serve_drain(s, sfd);
	serve_stop(s);
	close(sfd);
	return 0;
}
