/*
 * /mcp: the MCP server (mcp.h) over Streamable HTTP, as the spec of
 * 2025-06-18 and 2025-11-25 has it, without the optional GET stream:
 *
 *  - POST only (GET is 405: no server-initiated stream); Accept must name
 *    application/json and text/event-stream (else 406); a message with no
 *    request in it is 202 with no body, one with requests 200 with the
 *    JSON-RPC answer as application/json;
 *  - initialize starts a session: its answer carries Mcp-Session-Id,
 *    which every later request must send (400 without, 404 for one that
 *    ended or never was, so the client starts again); DELETE ends it;
 *  - MCP-Protocol-Version, when sent, must be the version agreed (400);
 *  - an Origin header must be a loopback origin or one of serve.origins
 *    (403): a web page cannot drive a local server (DNS rebinding);
 *  - the bearer token as everywhere; tools act as its user, and a
 *    read-only token cannot call tools (403).
 */
#include "api-int.h"
#include "mcp.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MCP_SESSIONS 64

struct api_mcp_session {
	char id[33];
	long long token;
	double used;
	struct mcp_session *s;
};

struct api_mcp {
	struct api_mcp_session sessions[MCP_SESSIONS];
	double clock; /* a counter for least recently used */
};

void api_mcp_free(struct api_mcp *m)
{
	if (!m)
		return;
	for (int i = 0; i < MCP_SESSIONS; i++)
		mcp_session_free(m->sessions[i].s);
	free(m);
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
	for (int i = 0; i < MCP_SESSIONS; i++)
		if (m->sessions[i].s && !strcmp(m->sessions[i].id, id) &&
		    m->sessions[i].token == token)
			return &m->sessions[i];
	return NULL;
}

/* A free slot, or the least recently used one, emptied. */
static struct api_mcp_session *slot(struct api_mcp *m)
{
	struct api_mcp_session *best = &m->sessions[0];

	for (int i = 0; i < MCP_SESSIONS; i++) {
		if (!m->sessions[i].s)
			return &m->sessions[i];
		if (m->sessions[i].used < best->used)
			best = &m->sessions[i];
	}
	mcp_session_free(best->s);
	memset(best, 0, sizeof(*best));
	return best;
}

static int new_session(struct api_call *c, struct api_mcp *m, struct api_mcp_session **out)
{
	unsigned char raw[16];
	struct api_mcp_session *ss;
	struct err e;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return api_error(c, 500, "cannot make a session id");
	ss = slot(m);
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

static int post(struct api_call *c, struct api_mcp *m)
{
	const char *accept = c->rq->header(c->rq, "Accept");
	const char *sid = c->rq->header(c->rq, "Mcp-Session-Id");
	const char *ver = c->rq->header(c->rq, "MCP-Protocol-Version");
	struct api_mcp_session *ss = NULL;
	cJSON *msg;
	char *reply;
	bool init;

	if (!accept || !strstr(accept, "application/json") || !strstr(accept, "text/event-stream"))
		return api_error(c, 406, "Accept must name application/json and text/event-stream");
	msg = cJSON_ParseWithLength(c->rq->body, c->rq->body_len);
	init = has_method(msg, "initialize");
	if (c->tok.read_only && has_method(msg, "tools/call")) {
		cJSON_Delete(msg);
		return api_error(c, 403, "read-only token: tools cannot be called");
	}
	cJSON_Delete(msg);
	if (sid && !(ss = find(m, sid, c->tok.id)))
		return api_error(c, 404, "no MCP session %s (initialize again)", sid);
	if (!ss && !init)
		return api_error(c, 400, "missing Mcp-Session-Id (initialize first)");
	if (ss && ver && mcp_session_version(ss->s) && strcmp(ver, mcp_session_version(ss->s)))
		return api_error(c, 400, "MCP-Protocol-Version %s is not the one agreed (%s)", ver,
				 mcp_session_version(ss->s));
	if (ver && !mcp_version_supported(ver))
		return api_error(c, 400, "unsupported MCP-Protocol-Version %s", ver);
	if (!ss && new_session(c, m, &ss) < 0)
		return -1;
	ss->used = ++m->clock;
	mcp_session_handle(ss->s, c->rq->body, c->now, &reply);
	store_set_user(c->store, c->tok.user_id);
	httpd_resp_header(c->rs, "Mcp-Session-Id", ss->id);
	if (!reply) {
		c->rs->status = 202;
		return 0;
	}
	c->rs->status = 200;
	sbuf_adds(&c->rs->body, reply);
	sbuf_adds(&c->rs->body, "\n");
	free(reply);
	return 0;
}

int api_mcp(struct api_call *c, struct api_mcp **mp)
{
	const char *origin = c->rq->header(c->rq, "Origin");
	const char *sid = c->rq->header(c->rq, "Mcp-Session-Id");
	struct api_mcp_session *ss;

	if (origin && !origin_allowed(c, origin))
		return api_error(c, 403, "origin %s is not allowed (serve.origins)", origin);
	if (!*mp)
		*mp = xcalloc(1, sizeof(**mp));
	if (!strcmp(c->rq->method, "POST"))
		return post(c, *mp);
	if (!strcmp(c->rq->method, "DELETE")) {
		if (!sid || !(ss = find(*mp, sid, c->tok.id)))
			return api_error(c, 404, "no such MCP session");
		mcp_session_free(ss->s);
		memset(ss, 0, sizeof(*ss));
		api_no_content(c);
		return 0;
	}
	httpd_resp_header(c->rs, "Allow", "POST, DELETE");
	return api_bad_method(c);
}
