/* The HTTP API's front door: auth, limits, routing, metrics (api.h). */
#include "api-int.h"
#include "health.h"
#include "jsonnul.h"
#include "sbuf.h"
#include "stats.h"
#include "user.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_ROUTES	 16
#define API_STATUSES	 12
#define API_BUCKETS	 10
#define API_RATE_BUCKETS 64

static const double latency_bounds[API_BUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
						    0.025,  0.05,  0.1,	   0.5,	  1.0 };

/* Requests answered, per route and status. */
struct api_count {
	const char *route;
	int status;
	unsigned long long n;
};

/* A token's bucket: up to rate requests, refilled at rate per minute. */
struct api_bucket {
	long long token;
	double level;
	double stamp; /* monotonic seconds */
};

struct api {
	struct store *store;
	struct config *cfg;
	struct api_opts opts;
	struct api_count counts[API_ROUTES * API_STATUSES];
	size_t ncounts;
	unsigned long long hist[API_BUCKETS + 1];
	double latency_sum;
	unsigned long long requests, turns, limited, jobs_refused;
	struct api_bucket buckets[API_RATE_BUCKETS];
	size_t nbuckets;
	struct api_mcp *mcp;
	/* Jobs run turns in their own threads: counts and the histogram are
	 * shared with them under lock, and api_free() waits on done. */
	pthread_mutex_t lock;
	pthread_cond_t done;
	unsigned jobs;
};

struct api *api_new(struct store *s, struct config *cfg, const struct api_opts *o)
{
	struct api *api = xcalloc(1, sizeof(*api));

	api->store = s;
	api->cfg = cfg;
	api->opts = *o;
	pthread_mutex_init(&api->lock, NULL);
	pthread_cond_init(&api->done, NULL);
	return api;
}

void api_free(struct api *api)
{
	if (!api)
		return;
	pthread_mutex_lock(&api->lock);
	while (api->jobs)
		pthread_cond_wait(&api->done, &api->lock);
	pthread_mutex_unlock(&api->lock);
	api_mcp_free(api->mcp);
	pthread_mutex_destroy(&api->lock);
	pthread_cond_destroy(&api->done);
	free(api);
}

/* From another thread than the server's (a drain's): the server's may be
 * making api->mcp. */
void api_close(struct api *api)
{
	struct api_mcp *mcp;

	pthread_mutex_lock(&api->lock);
	mcp = api->mcp;
	pthread_mutex_unlock(&api->lock);
	api_mcp_close(mcp);
}

int api_error(struct api_call *c, int status, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	char msg[512], *clean;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* what the request echoes (a header, a path) may be any bytes, and
	 * the cut above may split a character: the body stays UTF-8 */
	clean = utf8_clean_str(msg, UTF8_PRINTABLE);
	cJSON_AddStringToObject(o, "error", clean);
	free(clean);
	cJSON_AddNumberToObject(o, "code", status);
	api_json(c, status, o);
	return -1;
}

int api_fail(struct api_call *c, const struct err *e)
{
	int status = e->code == ERR_USAGE ? 400 : e->code == ERR_NOTFOUND ? 404 : 500;

	return api_error(c, status, "%s", e->msg);
}

void api_json(struct api_call *c, int status, cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);

	c->rs->status = status;
	sbuf_reset(&c->rs->body);
	sbuf_adds(&c->rs->body, text);
	sbuf_adds(&c->rs->body, "\n");
	free(text);
	cJSON_Delete(v);
}

void api_etag(const cJSON *v, char *buf, size_t len)
{
	char *text = cJSON_PrintUnformatted(v);
	gchar *h = g_compute_checksum_for_string(G_CHECKSUM_SHA1, text, -1);

	snprintf(buf, len, "\"%.16s\"", h);
	g_free(h);
	free(text);
}

void api_one(struct api_call *c, cJSON *v)
{
	char etag[40];

	api_etag(v, etag, sizeof(etag));
	httpd_resp_header(c->rs, "ETag", etag);
	api_json(c, 200, v);
}

