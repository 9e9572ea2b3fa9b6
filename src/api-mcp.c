/*
 * /mcp: the MCP server (mcp.h) over Streamable HTTP, as the spec of
 * 2025-06-18 and 2025-11-25 has it:
 *
 *  - POST: Accept must name application/json and text/event-stream (else
 *    406); a message with no request in it is 202 with no body, one with
 *    requests 200 with the JSON-RPC answer as application/json; a body
 *    that is not one JSON value in UTF-8 (a NUL byte, invalid UTF-8, more
 *    after the value) is 400 with the JSON-RPC parse error (-32700, no
 *    id), nothing run, before the session is looked at; a batch is 400
 *    with -32600 unless the session agreed 2025-03-26 (later versions
 *    have no batches);
 *  - GET with a session's Mcp-Session-Id (and Accept naming
 *    text/event-stream) opens the session's stream of server messages:
 *    notifications/tools/list_changed when the tools its assistant offers
 *    differ from those it last listed (one stream per session: a new GET
 *    ends the older one).  A thread with a store connection of its own
 *    watches the database (dbwatch.h) for the streams, so a change made by
 *    any process shows within moments; keep-alive comments as for
 *    /v1/ask;
 *  - initialize starts a session: its answer carries Mcp-Session-Id,
 *    which every later request must send (400 without, or with one that
 *    cannot be an id: empty, not visible ASCII; 404 for one that ended
 *    or never was, so the client starts again); DELETE ends it;
 *  - MCP-Protocol-Version, when sent, must be the version agreed (400);
 *  - an Origin header must be a loopback origin or one of serve.origins
 *    (403): a web page cannot drive a local server (DNS rebinding);
 *  - the bearer token as everywhere; tools act as its user, and a
 *    read-only token cannot call tools (403);
 *  - a message with a tools/call in it is answered by a job, as /v1/ask
 *    is: a thread with a store connection and a session of its own, made
 *    from the caller's (its agreed version), so a tool that waits on the
 *    network (the weather, another assistant) holds no other request.  A
 *    client that leaves stops it early.  What a tools/list in the same
 *    batch lists is not remembered for the GET stream.
 */
#include "api-int.h"
#include "dbwatch.h"
#include "log.h"
#include "mcp.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* A look again this long after the watch fired: the write that woke the
 * watcher may show only once its commit is visible (dbwatch.h). */
#define RECHECK_MS 100

/* The sessions a token may have at once: a new one past it ends the
 * token's least recently used, never another token's. */
#define MCP_SESSIONS_PER_TOKEN 16

struct api_mcp_session {
	char id[33];
	long long token;
	double used;
	struct mcp_session *s;
};

/* A session's open GET stream. */
struct mcp_listener {
	struct mcp_listener *next;
	struct api_mcp *m;
	char sid[33];
	long long user;
	char *assistant; /* or NULL: the default one */
	char *names;	 /* the tool names the client knows of */
	struct httpd_stream *st;
	atomic_int gone; /* set by the server when the client left */
};

struct api_mcp {
	struct api_mcp_session *sessions; /* nsessions, some empty (s NULL) */
	size_t nsessions;
	double clock; /* a counter for least recently used */
	/* The streams, shared with the watcher thread under lock. */
	pthread_mutex_t lock;
	struct mcp_listener *listeners;
	bool watching, stopping;
	pthread_t watcher;
	int wake[2];
	char *db;
	struct config *cfg;
};

static void listener_end(struct mcp_listener *l)
{
	struct err e;

	httpd_stream_end(l->st, NULL, &e);
	free(l->assistant);
	free(l->names);
	free(l);
}

/* Under the lock: end the stream of session sid (NULL: every stream). */
static void end_listeners_locked(struct api_mcp *m, const char *sid)
{
	for (struct mcp_listener **p = &m->listeners; *p;) {
		struct mcp_listener *l = *p;

		if (sid && strcmp(l->sid, sid) != 0) {
			p = &l->next;
			continue;
		}
		*p = l->next;
		listener_end(l);
	}
}

static void end_listeners(struct api_mcp *m, const char *sid)
{
	pthread_mutex_lock(&m->lock);
	end_listeners_locked(m, sid);
	pthread_mutex_unlock(&m->lock);
}

static void wake(struct api_mcp *m)
{
	char b = 1;

	if (m->wake[1] >= 0 && write(m->wake[1], &b, 1) < 0 && errno != EAGAIN)
		log_warn("mcp: cannot wake the watcher: %s", strerror(errno));
}

/* Under the lock: tell each stream whose tool set changed; end the
 * streams whose client left. */
