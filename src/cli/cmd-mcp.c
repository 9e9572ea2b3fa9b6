/* nestor mcp: nestor's tools over MCP on stdio (newline-delimited JSON-RPC;
 * standard output carries only protocol messages, each a whole line).  A
 * thread reads standard input while the loop answers, so a client's
 * notifications/cancelled reaches a tool call that runs
 * (mcp_session_cancel), and a ping that comes while a tools/call waits or
 * runs is answered at once by that thread (mcp_session_ping).  Every other
 * message is answered by the loop, in the order received.  A third thread
 * alone writes standard output: the reader never waits on a client that
 * does not read what it is sent (it would stop reading, cancels included,
 * and the client, blocked writing to it, would wait for ever). */
#include "cmd.h"
#include "utf8.h"
#include "dbwatch.h"
#include "log.h"
#include "mcp-tools.h"
#include "mcp.h"
#include "mcpserver.h"
#include "sbuf.h"
#include "secret.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A message longer than this is refused (and the line skipped); the fuzz
 * target (tests/fuzz/fuzz-mcpin.c) sets a smaller one. */
#ifndef LINE_MAX_BYTES
#define LINE_MAX_BYTES (4 << 20)
#endif
/* After the database changed, look once more this much later: the commit
 * that woke us may not be visible yet (dbwatch.h). */
#define RECHECK_MS 100
/* The reader waits while this much input is not yet taken by the loop. */
#define QUEUE_MAX_BYTES (2 * LINE_MAX_BYTES)
/* Ping answers the reader queues for the writer at most: past them (a
 * client sending pings and not reading) a ping waits for the loop. */
#define PINGS_MAX 1000

enum { OPT_ASSISTANT = 256, OPT_URL, OPT_ENV, OPT_HEADER, OPT_BEARER };

/* Standard output, written by a thread of its own: whole lines, in the
 * order queued. */
struct writer {
	pthread_t thread;
	bool started;
	/* under lock: the lines not yet taken, the bytes queued and written
	 * so far, the ping answers queued and not yet written (ping_queued of
	 * them not yet taken), and whether output failed (nothing more is
	 * written) or is to end */
	pthread_mutex_t lock;
	pthread_cond_t more, written;
	struct sbuf queue;
	unsigned long long in, out;
	int pings, ping_queued;
	bool broken, ending, warned;
};

static bool write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(STDOUT_FILENO, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			log_warn("mcp: standard output: %s", k < 0 ? strerror(errno) : "closed");
			return false;
		}
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void *write_stdout(void *arg)
{
	struct writer *w = arg;
	struct sbuf chunk = SBUF_INIT;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct sbuf t;
		int pings;
		bool ok;

		while (!w->queue.len && !w->ending)
			pthread_cond_wait(&w->more, &w->lock);
		if (!w->queue.len)
			break;
		t = w->queue;
		w->queue = chunk;
		chunk = t;
		pings = w->ping_queued;
		w->ping_queued = 0;
		pthread_mutex_unlock(&w->lock);
		ok = write_all(chunk.buf, chunk.len);
		pthread_mutex_lock(&w->lock);
		w->broken |= !ok;
		w->out += chunk.len;
		w->pings -= pings;
		sbuf_reset(&chunk);
		pthread_cond_broadcast(&w->written);
	}
	pthread_mutex_unlock(&w->lock);
	sbuf_release(&chunk);
	return NULL;
}

static int writer_start(struct writer *w, struct err *e)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->more, NULL);
	pthread_cond_init(&w->written, NULL);
	if (pthread_create(&w->thread, NULL, write_stdout, w) != 0)
		return err_set(e, ERR_FAIL, "cannot start the output writer");
	w->started = true;
	return 0;
}

/* Write what is queued, then end the thread. */
static void writer_stop(struct writer *w)
{
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->ending = true;
		pthread_cond_signal(&w->more);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	sbuf_release(&w->queue);
	pthread_cond_destroy(&w->written);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->lock);
}

/* One message on standard output, a whole line; the loop's: it returns
 * once the line is written (a client that does not read holds the loop as
 * a write would). */
