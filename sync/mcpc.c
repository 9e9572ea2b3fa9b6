/* The MCP client: JSON-RPC over a child's pipes or over Streamable HTTP. */
#include "mcpc.h"
#include "childenv.h"
#include "http.h"
#include "jsonnul.h"
#include "log.h"
#include "sbuf.h"
#include "sse.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES (8 << 20)
/* The longest HTTP answer read (a JSON body or an SSE stream, whole). */
#define HTTP_MAX_MIB 4
/* How often a stdio request waiting for its answer looks at the cancel flag. */
#define CANCEL_POLL_MS 50
/* How long an HTTP server has to take notice of a cancelled request. */
#define CANCEL_NOTE_MS 2000L
/* The longest Mcp-Session-Id kept (the spec sets none; ids are UUIDs,
 * JWTs, hashes). */
#define SESSION_MAX 1024
/* Room for why a message of the server cannot be read. */
#define WHY_MAX 128

struct mcpc {
	char *name;
	char **argv; /* stdio, NULL-terminated */
	char *url;   /* http */
	char **env;  /* stdio: "NAME=value", NULL-terminated, or NULL */
	char **hdrs; /* http: "Name: value", NULL-terminated, or NULL */
	long timeout_ms;
	pid_t pid;
	int in, out; /* the child's stdin (we write) and stdout (we read) */
	struct sbuf buf;
	char *session; /* Mcp-Session-Id */
	char *refused; /* why an answer could not be read: the server is used no more */
	cJSON *info;   /* serverInfo */
	bool connected, dead;
	bool expired; /* the last request had no answer in time */
	long long next_id;
	int64_t until;		  /* 0, or when the listing of tools must be over */
	int64_t send_end;	  /* when a write the server makes no room for fails */
	const atomic_int *cancel; /* the running mcpc_call's (may be NULL) */
};

static bool cancelled(const struct mcpc *c)
{
	return c->cancel && atomic_load(c->cancel);
}

static struct mcpc *alloc(const char *name, long timeout_ms)
{
	struct mcpc *c = xcalloc(1, sizeof(*c));

	c->name = xstrdup(name);
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
	c->pid = -1;
	c->in = c->out = -1;
	sbuf_init(&c->buf);
	return c;
}

struct mcpc *mcpc_new_stdio(const char *name, char *const argv[], long timeout_ms)
{
	struct mcpc *c = alloc(name, timeout_ms);
	size_t n = 0;

	while (argv[n])
		n++;
	c->argv = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c->argv[i] = xstrdup(argv[i]);
	return c;
}

struct mcpc *mcpc_new_http(const char *name, const char *url, long timeout_ms)
{
	struct mcpc *c = alloc(name, timeout_ms);

	c->url = xstrdup(url);
	return c;
}

struct mcpc *mcpc_new_fd(const char *name, int in, int out, long timeout_ms)
{
	struct mcpc *c = alloc(name, timeout_ms);

	c->in = in;
	c->out = out;
	/* writes wait for room in poll(), not in write() (write_all) */
	(void)fcntl(in, F_SETFL, fcntl(in, F_GETFL) | O_NONBLOCK);
	return c;
}

/* Append a copy of s to the NULL-terminated list *l. */
static void push(char ***l, char *s)
{
	size_t n = 0;

	while (*l && (*l)[n])
		n++;
	*l = xrealloc(*l, (n + 2) * sizeof(**l));
	(*l)[n] = s;
	(*l)[n + 1] = NULL;
}

void mcpc_add_env(struct mcpc *c, const char *name, const char *value)
{
	push(&c->env, xasprintf("%s=%s", name, value));
}

void mcpc_add_header(struct mcpc *c, const char *name, const char *value)
{
	push(&c->hdrs, xasprintf("%s: %s", name, value));
}

/* Wipe and free a NULL-terminated list of secrets. */
static void wipe(char **l)
{
	for (char **p = l; p && *p; p++) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
	}
	free(l);
}