static void check_listeners_locked(struct api_mcp *m, struct store *s)
{
	static const char note[] = "event: message\ndata: {\"jsonrpc\":\"2.0\","
				   "\"method\":\"notifications/tools/list_changed\"}\n\n";

	for (struct mcp_listener **p = &m->listeners; *p;) {
		struct mcp_listener *l = *p;
		char *names = NULL;
		bool drop = atomic_load(&l->gone);
		struct err e;

		if (!drop) {
			store_set_user(s, l->user);
			names = mcp_tool_names(s, l->assistant);
		}
		if (names && (!l->names || strcmp(names, l->names) != 0)) {
			log_info("mcp: session %.8s: the tool set changed", l->sid);
			drop = httpd_stream_write(l->st, note, sizeof(note) - 1, &e) < 0;
			free(l->names);
			l->names = names;
		} else {
			free(names);
		}
		if (drop) {
			*p = l->next;
			listener_end(l);
		} else {
			p = &l->next;
		}
	}
}

/* The watcher: looks again at every write to the database. */
static void *watcher(void *arg)
{
	struct api_mcp *m = arg;
	struct err e;
	struct store *s = store_open(m->db, &e);
	struct dbwatch *w = s ? dbwatch_new(m->db, &e) : NULL;
	bool recheck = false;

	if (!w)
		log_warn("mcp: tool changes go unnoticed: %s", e.msg);
	for (;;) {
		struct pollfd p[2] = { { m->wake[0], POLLIN, 0 }, { dbwatch_fd(w), POLLIN, 0 } };
		int n = poll(p, w ? 2 : 1, recheck ? RECHECK_MS : -1);
		char buf[64];

		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			while (read(m->wake[0], buf, sizeof(buf)) > 0)
				;
		recheck = n > 0 && w && (p[1].revents & POLLIN) && dbwatch_changed(w);
		pthread_mutex_lock(&m->lock);
		if (m->stopping) {
			pthread_mutex_unlock(&m->lock);
			break;
		}
		if (s)
			check_listeners_locked(m, s);
		pthread_mutex_unlock(&m->lock);
	}
	dbwatch_free(w);
	store_free(s);
	return NULL;
}

void api_mcp_close(struct api_mcp *m)
{
	bool join;

	if (!m)
		return;
	/* once stopping is set no stream starts the watcher: whether one runs
	 * is known under the same lock, and only one caller joins it */
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	join = m->watching;
	m->watching = false;
	pthread_mutex_unlock(&m->lock);
	if (join) {
		wake(m);
		pthread_join(m->watcher, NULL);
	}
	end_listeners(m, NULL);
}

void api_mcp_free(struct api_mcp *m)
{
	if (!m)
		return;
	api_mcp_close(m);
	for (size_t i = 0; i < m->nsessions; i++)
		mcp_session_free(m->sessions[i].s);
	free(m->sessions);
	if (m->wake[0] >= 0) {
		close(m->wake[0]);
		close(m->wake[1]);
	}
	pthread_mutex_destroy(&m->lock);
	free(m->db);
	free(m);
}