static void send_line(struct writer *w, const char *msg)
{
	pthread_mutex_lock(&w->lock);
	if (!w->broken) {
		unsigned long long end;

		sbuf_adds(&w->queue, msg);
		sbuf_add(&w->queue, "\n", 1);
		end = w->in += strlen(msg) + 1;
		pthread_cond_signal(&w->more);
		while (w->out < end && !w->broken)
			pthread_cond_wait(&w->written, &w->lock);
	}
	pthread_mutex_unlock(&w->lock);
}

/* A ping's answer, from the reader: queued, not waited for; false when
 * PINGS_MAX answers are not written yet (the ping is then the loop's). */
static bool send_ping(struct writer *w, const char *msg)
{
	bool full, warn;

	pthread_mutex_lock(&w->lock);
	full = w->pings >= PINGS_MAX;
	warn = full && !w->warned;
	w->warned |= full;
	if (!full && !w->broken) {
		sbuf_adds(&w->queue, msg);
		sbuf_add(&w->queue, "\n", 1);
		w->in += strlen(msg) + 1;
		w->pings++;
		w->ping_queued++;
		pthread_cond_signal(&w->more);
	}
	pthread_mutex_unlock(&w->lock);
	if (warn)
		log_warn("mcp: %d ping answers not read by the client: more pings are answered "
			 "after the call",
			 PINGS_MAX);
	return !full;
}

static void tell_changes(struct writer *w, struct mcp_session *s)
{
	char *note;

	if (mcp_session_tools_changed(s, &note)) {
		log_info("mcp: the tool set changed");
		send_line(w, note);
	}
	free(note);
}

/* What the reader queues for the loop: lines, each a KIND byte, the
 * line's text and "\n". */
enum {
	LINE_MSG = 'm',	 /* a message */
	LINE_CALL = 'c', /* a message with a tools/call in it (counted in calls) */
	LINE_LONG = 'l', /* a message over LINE_MAX_BYTES, skipped (no TEXT) */
	LINE_NUL = 'n',	 /* a message with a NUL byte, not JSON text (no TEXT) */
};

/* Standard input, read by a thread of its own: it splits it into lines,
 * gives each line naming notifications/cancelled to the session at once,
 * answers a ping itself while a tools/call is queued or answered (so it
 * is answered promptly, ahead of what waits behind the call; the answer
 * is queued for the writer, send_ping), and queues every other line for
 * the loop. */
struct reader {
	struct mcp_session *s;
	struct writer *w;
	pthread_t thread;
	int wake[2]; /* the reader tells the loop there is input */
	int stop[2]; /* the loop tells the reader to end */
	struct sbuf line;
	bool skip; /* the rest of an over-long line */
	/* under lock: the lines the loop has not taken, how many LINE_CALL
	 * lines it has not answered yet, and whether the input ended */
	pthread_mutex_t lock;
	pthread_cond_t room;
	struct sbuf queue;
	int calls;
	bool eof, stopping;
};

static void queue_line(struct reader *r, char kind, const char *text, size_t len)
{
	pthread_mutex_lock(&r->lock);
	sbuf_add(&r->queue, &kind, 1);
	sbuf_add(&r->queue, text, len);
	sbuf_add(&r->queue, "\n", 1);
	if (kind == LINE_CALL)
		r->calls++;
	pthread_mutex_unlock(&r->lock);
}

/* One whole line of input (r->line). */
static void read_line(struct reader *r)
{
	const char *text = r->line.buf ? r->line.buf : "";
	char *reply;
	bool calls;

	if (r->line.len > LINE_MAX_BYTES) {
		queue_line(r, LINE_LONG, "", 0);
		return;
	}
	if (memchr(text, '\0', r->line.len)) {
		queue_line(r, LINE_NUL, "", 0);
		return;
	}
	if (strstr(text, "notifications/cancelled"))
		mcp_session_cancel(r->s, text);
	pthread_mutex_lock(&r->lock);
	calls = r->calls > 0;
	pthread_mutex_unlock(&r->lock);
	if (calls && mcp_session_ping(r->s, text, &reply)) {
		bool sent = send_ping(r->w, reply);

		free(reply);
		if (sent)
			return;
	}
	queue_line(r, strstr(text, "tools/call") ? LINE_CALL : LINE_MSG, text, r->line.len);
}