/* Stop the child: EOF on its stdin, a second to leave, then SIGTERM/SIGKILL. */
static void stop(struct mcpc *c)
{
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	c->in = c->out = -1;
	if (c->pid > 0) {
		int64_t end = monotonic_ms() + 1000;
		struct timespec tick = { 0, 10 * 1000000 };

		while (waitpid(c->pid, NULL, WNOHANG) == 0) {
			if (monotonic_ms() > end) {
				kill(c->pid, SIGTERM);
				if (waitpid(c->pid, NULL, WNOHANG) == 0) {
					nanosleep(&tick, NULL);
					kill(c->pid, SIGKILL);
					waitpid(c->pid, NULL, 0);
				}
				break;
			}
			nanosleep(&tick, NULL);
		}
	}
	c->pid = -1;
	sbuf_reset(&c->buf);
	free(c->session);
	c->session = NULL;
	c->connected = false;
}

/* A request's header list: n slots for nestor's, then the server's own
 * (mcpc_add_header), NULL-terminated; the caller frees the array. */
static const char **with_own(const struct mcpc *c, size_t n)
{
	size_t k = 0;
	const char **h;

	while (c->hdrs && c->hdrs[k])
		k++;
	h = xcalloc(n + k + 1, sizeof(*h));
	for (size_t i = 0; i < k; i++)
		h[n + i] = c->hdrs[i];
	return h;
}

/* Streamable HTTP: tell the server the session is over (best effort). */
static void end_session(struct mcpc *c)
{
	char *sid = xasprintf("Mcp-Session-Id: %s", c->session);
	const char **hdrs = with_own(c, 1);
	struct http_req rq = { .method = "DELETE",
			       .url = c->url,
			       .headers = hdrs,
			       .timeout_ms = 2000,
			       .max_retries = HTTP_NO_RETRY };
	struct http_resp rs;
	struct err e = { 0, "" };

	hdrs[0] = sid;
	(void)http_request(&rq, &rs, &e);
	http_resp_release(&rs);
	free(hdrs);
	free(sid);
}

void mcpc_free(struct mcpc *c)
{
	if (!c)
		return;
	if (c->url && c->session)
		end_session(c);
	stop(c);
	for (char **a = c->argv; a && *a; a++)
		free(*a);
	free(c->argv);
	wipe(c->env);
	wipe(c->hdrs);
	free(c->url);
	free(c->name);
	free(c->refused);
	cJSON_Delete(c->info);
	sbuf_release(&c->buf);
	free(c);
}

void mcpc_forgive(struct mcpc *c)
{
	free(c->refused);
	c->refused = NULL;
}

bool mcpc_dead(const struct mcpc *c)
{
	return c->dead;
}

const cJSON *mcpc_server_info(const struct mcpc *c)
{
	return c->info;
}

static int broken(struct mcpc *c, struct err *e, const char *fmt, const char *what)
{
	c->dead = true;
	stop(c);
	return err_set(e, ERR_FAIL, fmt, c->name, what);
}

/* The server sent what cannot be read: the request waiting fails now
 * (not at its timeout), and the server, which may have acted on it, is
 * stopped and neither started nor asked again (a restart would repeat a
 * tool call it may have run). */
static int refuse(struct mcpc *c, struct err *e, const char *why)
{
	free(c->refused);
	c->refused = xasprintf("mcp server \"%s\": answer refused: %s", c->name, why);
	c->dead = false;
	if (c->url && c->session)
		end_session(c);
	stop(c);
	return err_set(e, ERR_FAIL, "%s", c->refused);
}

