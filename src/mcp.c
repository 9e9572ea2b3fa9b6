/* The MCP server core: JSON-RPC messages in, responses out, the tool
 * registry behind them. */
#include "mcp.h"
#include "assistant.h"
#include "engine.h"
#include "jsoncut.h"
#include "jsonnul.h"
#include "log.h"
#include "sbuf.h"
#include "tool.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RPC_PARSE     (-32700)
#define RPC_INVALID   (-32600)
#define RPC_NO_METHOD (-32601)
#define RPC_PARAMS    (-32602)

/* The largest integer id: a client's JSON reader may hold numbers as
 * doubles, exact up to 2^53 - 1 (MCP: an id is a string or an integer). */
#define ID_MAX 9007199254740991.0

/* How many cancelled ids of calls not yet started a session remembers. */
#define MCP_EARLY_CANCELS 16

const char *const mcp_versions[] = { MCP_VERSION_LATEST, "2025-06-18", "2025-03-26", NULL };

struct mcp_session {
	struct store *store;
	struct config *cfg;
	struct engine *engine;
	long long user;
	char *assistant; /* or NULL: the default one */
	char *version;	 /* agreed at initialize */
	char *listed;	 /* the tool names last listed, comma-separated */
	/* Cancellation (mcp_session_cancel, from another thread), under lock:
	 * the id (as JSON text) of the tools/call running, whether it was
	 * cancelled, and the ids cancelled before their call started. */
	pthread_mutex_t lock;
	char *running;
	bool dropped;
	char *early[MCP_EARLY_CANCELS];
	size_t nearly;
	atomic_int stop; /* the engine's cancel flag unless resumed */
};

#define ID_SCHEMA "\"id\":{\"type\":\"integer\"}"
#define LIST_SCHEMA(key)                                                                           \
	"{\"type\":\"object\",\"properties\":{\"" key "\":{\"type\":\"array\",\"items\":"          \
	"{\"type\":\"object\"}}},\"required\":[\"" key "\"]}"
#define ID_OBJ_SCHEMA(key)                                                                         \
	"{\"type\":\"object\",\"properties\":{" ID_SCHEMA ",\"" key "\":{\"type\":\"object\"}},"   \
	"\"required\":[\"id\"]}"

/* The result shapes that are an interface (DESIGN.md, "Stable JSON"). */
static const struct {
	const char *tool, *schema;
} output_schemas[] = {
	{ "task_add", ID_OBJ_SCHEMA("task") },
	{ "task_done", ID_OBJ_SCHEMA("task") },
	{ "task_list", LIST_SCHEMA("tasks") },
	{ "reminder_add", ID_OBJ_SCHEMA("reminder") },
	{ "reminder_list", LIST_SCHEMA("reminders") },
	{ "calendar_agenda", LIST_SCHEMA("events") },
	{ "calendar_search", LIST_SCHEMA("events") },
	{ "routine_list", LIST_SCHEMA("routines") },
};

bool mcp_version_supported(const char *v)
{
	for (const char *const *p = mcp_versions; v && *p; p++)
		if (!strcmp(*p, v))
			return true;
	return false;
}

struct mcp_session *mcp_session_new(struct store *store, struct config *cfg, long long user_id,
				    const char *assistant, struct err *e)
{
	struct mcp_session *s;
	struct assistant a;

	if (assistant) {
		if (assistant_get_by_name(store, assistant, &a, e) < 0)
			return NULL;
		assistant_release(&a);
	}
	s = xcalloc(1, sizeof(*s));
	s->store = store;
	s->cfg = cfg;
	s->user = user_id;
	s->assistant = assistant ? xstrdup(assistant) : NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->engine = engine_new(store, cfg, e);
	if (!s->engine || engine_set_caller(s->engine, assistant, e) < 0) {
		mcp_session_free(s);
		return NULL;
	}
	engine_watch_cancel(s->engine, &s->stop);
	return s;
}