/* Split what was read into lines. */
static void read_lines(struct reader *r, const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (!r->skip) {
			sbuf_add(&r->line, p, (size_t)(nl - p));
			read_line(r);
		}
		sbuf_reset(&r->line);
		r->skip = false;
		p = nl + 1;
	}
	if (!r->skip && p < end)
		sbuf_add(&r->line, p, (size_t)(end - p));
	if (r->line.len > LINE_MAX_BYTES) {
		queue_line(r, LINE_LONG, "", 0);
		sbuf_reset(&r->line);
		r->skip = true;
	}
}

static void wake_loop(struct reader *r)
{
	char b = 1;

	if (write(r->wake[1], &b, 1) < 0 && errno != EAGAIN)
		log_warn("mcp: cannot wake the loop: %s", strerror(errno));
}

static void *read_stdin(void *arg)
{
	struct reader *r = arg;
	char buf[65536];

	for (;;) {
		struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 }, { r->stop[0], POLLIN, 0 } };
		ssize_t got;
		bool stop;

		pthread_mutex_lock(&r->lock);
		while (r->queue.len > QUEUE_MAX_BYTES && !r->stopping)
			pthread_cond_wait(&r->room, &r->lock);
		stop = r->stopping;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			got = -1; /* the input cannot be waited for: its end */
		} else if (p[1].revents & POLLIN) {
			break;
		} else if (p[0].revents & POLLNVAL) {
			got = -1; /* no standard input at all */
		} else if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			continue;
		} else {
			got = read(STDIN_FILENO, buf, sizeof(buf));
			if (got < 0 && errno == EINTR)
				continue;
		}
		if (got > 0) {
			read_lines(r, buf, (size_t)got);
		} else {
			pthread_mutex_lock(&r->lock);
			r->eof = true;
			pthread_mutex_unlock(&r->lock);
		}
		wake_loop(r);
		if (got <= 0)
			break;
	}
	return NULL;
}

static int reader_start(struct reader *r, struct mcp_session *s, struct writer *w, struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->w = w;
	r->wake[0] = r->wake[1] = r->stop[0] = r->stop[1] = -1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->room, NULL);
	if (pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(r->stop, O_CLOEXEC) < 0)
		return err_set(e, ERR_FAIL, "pipe: %s", strerror(errno));
	if (pthread_create(&r->thread, NULL, read_stdin, r) != 0) {
		close(r->stop[0]);
		r->stop[0] = -1;
		return err_set(e, ERR_FAIL, "cannot start the input reader");
	}
	return 0;
}

static void reader_stop(struct reader *r)
{
	char b = 1;

	if (r->stop[0] >= 0) {
		pthread_mutex_lock(&r->lock);
		r->stopping = true;
		pthread_cond_signal(&r->room);
		pthread_mutex_unlock(&r->lock);
		(void)!write(r->stop[1], &b, 1);
		pthread_join(r->thread, NULL);
	}
	for (int i = 0; i < 2; i++) {
		if (r->wake[i] >= 0)
			close(r->wake[i]);
		if (r->stop[i] >= 0)
			close(r->stop[i]);
	}
	sbuf_release(&r->line);
	sbuf_release(&r->queue);
	pthread_cond_destroy(&r->room);
	pthread_mutex_destroy(&r->lock);
}

/* Move what the reader read to *in: whether the input ended. */
static bool reader_take(struct reader *r, struct sbuf *in)
{
	char buf[64];
	bool eof;

	while (read(r->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&r->lock);
	if (r->queue.len)
		sbuf_add(in, r->queue.buf, r->queue.len);
	sbuf_reset(&r->queue);
	eof = r->eof;
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->lock);
	return eof;
}

/* Answer the lines the reader queued (all of *in, emptied). */
static void answer_lines(struct reader *r, struct sbuf *in)
{
	char *start = in->buf, *end = in->buf + in->len, *nl;

	while (start < end && (nl = memchr(start, '\n', (size_t)(end - start)))) {
		char kind = *start, *text = start + 1;

		*nl = '\0';
		if (kind == LINE_LONG) {
			log_warn("mcp: a message over %d bytes skipped", LINE_MAX_BYTES);
			send_line(r->w,
				  "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
				  "\"message\":\"message too long\"}}");
		} else if (kind == LINE_NUL) {
			send_line(r->w, MCP_NUL_BYTE_ERROR);
		} else if (*text && strspn(text, " \t\r") < strlen(text)) {
			char *reply;

			mcp_session_handle(r->s, text, wallclock_now(), &reply);
			if (reply)
				send_line(r->w, reply);
			free(reply);
		}
		if (kind == LINE_CALL) {
			pthread_mutex_lock(&r->lock);
			r->calls--;
			pthread_mutex_unlock(&r->lock);
		}
		start = nl + 1;
	}
	sbuf_reset(in);
}