static int spawn(struct mcpc *c, struct err *e)
{
	int to[2], from[2], ex[2];
	char buf[256], **env;
	ssize_t n;

	if (!c->argv)
		return err_set(e, ERR_FAIL, "%s: the server is gone", c->name);

	/* a server that died must be an error on write, not the end of nestor */
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0)
		return err_set(e, ERR_FAIL, "%s: pipe: %s", c->name, strerror(errno));
	/* the server is a program of its own: the secrets stay here, but
	 * those it was given (mcpc_add_env) */
	env = childenv_new(c->env);
	c->pid = fork();
	if (c->pid < 0) {
		free(env);
		return err_set(e, ERR_FAIL, "%s: fork: %s", c->name, strerror(errno));
	}
	if (c->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(to[0], 0);
		dup2(from[1], 1);
		if (null >= 0)
			dup2(null, 2);
		signal(SIGPIPE, SIG_DFL);
		/* Ctrl-C at the terminal is nestor's (it cancels the call, and
		 * the server is told), not the end of the server and of what it
		 * was keeping: the server starts with SIGINT ignored, as under
		 * nohup.  It stays in nestor's process group, so a hangup or
		 * Ctrl-\ at the terminal still ends it with nestor, and it may
		 * still ask at the terminal (ssh's password prompt). */
		signal(SIGINT, SIG_IGN);
		execvpe(c->argv[0], c->argv, env);
		n = snprintf(buf, sizeof(buf), "%s", strerror(errno));
		(void)!write(ex[1], buf, (size_t)n);
		_exit(127);
	}
	free(env);
	close(to[0]);
	close(from[1]);
	close(ex[1]);
	c->in = to[1];
	c->out = from[0];
	(void)fcntl(c->in, F_SETFL, O_NONBLOCK); /* see write_all */
	n = read(ex[0], buf, sizeof(buf) - 1);
	close(ex[0]);
	if (n > 0) {
		buf[n] = '\0';
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
		close(c->in);
		close(c->out);
		c->in = c->out = -1;
		return err_set(e, ERR_FAIL, "%s: cannot run '%s': %s", c->name, c->argv[0], buf);
	}
	return 0;
}

/* Write s to the server's stdin (non-blocking): a server that stops
 * reading it has until c->send_end to make room, and a cancelled call
 * waits no more; -1 with errno ETIMEDOUT, ECANCELED or the write's. */
static int write_all(struct mcpc *c, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(c->in, s, n);
		struct pollfd p = { c->in, POLLOUT, 0 };
		int64_t left = c->send_end - monotonic_ms();

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (cancelled(c))
				return errno = ECANCELED, -1;
			if (left <= 0)
				return errno = ETIMEDOUT, -1;
			if (c->cancel && left > CANCEL_POLL_MS)
				left = CANCEL_POLL_MS;
			if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int stdio_send(struct mcpc *c, const cJSON *msg, struct err *e)
{
	char *text = cJSON_PrintUnformatted(msg);
	int rc;

	rc = write_all(c, text, strlen(text));
	if (!rc)
		rc = write_all(c, "\n", 1);
	free(text);
	/* a message written in part: the stream is of no more use */
	if (rc < 0 && errno == ETIMEDOUT)
		return broken(c, e, "%s: the server %s", "stopped reading its input");
	if (rc < 0 && errno == ECANCELED)
		return broken(c, e, "%s: %s", "cancelled");
	if (rc < 0)
		return broken(c, e, "%s: the server %s", "is gone (its input closed)");
	return 0;
}

/* A request from the server: ping is answered, anything else refused. */
static void answer_server(struct mcpc *c, const cJSON *m, struct err *e)
{
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "jsonrpc", "2.0");
	cJSON_AddItemToObject(r, "id",
			      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(m, "id"), 1));
	if (cJSON_IsString(method) && !strcmp(method->valuestring, "ping")) {
		cJSON_AddObjectToObject(r, "result");
	} else {
		cJSON *er = cJSON_AddObjectToObject(r, "error");

		cJSON_AddNumberToObject(er, "code", -32601);
		cJSON_AddStringToObject(er, "message", "not supported by nestor");
	}
	if (c->url)
		cJSON_Delete(r); /* over HTTP the answer would be a POST of its own: dropped */
	else {
		(void)stdio_send(c, r, e);
		cJSON_Delete(r);
	}
}

/* Whether m answers request id; a server's request is answered on the way. */
static bool is_answer(struct mcpc *c, const cJSON *m, long long id, struct err *e)
{
	const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "id");

	if (!cJSON_IsObject(m) || !mid)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(m, "method")) {
		answer_server(c, m, e);
		return false;
	}
	/* compared as numbers: a huge id is no answer (and no cast) */
	return cJSON_IsNumber(mid) && mid->valuedouble == (double)id;
}

/* A message of the server; bytes that are not UTF-8 become U+FFFD first,
 * so no result, name or text of it is stored or sent on with them.  NULL
 * with why[0..WHY_MAX) saying what is wrong when it is no JSON text as
 * RFC 8259 has it (a raw control character in a string too, which cJSON
 * would keep), or with why "" when it is white space only. */
