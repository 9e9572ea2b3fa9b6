/* The HTTP API's requests (api.h): each input is up to eight requests, split
 * by "\n====\n", each written as on the wire:
 *
 *	POST /v1/tasks?limit=2
 *	If-Match: *
 *
 *	{"title": "milk"}
 *
 * handed to api_handle() as sync/httpd.c hands one over (struct
 * httpd_req: method, path, headers, decoded query arguments, the body and
 * its length), one after the other, by one struct api on a temporary store
 * (fuzz_store), with a rate limit the seventh request meets, whose user
 * "me" has a token: a request without an
 * Authorization header gets "Bearer TOKEN"; "X-Fuzz-Token: ro" takes the
 * read-only token instead, "none" none.  In a Mcp-Session-Id header,
 * "$SID" is the id the last answer gave.  A Content-Length over
 * API_MAX_BODY is a body not read (too_large).
 *
 * No server runs: an answer handed to a job (POST /v1/ask, GET /mcp) gets
 * a stream of this file's (httpd_stream_write/end, so sync/httpd.c is not
 * linked); a request waits for its job's answer, except a GET /mcp stream,
 * which lasts until api_free() at the end of the input.  No network:
 * fuzz-util.c's http_transfer fails, and a socket aborts.
 *
 *	FUZZ_API_TRACE=1 build-fuzz/fuzz/api tests/fuzz/corpus/api/tasks
 *
 * prints each request's status and answer. */
#include "api.h"
#include "config.h"
#include "fuzz.h"
#include "httpd.h"
#include "sbuf.h"
#include "store.h"
#include "wallclock.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEP	     "\n====\n"
#define MAX_REQUESTS 8
#define MAX_FIELDS   16

/* A deferred answer's stream, in place of sync/httpd.c's. */
struct httpd_stream {
	struct httpd_stream *next;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool ended;
	struct sbuf out;
	struct httpd_resp final;
};

static struct httpd_stream *streams;

int httpd_stream_write(struct httpd_stream *st, const char *data, size_t len, struct err *e)
{
	(void)e;
	pthread_mutex_lock(&st->lock);
	if (st->ended)
		abort(); /* written after its end */
	sbuf_add(&st->out, data, len);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

int httpd_stream_end(struct httpd_stream *st, struct httpd_resp *rs, struct err *e)
{
	(void)e;
	pthread_mutex_lock(&st->lock);
	if (st->ended)
		abort(); /* ended twice */
	st->ended = true;
	if (rs) {
		st->final = *rs;
		httpd_resp_init(rs);
	}
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static struct httpd_stream *stream_new(void)
{
	struct httpd_stream *st = calloc(1, sizeof(*st));

	if (!st)
		abort();
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	sbuf_init(&st->out);
	httpd_resp_init(&st->final);
	st->next = streams;
	streams = st;
	return st;
}

static void stream_wait(struct httpd_stream *st)
{
	pthread_mutex_lock(&st->lock);
	while (!st->ended)
		pthread_cond_wait(&st->cond, &st->lock);
	pthread_mutex_unlock(&st->lock);
}

/* After api_free(): every stream has ended. */
static void streams_free(void)
{
	while (streams) {
		struct httpd_stream *st = streams;

		streams = st->next;
		if (!st->ended)
			abort();
		sbuf_release(&st->out);
		httpd_resp_release(&st->final);
		pthread_mutex_destroy(&st->lock);
		pthread_cond_destroy(&st->cond);
		free(st);
	}
}

/* One request as the wrapper would hand it over. */
struct req {
	struct httpd_req rq;
	char *hname[MAX_FIELDS], *hvalue[MAX_FIELDS];
	char *qname[MAX_FIELDS], *qvalue[MAX_FIELDS];
	int nh, nq;
	char auth[128];
};

static const char *field(char *const *names, char *const *values, int n, const char *name,
			 bool nocase)
{
	for (int i = 0; i < n; i++)
		if (nocase ? !strcasecmp(names[i], name) : !strcmp(names[i], name))
			return values[i];
	return NULL;
}

static const char *req_header(const struct httpd_req *rq, const char *name)
{
	const struct req *r = rq->conn;

	return field(r->hname, r->hvalue, r->nh, name, true);
}

static const char *req_query(const struct httpd_req *rq, const char *name)
{
	const struct req *r = rq->conn;

	return field(r->qname, r->qvalue, r->nq, name, false);
}

static int hex(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* %XX and '+' decoded in place, as libmicrohttpd does for arguments. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			*w++ = (char)(hex(s[1]) * 16 + hex(s[2]));
			s += 2;
		} else {
			*w++ = *s == '+' ? ' ' : *s;
		}
	}
	*w = '\0';
}

static void parse_query(struct req *r, char *q)
{
	char *save = NULL;

	for (char *kv = strtok_r(q, "&", &save); kv && r->nq < MAX_FIELDS;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq++ = '\0';
		unescape(kv);
		if (eq)
			unescape(eq);
		r->qname[r->nq] = kv;
		r->qvalue[r->nq++] = eq ? eq : "";
	}
}

/* Parse the request in [p, end) (NUL at end); 0, or -1 when it has no
 * request line. */