void api_created(struct api_call *c, const char *path, long long id, cJSON *v)
{
	char etag[40], loc[128];

	api_etag(v, etag, sizeof(etag));
	snprintf(loc, sizeof(loc), "%s/%lld", path, id);
	httpd_resp_header(c->rs, "ETag", etag);
	httpd_resp_header(c->rs, "Location", loc);
	api_json(c, 201, v);
}

void api_no_content(struct api_call *c)
{
	c->rs->status = 204;
	sbuf_reset(&c->rs->body);
}

int api_check_match(struct api_call *c, const cJSON *current)
{
	const char *want = c->rq->header(c->rq, "If-Match");
	char etag[40];

	if (!want || strcmp(want, "*") == 0)
		return 0;
	api_etag(current, etag, sizeof(etag));
	if (strstr(want, etag))
		return 0;
	return api_error(c, 412, "the resource changed (ETag %s, If-Match %s)", etag, utf8_q(want));
}

int api_writable(struct api_call *c)
{
	if (c->tok.read_only)
		return api_error(c, 403, "read-only token");
	return 0;
}

int api_first_user(struct api_call *c, char **name)
{
	struct user first;
	struct err e;
	int rc;

	if (user_first(c->store, &first, &e) < 0)
		return api_fail(c, &e);
	rc = first.id == c->tok.user_id;
	if (name) {
		*name = first.name;
		first.name = NULL;
	}
	user_release(&first);
	return rc;
}

int api_shared_writable(struct api_call *c, const char *what)
{
	char *first = NULL;
	int rc;

	if (api_writable(c) < 0 || (rc = api_first_user(c, &first)) < 0)
		return -1;
	if (rc == 0)
		api_error(c, 403, "only the first user (%s) may change %s", first, what);
	free(first);
	return rc ? 0 : -1;
}

bool api_id_text(const char *text, long long *id)
{
	char *end;

	/* digits only: strtoll would take "+1", " 1" and "01" for 1 */
	errno = 0;
	*id = text[0] >= '1' && text[0] <= '9' ? strtoll(text, &end, 10) : 0;
	return *id > 0 && !*end && errno != ERANGE;
}

int api_id(struct api_call *c, long long *id)
{
	if (!api_id_text(c->id, id))
		return api_error(c, 400, "bad id %s", utf8_q(c->id));
	return 0;
}

int api_str(struct api_call *c, const char *name, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return api_error(c, 400, "\"%s\" must be a string", name);
	*out = v->valuestring;
	return 0;
}

struct frac_find {
	const char *name;
	bool found;
};

static void frac_member(void *arg, const struct json_nul *at)
{
	struct frac_find *f = arg;

	if (!strcmp(at->path, f->name))
		f->found = true;
}

bool api_frac(struct api_call *c, const char *name)
{
	struct frac_find f = { name, false };

	if (c->rq->body && c->rq->body_len)
		json_frac_each(c->rq->body, c->rq->body_len, frac_member, &f);
	return f.found;
}

int api_int(struct api_call *c, const char *name, long long min, long long max, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	/* the range is checked on the double, before any cast; 1e0 and 1.0
	 * are no integer however whole the double they make */
	if (!cJSON_IsNumber(v) || api_frac(c, name) || !(v->valuedouble >= (double)min) ||
	    !(v->valuedouble <= (double)max) || v->valuedouble != (double)(long long)v->valuedouble)
		return api_error(c, 400, "\"%s\" must be an integer from %lld to %lld", name, min,
				 max);
	*out = (long long)v->valuedouble;
	return 1;
}

int api_bad_method(struct api_call *c, const char *allow)
{
	char with_head[64];

	/* HEAD is answered wherever GET is (as_get), but on /mcp */
	if (!strncmp(allow, "GET", 3) && strcmp(c->rq->path, "/mcp") != 0) {
		snprintf(with_head, sizeof(with_head), "GET, HEAD%s", allow + 3);
		allow = with_head;
	}
	httpd_resp_header(c->rs, "Allow", allow);
	return api_error(c, 405, "%s is not allowed on %s", utf8_q(c->rq->method),
			 utf8_q(c->rq->path));
}