struct api_mcp *api_mcp_new(struct api_call *c)
{
	struct api_mcp *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	if (pipe2(m->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		m->wake[0] = m->wake[1] = -1;
	m->db = xstrdup(store_path(c->store));
	m->cfg = c->cfg;
	return m;
}

static bool loopback_origin(const char *origin)
{
	static const char *const hosts[] = { "localhost", "127.0.0.1", "[::1]", NULL };
	const char *host = strstr(origin, "://");

	if (!host)
		return false;
	host += 3;
	for (int i = 0; hosts[i]; i++) {
		size_t n = strlen(hosts[i]);

		if (!strncmp(host, hosts[i], n) && (host[n] == '\0' || host[n] == ':'))
			return true;
	}
	return false;
}

static bool origin_allowed(struct api_call *c, const char *origin)
{
	const char *list = config_get(c->cfg, "serve.origins");

	if (loopback_origin(origin))
		return true;
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");

		while (*p == ' ' && n)
			p++, n--;
		if (n && strlen(origin) == n && !strncmp(origin, p, n))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static struct api_mcp_session *find(struct api_mcp *m, const char *id, long long token)
{
	for (size_t i = 0; i < m->nsessions; i++)
		if (m->sessions[i].s && !strcmp(m->sessions[i].id, id) &&
		    m->sessions[i].token == token)
			return &m->sessions[i];
	return NULL;
}

/* A slot for a new session of token: a free one, or the token's least
 * recently used emptied when it has MCP_SESSIONS_PER_TOKEN. */
static struct api_mcp_session *slot(struct api_mcp *m, long long token)
{
	struct api_mcp_session *best = NULL, *free_slot = NULL;
	int mine = 0;

	for (size_t i = 0; i < m->nsessions; i++) {
		struct api_mcp_session *ss = &m->sessions[i];

		if (!ss->s) {
			free_slot = free_slot ? free_slot : ss;
		} else if (ss->token == token) {
			mine++;
			if (!best || ss->used < best->used)
				best = ss;
		}
	}
	if (mine >= MCP_SESSIONS_PER_TOKEN) {
		end_listeners(m, best->id);
		mcp_session_free(best->s);
		memset(best, 0, sizeof(*best));
		return best;
	}
	if (free_slot)
		return free_slot;
	m->sessions = xrealloc(m->sessions, (m->nsessions + 1) * sizeof(*m->sessions));
	memset(&m->sessions[m->nsessions], 0, sizeof(*m->sessions));
	return &m->sessions[m->nsessions++];
}

static int new_session(struct api_call *c, struct api_mcp *m, struct api_mcp_session **out)
{
	unsigned char raw[16];
	struct api_mcp_session *ss;
	struct err e;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return api_error(c, 500, "cannot make a session id");
	ss = slot(m, c->tok.id);
	ss->s = mcp_session_new(c->store, c->cfg, c->tok.user_id, NULL, &e);
	if (!ss->s)
		return api_fail(c, &e);
	for (int i = 0; i < 16; i++)
		snprintf(ss->id + 2 * i, 3, "%02x", raw[i]);
	ss->token = c->tok.id;
	*out = ss;
	return 0;
}

/* Whether msg (an object or a batch) has a member method equal to name. */
static bool has_method(const cJSON *msg, const char *name)
{
	const cJSON *one;

	if (cJSON_IsArray(msg)) {
		cJSON_ArrayForEach(one, msg)
			if (has_method(one, name))
				return true;
		return false;
	}
	one = cJSON_GetObjectItemCaseSensitive(msg, "method");
	return cJSON_IsString(one) && !strcmp(one->valuestring, name);
}

/* Whether msg (a message or a batch) holds a request: a method and an id. */
static bool has_request(const cJSON *msg)
{
	const cJSON *one;

	if (cJSON_IsArray(msg)) {
		cJSON_ArrayForEach(one, msg)
			if (has_request(one))
				return true;
		return false;
	}
	return cJSON_GetObjectItemCaseSensitive(msg, "method") &&
	       cJSON_GetObjectItemCaseSensitive(msg, "id");
}

/* The answer to a POST of session sid: reply (freed), or 202 for none. */
static void answer(struct api_call *c, const char *sid, char *reply)
{
	httpd_resp_header(c->rs, "Mcp-Session-Id", sid);
	if (!reply) {
		c->rs->status = 202;
		return;
	}
	c->rs->status = 200;
	sbuf_adds(&c->rs->body, reply);
	sbuf_adds(&c->rs->body, "\n");
	free(reply);
}

/* A message with a tools/call: what the job needs of the request. */
struct call_job {
	struct api *api;
	struct config *cfg;
	char *db; /* the job opens its own connection */
	long long user_id;
	char *assistant, *version, *msg;
	char sid[33];
	time_t now;
	double t0;
	atomic_int cancel; /* set by the server when the client leaves */
	struct httpd_stream *st;
};

static void *call_job(void *arg)
{
	struct call_job *j = arg;
	struct mcp_session *ms = NULL;
	struct httpd_resp rs;
	struct api_call c;
	struct store *s;
	char *reply;
	struct err e;
	int status;

	httpd_resp_init(&rs);
	memset(&c, 0, sizeof(c));
	c.api = j->api;
	c.cfg = j->cfg;
	c.rs = &rs;
	c.now = j->now;
	s = store_open(j->db, &e);
	if (s) {
		store_set_user(s, j->user_id);
		ms = mcp_session_new(s, j->cfg, j->user_id, j->assistant, &e);
	}
	if (ms) {
		mcp_session_resume(ms, j->version, &j->cancel);
		mcp_session_handle(ms, j->msg, j->now, &reply);
		answer(&c, j->sid, reply);
	} else {
		api_fail(&c, &e);
	}
	status = rs.status;
	httpd_stream_end(j->st, &rs, &e);
	httpd_resp_release(&rs);
	mcp_session_free(ms);
	store_free(s);
	api_job_end(j->api, "/mcp", status, j->t0, false);
	free(j->db);
	free(j->assistant);
	free(j->version);
	free(j->msg);
	free(j);
	return NULL;
}

/* The server's defer: start the job. */
static void call_start(void *arg, struct httpd_stream *st)
{
	struct call_job *j = arg;

	j->st = st;
	api_job_run(j->api, call_job, j);
}

/* Hand the message to a job, for session ss. */
static int call_defer(struct api_call *c, struct api_mcp_session *ss)
{
	struct call_job *j = xcalloc(1, sizeof(*j));
	const char *assistant = mcp_session_assistant(ss->s), *version = mcp_session_version(ss->s);

	j->api = c->api;
	j->cfg = c->cfg;
	j->db = xstrdup(store_path(c->store));
	j->user_id = c->tok.user_id;
	j->assistant = assistant ? xstrdup(assistant) : NULL;
	j->version = version ? xstrdup(version) : NULL;
	j->msg = xstrdup(c->rq->body);
	snprintf(j->sid, sizeof(j->sid), "%s", ss->id);
	j->now = c->now;
	j->t0 = c->t0;
	c->deferred = true;
	c->rs->defer = call_start;
	c->rs->defer_arg = j;
	c->rs->cancel = &j->cancel;
	return 0;
}

/* A message refused whole: 400 with the JSON-RPC error (no id), the
 * transport's rule for input the server cannot accept. */
static int refuse(struct api_call *c, char *error)
{
	c->rs->status = 400;
	sbuf_reset(&c->rs->body);
	sbuf_adds(&c->rs->body, error);
	sbuf_adds(&c->rs->body, "\n");
	free(error);
	return -1;
}

/* The session named by the Mcp-Session-Id header sid (NULL: none sent):
 * 0 with *out (NULL when none was sent), else answered: 400 for an id
 * that cannot be one (empty, or not visible ASCII as the transport has
 * it), 404 for one that ended or never was (the client starts again). */
static int session_of(struct api_call *c, struct api_mcp *m, const char *sid,
		      struct api_mcp_session **out)
{
	*out = NULL;
	if (!sid)
		return 0;
	for (const char *p = sid; *p || p == sid; p++)
		if (*p < 0x21 || *p > 0x7e)
			return api_error(c, 400, "malformed Mcp-Session-Id %s", utf8_q(sid));
	if (!(*out = find(m, sid, c->tok.id)))
		return api_error(c, 404, "no MCP session %s (initialize again)", utf8_q(sid));
	return 0;
}

static int post(struct api_call *c, struct api_mcp *m)
{
	const char *accept = c->rq->header(c->rq, "Accept");
	const char *sid = c->rq->header(c->rq, "Mcp-Session-Id");
	const char *ver = c->rq->header(c->rq, "MCP-Protocol-Version");
	struct api_mcp_session *ss = NULL;
	cJSON *msg;
	char *reply, *error;
	bool init, call, batch, requests;

	if (!accept || !strstr(accept, "application/json") || !strstr(accept, "text/event-stream"))
		return api_error(c, 406, "Accept must name application/json and text/event-stream");
	/* what does not parse is refused before anything else is looked at:
	 * with or without a session, its answer is the same */
	if ((error = mcp_parse_error(c->rq->body, c->rq->body_len)))
		return refuse(c, error);
	msg = cJSON_ParseWithLength(c->rq->body, c->rq->body_len);
	init = has_method(msg, "initialize");
	call = has_method(msg, "tools/call");
	batch = cJSON_IsArray(msg);
	requests = has_request(msg);
	if (c->tok.read_only && call) {
		cJSON_Delete(msg);
		return api_error(c, 403, "read-only token: tools cannot be called");
	}
	cJSON_Delete(msg);
	/* the spec (2025-03-26; later versions have no batches): initialize
	 * is never part of a batch, and so a tools/call never runs with it,
	 * on the server's own thread */
	if (init && batch)
		return api_error(c, 400, "initialize must be sent alone, not in a batch");
	if (session_of(c, m, sid, &ss) < 0)
		return -1;
	if (!ss && !init)
		return api_error(c, 400, "missing Mcp-Session-Id (initialize first)");
	if (ss && ver && mcp_session_version(ss->s) && strcmp(ver, mcp_session_version(ss->s)))
		return api_error(c, 400, "MCP-Protocol-Version %s is not the one agreed (%s)",
				 utf8_q(ver), mcp_session_version(ss->s));
	if (ver && !mcp_version_supported(ver))
		return api_error(c, 400, "unsupported MCP-Protocol-Version %s", utf8_q(ver));
	if (batch && !mcp_batch_allowed(ss ? mcp_session_version(ss->s) : NULL))
		return refuse(c, mcp_batch_error());
	if (!ss && new_session(c, m, &ss) < 0)
		return -1;
	ss->used = ++m->clock;
	if (call)
		return api_job_admit(c) < 0 ? -1 : call_defer(c, ss);
	/* only notifications and responses: 202 when all are taken, else
	 * 400 with the JSON-RPC error (no id) saying why (the transport's
	 * rule), though JSON-RPC itself answers no notification */
	if (!requests && (error = mcp_notification_error(c->rq->body))) {
		httpd_resp_header(c->rs, "Mcp-Session-Id", ss->id);
		return refuse(c, error);
	}
	mcp_session_handle(ss->s, c->rq->body, c->now, &reply);
	store_set_user(c->store, c->tok.user_id);
	if (!requests && reply) {
		httpd_resp_header(c->rs, "Mcp-Session-Id", ss->id);
		return refuse(c, reply);
	}
	answer(c, ss->id, reply);
	return 0;
}

/* The server's defer of a GET: the stream joins the watched ones. */
static void listen_start(void *arg, struct httpd_stream *st)
{
	static const char hello[] = ": listening\n\n";
	struct mcp_listener *l = arg;
	struct api_mcp *m = l->m;
	struct err e;

	l->st = st;
	/* a comment first: the client sees the stream open */
	httpd_stream_write(st, hello, sizeof(hello) - 1, &e);
	pthread_mutex_lock(&m->lock);
	end_listeners_locked(m, l->sid);
	if (m->stopping) {
		pthread_mutex_unlock(&m->lock);
		listener_end(l);
		return;
	}
	l->next = m->listeners;
	m->listeners = l;
	if (!m->watching && m->wake[0] >= 0 && pthread_create(&m->watcher, NULL, watcher, m) == 0)
		m->watching = true;
	pthread_mutex_unlock(&m->lock);
	log_info("mcp: session %.8s listening", l->sid);
	wake(m);
}

/* GET: the session's stream of server messages. */
static int listen_get(struct api_call *c, struct api_mcp *m)
{
	const char *accept = c->rq->header(c->rq, "Accept");
	const char *sid = c->rq->header(c->rq, "Mcp-Session-Id");
	struct api_mcp_session *ss;
	struct mcp_listener *l;
	const char *listed;

	/* sessions are required: 400 without one, as for a POST (the
	 * transport's rule for servers that use session ids) */
	if (!sid)
		return api_error(c, 400, "GET needs an Mcp-Session-Id (initialize first)");
	if (!accept || !strstr(accept, "text/event-stream"))
		return api_error(c, 406, "Accept must name text/event-stream");
	if (session_of(c, m, sid, &ss) < 0)
		return -1;
	ss->used = ++m->clock;
	listed = mcp_session_listed(ss->s);
	l = xcalloc(1, sizeof(*l));
	snprintf(l->sid, sizeof(l->sid), "%s", ss->id);
	l->user = c->tok.user_id;
	l->assistant = mcp_session_assistant(ss->s) ? xstrdup(mcp_session_assistant(ss->s)) : NULL;
	l->names = listed ? xstrdup(listed) : mcp_tool_names(c->store, l->assistant);
	store_set_user(c->store, c->tok.user_id);
	l->m = m;
	c->rs->status = 200;
	snprintf(c->rs->content_type, sizeof(c->rs->content_type), "text/event-stream");
	httpd_resp_header(c->rs, "Cache-Control", "no-cache");
	httpd_resp_header(c->rs, "Mcp-Session-Id", ss->id);
	c->rs->defer = listen_start;
	c->rs->defer_arg = l;
	c->rs->stream = true;
	c->rs->cancel = &l->gone;
	return 0;
}

int api_mcp(struct api_call *c, struct api_mcp *m)
{
	const char *origin = c->rq->header(c->rq, "Origin");
	const char *sid = c->rq->header(c->rq, "Mcp-Session-Id");
	struct api_mcp_session *ss;

	if (origin && !origin_allowed(c, origin))
		return api_error(c, 403, "origin %s is not allowed (serve.origins)",
				 utf8_q(origin));
	if (!strcmp(c->rq->method, "POST"))
		return post(c, m);
	if (!strcmp(c->rq->method, "GET"))
		return listen_get(c, m);
	if (!strcmp(c->rq->method, "DELETE")) {
		if (!sid)
			return api_error(c, 400, "DELETE needs an Mcp-Session-Id");
		if (session_of(c, m, sid, &ss) < 0)
			return -1;
		end_listeners(m, ss->id);
		mcp_session_free(ss->s);
		memset(ss, 0, sizeof(*ss));
		api_no_content(c);
		return 0;
	}
	return api_bad_method(c, "GET, POST, DELETE");
}