static cJSON *parse_message(const char *data, size_t len, char *why)
{
	struct sbuf sb = SBUF_INIT;
	char bad[JSON_WHY_MAX];
	const char *text = data, *end = NULL;
	size_t at, i = 0;
	cJSON *m;

	why[0] = '\0';
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i == len)
		return NULL;
	if (json_bad_byte(data, len, &at, bad)) {
		snprintf(why, WHY_MAX, "not JSON (at byte %zu: %s)", at, bad);
		return NULL;
	}
	if (!utf8_valid(data, len)) {
		utf8_clean(&sb, data, len, 0);
		text = sb.buf;
		len = sb.len;
	}
	m = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!m && text != data) /* an offset in the cleaned text is not the server's */
		snprintf(why, WHY_MAX, "not JSON");
	else if (!m)
		snprintf(why, WHY_MAX, "not JSON (at byte %zu)",
			 end && end >= text ? (size_t)(end - text) : 0);
	sbuf_release(&sb);
	return m;
}

/* Whether a stdio line is meant as a message: its first byte after white
 * space opens a JSON object or array (white space only counts too: it is
 * skipped as before).  Other lines, a banner a server prints before its
 * first answer, are no message to refuse. */
static bool looks_json(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	return i == len || line[i] == '{' || line[i] == '[';
}

/* Read lines from the child until the answer to id. */
static int stdio_wait(struct mcpc *c, long long id, long timeout_ms, cJSON **answer, struct err *e)
{
	int64_t end = monotonic_ms() + timeout_ms;
	char chunk[65536];

	for (;;) {
		char *nl = c->buf.len ? memchr(c->buf.buf, '\n', c->buf.len) : NULL;
		struct pollfd p = { c->out, POLLIN, 0 };
		int64_t left;
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - c->buf.buf) + 1;
			char why[WHY_MAX];
			cJSON *m;

			*nl = '\0';
			if (!looks_json(c->buf.buf, len - 1)) {
				/* a banner or other text on stdout: not a message */
				log_warn("mcp server \"%s\": a line of %zu bytes on its stdout "
					 "that is no JSON message skipped",
					 c->name, len - 1);
				m = NULL;
			} else if (!(m = parse_message(c->buf.buf, len - 1, why)) && *why) {
				return refuse(c, e, why);
			}
			memmove(c->buf.buf, c->buf.buf + len, c->buf.len - len);
			c->buf.len -= len;
			c->buf.buf[c->buf.len] = '\0';
			if (m && is_answer(c, m, id, e)) {
				*answer = m;
				return 0;
			}
			cJSON_Delete(m);
			if (c->dead) /* answering the server's request broke the pipe */
				return -1;
			continue;
		}
		if (c->buf.len > LINE_MAX_BYTES)
			return refuse(c, e, "a message over 8 MiB");
		if (cancelled(c))
			return err_set(e, ERR_FAIL, "%s: cancelled", c->name);
		left = end - monotonic_ms();
		if (left <= 0) {
			c->expired = true;
			return err_set(e, ERR_FAIL, "%s: no answer within %ld s", c->name,
				       (timeout_ms + 999) / 1000);
		}
		if (c->cancel && left > CANCEL_POLL_MS)
			left = CANCEL_POLL_MS;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return broken(c, e, "%s: poll: %s", strerror(errno));
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(c->out, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return broken(c, e, "%s: the server %s", "exited");
		sbuf_add(&c->buf, chunk, (size_t)n);
	}
}

struct sse_find {
	struct mcpc *c;
	long long id;
	cJSON *answer;
	struct err *e;
	char why[WHY_MAX]; /* an event that cannot be read: the stream is read no further */
};

static int on_event(void *arg, const char *type, const char *data, size_t len)
{
	struct sse_find *f = arg;
	cJSON *m;

	/* events of another type (a ping) carry no message: skipped */
	if (type && *type && strcmp(type, "message"))
		return 0;
	m = parse_message(data, len, f->why);
	if (!m && *f->why)
		return 1;
	if (m && is_answer(f->c, m, f->id, f->e)) {
		f->answer = m;
		return 1;
	}
	cJSON_Delete(m);
	return 0;
}