void mcp_session_free(struct mcp_session *s)
{
	if (!s)
		return;
	engine_free(s->engine);
	free(s->assistant);
	free(s->version);
	free(s->listed);
	free(s->running);
	for (size_t i = 0; i < MCP_EARLY_CANCELS; i++)
		free(s->early[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const char *mcp_session_version(const struct mcp_session *s)
{
	return s->version;
}

void mcp_session_resume(struct mcp_session *s, const char *version, atomic_int *flag)
{
	free(s->version);
	s->version = version ? xstrdup(version) : NULL;
	engine_watch_cancel(s->engine, flag ? flag : &s->stop);
}

/* Under the lock: whether id was cancelled before its call started (and
 * forget it). */
static bool take_early_locked(struct mcp_session *s, const char *id)
{
	for (size_t i = 0; i < MCP_EARLY_CANCELS; i++)
		if (s->early[i] && !strcmp(s->early[i], id)) {
			free(s->early[i]);
			s->early[i] = NULL;
			return true;
		}
	return false;
}

/* The strings holding a NUL (jsonnul.h) of a message or a batch: the
 * first of each message, in the order of the messages. */
struct nul_found {
	long element; /* -1: the text is one message */
	bool raw;
	char *path;
};
struct nuls {
	struct nul_found *v;
	size_t n, next; /* next: the first not yet taken by nul_of */
};

static void nul_note(void *arg, const struct json_nul *at)
{
	struct nuls *ns = arg;

	if (ns->n && ns->v[ns->n - 1].element == at->element)
		return;
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n].element = at->element;
	ns->v[ns->n].raw = at->raw;
	ns->v[ns->n++].path = xstrdup(at->path);
}

static void nuls_find(struct nuls *ns, const char *msg)
{
	memset(ns, 0, sizeof(*ns));
	if (strstr(msg, "\\u0000"))
		json_nul_each(msg, strlen(msg), nul_note, ns);
}

/* The NUL of message k (-1: not a batch), or NULL; k must not go down. */
static const struct nul_found *nul_of(struct nuls *ns, long k)
{
	while (ns->next < ns->n && ns->v[ns->next].element < k)
		ns->next++;
	return ns->next < ns->n && ns->v[ns->next].element == k ? &ns->v[ns->next] : NULL;
}

static void nuls_release(struct nuls *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i].path);
	free(ns->v);
}

static cJSON *rpc_error(const cJSON *id, int code, const char *msg);

/* The answer to a message refused whole (no id), as one line. */
static char *refusal(int code, const char *msg)
{
	cJSON *r = rpc_error(NULL, code, msg);
	char *text = cJSON_PrintUnformatted(r);

	cJSON_Delete(r);
	return text;
}

/* The messages of a parsed text, walked in order by json_frac_each(). */
struct fracs {
	cJSON *top, *at; /* at: message k of a batch */
	long k;
};

/* An id (or a cancelled requestId) written with a fraction or an
 * exponent is no integer, whatever double it makes: it is made a value
 * id_valid() refuses, so 1e2 is never echoed as 100. */
static void frac_note(void *arg, const struct json_nul *at)
{
	struct fracs *f = arg;
	cJSON *m = f->top, *params;

	if (at->element >= 0) {
		if (!f->at || f->k > at->element) {
			f->at = f->top->child;
			f->k = 0;
		}
		for (; f->at && f->k < at->element; f->k++)
			f->at = f->at->next;
		m = f->at;
	}
	if (!cJSON_IsObject(m))
		return;
	params = cJSON_GetObjectItemCaseSensitive(m, "params");
	if (!strcmp(at->path, "id"))
		cJSON_ReplaceItemInObjectCaseSensitive(m, "id", cJSON_CreateRaw("null"));
	else if (!strcmp(at->path, "params.requestId") && cJSON_IsObject(params))
		cJSON_ReplaceItemInObjectCaseSensitive(params, "requestId",
						       cJSON_CreateRaw("null"));
}