/* Answer stdin until it ends; tell the client when the tool set changes. */
static int serve_stdio(struct ctx *ctx, struct mcp_session *s)
{
	struct dbwatch *watch;
	struct writer w;
	struct reader r;
	struct sbuf in = SBUF_INIT;
	bool recheck = false;
	int rc = 0;

	if (writer_start(&w, &ctx->err) < 0) {
		writer_stop(&w);
		return -1;
	}
	if (reader_start(&r, s, &w, &ctx->err) < 0) {
		reader_stop(&r);
		writer_stop(&w);
		return -1;
	}
	watch = dbwatch_new(ctx->db_path, &ctx->err);
	if (!watch)
		log_warn("mcp: no database watch (%s): tool changes go unnoticed", ctx->err.msg);
	err_clear(&ctx->err);
	for (;;) {
		struct pollfd p[2] = { { r.wake[0], POLLIN, 0 }, { dbwatch_fd(watch), POLLIN, 0 } };
		int n = poll(p, watch ? 2 : 1, recheck ? RECHECK_MS : -1);
		bool eof;

		if (n < 0 && errno != EINTR) {
			rc = err_set(&ctx->err, ERR_FAIL, "poll: %s", strerror(errno));
			break;
		}
		if (n == 0 || (watch && (p[1].revents & POLLIN))) {
			recheck = n != 0 && dbwatch_changed(watch);
			tell_changes(&w, s);
		}
		if (n <= 0 || !(p[0].revents & POLLIN))
			continue;
		eof = reader_take(&r, &in);
		if (in.len)
			answer_lines(&r, &in);
		if (eof)
			break;
	}
	reader_stop(&r);
	writer_stop(&w);
	sbuf_release(&in);
	dbwatch_free(watch);
	return rc;
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

/* c's secret must be the name of a secret that exists: what was given may
 * be the key itself, so it is neither echoed nor kept. */
static int check_cred_secret(struct ctx *ctx, const struct mcp_cred *c)
{
	struct err scratch = { 0 };
	char what[128], *value = NULL;
	bool named = secret_check_name(c->secret, &scratch) == 0;

	if (named && secret_get(c->secret, &value, &scratch) == 0) {
		secret_free(value);
		return 0;
	}
	if (c->bearer)
		snprintf(what, sizeof(what), "--bearer");
	else
		snprintf(what, sizeof(what), "--%s %s", c->header ? "header" : "env",
			 utf8_q(c->name));
	return cmd_usage(ctx,
			 "%s: %s: store the key with 'nestor secret set NAME' first and give NAME",
			 what,
			 named ? "no secret by that name"
			       : "not a secret's name (1-64 letters, digits, '_', '.', '-')");
}

/* One --env VAR=SECRET, --header NAME=SECRET or --bearer SECRET into m
 * (its strings point into arg). */
static int add_cred(struct ctx *ctx, struct mcp_server *m, int opt, char *arg)
{
	struct mcp_cred *c;
	char *eq = opt == OPT_BEARER ? NULL : strchr(arg, '=');

	if (m->ncreds >= MCP_CREDS_MAX)
		return cmd_usage(ctx, "more than %d --env, --header and --bearer", MCP_CREDS_MAX);
	if (opt != OPT_BEARER && (!eq || eq == arg || !eq[1]))
		return cmd_usage(ctx, "--%s %s: %s=SECRET expected",
				 opt == OPT_ENV ? "env" : "header", utf8_q(arg),
				 opt == OPT_ENV ? "VAR" : "NAME");
	c = &m->creds[m->ncreds++];
	c->header = opt != OPT_ENV;
	c->bearer = opt == OPT_BEARER;
	c->name = opt == OPT_BEARER ? "Authorization" : arg;
	c->secret = eq ? eq + 1 : arg;
	if (eq)
		*eq = '\0';
	return check_cred_secret(ctx, c);
}

/* nestor mcp add NAME [--env VAR=SECRET...] -- COMMAND [ARGS...]
 * | NAME --url URL [--header NAME=SECRET...] [--bearer SECRET] */
static int mcp_add(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, OPT_URL },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "header", required_argument, NULL, OPT_HEADER },
		{ "bearer", required_argument, NULL, OPT_BEARER },
		{ NULL, 0, NULL, 0 },
	};
	struct mcp_cred creds[MCP_CREDS_MAX];
	struct mcp_server m;
	int c;

	memset(&m, 0, sizeof(m));
	m.creds = creds;
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == OPT_URL)
			m.url = optarg;
		else if ((c == OPT_ENV || c == OPT_HEADER || c == OPT_BEARER) &&
			 add_cred(ctx, &m, c, optarg) < 0)
			return -1;
	}
	if (optind >= argc)
		return cmd_usage(ctx, "missing NAME");
	m.name = argv[optind];
	if (optind + 1 < argc)
		m.argv = argv + optind + 1;
	if (mcp_server_add(ctx->store, &m, ctx->now, &ctx->err) < 0)
		return -1;
	if (ctx->json)
		fprintf(ctx->out, "{\"id\": %lld, \"name\": \"%s\"}\n", m.id, m.name);
	else
		fprintf(ctx->out, "MCP server '%s' added\n", m.name);
	return 0;
}

