/*
 * api-int.h - the pieces of api.c the resource files (api-*.c) share: one
 * request being answered and the helpers that answer it.
 */
#ifndef NESTOR_API_INT_H
#define NESTOR_API_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <time.h>

#include "api.h"
#include "conversation.h"
#include "token.h"

struct api_call {
	struct api *api;
	struct store *store;
	struct config *cfg;
	const struct httpd_req *rq;
	struct httpd_resp *rs;
	struct api_token tok; /* the caller */
	const char *route;    /* the route's pattern, for /metrics */
	time_t now;
	const char *id;	 /* the path's id segment, or NULL */
	const char *sub; /* the segment after it, or NULL */
	cJSON *in;	 /* the parsed body of POST and PATCH */
	bool turn;	 /* an engine turn ran (/v1/ask) */
	bool deferred;	 /* handed to a job, which counts it (api_count) */
	double t0;	 /* monotonic seconds when the request came */
};

/* Answer {"error": msg, "code": status}; returns -1. */
int api_error(struct api_call *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Answer e with the status its code means (usage 400, not found 404, 500). */
int api_fail(struct api_call *c, const struct err *e);
/* Answer v (freed) with status. */
void api_json(struct api_call *c, int status, cJSON *v);
/* Answer a created resource v (freed): 201, Location path/ID, its ETag. */
void api_created(struct api_call *c, const char *path, long long id, cJSON *v);
/* Answer one resource (freed) with its ETag (200). */
void api_one(struct api_call *c, cJSON *v);
/* 204, nothing. */
void api_no_content(struct api_call *c);
/* The strong ETag of a resource's JSON ("\"1f2e...\""); buf 40 bytes. */
void api_etag(const cJSON *v, char *buf, size_t len);
/* When If-Match is given and matches none of current's ETag: 412, -1. */
int api_check_match(struct api_call *c, const cJSON *current);
/* A write: 403 (-1) for a read-only token. */
int api_writable(struct api_call *c);
/* 1 when the caller is the first user (user.h: the device's own), 0 when
 * another; -1 answered 500 when the store cannot tell.  *name (unless
 * name is NULL) gets the first user's name, the caller's to free. */
int api_first_user(struct api_call *c, char **name);
/* A change to what every user shares, the installation's configuration
 * (what: "assistants"): 403 (-1) for a read-only token and for a token of
 * any user but the first, whose message names the first. */
int api_shared_writable(struct api_call *c, const char *what);
/* The id segment as a number; 400 (-1) when it is not one. */
int api_id(struct api_call *c, long long *id);
/* Whether text is an id (decimal digits, no leading zero, in 64 bits): *id. */
bool api_id_text(const char *text, long long *id);
/* A list page: items (an array, freed) from after ?cursor=ID (by "id")
 * and at most ?limit= items (default 100, at most 1000); a Link header
 * rel="next" when more follow. */
void api_page(struct api_call *c, cJSON *items);
/* The page of a list of n items (the id of item i: id_at(arr, i)) that
 * ?cursor= and ?limit= ask for: [*from, *to), with the Link header when
 * more follow; -1 answered 400 for a cursor not in the list.  For lists
 * too long to turn into JSON whole. */
int api_page_range(struct api_call *c, size_t n, long long (*id_at)(const void *arr, size_t i),
		   const void *arr, size_t *from, size_t *to);
/* The body's member name as a string: NULL when absent or null, and -1
 * with 400 when it is another type. */
int api_str(struct api_call *c, const char *name, const char **out);
/* The body's member name as an integer in [min, max]: 0 when absent or
 * null, 1 with *out set, -1 with 400 for anything else (a fraction, a
 * string, a number out of range, one spelled with a fraction or an
 * exponent: 1.0, 1e0). */
int api_int(struct api_call *c, const char *name, long long min, long long max, long long *out);
/* Whether the body's top-level member name is a number spelled with a
 * fraction or an exponent (1.0, 1e0): no integer, whatever it makes. */
bool api_frac(struct api_call *c, const char *name);
/* 405 naming the method, with Allow: allow (the methods the resource
 * takes, "GET, POST"), as HTTP asks of every 405; HEAD is added after a
 * GET that comes first, as it is answered as GET (but on /mcp). */
int api_bad_method(struct api_call *c, const char *allow);
/* conversation_get() of the caller's own conversations only: another
 * user's is 404, as if it did not exist. */
int api_own_conversation(struct api_call *c, long long id, struct conversation *out);

/* Jobs (src/api-ask.c runs turns in them, src/api-mcp.c tool calls): api_job_begin() before one
 * starts; api_job_end() when it is over, counting its request for
 * /metrics (route, status, from t0, whether a turn ran); api_free()
 * waits for every job to end.  Any thread. */
void api_job_begin(struct api *api);
/* Before a request is handed to a job: 0 when one may start, else 503
 * answered (-1): serve.max_jobs run already.  The server's thread. */
int api_job_admit(struct api_call *c);
void api_job_end(struct api *api, const char *route, int status, double t0, bool turn);
/* api_job_begin(), then fn(arg) in a thread of its own (here, when no
 * thread can start); fn calls api_job_end(). */
void api_job_run(struct api *api, void *(*fn)(void *), void *arg);

/*
 * A collection of items with numeric ids (tasks, events, reminders): what
 * is its own.  Each hook answers its errors itself (-1); api_resource()
 * answers the rest.  get answers 404 for an id that is not there for the
 * caller; patch applies the body; match_inside: patch checks If-Match
 * itself, in the transaction of the change.
 */
struct api_resource {
	const char *path; /* "/v1/tasks": Location is path/ID */
	bool match_inside;
	int (*list)(struct api_call *c);
	int (*create)(struct api_call *c, long long *id);
	int (*get)(struct api_call *c, long long id, cJSON **out);
	int (*patch)(struct api_call *c, long long id);
	int (*remove)(struct api_call *c, long long id);
};
extern const struct api_resource api_res_tasks, api_res_events, api_res_reminders;
/* GET, POST on the collection; GET, PATCH, DELETE on an item. */
int api_resource(struct api_call *c, const struct api_resource *r);

/* The other paths: 0 answered, -1 answered with an error. */
int api_agenda(struct api_call *c);
int api_assistants(struct api_call *c);
int api_users(struct api_call *c);
int api_conversations(struct api_call *c);
int api_integrations(struct api_call *c);
int api_ask(struct api_call *c);
/* /mcp (src/api-mcp.c): *mcp is the server's MCP sessions, made on first
 * use; api_mcp_close() ends their GET streams (and the thread that
 * watches for tool changes), api_mcp_free() ends them all. */
struct api_mcp;
/* The server's MCP sessions, made at the first /mcp request (under the
 * api's lock: api_close() may look from another thread). */
struct api_mcp *api_mcp_new(struct api_call *c);
int api_mcp(struct api_call *c, struct api_mcp *mcp);
void api_mcp_close(struct api_mcp *m);
void api_mcp_free(struct api_mcp *m);
/* The OpenAPI document (src/api-openapi.c). */
extern const char api_openapi_json[];

/* Token check (src/api-auth.c): 0 and *out filled when the bearer text is a
 * live token; -1 otherwise (e says why: unknown, malformed). */
int api_token_check(struct store *s, const char *bearer, struct api_token *out, struct err *e);

#endif