int api_page_range(struct api_call *c, size_t n, long long (*id_at)(const void *arr, size_t i),
		   const void *arr, size_t *from, size_t *to)
{
	const char *cur = c->rq->query(c->rq, "cursor"), *lim = c->rq->query(c->rq, "limit");
	long limit = lim ? strtol(lim, NULL, 10) : 100;
	size_t i = 0;

	*from = *to = 0;
	if (limit <= 0)
		limit = 100;
	else if (limit > 1000)
		limit = 1000;
	if (cur) {
		long long after = strtoll(cur, NULL, 10);

		while (i < n && id_at(arr, i) != after)
			i++;
		if (i == n)
			return api_error(c, 400, "cursor %s is not in the list any more",
					 utf8_q(cur));
		i++;
	}
	*from = i;
	*to = n - i > (size_t)limit ? i + (size_t)limit : n;
	if (*to < n) {
		char link[256];

		snprintf(link, sizeof(link), "<%s?cursor=%lld&limit=%ld>; rel=\"next\"",
			 c->rq->path, id_at(arr, *to - 1), limit);
		httpd_resp_header(c->rs, "Link", link);
	}
	return 0;
}

static long long json_id_at(const void *arr, size_t i)
{
	const cJSON *it = cJSON_GetArrayItem(arr, (int)i);

	return (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
}

void api_page(struct api_call *c, cJSON *items)
{
	size_t from = 0, to = 0;

	if (api_page_range(c, (size_t)cJSON_GetArraySize(items), json_id_at, items, &from, &to) ==
	    0) {
		cJSON *page = cJSON_CreateArray();

		for (size_t i = from; i < to; i++)
			cJSON_AddItemToArray(page,
					     cJSON_Duplicate(cJSON_GetArrayItem(items, (int)i), 1));
		api_json(c, 200, page);
	}
	cJSON_Delete(items);
}

/* Take one request from the caller's bucket; 0 when it may go on, else
 * the seconds until it may.  The buckets of the API_RATE_BUCKETS tokens
 * used last are kept.  A token without one takes a free bucket, full; when
 * none is free, it takes the bucket of the token used least recently with
 * what is left in it (refilled to now), so having a token's bucket
 * forgotten cannot refill it: what all the buckets hold together never
 * grows but with time. */
static long rate_take(struct api *api, long long token)
{
	double now = monotonic_s(), per_s = api->opts.rate / 60.0;
	struct api_bucket *b = NULL;

	if (!api->opts.rate)
		return 0;
	for (size_t i = 0; i < api->nbuckets && !b; i++)
		if (api->buckets[i].token == token)
			b = &api->buckets[i];
	if (!b && api->nbuckets < API_RATE_BUCKETS) {
		b = &api->buckets[api->nbuckets++];
		b->level = api->opts.rate;
		b->stamp = now;
	} else if (!b) {
		b = &api->buckets[0];
		for (size_t i = 1; i < api->nbuckets; i++)
			if (api->buckets[i].stamp < b->stamp)
				b = &api->buckets[i];
	}
	b->token = token;
	b->level += (now - b->stamp) * per_s;
	if (b->level > api->opts.rate)
		b->level = api->opts.rate;
	b->stamp = now;
	if (b->level >= 1.0) {
		b->level -= 1.0;
		return 0;
	}
	return (long)((1.0 - b->level) / per_s) + 1;
}

static void count(struct api *api, const char *route, int status, double secs, bool turn)
{
	size_t i;
	int k;

	pthread_mutex_lock(&api->lock);
	if (turn)
		api->turns++;

	for (i = 0; i < api->ncounts; i++)
		if (api->counts[i].route == route && api->counts[i].status == status)
			break;
	if (i == api->ncounts && i < sizeof(api->counts) / sizeof(api->counts[0])) {
		api->counts[i].route = route;
		api->counts[i].status = status;
		api->ncounts++;
	}
	if (i < api->ncounts)
		api->counts[i].n++;
	for (k = 0; k < API_BUCKETS && secs > latency_bounds[k]; k++)
		;
	api->hist[k]++;
	api->latency_sum += secs;
	api->requests++;
	pthread_mutex_unlock(&api->lock);
}

void api_job_begin(struct api *api)
{
	pthread_mutex_lock(&api->lock);
	api->jobs++;
	pthread_mutex_unlock(&api->lock);
}

int api_job_admit(struct api_call *c)
{
	struct api *api = c->api;
	bool full;

	pthread_mutex_lock(&api->lock);
	/* jobs start in this thread only: the count cannot grow meanwhile */
	full = api->opts.max_jobs && api->jobs >= api->opts.max_jobs;
	if (full)
		api->jobs_refused++;
	pthread_mutex_unlock(&api->lock);
	if (!full)
		return 0;
	httpd_resp_header(c->rs, "Retry-After", "1");
	return api_error(
		c, 503, "%u assistant turns and tool calls are running (serve.max_jobs): try again",
		api->opts.max_jobs);
}

void api_job_run(struct api *api, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	api_job_begin(api);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		fn(arg);
}

void api_job_end(struct api *api, const char *route, int status, double t0, bool turn)
{
	count(api, route, status, monotonic_s() - t0, turn);
	pthread_mutex_lock(&api->lock);
	api->jobs--;
	pthread_cond_broadcast(&api->done);
	pthread_mutex_unlock(&api->lock);
}

/* The Prometheus text format (version 0.0.4): the installation's counts,
 * for the first user's tokens only (403 for another's). */
static void metrics(struct api_call *c)
{
	struct api *api = c->api;
	struct sbuf *b = &c->rs->body;
	struct stats_job first;
	struct health h;
	unsigned long long cum = 0;
	long overdue = 0;
	struct err e;
	char *name = NULL;
	int rc = api_first_user(c, &name);

	if (rc == 0)
		api_error(c, 403,
			  "only the first user (%s) may read /metrics: its counts are "
			  "the installation's",
			  name);
	free(name);
	if (rc <= 0)
		return;

	pthread_mutex_lock(&api->lock);
	sbuf_adds(b, "# HELP nestor_http_requests_total HTTP requests answered.\n"
		     "# TYPE nestor_http_requests_total counter\n");
	for (size_t i = 0; i < api->ncounts; i++)
		sbuf_addf(b, "nestor_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
			  api->counts[i].route, api->counts[i].status, api->counts[i].n);
	sbuf_adds(b, "# HELP nestor_http_request_duration_seconds Time to answer a request.\n"
		     "# TYPE nestor_http_request_duration_seconds histogram\n");
	for (int k = 0; k < API_BUCKETS; k++) {
		cum += api->hist[k];
		sbuf_addf(b, "nestor_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			  latency_bounds[k], cum);
	}
	cum += api->hist[API_BUCKETS];
	sbuf_addf(b,
		  "nestor_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		  "nestor_http_request_duration_seconds_sum %.6f\n"
		  "nestor_http_request_duration_seconds_count %llu\n",
		  cum, api->latency_sum, cum);
	sbuf_addf(b,
		  "# HELP nestor_http_rate_limited_total Requests refused by the rate limit.\n"
		  "# TYPE nestor_http_rate_limited_total counter\n"
		  "nestor_http_rate_limited_total %llu\n"
		  "# HELP nestor_engine_turns_total Assistant turns run for /v1/ask.\n"
		  "# TYPE nestor_engine_turns_total counter\n"
		  "nestor_engine_turns_total %llu\n"
		  "# HELP nestor_http_jobs Assistant turns and MCP tool calls running.\n"
		  "# TYPE nestor_http_jobs gauge\n"
		  "nestor_http_jobs %u\n"
		  "# HELP nestor_http_jobs_refused_total Requests refused by serve.max_jobs.\n"
		  "# TYPE nestor_http_jobs_refused_total counter\n"
		  "nestor_http_jobs_refused_total %llu\n",
		  api->limited, api->turns, api->jobs, api->jobs_refused);
	pthread_mutex_unlock(&api->lock);
	memset(&first, 0, sizeof(first));
	if (stats_overdue(c->store, 0, c->now, &overdue, &first, &e) == 0)
		sbuf_addf(b,
			  "# HELP nestor_scheduler_due_jobs Active jobs due and not yet run.\n"
			  "# TYPE nestor_scheduler_due_jobs gauge\n"
			  "nestor_scheduler_due_jobs %ld\n"
			  "# HELP nestor_scheduler_lag_seconds How late the earliest due job is.\n"
			  "# TYPE nestor_scheduler_lag_seconds gauge\n"
			  "nestor_scheduler_lag_seconds %lld\n",
			  overdue, overdue ? (long long)(c->now - first.at) : 0LL);
	if (health_collect(c->store, c->cfg, store_path(c->store), NULL, c->now, &h, &e) == 0) {
		sbuf_adds(b, "# HELP nestor_outbox_entries Changes waiting for a sync target.\n"
			     "# TYPE nestor_outbox_entries gauge\n");
		for (int i = 0; i < HEALTH_TARGETS; i++)
			sbuf_addf(b, "nestor_outbox_entries{target=\"%s\"} %ld\n",
				  h.targets[i].name, h.targets[i].outbox);
		sbuf_adds(b, "# HELP nestor_sync_error Whether a sync target reports an error.\n"
			     "# TYPE nestor_sync_error gauge\n");
		for (int i = 0; i < HEALTH_TARGETS; i++)
			sbuf_addf(b, "nestor_sync_error{target=\"%s\"} %d\n", h.targets[i].name,
				  h.targets[i].last_error != NULL);
		sbuf_addf(b,
			  "# HELP nestor_delivery_failures Deliveries failed in the last 24 h.\n"
			  "# TYPE nestor_delivery_failures gauge\n"
			  "nestor_delivery_failures %ld\n",
			  h.failed);
		health_release(&h);
	}
	c->rs->status = 200;
	snprintf(c->rs->content_type, sizeof(c->rs->content_type),
		 "text/plain; version=0.0.4; charset=utf-8");
}

/* The bearer token of the request: 0 with c->tok filled, else answered.
 * One api_admit() found before the body is not hashed again, but looked
 * up by id: a token revoked while the body came is refused. */
static int authenticate(struct api_call *c)
{
	const char *auth = c->rq->header(c->rq, "Authorization");
	struct api_token *admitted = c->rq->admitted;
	struct err e = { 0, "" };

	if (admitted && admitted->id) {
		if (token_get(c->store, admitted->id, &c->tok, &e) < 0 ||
		    strcmp(c->tok.hash, admitted->hash) != 0) {
			token_release(&c->tok);
			if (e.code == ERR_FAIL)
				return api_fail(c, &e);
			httpd_resp_header(c->rs, "WWW-Authenticate",
					  "Bearer error=\"invalid_token\"");
			return api_error(c, 401, "invalid token");
		}
		store_set_user(c->store, c->tok.user_id);
		return 0;
	}
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
		httpd_resp_header(c->rs, "WWW-Authenticate", "Bearer");
		return api_error(c, 401, "missing bearer token (Authorization: Bearer TOKEN)");
	}
	if (api_token_check(c->store, auth + 7, &c->tok, &e) < 0) {
		httpd_resp_header(c->rs, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		if (e.code == ERR_FAIL)
			return api_fail(c, &e);
		return api_error(c, 401, "invalid token");
	}
	store_set_user(c->store, c->tok.user_id);
	return 0;
}

struct api_route {
	const char *name; /* the first segment after /v1/ */
	const char *pattern, *item;
	int (*fn)(struct api_call *c);
	const struct api_resource *res; /* or this, instead of fn */
	bool calendar;			/* the first user's only (calendar_owner) */
};

static const struct api_route routes[] = {
	{ "tasks", "/v1/tasks", "/v1/tasks/{id}", NULL, &api_res_tasks, false },
	{ "events", "/v1/events", "/v1/events/{id}", NULL, &api_res_events, true },
	{ "agenda", "/v1/agenda", NULL, api_agenda, NULL, true },
	{ "reminders", "/v1/reminders", "/v1/reminders/{id}", NULL, &api_res_reminders, false },
	{ "assistants", "/v1/assistants", "/v1/assistants/{id}", api_assistants, NULL, false },
	{ "users", "/v1/users", "/v1/users/{id}", api_users, NULL, false },
	{ "conversations", "/v1/conversations", "/v1/conversations/{id}", api_conversations, NULL,
	  false },
	{ "integrations", "/v1/integrations", NULL, api_integrations, NULL, false },
	{ "ask", "/v1/ask", NULL, api_ask, NULL, false },
};

/* The calendar is the first user's (user_owns_calendar): another user's
 * token is 403 on every route of it, reads too. */
static int calendar_owner(struct api_call *c)
{
	struct err e;
	int rc = user_owns_calendar(c->store, &e);

	if (rc < 0)
		return api_fail(c, &e);
	return rc ? 0 : api_error(c, 403, "%s", e.msg);
}

static int route(struct api_call *c, char *path)
{
	char *seg[4] = { NULL }, *save = NULL;
	int n = 0;

	for (char *p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n == 4)
			return api_error(c, 404, "no such resource");
		seg[n++] = p;
	}
	if (n >= 2 && strcmp(seg[0], "v1") == 0 && strcmp(seg[1], "openapi.json") == 0 && n == 2) {
		c->route = "/v1/openapi.json";
		if (strcmp(c->rq->method, "GET") != 0)
			return api_bad_method(c, "GET");
		c->rs->status = 200;
		sbuf_adds(&c->rs->body, api_openapi_json);
		return 0;
	}
	if (n < 2 || strcmp(seg[0], "v1") != 0)
		return api_error(c, 404, "no such resource");
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(seg[1], routes[i].name) != 0)
			continue;
		if (n > 2 && !routes[i].item)
			break;
		c->route = n > 2 ? routes[i].item : routes[i].pattern;
		c->id = seg[2];
		c->sub = seg[3];
		if (routes[i].calendar && calendar_owner(c) < 0)
			return -1;
		return routes[i].res ? api_resource(c, routes[i].res) : routes[i].fn(c);
	}
	return api_error(c, 404, "no such resource");
}