static int mcp_rm(struct ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;

	if (cmd_one_name(ctx, argc, argv, &name) < 0 ||
	    mcp_server_rm(ctx->store, name, &ctx->err) < 0)
		return -1;
	cmd_changed_name(ctx, name, "MCP server '%s' removed", name);
	return 0;
}

static cJSON *server_json(const struct mcp_server *m, cJSON *tools, const char *error)
{
	cJSON *o = cJSON_CreateObject(), *t;

	cJSON_AddStringToObject(o, "name", m->name);
	if (m->argv) {
		cJSON *a = cJSON_AddArrayToObject(o, "command");

		for (char **p = m->argv; *p; p++)
			cJSON_AddItemToArray(a, cJSON_CreateString(*p));
	} else {
		cJSON_AddNullToObject(o, "command");
	}
	if (m->url)
		cJSON_AddStringToObject(o, "url", m->url);
	else
		cJSON_AddNullToObject(o, "url");
	/* the names only: a secret's value is read when the server is used */
	for (int h = 0; h < 2; h++) {
		cJSON *l = cJSON_AddArrayToObject(o, h ? "headers" : "env");

		for (size_t i = 0; i < m->ncreds; i++) {
			cJSON *one;

			if (m->creds[i].header != h)
				continue;
			one = cJSON_CreateObject();
			cJSON_AddStringToObject(one, "name", m->creds[i].name);
			cJSON_AddStringToObject(one, "secret", m->creds[i].secret);
			if (h)
				cJSON_AddBoolToObject(one, "bearer", m->creds[i].bearer);
			cJSON_AddItemToArray(l, one);
		}
	}
	t = cJSON_AddArrayToObject(o, "tools");
	for (cJSON *x = tools ? tools->child : NULL; x; x = x->next) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(x, "name");
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(x, "description");
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(x, "left_out");
		cJSON *one;

		if (!cJSON_IsString(name))
			continue;
		one = cJSON_CreateObject();
		cJSON_AddStringToObject(one, "name", name->valuestring);
		cJSON_AddItemToObject(
			one, "as", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(x, "as"), 0));
		cJSON_AddItemToObject(one, "description",
				      cJSON_IsString(desc) ? cJSON_CreateString(desc->valuestring)
							   : cJSON_CreateNull());
		cJSON_AddItemToObject(one, "left_out",
				      cJSON_IsString(why) ? cJSON_CreateString(why->valuestring)
							  : cJSON_CreateNull());
		cJSON_AddItemToArray(t, one);
	}
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	else
		cJSON_AddNullToObject(o, "error");
	return o;
}