/* msg[0..len) as one JSON value, or NULL with *why the parse error to
 * answer (caller frees): not UTF-8 (a string echoed back, an id, a name,
 * would be no JSON text), not JSON (a control byte RFC 8259 has not
 * too), or more after the value. */
static cJSON *parse_whole(const char *msg, size_t len, char **why)
{
	struct err e = { 0, "" };
	const char *end = NULL;
	struct fracs f = { NULL, NULL, 0 };
	char *text, bad[JSON_WHY_MAX];
	size_t at;
	cJSON *m;

	*why = NULL;
	if (memchr(msg, '\0', len)) {
		*why = xstrdup(MCP_NUL_BYTE_ERROR);
		return NULL;
	}
	if (!utf8_valid(msg, len)) {
		/* the byte's offset, as the field checks word it */
		char *copy = xstrndup(msg, len);

		utf8_check_bytes("message", copy, 0, &e);
		free(copy);
		text = xasprintf("parse error: %s", e.msg);
	} else if (json_bad_byte(msg, len, &at, bad)) {
		text = xasprintf("parse error: not JSON (at byte %zu: %s)", at, bad);
	} else if (!(m = cJSON_ParseWithLengthOpts(msg, len, &end, false))) {
		text = xasprintf("parse error: not JSON (at byte %zu)",
				 end && end >= msg ? (size_t)(end - msg) : 0);
	} else {
		end += strspn(end, " \t\r\n");
		if (end >= msg + len) {
			f.top = m;
			json_frac_each(msg, len, frac_note, &f);
			return m;
		}
		cJSON_Delete(m);
		text = xasprintf("parse error: more after the JSON value (at byte %zu)",
				 (size_t)(end - msg));
	}
	*why = refusal(RPC_PARSE, text);
	free(text);
	return NULL;
}

char *mcp_parse_error(const char *msg, size_t len)
{
	char *why;
	cJSON *m = parse_whole(msg, len, &why);

	cJSON_Delete(m);
	return why;
}

/* The notifications a client sends (the spec's ClientNotification). */
static const char *const client_notifications[] = {
	"notifications/initialized",	    "notifications/cancelled",	  "notifications/progress",
	"notifications/roots/list_changed", "notifications/tasks/status", NULL,
};

/* Why notification m (an object with a method, no id) is not taken, or
 * NULL. */
static char *notification_refused(const cJSON *m, const struct nul_found *nul)
{
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(m, "jsonrpc");
	struct json_nul dup;
	const char *const *p;

	if (!cJSON_IsString(version) || strcmp(version->valuestring, "2.0"))
		return xstrdup("jsonrpc must be \"2.0\"");
	if (!cJSON_IsString(method))
		return xstrdup("method must be a string");
	if (nul)
		return xasprintf("%s: a NUL character (\\u0000) is not text",
				 utf8_q(*nul->path ? nul->path : "message"));
	if (json_dup_first(m, &dup))
		return xasprintf("%s: given twice (a member name once per object)",
				 utf8_q(dup.path));
	for (p = client_notifications; *p && strcmp(*p, method->valuestring); p++)
		;
	if (!*p)
		return xasprintf("unknown notification: %s", utf8_q(method->valuestring));
	if (params && !cJSON_IsObject(params))
		return xasprintf("%s: params must be an object", method->valuestring);
	if (!strcmp(*p, "notifications/cancelled") &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(params, "requestId")) &&
	    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(params, "requestId")))
		return xstrdup("notifications/cancelled: params.requestId must be a string or "
			       "an integer");
	return NULL;
}

