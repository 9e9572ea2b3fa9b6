/*
 * api.h - what `nestor serve` answers: the HTTP API over the store.
 *
 * api_handle() is the request handler of httpd.h: it authenticates the
 * caller by its bearer token (token.h), switches the store to the token's
 * user for the request, applies the per-token rate limit, routes, and
 * answers with the JSON shapes of `--json` (render.h).  Every route but
 * /healthz needs a token; a read-only token may only read.  Errors are
 * {"error": "...", "code": STATUS}.  The handler runs in one thread at a
 * time (httpd.h), so it owns the store while it runs; an assistant's turn
 * (POST /v1/ask) and an MCP tools/call are handed to a job, a thread with
 * a store connection of its own (src/api-ask.c, src/api-mcp.c), and GET
 * /mcp streams are watched by a thread of
 * their own (src/api-mcp.c).  api_free() waits for the jobs.
 *
 *	struct api *api = api_new(store, cfg, &(struct api_opts){ .rate = 600 });
 *	struct httpd_opts o = { .handle = api_handle, .arg = api, ... };
 *	httpd_run(&o, &err);
 *	api_free(api);
 *
 * Routes (README "HTTP API" and /v1/openapi.json list them all):
 * /v1/tasks, /v1/events, /v1/agenda, /v1/reminders, /v1/assistants,
 * /v1/users, /v1/conversations (+ /messages), /v1/integrations, /v1/ask,
 * /metrics, /v1/openapi.json, /healthz.
 */
#ifndef NESTOR_API_H
#define NESTOR_API_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "httpd.h"
#include "store.h"

/* The largest request body read; a bigger one is answered 413. */
#define API_MAX_BODY ((size_t)1 << 20)
/* The request bodies held at once, over all connections; past it a
 * request is answered 503 (Retry-After) without its body being read. */
#define API_MAX_BUFFERED ((size_t)32 << 20)

struct api_opts {
	unsigned rate; /* requests per minute per token (bursts up to that); 0: no limit */
	/* Jobs (turns, tool calls) running at once; past it a request that
	 * would start one is answered 503 (Retry-After).  0: no bound. */
	unsigned max_jobs;
};

struct api;

struct api *api_new(struct store *s, struct config *cfg, const struct api_opts *o);
void api_free(struct api *api);
/* The server stopped taking requests (httpd_opts.closing): end the streams
 * kept open without a job (GET /mcp). */
void api_close(struct api *api);

/* The httpd.h handler; arg is the struct api. */
void api_handle(void *arg, const struct httpd_req *rq, struct httpd_resp *rs);
/* httpd.h's admit: a request without a valid token (but /healthz) is
 * answered 401 before its body is read, and any request while the server
 * drains (rq->stopping) 503; a valid token is left for api_handle() (as
 * rq->admitted), which does not look it up again. */
void api_admit(void *arg, const struct httpd_req *rq, struct httpd_resp *rs);

/*
 * Make a token for user_id (label may be NULL): *token is the secret, to be
 * shown once (caller frees); only its hash is stored.  Sets *id.
 */
int api_token_issue(struct store *s, long long user_id, const char *label, bool read_only,
		    time_t now, char **token, long long *id, struct err *e);

#endif