/* "NAME[how] from secret 'SECRET'" of a variable or header (server_json). */
static void print_cred(struct ctx *ctx, const cJSON *c, const char *how)
{
	cmd_put_safe(ctx->out, cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring);
	fprintf(ctx->out, "%s from secret '", how);
	cmd_put_safe(ctx->out, cJSON_GetObjectItemCaseSensitive(c, "secret")->valuestring);
	fputs("'\n", ctx->out);
}

static void print_server(struct ctx *ctx, const cJSON *o)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(o, "command"), *t;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(o, "error");

	fprintf(ctx->out, "%s  ", cJSON_GetObjectItemCaseSensitive(o, "name")->valuestring);
	if (cJSON_IsArray(cmd)) {
		cJSON_ArrayForEach(t, cmd) {
			cmd_put_safe(ctx->out, t->valuestring);
			fputc(t->next ? ' ' : '\n', ctx->out);
		}
	} else {
		cmd_put_safe(ctx->out, cJSON_GetObjectItemCaseSensitive(o, "url")->valuestring);
		fputc('\n', ctx->out);
	}
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "env")) {
		fputs("  env ", ctx->out);
		print_cred(ctx, t, "");
	}
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "headers")) {
		fputs("  header ", ctx->out);
		print_cred(ctx, t,
			   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "bearer")) ? ": Bearer"
										       : ":");
	}
	if (cJSON_IsString(err)) {
		fputs("  unreachable: ", ctx->out);
		cmd_put_safe(ctx->out, err->valuestring);
		fputc('\n', ctx->out);
	}
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "tools")) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(t, "description");
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(t, "left_out");

		fputs("  ", ctx->out);
		cmd_put_safe(ctx->out, cJSON_GetObjectItemCaseSensitive(t, "as")->valuestring);
		if (cJSON_IsString(why)) { /* not offered to the model: why, not what */
			fprintf(ctx->out, "  left out (%s): ",
				utf8_q(cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring));
			cmd_put_safe(ctx->out, why->valuestring);
		} else if (cJSON_IsString(d)) {
			fputs("  ", ctx->out);
			cmd_put_safe(ctx->out, d->valuestring);
		}
		fputc('\n', ctx->out);
	}
}

/* nestor mcp list [--json]: each server, asked for its tools now. */
static int mcp_list(struct ctx *ctx, int argc, char **argv)
{
	struct mcp_server *ms;
	struct mcp_tools *mt;
	cJSON *all;
	size_t n;

	if (cmd_no_args(ctx, argc, argv) < 0)
		return -1;
	if (mcp_server_list(ctx->store, &ms, &n, &ctx->err) < 0)
		return -1;
	mt = mcp_tools_new(ctx->store, ctx->cfg);
	all = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		struct err e = { 0, "" };
		cJSON *tools = NULL;

		mcp_tools_list_server(mt, ms[i].name, &tools, &e);
		cJSON_AddItemToArray(all, server_json(&ms[i], tools, tools ? NULL : e.msg));
		cJSON_Delete(tools);
	}
	mcp_tools_free(mt);
	mcp_server_list_free(ms, n);
	if (ctx->json) {
		cmd_print_json(ctx, all);
		return 0;
	}
	if (!n)
		fprintf(ctx->out, "no MCP servers (nestor mcp add NAME -- COMMAND)\n");
	for (cJSON *o = all->child; o; o = o->next)
		print_server(ctx, o);
	cJSON_Delete(all);
	return 0;
}

const struct cmd cmd_mcp_verbs[] = {
	{ "add",
	  "NAME ([--env VAR=SECRET]... -- COMMAND [ARGS...] | --url URL [--header NAME=SECRET]... "
	  "[--bearer SECRET])",
	  "add an MCP server whose tools assistants may use (--tools mcp:NAME); --env sets VAR in "
	  "the server's environment, --header sends NAME with each request, --bearer sends "
	  "Authorization: Bearer, each the value of the nestor secret SECRET (nestor secret set); "
	  "a key in COMMAND's arguments is refused",
	  CMD_NEEDS_DB, mcp_add, NULL },
	{ "list", "[--json]", "the MCP servers and their tools (each server is asked)",
	  CMD_NEEDS_DB, mcp_list, NULL },
	{ "rm", "NAME", "remove an MCP server", CMD_NEEDS_DB, mcp_rm, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