char *mcp_notification_error(const char *msg)
{
	char *why, *first = NULL;
	cJSON *m = parse_whole(msg, strlen(msg), &why), *c, *one;
	struct nuls ns;
	long k = 0;

	if (!m)
		return why;
	nuls_find(&ns, msg);
	if (!cJSON_IsArray(m)) {
		if (cJSON_GetObjectItemCaseSensitive(m, "method") &&
		    !cJSON_GetObjectItemCaseSensitive(m, "id"))
			first = notification_refused(m, nul_of(&ns, -1));
	} else {
		cJSON_ArrayForEach(c, m) {
			const struct nul_found *f = nul_of(&ns, k++);

			if (!first && cJSON_GetObjectItemCaseSensitive(c, "method") &&
			    !cJSON_GetObjectItemCaseSensitive(c, "id"))
				first = notification_refused(c, f);
		}
	}
	nuls_release(&ns);
	cJSON_Delete(m);
	if (!first)
		return NULL;
	/* a notification is only refused: -32600 with no id, or -32601 */
	one = rpc_error(NULL,
			strncmp(first, "unknown notification", 20) ? RPC_INVALID : RPC_NO_METHOD,
			first);
	free(first);
	why = cJSON_PrintUnformatted(one);
	cJSON_Delete(one);
	return why;
}

bool mcp_batch_allowed(const char *version)
{
	return version && !strcmp(version, "2025-03-26");
}

char *mcp_batch_error(void)
{
	return refusal(RPC_INVALID, "a batch is not allowed: only protocol version 2025-03-26 "
				    "has batches (send each message alone)");
}

static void cancel_one(struct mcp_session *s, const cJSON *m)
{
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");
	const cJSON *rid = cJSON_GetObjectItemCaseSensitive(params, "requestId");
	char *id;

	if (!cJSON_IsString(method) || strcmp(method->valuestring, "notifications/cancelled") ||
	    cJSON_GetObjectItemCaseSensitive(m, "id") || json_dup_first(m, NULL) ||
	    (!cJSON_IsString(rid) && !cJSON_IsNumber(rid)))
		return;
	id = cJSON_PrintUnformatted(rid);
	pthread_mutex_lock(&s->lock);
	if (s->running && !strcmp(s->running, id)) {
		s->dropped = true;
		atomic_store(&s->stop, 1);
		free(id);
	} else {
		free(s->early[s->nearly]);
		s->early[s->nearly] = id;
		s->nearly = (s->nearly + 1) % MCP_EARLY_CANCELS;
	}
	pthread_mutex_unlock(&s->lock);
}

void mcp_session_cancel(struct mcp_session *s, const char *msg)
{
	char *why;
	cJSON *m = parse_whole(msg, strlen(msg), &why), *c;
	cJSON *batch = cJSON_IsArray(m) ? m : NULL;
	struct nuls ns;
	long k = 0;

	free(why); /* mcp_session_handle answers it */

	/* a requestId cut at a NUL would name another request */
	nuls_find(&ns, msg);
	if (cJSON_IsObject(m) && !nul_of(&ns, -1))
		cancel_one(s, m);
	cJSON_ArrayForEach(c, batch) {
		if (!nul_of(&ns, k++))
			cancel_one(s, c);
	}
	nuls_release(&ns);
	cJSON_Delete(m);
}

char *mcp_tool_names(struct store *store, const char *assistant)
{
	struct assistant a;
	struct err e = { 0, "" };
	struct sbuf sb = SBUF_INIT;
	int rc = assistant ? assistant_get_by_name(store, assistant, &a, &e)
			   : assistant_get_default(store, &a, &e);

	if (rc < 0) {
		log_warn("mcp: %s", e.msg);
		return NULL;
	}
	for (const struct tool *const *t = tool_registry; *t; t++)
		if (assistant_allows(&a, (*t)->name))
			sbuf_addf(&sb, "%s%s", sb.len ? "," : "", (*t)->name);
	assistant_release(&a);
	return sbuf_detach(&sb);
}

static char *tool_names(struct mcp_session *s)
{
	return mcp_tool_names(s->store, s->assistant);
}

const char *mcp_session_assistant(const struct mcp_session *s)
{
	return s->assistant;
}

