/*
 * nestor serve: the HTTP API (src/api.h) on libmicrohttpd (sync/httpd.h).
 *
 * It listens on 127.0.0.1:8765 unless told otherwise (--listen, or
 * serve.listen in the config).  A non-loopback address needs TLS
 * (--tls-cert, --tls-key) or an explicit --insecure: tokens must not
 * cross a network in clear text by accident.  SIGINT or SIGTERM stops it
 * after the request in progress.
 */
#include "api.h"
#include "cmd.h"
#include "httpd.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define SERVE_TIMEOUT_S 30
#define SERVE_LISTEN	"127.0.0.1:8765"

enum { OPT_LISTEN = 256, OPT_CERT, OPT_KEY, OPT_INSECURE, OPT_RATE };

/* "ADDR:PORT" or "[V6]:PORT" into addr (caller frees) and port. */
static int parse_listen(struct ctx *ctx, const char *text, char **addr, unsigned *port)
{
	const char *colon = strrchr(text, ':'), *host = text;
	size_t hlen;
	char *end;
	long p;

	*addr = NULL;
	if (!colon) {
		cmd_usage(ctx, "--listen must be ADDR:PORT (got \"%s\")", text);
		return -1;
	}
	hlen = (size_t)(colon - text);
	if (*text == '[' && hlen >= 2 && text[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	p = strtol(colon + 1, &end, 10);
	if (!hlen || *end || end == colon + 1 || p < 0 || p > 65535) {
		cmd_usage(ctx, "--listen must be ADDR:PORT (got \"%s\")", text);
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
struct serve_state {
	struct httpd_opts o;
	struct api *api;
	FILE *out;
};

static void serve_handle(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
{
	struct serve_state *s = arg;

	api_handle(s->api, rq, rs);
}

/* The first line out says where: scripts wait for it. */
static void serve_ready(void *arg, unsigned port)
{
	struct serve_state *s = arg;
	const char *scheme = s->o.cert_pem ? "https" : "http";
	bool v6 = strchr(s->o.addr, ':') != NULL;

	fprintf(s->out, "serving on %s://%s%s%s:%u\n", scheme, v6 ? "[" : "", s->o.addr,
		v6 ? "]" : "", port);
	fflush(s->out);
	log_info("serving on %s:%u", s->o.addr, port);
}

static int serve_run(struct ctx *ctx, struct serve_state *s)
{
	sigset_t set;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->o.stop_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (s->o.stop_fd < 0)
		return err_set(&ctx->err, ERR_FAIL, "signalfd: %s", strerror(errno));
	s->o.handle = serve_handle;
	s->o.ready = serve_ready;
	s->o.arg = s;
	rc = httpd_run(&s->o, &ctx->err);
	close(s->o.stop_fd);
	return rc;
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
	const char *listen = config_get(ctx->cfg, "serve.listen"), *cert = NULL, *key = NULL;
	const char *rate = config_get(ctx->cfg, "serve.rate_limit");
	struct api_opts ao = { rate ? (unsigned)atoi(rate) : 0 };
	struct serve_state s;
	bool insecure = false;
	char *addr = NULL, *end;
	int c, rc = -1;

	memset(&s, 0, sizeof(s));
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case OPT_LISTEN: listen = optarg; break;
		case OPT_CERT: cert = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_INSECURE: insecure = true; break;
		case OPT_RATE:
			ao.rate = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-')
				return cmd_usage(ctx, "--rate-limit must be a number (got \"%s\")",
						 optarg);
			break;
		default: return -1;
		}
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
	if (!cert != !key)
		return cmd_usage(ctx, "--tls-cert and --tls-key go together");
	if (parse_listen(ctx, listen ? listen : SERVE_LISTEN, &addr, &s.o.port) < 0)
		return -1;
	if (!loopback(addr) && !cert && !insecure) {
		cmd_usage(ctx,
			  "listening on %s needs TLS (--tls-cert, --tls-key) or --insecure: tokens"
			  " would cross the network in clear text",
			  addr);
		goto out;
	}
	s.o.addr = addr;
	s.o.max_body = API_MAX_BODY;
	s.o.timeout_s = SERVE_TIMEOUT_S;
	if (cert && (!(s.o.cert_pem = read_pem(ctx, cert, "--tls-cert")) ||
		     !(s.o.key_pem = read_pem(ctx, key, "--tls-key"))))
		goto out;
	s.api = api_new(ctx->store, ctx->cfg, &ao);
	s.out = ctx->out;
	rc = serve_run(ctx, &s);
	api_free(s.api);
out:
	free((char *)s.o.cert_pem);
	free((char *)s.o.key_pem);
	free(addr);
	return rc;
}