/* The body of a POST or PATCH: a JSON object, else 400. */
static int parse_body(struct api_call *c)
{
	const char *m = c->rq->method, *end = NULL;
	struct json_nul at;
	size_t at_byte;
	char bad[JSON_WHY_MAX];

	if (strcmp(m, "POST") != 0 && strcmp(m, "PATCH") != 0 && strcmp(m, "PUT") != 0)
		return 0;
	if (json_nul_first(c->rq->body, c->rq->body_len, &at))
		return api_error(c, 400, "\"%s\": a NUL character (\\u0000) is not text", at.key);
	if (memchr(c->rq->body, '\0', c->rq->body_len))
		return api_error(c, 400, "the body must be a JSON object");
	/* control bytes as RFC 8259 has them: cJSON would skip a form feed
	 * and keep a raw tab in a string */
	if (json_bad_byte(c->rq->body, c->rq->body_len, &at_byte, bad))
		return api_error(c, 400, "the body is not valid JSON (at byte %zu: %s)", at_byte,
				 bad);
	c->in = cJSON_ParseWithLengthOpts(c->rq->body, c->rq->body_len, &end, false);
	if (!c->in && c->rq->body_len == 0)
		c->in = cJSON_CreateObject();
	if (!c->in)
		return api_error(c, 400, "the body is not valid JSON (at byte %zu)",
				 end && end >= c->rq->body ? (size_t)(end - c->rq->body) : 0);
	/* one value, then nothing but white space: {"a":1}{"a":2} is no
	 * object, and which of the two was meant is not the server's guess */
	if (end)
		end += strspn(end, " \t\r\n");
	if (end && end < c->rq->body + c->rq->body_len)
		return api_error(c, 400,
				 "the body is not valid JSON (at byte %zu: more after the "
				 "value)",
				 (size_t)(end - c->rq->body));
	if (!cJSON_IsObject(c->in))
		return api_error(c, 400, "the body must be a JSON object");
	if (json_dup_first(c->in, &at))
		return api_error(c, 400, "\"%s\": given twice", at.path);
	return 0;
}