/* Why the Mcp-Session-Id a server gave cannot go back in a header, or
 * NULL: the spec has it visible ASCII only (0x21 to 0x7E), so a control
 * character (a CR starting a header of the server's choosing) or a space
 * is refused, as is one over SESSION_MAX bytes, and an empty one (no
 * header would carry it: the next request would have no session). */
static const char *session_bad(const char *sid)
{
	size_t n = strlen(sid);

	if (n == 0)
		return "its Mcp-Session-Id is empty";
	if (n > SESSION_MAX)
		return "its Mcp-Session-Id is over 1024 bytes";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)sid[i] < 0x21 || (unsigned char)sid[i] > 0x7e)
			return "its Mcp-Session-Id is not visible ASCII (0x21 to 0x7E)";
	return NULL;
}

/* POST one message; *answer is the answer to id (id < 0: a notification,
 * nothing expected). */
static int http_exchange(struct mcpc *c, const cJSON *msg, long long id, long timeout_ms,
			 cJSON **answer, struct err *e)
{
	char *body = cJSON_PrintUnformatted(msg), *sid = NULL, *ver = NULL;
	const char **hdrs = with_own(c, 4);
	struct http_req rq = { .url = c->url,
			       .body = body,
			       .headers = hdrs,
			       .timeout_ms = timeout_ms,
			       .max_bytes = (size_t)HTTP_MAX_MIB << 20,
			       .max_retries = HTTP_NO_RETRY,
			       .keep_header = "mcp-session-id",
			       .cancel = id >= 0 ? c->cancel : NULL };
	struct http_resp rs;
	int n = 0, rc = -1;

	hdrs[n++] = "Content-Type: application/json";
	hdrs[n++] = "Accept: application/json, text/event-stream";
	if (c->session)
		hdrs[n++] = sid = xasprintf("Mcp-Session-Id: %s", c->session);
	if (c->connected)
		hdrs[n++] = ver = xasprintf("MCP-Protocol-Version: %s", MCPC_VERSION);
	/* the server's own after nestor's, no gap between */
	for (size_t i = 4; hdrs[i]; i++)
		hdrs[n++] = hdrs[i];
	hdrs[n] = NULL;
	if (http_request(&rq, &rs, e) < 0) {
		if (id >= 0 && rs.too_big) {
			char why[WHY_MAX];

			snprintf(why, sizeof(why), "an answer over %d MiB", HTTP_MAX_MIB);
			rc = refuse(c, e, why);
			goto out;
		}
		/* the server had the request and may still work on it */
		if (id >= 0 && rs.timed_out)
			c->expired = true;
		err_prefix(e, "%s", c->name);
		goto out;
	}
	if (rs.kept && !c->session) {
		const char *bad = session_bad(rs.kept);

		if (bad) {
			rc = broken(c, e, "%s: %s", bad);
			goto out;
		}
		c->session = xstrdup(rs.kept);
	}
	if (rs.status == 404 && c->session) {
		rc = broken(c, e, "%s: %s", "the session expired");
		goto out;
	}
	if (!http_ok(&rs)) {
		http_status_error(&rq, &rs, e);
		err_prefix(e, "%s", c->name);
		goto out;
	}
	if (id < 0) {
		rc = 0;
		goto out;
	}
	if (rs.content_type && !strncmp(rs.content_type, "text/event-stream", 17)) {
		struct sse_parser p;
		struct sse_find f = { c, id, NULL, e, "" };

		sse_init(&p, on_event, &f);
		if (!sse_feed(&p, rs.body, rs.len))
			sse_finish(&p);
		sse_release(&p);
		*answer = f.answer;
		if (*f.why) {
			rc = refuse(c, e, f.why);
			goto out;
		}
	} else {
		char why[WHY_MAX];
		cJSON *m = parse_message(rs.body, rs.len, why);

		if (!m && *why) {
			rc = refuse(c, e, why);
			goto out;
		}
		if (m && is_answer(c, m, id, e))
			*answer = m;
		else
			cJSON_Delete(m);
	}
	rc = *answer ? 0 : err_set(e, ERR_FAIL, "%s: no answer in the response", c->name);
out:
	free(hdrs);
	free(sid);
	free(ver);
	free(body);
	http_resp_release(&rs);
	return rc;
}