const char *mcp_session_listed(const struct mcp_session *s)
{
	return s->listed;
}

static bool names_have(const char *names, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = names; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return true;
		p = end ? end + 1 : p + len;
	}
	return false;
}

static const char *output_schema(const char *tool)
{
	for (size_t i = 0; i < sizeof(output_schemas) / sizeof(output_schemas[0]); i++)
		if (!strcmp(output_schemas[i].tool, tool))
			return output_schemas[i].schema;
	return NULL;
}

/* Structured results exist from 2025-06-18 on. */
static bool structured(const struct mcp_session *s)
{
	return !s->version || strcmp(s->version, "2025-06-18") >= 0;
}

/* Whether id can be echoed as the client sent it: a string, or an
 * integer a double holds exactly (not -0, which would come back as 0). */
static bool id_valid(const cJSON *id)
{
	if (cJSON_IsString(id))
		return true;
	return cJSON_IsNumber(id) && id->valuedouble == floor(id->valuedouble) &&
	       fabs(id->valuedouble) <= ID_MAX &&
	       !(id->valuedouble == 0 && signbit(id->valuedouble));
}

/* The id to answer with: the request's, as it wrote it (cJSON would
 * print 9007199254740991 as 9.00719925474099e+15). */
static cJSON *id_copy(const cJSON *id)
{
	char buf[32];

	if (!cJSON_IsNumber(id))
		return cJSON_Duplicate(id, 1);
	snprintf(buf, sizeof(buf), "%.0f", id->valuedouble);
	return cJSON_CreateRaw(buf);
}

static cJSON *rpc_error(const cJSON *id, int code, const char *msg)
{
	cJSON *r = cJSON_CreateObject(), *err;

	cJSON_AddStringToObject(r, "jsonrpc", "2.0");
	cJSON_AddItemToObject(r, "id", id ? id_copy(id) : cJSON_CreateNull());
	err = cJSON_AddObjectToObject(r, "error");
	cJSON_AddNumberToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg);
	return r;
}

static cJSON *rpc_result(const cJSON *id, cJSON *result)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "jsonrpc", "2.0");
	cJSON_AddItemToObject(r, "id", id_copy(id));
	cJSON_AddItemToObject(r, "result", result);
	return r;
}

static cJSON *initialize(struct mcp_session *s, const cJSON *id, const cJSON *params)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, "protocolVersion");
	cJSON *r, *caps, *info;

	if (!cJSON_IsString(v))
		return rpc_error(id, RPC_PARAMS, "initialize: missing protocolVersion");
	free(s->version);
	s->version = xstrdup(mcp_version_supported(v->valuestring) ? v->valuestring
								   : MCP_VERSION_LATEST);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "protocolVersion", s->version);
	caps = cJSON_AddObjectToObject(r, "capabilities");
	cJSON_AddTrueToObject(cJSON_AddObjectToObject(caps, "tools"), "listChanged");
	info = cJSON_AddObjectToObject(r, "serverInfo");
	cJSON_AddStringToObject(info, "name", "nestor");
	cJSON_AddStringToObject(info, "version", NESTOR_VERSION);
	cJSON_AddStringToObject(r, "instructions",
				"nestor keeps the user's calendar, tasks and reminders. Times are "
				"ISO 8601 with an offset, or phrases like \"tomorrow 17:00\".");
	return rpc_result(id, r);
}