static int parse(struct req *r, char *p, char *end, const char *token, const char *ro,
		 const char *sid)
{
	char *nl = strchr(p, '\n'), *sp, *q, *line;
	const char *who;

	memset(r, 0, sizeof(*r));
	if (!nl)
		nl = end;
	*nl = '\0';
	sp = strchr(p, ' ');
	if (!sp)
		return -1;
	*sp = '\0';
	r->rq.method = p;
	r->rq.path = sp + 1;
	if ((q = strchr(sp + 1, '?'))) {
		*q = '\0';
		parse_query(r, q + 1);
	}
	r->rq.body = "";
	for (line = nl < end ? nl + 1 : end; line < end; line = nl + 1) {
		char *colon;

		nl = strchr(line, '\n');
		if (!nl)
			nl = end;
		*nl = '\0';
		if (!*line || !strcmp(line, "\r")) {
			r->rq.body = nl < end ? nl + 1 : "";
			r->rq.body_len = nl < end ? (size_t)(end - nl - 1) : 0;
			break;
		}
		colon = strchr(line, ':');
		if (!colon || r->nh == MAX_FIELDS)
			continue;
		*colon++ = '\0';
		while (*colon == ' ')
			colon++;
		if (!strcasecmp(line, "Mcp-Session-Id") && !strcmp(colon, "$SID") && sid)
			colon = (char *)sid;
		r->hname[r->nh] = line;
		r->hvalue[r->nh++] = colon;
	}
	who = field(r->hname, r->hvalue, r->nh, "X-Fuzz-Token", true);
	if (!field(r->hname, r->hvalue, r->nh, "Authorization", true) &&
	    !(who && !strcmp(who, "none")) && r->nh < MAX_FIELDS) {
		snprintf(r->auth, sizeof(r->auth), "Bearer %s",
			 who && !strcmp(who, "ro") ? ro : token);
		r->hname[r->nh] = "Authorization";
		r->hvalue[r->nh++] = r->auth;
	}
	q = (char *)field(r->hname, r->hvalue, r->nh, "Content-Length", true);
	if (q && strtoull(q, NULL, 10) > API_MAX_BODY) {
		r->rq.too_large = true;
		r->rq.body = "";
		r->rq.body_len = 0;
	}
	r->rq.header = req_header;
	r->rq.query = req_query;
	r->rq.conn = r;
	return 0;
}

/* What every answer must be: a status, and an error as {"error", "code"},
 * or, from /mcp, a JSON-RPC error with no id (the MCP transport's answer to
 * input it cannot take, e.g. a NUL byte: 400 and that body). */
static void check(const struct httpd_resp *rs)
{
	const cJSON *rpc;
	cJSON *j;

	if (rs->status < 100 || rs->status > 599)
		abort();
	if (rs->status < 400 || rs->content_type[0])
		return;
	j = cJSON_Parse(rs->body.buf ? rs->body.buf : "");
	rpc = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsObject(rpc) && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "id")) &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "jsonrpc")) &&
	    cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rpc, "code")) &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rpc, "message"))) {
		cJSON_Delete(j);
		return;
	}
	if (!cJSON_IsString(rpc) ||
	    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "code")) != rs->status)
		abort();
	cJSON_Delete(j);
}

static struct store *token_store;
static char *token, *ro_token;
static struct config *cfg;

static void setup(struct store *st)
{
	struct err e = { 0, "" };
	long long id;

	if (!cfg) {
		setenv("TZ", "Europe/Berlin", 1);
		setenv("NESTOR_NOW", "1773144000", 1);
		/* no desktop, no Secret Service: nothing to reach */
		unsetenv("DISPLAY");
		setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
		cfg = fuzz_config();
		if (wallclock_init(&e) < 0) {
			fprintf(stderr, "setup: %s\n", e.msg);
			abort();
		}
	}
	if (st == token_store)
		return;
	free(token);
	free(ro_token);
	if (api_token_issue(st, 1, "fuzz", false, FUZZ_NOW, &token, &id, &e) < 0 ||
	    api_token_issue(st, 1, "fuzz-ro", true, FUZZ_NOW, &ro_token, &id, &e) < 0) {
		fprintf(stderr, "token: %s\n", e.msg);
		abort();
	}
	token_store = st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st = fuzz_store("api");
	char *text = malloc(size + 1), *p, *end, *sid = NULL;
	struct api *api;
	int n = 0;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	setup(st);
	api = api_new(st, cfg, &(struct api_opts){ .rate = MAX_REQUESTS - 2 });
	for (p = text; p && n < MAX_REQUESTS; p = end ? end + strlen(SEP) : NULL, n++) {
		struct httpd_resp rs;
		struct req r;

		end = memmem(p, size - (size_t)(p - text), SEP, strlen(SEP));
		if (end)
			*end = '\0';
		if (parse(&r, p, end ? end : text + size, token, ro_token, sid) < 0)
			continue;
		httpd_resp_init(&rs);
		api_handle(api, &r.rq, &rs);
		if (rs.defer) {
			struct httpd_stream *s = stream_new();

			rs.defer(rs.defer_arg, s);
			/* a GET /mcp stream lasts; any other answer comes */
			if (!rs.stream || strcmp(r.rq.path, "/mcp") != 0) {
				stream_wait(s);
				if (!rs.stream)
					check(&s->final);
			}
		} else {
			check(&rs);
		}
		if (getenv("FUZZ_API_TRACE"))
			fprintf(stderr, "%s %s: %d %s\n", r.rq.method, r.rq.path,
				rs.defer && !rs.stream ? streams->final.status : rs.status,
				rs.defer && !rs.stream ? streams->final.body.buf : rs.body.buf);
		for (int i = 0; i < rs.nheaders; i++)
			if (!strcasecmp(rs.names[i], "Mcp-Session-Id")) {
				free(sid);
				sid = strdup(rs.values[i]);
			}
		httpd_resp_release(&rs);
	}
	api_free(api);
	streams_free();
	free(sid);
	free(text);
	return 0;
}