static void serve(struct api_call *c)
{
	char *path = xstrdup(c->rq->path);
	struct api_mcp *mcp;
	long wait;

	c->route = "other";
	if (c->rq->stopping) {
		api_error(c, 503, "the server is stopping");
		goto out;
	}
	if (strcmp(c->rq->path, "/healthz") == 0) {
		c->route = "/healthz";
		if (strcmp(c->rq->method, "GET") != 0)
			api_bad_method(c, "GET");
		else
			sbuf_adds(&c->rs->body, "{\"status\":\"ok\"}\n");
		goto out;
	}
	if (c->rq->too_large) {
		api_error(c, 413, "the request body is over %zu bytes", API_MAX_BODY);
		goto out;
	}
	if (c->rq->busy) {
		httpd_resp_header(c->rs, "Retry-After", "1");
		api_error(c, 503, "the server is busy reading other requests: try again");
		goto out;
	}
	if (authenticate(c) < 0)
		goto out;
	wait = rate_take(c->api, c->tok.id);
	if (wait > 0) {
		char secs[24];

		c->api->limited++;
		snprintf(secs, sizeof(secs), "%ld", wait);
		httpd_resp_header(c->rs, "Retry-After", secs);
		api_error(c, 429, "too many requests: try again in %ld s", wait);
		goto out;
	}
	if (strcmp(c->rq->path, "/metrics") == 0) {
		c->route = "/metrics";
		if (strcmp(c->rq->method, "GET") != 0)
			api_bad_method(c, "GET");
		else
			metrics(c);
		goto out;
	}
	if (strcmp(c->rq->path, "/mcp") == 0) {
		c->route = "/mcp";
		pthread_mutex_lock(&c->api->lock);
		if (!c->api->mcp)
			c->api->mcp = api_mcp_new(c);
		mcp = c->api->mcp;
		pthread_mutex_unlock(&c->api->lock);
		api_mcp(c, mcp);
		goto out;
	}
	if (parse_body(c) == 0)
		route(c, path);
	if (c->tok.id && c->now - c->tok.last_used >= 60)
		token_touch(c->store, c->tok.id, c->now);
out:
	cJSON_Delete(c->in);
	free(path);
}