static cJSON *tools_list(struct mcp_session *s, const cJSON *id)
{
	char *names = tool_names(s);
	long long saved = store_user(s->store);
	cJSON *r, *arr;

	if (!names)
		return rpc_error(id, -32603, "the assistant's tools cannot be read");
	r = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(r, "tools");
	/* the tools the session's user may call: not the calendar's for a user
	 * who is not its owner (tool_offered, as the assistant's turns) */
	store_set_user(s->store, s->user);
	for (const struct tool *const *t = tool_registry; *t; t++) {
		const char *out = output_schema((*t)->name);
		cJSON *o;

		if (!names_have(names, (*t)->name) || tool_offered(s->store, *t) != 1)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", (*t)->name);
		cJSON_AddStringToObject(o, "description", (*t)->description);
		cJSON_AddItemToObject(o, "inputSchema", cJSON_Parse((*t)->schema));
		if (out && structured(s))
			cJSON_AddItemToObject(o, "outputSchema", cJSON_Parse(out));
		cJSON_AddItemToArray(arr, o);
	}
	store_set_user(s->store, saved);
	free(s->listed);
	s->listed = names;
	return rpc_result(id, r);
}

static cJSON *text_content(const char *text)
{
	cJSON *arr = cJSON_CreateArray(), *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "type", "text");
	cJSON_AddStringToObject(c, "text", text);
	cJSON_AddItemToArray(arr, c);
	return arr;
}

/* The call id is about to run: false when the client cancelled it already. */
static bool start_call(struct mcp_session *s, const cJSON *id)
{
	char *text = cJSON_PrintUnformatted(id);
	bool run;

	pthread_mutex_lock(&s->lock);
	run = !take_early_locked(s, text);
	if (run) {
		free(s->running);
		s->running = text;
		s->dropped = false;
		atomic_store(&s->stop, 0);
	} else {
		free(text);
	}
	pthread_mutex_unlock(&s->lock);
	return run;
}

/* The running call is over: whether the client cancelled it. */
static bool end_call(struct mcp_session *s)
{
	bool dropped;

	pthread_mutex_lock(&s->lock);
	dropped = s->dropped;
	free(s->running);
	s->running = NULL;
	s->dropped = false;
	pthread_mutex_unlock(&s->lock);
	return dropped;
}

static cJSON *tools_call(struct mcp_session *s, const cJSON *id, const cJSON *params, time_t now)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	struct tool_ctx tc = { .store = s->store, .cfg = s->cfg, .now = now, .lang = "en" };
	struct err e = { 0, "" };
	cJSON *result = NULL, *r;
	char *names, *text, *msg;
	long long saved = store_user(s->store);
	size_t whole;
	int rc;

	if (!cJSON_IsString(name))
		return rpc_error(id, RPC_PARAMS, "tools/call: missing name");
	names = tool_names(s);
	if (!names_have(names, name->valuestring)) {
		free(names);
		/* the name as the client gave it, quoted: never its raw bytes */
		msg = xasprintf("unknown tool: %s", utf8_q(name->valuestring));
		r = rpc_error(id, RPC_PARAMS, msg);
		free(msg);
		return r;
	}
	free(names);
	tc.engine = s->engine;
	tc.cancel = engine_cancel_flag(s->engine);
	if (!start_call(s, id))
		return NULL;
	store_set_user(s->store, s->user);
	tool_ctx_zone(&tc);
	rc = tool_call(&tc, name->valuestring, args, &result, &e);
	tool_ctx_zone_release(&tc);
	store_set_user(s->store, saved);
	if (end_call(s)) {
		log_info("mcp: %s: cancelled by the client", name->valuestring);
		cJSON_Delete(result);
		return NULL;
	}
	r = cJSON_CreateObject();
	if (rc < 0) {
		log_info("mcp: %s: %s", name->valuestring, e.msg);
		cJSON_AddItemToObject(r, "content", text_content(e.msg));
		cJSON_AddTrueToObject(r, "isError");
		return rpc_result(id, r);
	}
	text = json_print_max(result, MCP_RESULT_MAX, &whole);
	if (!text) {
		msg = xasprintf("%s: the result is %zu bytes, more than the %d an answer holds: "
				"ask for less",
				name->valuestring, whole, MCP_RESULT_MAX);
		log_info("mcp: %s", msg);
		cJSON_Delete(result);
		cJSON_AddItemToObject(r, "content", text_content(msg));
		cJSON_AddTrueToObject(r, "isError");
		free(msg);
		return rpc_result(id, r);
	}
	if (whole > MCP_RESULT_MAX) { /* cut to whole items: what was sent */
		log_info("mcp: %s: the result cut from %zu bytes", name->valuestring, whole);
		cJSON_Delete(result);
		result = cJSON_Parse(text);
	}
	cJSON_AddItemToObject(r, "content", text_content(text));
	free(text);
	if (structured(s))
		cJSON_AddItemToObject(r, "structuredContent", result);
	else
		cJSON_Delete(result);
	return rpc_result(id, r);
}

