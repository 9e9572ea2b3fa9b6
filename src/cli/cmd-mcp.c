/* nestor mcp: nestor's tools over MCP on stdio (newline-delimited JSON-RPC;
 * standard output carries only protocol messages). */
#include "cmd.h"
#include "dbwatch.h"
#include "log.h"
#include "mcp.h"
#include "sbuf.h"
#include "wallclock.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A message longer than this is refused (and the line skipped). */
#define LINE_MAX_BYTES (4 << 20)
/* After the database changed, look once more this much later: the commit
 * that woke us may not be visible yet (dbwatch.h). */
#define RECHECK_MS 100

enum { OPT_ASSISTANT = 256 };

static void send_line(const char *msg)
{
	fputs(msg, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Answer every complete line in *in; keep the partial one. */
static void answer_lines(struct mcp_session *s, struct sbuf *in, bool *skipping)
{
	char *start = in->buf, *nl;

	while ((nl = memchr(start, '\n', in->len - (size_t)(start - in->buf)))) {
		*nl = '\0';
		if (*skipping) {
			*skipping = false;
		} else if (*start && strspn(start, " \t\r") < strlen(start)) {
			char *reply;

			mcp_session_handle(s, start, wallclock_now(), &reply);
			if (reply)
				send_line(reply);
			free(reply);
		}
		start = nl + 1;
	}
	if (start != in->buf) {
		size_t rest = in->len - (size_t)(start - in->buf);

		memmove(in->buf, start, rest);
		in->len = rest;
		in->buf[rest] = '\0';
	}
	if (in->len > LINE_MAX_BYTES) {
		log_warn("mcp: a message over %d bytes skipped", LINE_MAX_BYTES);
		send_line("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
			  "\"message\":\"message too long\"}}");
		sbuf_reset(in);
		*skipping = true;
	}
}

static void tell_changes(struct mcp_session *s)
{
	char *note;

	if (mcp_session_tools_changed(s, &note)) {
		log_info("mcp: the tool set changed");
		send_line(note);
	}
	free(note);
}

/* Read stdin until it ends; tell the client when the tool set changes. */
static int serve_stdio(struct ctx *ctx, struct mcp_session *s)
{
	struct dbwatch *watch = dbwatch_new(ctx->db_path, &ctx->err);
	struct sbuf in = SBUF_INIT;
	bool skipping = false, recheck = false;
	char buf[65536];

	if (!watch)
		log_warn("mcp: no database watch (%s): tool changes go unnoticed", ctx->err.msg);
	err_clear(&ctx->err);
	for (;;) {
		struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 },
				       { dbwatch_fd(watch), POLLIN, 0 } };
		int n = poll(p, watch ? 2 : 1, recheck ? RECHECK_MS : -1);
		ssize_t got;

		if (n < 0 && errno != EINTR) {
			sbuf_release(&in);
			dbwatch_free(watch);
			return err_set(&ctx->err, ERR_FAIL, "poll: %s", strerror(errno));
		}
		if (n == 0 || (watch && (p[1].revents & POLLIN))) {
			recheck = n != 0 && dbwatch_changed(watch);
			tell_changes(s);
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		got = read(STDIN_FILENO, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		sbuf_add(&in, buf, (size_t)got);
		answer_lines(s, &in, &skipping);
	}
	sbuf_release(&in);
	dbwatch_free(watch);
	return 0;
}

int cmd_mcp(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "assistant", required_argument, NULL, OPT_ASSISTANT },
		{ NULL, 0, NULL, 0 },
	};
	const char *assistant = NULL;
	struct mcp_session *s;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == OPT_ASSISTANT)
			assistant = optarg;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (cmd_stdin_free(ctx) < 0)
		return -1;
	s = mcp_session_new(ctx->store, ctx->cfg, store_user(ctx->store), assistant, &ctx->err);
	if (!s)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	log_info("mcp: serving on stdio");
	rc = serve_stdio(ctx, s);
	mcp_session_free(s);
	return rc;
}