static void call_init(struct api_call *c, struct api *api, const struct httpd_req *rq,
		      struct httpd_resp *rs)
{
	memset(c, 0, sizeof(*c));
	c->t0 = monotonic_s();
	c->api = api;
	c->store = api->store;
	c->cfg = api->cfg;
	c->rq = rq;
	c->rs = rs;
	c->now = wallclock_now();
	c->route = "other";
}

/* HEAD is answered as GET, and the server sends no body (libmicrohttpd
 * leaves it out of every answer to a HEAD); but /mcp, whose GET opens a
 * stream, takes no HEAD. */
static const struct httpd_req *as_get(const struct httpd_req *rq, struct httpd_req *copy)
{
	if (strcmp(rq->method, "HEAD") != 0 || strcmp(rq->path, "/mcp") == 0)
		return rq;
	*copy = *rq;
	copy->method = "GET";
	return copy;
}

void api_handle(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
{
	struct httpd_req head;
	struct api_call c;

	rq = as_get(rq, &head);
	call_init(&c, arg, rq, rs);
	serve(&c);
	if (!c.deferred)
		count(c.api, c.route, rs->status, monotonic_s() - c.t0, c.turn);
	token_release(&c.tok);
}

static void admitted_free(void *arg)
{
	token_release(arg);
	free(arg);
}

void api_admit(void *arg, const struct httpd_req *rq, struct httpd_resp *rs)
{
	struct api_call c;

	if (strcmp(rq->path, "/healthz") == 0 && !rq->stopping)
		return;
	call_init(&c, arg, rq, rs);
	if (rq->stopping) {
		api_error(&c, 503, "the server is stopping");
	} else if (authenticate(&c) == 0) {
		/* the handler's, once the body is in */
		rs->admitted = xmalloc(sizeof(c.tok));
		memcpy(rs->admitted, &c.tok, sizeof(c.tok));
		rs->admitted_free = admitted_free;
		return;
	}
	if (rs->status)
		count(c.api, c.route, rs->status, monotonic_s() - c.t0, false);
	token_release(&c.tok);
}