static cJSON *message(const char *method, cJSON *params, long long id)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "jsonrpc", "2.0");
	if (id >= 0)
		cJSON_AddNumberToObject(m, "id", (double)id);
	cJSON_AddStringToObject(m, "method", method);
	if (params)
		cJSON_AddItemToObject(m, "params", params);
	return m;
}

/* notifications/cancelled for request id, the server may stop its work;
 * its answer, if one comes late, is skipped as any other id's (stdio_wait
 * waits for its own id only).  Over HTTP it is a POST of its own, with
 * the session's id, given CANCEL_NOTE_MS at most: a server that does not
 * answer holds nestor no longer. */
static void tell_cancelled(struct mcpc *c, long long id)
{
	cJSON *params = cJSON_CreateObject(), *m;
	struct err e = { 0, "" };

	cJSON_AddNumberToObject(params, "requestId", (double)id);
	cJSON_AddStringToObject(params, "reason",
				c->expired ? "no answer in time" : "cancelled by the user");
	m = message("notifications/cancelled", params, -1);
	if (c->url)
		(void)http_exchange(c, m, -1, CANCEL_NOTE_MS, NULL, &e);
	else
		(void)stdio_send(c, m, &e);
	cJSON_Delete(m);
}

/* Send a request and wait for its answer: *result is its "result". */
static int request(struct mcpc *c, const char *method, cJSON *params, cJSON **result, struct err *e)
{
	long long id = ++c->next_id;
	cJSON *m = message(method, params, id), *answer = NULL, *er;
	/* starting a server is not its tools' work: at least MCPC_START_MS */
	long timeout = strcmp(method, "tools/call") && c->timeout_ms < MCPC_START_MS
			       ? MCPC_START_MS
			       : c->timeout_ms;
	int rc;

	*result = NULL;
	if (c->refused) {
		cJSON_Delete(m);
		return err_set(e, ERR_FAIL, "%s", c->refused);
	}
	if (c->until && timeout > c->until - monotonic_ms()) /* the listing's time left */
		timeout = c->until - monotonic_ms() > 0 ? (long)(c->until - monotonic_ms()) : 1;
	c->expired = false;
	c->send_end = monotonic_ms() + timeout;
	if (c->url)
		rc = http_exchange(c, m, id, timeout, &answer, e);
	else
		rc = stdio_send(c, m, e) < 0 ? -1 : stdio_wait(c, id, timeout, &answer, e);
	cJSON_Delete(m);
	/* the spec: a request given up on is cancelled, initialize never */
	if (rc < 0 && !c->refused && (cancelled(c) || c->expired) && strcmp(method, "initialize"))
		tell_cancelled(c, id);
	if (rc < 0)
		return -1;
	er = cJSON_GetObjectItemCaseSensitive(answer, "error");
	if (er) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(er, "message");

		err_set(e, ERR_FAIL, "%s: %s", c->name,
			cJSON_IsString(msg) ? msg->valuestring : "error");
		cJSON_Delete(answer);
		return -1;
	}
	*result = cJSON_DetachItemFromObjectCaseSensitive(answer, "result");
	cJSON_Delete(answer);
	return *result ? 0 : err_set(e, ERR_FAIL, "%s: an answer without a result", c->name);
}

static int notify(struct mcpc *c, const char *method, struct err *e)
{
	cJSON *m = message(method, NULL, -1);
	int rc;

	c->send_end = monotonic_ms() + MCPC_START_MS;
	rc = c->url ? http_exchange(c, m, -1, MCPC_START_MS, NULL, e) : stdio_send(c, m, e);
	cJSON_Delete(m);
	return rc;
}