/* The answer to request m (an object with a method) that is not run for
 * what is at path (from m): a NUL, which cJSON would have read its string
 * cut at, or a member name given twice, of which cJSON would have read
 * the first only.  In params, invalid params (-32602); elsewhere (the
 * method, the id, a member's name) not a valid request (-32600), with no
 * id if the id is where it is.  A notification is answered nothing. */
static cJSON *refuse_at(const cJSON *m, const char *path, const char *what)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	bool in_id = !strcmp(path, "id") || !strncmp(path, "id.", 3) || !strncmp(path, "id[", 3);
	bool in_params = !strcmp(path, "params") || !strncmp(path, "params.", 7) ||
			 !strncmp(path, "params[", 7);
	char *msg, *clean;
	cJSON *r;

	if (!id && !in_id)
		return NULL;
	/* a member name from the message: controls would not help a reader */
	clean = utf8_clean_str(*path ? path : "message", UTF8_PRINTABLE | UTF8_ONE_LINE);
	msg = xasprintf("%s: %s", clean, what);
	r = rpc_error(in_id || !id_valid(id) ? NULL : id,
		      in_params && !in_id ? RPC_PARAMS : RPC_INVALID, msg);
	free(clean);
	free(msg);
	return r;
}

/* One message (not a batch): a response, or NULL for none. */
static cJSON *handle_one(struct mcp_session *s, const cJSON *m, time_t now)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");
	const char *name;

	const cJSON *version = cJSON_GetObjectItemCaseSensitive(m, "jsonrpc");

	if (!cJSON_IsObject(m))
		return rpc_error(NULL, RPC_INVALID, "not a JSON-RPC message");
	if (id && !id_valid(id))
		return rpc_error(NULL, RPC_INVALID,
				 "id must be a string or an integer from -(2^53-1) to 2^53-1 "
				 "(no fraction, no exponent)");
	if (!cJSON_IsString(version) || strcmp(version->valuestring, "2.0"))
		return rpc_error(method ? id : NULL, RPC_INVALID, "jsonrpc must be \"2.0\"");
	if (!method) { /* a response to us, or nonsense without an id */
		bool result = cJSON_GetObjectItemCaseSensitive(m, "result") != NULL;
		bool error = cJSON_GetObjectItemCaseSensitive(m, "error") != NULL;

		if (!id && !result && !error)
			return rpc_error(NULL, RPC_INVALID, "missing method");
		if (result == error)
			return rpc_error(NULL, RPC_INVALID,
					 "a response has a result or an error, not both, not "
					 "neither");
		/* an error may have none, when the request's was unreadable */
		if (result && !id)
			return rpc_error(NULL, RPC_INVALID, "a response has the id of its request");
		return NULL;
	}
	if (!cJSON_IsString(method))
		return rpc_error(id, RPC_INVALID, "method must be a string");
	name = method->valuestring;
	if (!id) /* notifications: initialized, cancelled, ... need no answer */
		return NULL;
	if (params && !cJSON_IsObject(params))
		return rpc_error(id, RPC_PARAMS, "params must be an object");
	if (!strcmp(name, "initialize"))
		return initialize(s, id, params);
	if (!strcmp(name, "ping"))
		return rpc_result(id, cJSON_CreateObject());
	if (!strcmp(name, "tools/list"))
		return tools_list(s, id);
	if (!strcmp(name, "tools/call"))
		return tools_call(s, id, params, now);
	{
		char *msg = xasprintf("method not found: %s", utf8_q(name));
		cJSON *r = rpc_error(id, RPC_NO_METHOD, msg);

		free(msg);
		return r;
	}
}