static int connect_once(struct mcpc *c, struct err *e)
{
	cJSON *params, *caps, *info, *result;

	if (c->connected)
		return 0;
	if (c->refused)
		return err_set(e, ERR_FAIL, "%s", c->refused);
	c->dead = false;
	if (!c->url && c->in < 0 && spawn(c, e) < 0)
		return -1;
	params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "protocolVersion", MCPC_VERSION);
	caps = cJSON_AddObjectToObject(params, "capabilities");
	(void)caps;
	info = cJSON_AddObjectToObject(params, "clientInfo");
	cJSON_AddStringToObject(info, "name", "nestor");
	cJSON_AddStringToObject(info, "version", NESTOR_VERSION);
	if (request(c, "initialize", params, &result, e) < 0) {
		if (!c->refused) {
			c->dead = true;
			stop(c);
		}
		return -1;
	}
	cJSON_Delete(c->info);
	c->info = cJSON_DetachItemFromObjectCaseSensitive(result, "serverInfo");
	cJSON_Delete(result);
	c->connected = true;
	return notify(c, "notifications/initialized", e);
}

/* FNV-1a of a cursor: the ones sent are remembered by it, not kept whole. */
static uint64_t cursor_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int mcpc_list_tools(struct mcpc *c, cJSON **tools, struct err *e)
{
	uint64_t sent[MCPC_MAX_PAGES];
	const char *why = NULL;
	cJSON *cursor = NULL;
	int pages = 0, n = 0;

	*tools = NULL;
	if (connect_once(c, e) < 0)
		return -1;
	/* a server that pages for ever is cut short: the whole listing
	 * within one request's time, the pages after the first within the
	 * timeout, MCPC_MAX_PAGES pages, MCPC_MAX_TOOLS */
	c->until = monotonic_ms() + (c->timeout_ms < MCPC_START_MS ? MCPC_START_MS : c->timeout_ms);
	*tools = cJSON_CreateArray();
	do {
		cJSON *params = cJSON_CreateObject(), *result, *t, *next;

		if (cursor) {
			sent[pages - 1] = cursor_hash(cursor->valuestring);
			cJSON_AddItemToObject(params, "cursor", cursor);
		}
		if (request(c, "tools/list", params, &result, e) < 0) {
			if (!pages || !c->expired) {
				c->until = 0;
				cJSON_Delete(*tools);
				*tools = NULL;
				return -1;
			}
			/* a page past the listing's time: the tools so far (below,
			 * result is NULL: no tools, no cursor) */
			err_clear(e);
			why = "out of time";
		} else if (!pages++ && c->until > monotonic_ms() + c->timeout_ms) {
			c->until = monotonic_ms() + c->timeout_ms;
		}
		while (n < MCPC_MAX_TOOLS &&
		       (t = cJSON_DetachItemFromArray(
				cJSON_GetObjectItemCaseSensitive(result, "tools"), 0))) {
			cJSON_AddItemToArray(*tools, t);
			n++;
		}
		next = cJSON_GetObjectItemCaseSensitive(result, "nextCursor");
		cursor = cJSON_IsString(next) && *next->valuestring
				 ? cJSON_CreateString(next->valuestring)
				 : NULL;
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result, "tools")) ||
		    (cursor && n >= MCPC_MAX_TOOLS))
			why = "too many tools";
		cJSON_Delete(result);
		for (int i = 0; cursor && !why && i < pages - 1; i++)
			if (sent[i] == cursor_hash(cursor->valuestring))
				why = "a cursor came back";
		if (cursor && !why && pages >= MCPC_MAX_PAGES)
			why = "too many pages";
		else if (cursor && !why && monotonic_ms() >= c->until)
			why = "out of time";
		if (why) {
			log_warn("mcp: %s: tools/list stopped after %d pages (%s): %d tools kept",
				 c->name, pages, why, n);
			cJSON_Delete(cursor);
			cursor = NULL;
		}
	} while (cursor);
	c->until = 0;
	return 0;
}

int mcpc_call(struct mcpc *c, const char *tool, const cJSON *args, const atomic_int *cancel,
	      cJSON **result, struct err *e)
{
	cJSON *params;
	int rc = -1;

	*result = NULL;
	c->cancel = cancel;
	if (connect_once(c, e) < 0)
		goto out;
	params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "name", tool);
	cJSON_AddItemToObject(params, "arguments",
			      args ? cJSON_Duplicate(args, 1) : cJSON_CreateObject());
	rc = request(c, "tools/call", params, result, e);
out:
	c->cancel = NULL;
	return rc;
}