bool mcp_session_ping(struct mcp_session *s, const char *msg, char **reply)
{
	cJSON *m, *r = NULL;
	const cJSON *method, *version;
	char *why;

	*reply = NULL;
	if (!strstr(msg, "\"ping\"") || json_nul_first(msg, strlen(msg), NULL))
		return false; /* mcp_session_handle answers a NUL */
	m = parse_whole(msg, strlen(msg), &why);
	free(why); /* and what does not parse */
	if (json_dup_first(m, NULL)) {
		cJSON_Delete(m);
		return false;
	}
	method = cJSON_GetObjectItemCaseSensitive(m, "method");
	/* handle_one answers a ping from its message alone: nothing of s is
	 * read or written, so another thread may run a call meanwhile */
	version = cJSON_GetObjectItemCaseSensitive(m, "jsonrpc");
	if (cJSON_IsObject(m) && cJSON_IsString(method) && !strcmp(method->valuestring, "ping") &&
	    cJSON_GetObjectItemCaseSensitive(m, "id") && cJSON_IsString(version) &&
	    !strcmp(version->valuestring, "2.0"))
		r = handle_one(s, m, 0);
	cJSON_Delete(m);

	if (!r)
		return false;
	*reply = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	return true;
}

/* handle_one, unless m holds a NUL (ns: its message k) or a member name
 * twice. */
static cJSON *handle_whole(struct mcp_session *s, const cJSON *m, struct nuls *ns, long k,
			   time_t now)
{
	const struct nul_found *f = nul_of(ns, k);
	struct json_nul dup;
	bool request = cJSON_IsObject(m) && cJSON_GetObjectItemCaseSensitive(m, "method");

	if (f && request)
		return refuse_at(m, f->path, "a NUL character (\\u0000) is not text");
	if (request && json_dup_first(m, &dup))
		return refuse_at(m, dup.path, "given twice (a member name once per object)");
	return handle_one(s, m, now);
}

int mcp_session_handle(struct mcp_session *s, const char *msg, time_t now, char **reply)
{
	char *why;
	cJSON *m = parse_whole(msg, strlen(msg), &why), *r, *c;
	struct nuls ns;
	long k = 0;

	*reply = NULL;
	if (!m) {
		*reply = why;
		return 0;
	}
	if (cJSON_IsArray(m) && !mcp_batch_allowed(s->version)) {
		cJSON_Delete(m);
		*reply = mcp_batch_error();
		return 0;
	}
	nuls_find(&ns, msg);
	if (cJSON_IsArray(m)) {
		r = cJSON_CreateArray();
		cJSON_ArrayForEach(c, m) {
			cJSON *one = handle_whole(s, c, &ns, k++, now);

			if (one)
				cJSON_AddItemToArray(r, one);
		}
		if (!cJSON_GetArraySize(m))
			cJSON_AddItemToArray(r, rpc_error(NULL, RPC_INVALID, "empty batch"));
		if (!cJSON_GetArraySize(r)) {
			cJSON_Delete(r);
			r = NULL;
		}
	} else {
		r = handle_whole(s, m, &ns, -1, now);
	}
	nuls_release(&ns);
	cJSON_Delete(m);
	if (r) {
		*reply = cJSON_PrintUnformatted(r);
		cJSON_Delete(r);
	}
	return 0;
}

bool mcp_session_tools_changed(struct mcp_session *s, char **notification)
{
	char *names;

	*notification = NULL;
	if (!s->listed)
		return false;
	names = tool_names(s);
	if (!names || !strcmp(names, s->listed)) {
		free(names);
		return false;
	}
	free(s->listed);
	s->listed = names;
	*notification =
		xstrdup("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
	return true;
}
