/* /v1/assistants, /v1/users, /v1/conversations and /v1/integrations
 * (api.h). */
#include "api-int.h"
#include "assistant.h"
#include "conversation.h"
#include "health.h"
#include "render.h"
#include "sbuf.h"
#include "user.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is(const struct api_call *c, const char *method)
{
	return strcmp(c->rq->method, method) == 0;
}

/* Apply the members of an assistant body to a. */
static int assistant_body(struct api_call *c, struct assistant *a)
{
	static const char *const keys[] = { "name",	  "base_url", "model",
					    "key_secret", "prompt",   NULL };
	char **fields[] = { &a->name, &a->base_url, &a->model, &a->key_secret, &a->system_prompt };
	const cJSON *v;
	const char *s;
	long long n;
	int rc;

	for (int i = 0; keys[i]; i++) {
		if (api_str(c, keys[i], &s) < 0)
			return -1;
		if (!cJSON_GetObjectItemCaseSensitive(c->in, keys[i]))
			continue;
		free(*fields[i]);
		*fields[i] = s && *s ? xstrdup(s) : NULL;
	}
	if (api_str(c, "backend", &s) < 0)
		return -1;
	if (s && assistant_backend_parse(s, &a->backend) < 0)
		return api_error(c, 400, "\"backend\" must be offline or llm");
	v = cJSON_GetObjectItemCaseSensitive(c->in, "tools");
	if (cJSON_IsArray(v)) {
		struct sbuf sb = SBUF_INIT;
		const cJSON *t;

		cJSON_ArrayForEach(t, v) {
			if (!cJSON_IsString(t)) {
				sbuf_release(&sb);
				return api_error(c, 400, "\"tools\" must be an array of names");
			}
			sbuf_addf(&sb, "%s%s", sb.len ? "," : "", t->valuestring);
		}
		free(a->tools);
		a->tools = sb.len ? sbuf_detach(&sb) : NULL;
		sbuf_release(&sb);
	} else if (cJSON_IsNull(v)) {
		free(a->tools);
		a->tools = NULL;
	} else if (v) {
		return api_error(c, 400, "\"tools\" must be an array of names or null");
	}
	v = cJSON_GetObjectItemCaseSensitive(c->in, "temperature");
	if (cJSON_IsNumber(v)) {
		a->has_temperature = true;
		a->temperature = v->valuedouble;
	} else if (cJSON_IsNull(v)) {
		a->has_temperature = false;
	} else if (v) {
		return api_error(c, 400, "\"temperature\" must be a number or null");
	}
	if ((rc = api_int(c, "token_budget", 256, 1000000, &n)) < 0)
		return -1;
	if (rc)
		a->token_budget = (int)n;
	/* null: the server's default (0) */
	if (api_int(c, "max_tokens", 0, 1000000, &n) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(c->in, "max_tokens"))
		a->max_tokens = (int)n;
	return 0;
}

/* base_url without what may hold a key: the userinfo
 * ("http://user:KEY@host/"), the query ("?key=...") and the fragment;
 * NULL when it has none of them. */
static char *bare_url(const char *u)
{
	size_t n = strcspn(u, "?#");
	const char *host = strstr(u, "://"), *at = NULL;

	if (host && (size_t)(host - u) < n) {
		host += 3;
		for (const char *p = host; p < u + n && *p != '/'; p++)
			if (*p == '@')
				at = p;
	}
	if (!at && !u[n])
		return NULL;
	if (!at)
		return xstrndup(u, n);
	return xasprintf("%.*s%.*s", (int)(host - u), u, (int)(u + n - at - 1), at + 1);
}

/* An assistant as the caller may see it: key_secret, the name of the
 * secret that holds its key, is for the first user only, who alone may
 * change assistants (api_shared_writable); so are the parts of its
 * base_url where some servers take a key (bare_url): another user sees
 * the URL without them. */
static cJSON *assistant_json(const struct assistant *a, bool first)
{
	cJSON *o = json_assistant(a);
	char *bare;

	if (first)
		return o;
	cJSON_DeleteItemFromObjectCaseSensitive(o, "key_secret");
	if (a->base_url && (bare = bare_url(a->base_url))) {
		cJSON_ReplaceItemInObjectCaseSensitive(o, "base_url", cJSON_CreateString(bare));
		free(bare);
	}
	return o;
}

/* Assistants are the installation's: every token reads them, only the
 * first user's changes them (else one could point an assistant at a
 * server of their own with any secret as its key, or read the turns of
 * every user of the default one). */
int api_assistants(struct api_call *c)
{
	struct assistant a;
	struct err e;
	int first, rc = 0;

	memset(&a, 0, sizeof(a));
	if (!c->id && is(c, "GET")) {
		struct assistant *list;
		cJSON *arr;
		size_t n;

		if ((first = api_first_user(c, NULL)) < 0)
			return -1;
		if (assistant_list(c->store, &list, &n, &e) < 0)
			return api_fail(c, &e);
		arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, assistant_json(&list[i], first));
		assistant_list_free(list, n);
		api_page(c, arr);
		return 0;
	}
	if (!c->id && is(c, "POST")) {
		a.token_budget = ASSISTANT_DEFAULT_BUDGET;
		if (api_shared_writable(c, "assistants") < 0 || assistant_body(c, &a) < 0)
			rc = -1;
		else if (!a.name)
			rc = api_error(c, 400, "missing \"name\"");
		else if (assistant_check(&a, &e) < 0 || assistant_add(c->store, &a, c->now, &e) < 0)
			rc = api_fail(c, &e);
		else
			api_created(c, "/v1/assistants", a.id, json_assistant(&a));
		assistant_release(&a);
		return rc;
	}
	if (!c->id || c->sub || !(is(c, "GET") || is(c, "PATCH") || is(c, "DELETE")))
		return api_bad_method(c, c->id ? "GET, PATCH, DELETE" : "GET, POST");
	if (is(c, "GET"))
		first = api_first_user(c, NULL);
	else
		first = api_shared_writable(c, "assistants") < 0 ? -1 : 1;
	if (first < 0)
		return -1;
	if (is(c, "GET")) {
		if (assistant_get_by_name(c->store, c->id, &a, &e) < 0)
			return api_fail(c, &e);
		api_one(c, assistant_json(&a, first));
		assistant_release(&a);
		return 0;
	}
	/* If-Match, the body and the write in one transaction: no write of
	 * another request comes between the check and this one. */
	if (store_begin(c->store, &e) < 0)
		return api_fail(c, &e);
	rc = assistant_get_by_name(c->store, c->id, &a, &e) < 0 ? api_fail(c, &e) : 0;
	if (rc == 0) {
		cJSON *cur = json_assistant(&a);

		rc = api_check_match(c, cur);
		cJSON_Delete(cur);
	}
	if (rc == 0 && !is(c, "DELETE") && assistant_body(c, &a) < 0)
		rc = -1;
	if (rc == 0 && (is(c, "DELETE") ? assistant_rm(c->store, a.name, &e)
					: assistant_update(c->store, &a, false, &e)) < 0)
		rc = api_fail(c, &e);
	if (rc < 0)
		store_rollback(c->store);
	else if (store_commit(c->store, &e) < 0) /* rolled back */
		rc = api_fail(c, &e);
	else if (is(c, "DELETE"))
		api_no_content(c);
	else
		api_one(c, json_assistant(&a));
	assistant_release(&a);
	return rc;
}

/* A token sees its own user only: the list holds one, another is 403.
 * Read-only: users are made with `nestor user add` (a token has no admin
 * role to make or change them), so a write is 405 with Allow. */
int api_users(struct api_call *c)
{
	struct user u;
	struct err e;
	long long id;
	int rc = 0;

	if (!is(c, "GET")) {
		httpd_resp_header(c->rs, "Allow", "GET, HEAD");
		return api_error(c, 405,
				 "users are read-only here (nestor user add, on the server)");
	}
	if (c->sub)
		return api_error(c, 404, "no such resource");
	if (c->id && strcmp(c->id, c->tok.user) != 0 &&
	    !(api_id_text(c->id, &id) && id == c->tok.user_id))
		return api_error(c, 403, "user \"%s\" is not this token's", c->id);
	if (user_get(c->store, c->tok.user, &u, &e) < 0)
		return api_fail(c, &e);
	if (c->id) {
		api_one(c, json_user(&u));
	} else {
		cJSON *arr = cJSON_CreateArray();

		cJSON_AddItemToArray(arr, json_user(&u));
		api_page(c, arr);
	}
	user_release(&u);
	return rc;
}

static int conversation_messages_of(struct api_call *c, long long id)
{
	struct message *ms;
	struct err e;
	cJSON *arr;
	size_t n;

	if (!is(c, "GET"))
		return api_bad_method(c, "GET");
	if (conversation_messages(c->store, id, &ms, &n, &e) < 0)
		return api_fail(c, &e);
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, json_message(&ms[i]));
	message_list_free(ms, n);
	api_page(c, arr);
	return 0;
}

static int conversation_create(struct api_call *c)
{
	struct conversation cv;
	struct assistant a;
	const char *name;
	struct err e;
	long long id;
	int rc;

	if (api_writable(c) < 0 || api_str(c, "assistant", &name) < 0)
		return -1;
	rc = name ? assistant_get_by_name(c->store, name, &a, &e)
		  : assistant_get_default(c->store, &a, &e);
	if (rc < 0)
		return api_fail(c, &e);
	rc = conversation_new(c->store, a.id, CONV_CLI, c->now, &id, &e);
	assistant_release(&a);
	if (rc < 0 || conversation_get(c->store, id, &cv, &e) < 0)
		return api_fail(c, &e);
	api_created(c, "/v1/conversations", id, json_conversation(&cv));
	conversation_release(&cv);
	return 0;
}

int api_own_conversation(struct api_call *c, long long id, struct conversation *out)
{
	struct conversation *cs;
	bool mine = false;
	struct err e;
	size_t n;

	if (conversation_list(c->store, CONV_ANY, 0, &cs, &n, &e) < 0)
		return api_fail(c, &e);
	for (size_t i = 0; i < n && !mine; i++)
		mine = cs[i].id == id;
	conversation_list_free(cs, n);
	if (!mine)
		return api_error(c, 404, "no conversation with id %lld", id);
	if (conversation_get(c->store, id, out, &e) < 0)
		return api_fail(c, &e);
	return 0;
}

int api_conversations(struct api_call *c)
{
	struct conversation cv;
	struct err e;
	long long id;
	int rc = 0;

	if (!c->id && is(c, "GET")) {
		struct conversation *cs;
		cJSON *arr;
		size_t n;

		if (conversation_list(c->store, CONV_ANY, 0, &cs, &n, &e) < 0)
			return api_fail(c, &e);
		arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_conversation(&cs[i]));
		conversation_list_free(cs, n);
		api_page(c, arr);
		return 0;
	}
	if (!c->id && is(c, "POST"))
		return conversation_create(c);
	if (!c->id)
		return api_bad_method(c, "GET, POST");
	if (api_id(c, &id) < 0 || (c->sub && strcmp(c->sub, "messages") != 0))
		return c->sub ? api_error(c, 404, "no such resource") : -1;
	if (api_own_conversation(c, id, &cv) < 0)
		return -1;
	if (c->sub) {
		rc = conversation_messages_of(c, id);
	} else if (is(c, "GET")) {
		api_one(c, json_conversation(&cv));
	} else if (is(c, "DELETE")) {
		cJSON *cur = json_conversation(&cv);

		rc = api_writable(c) < 0 || api_check_match(c, cur) < 0 ? -1 : 0;
		cJSON_Delete(cur);
		if (rc == 0 && conversation_rm(c->store, id, &e) < 0)
			rc = api_fail(c, &e);
		else if (rc == 0)
			api_no_content(c);
	} else {
		rc = api_bad_method(c, "GET, DELETE");
	}
	conversation_release(&cv);
	return rc;
}

/* The installation's state is the first user's to see (the database's
 * path, the scheduler's pid, every user's jobs, the sync targets' errors
 * and the outbox); another user's token sees its own jobs and which
 * targets are configured (health_collect_user). */
int api_integrations(struct api_call *c)
{
	struct health h;
	struct err e;
	int first, rc;

	if (!is(c, "GET") || c->id)
		return c->id ? api_error(c, 404, "no such resource") : api_bad_method(c, "GET");
	if ((first = api_first_user(c, NULL)) < 0)
		return -1;
	rc = first ? health_collect(c->store, c->cfg, store_path(c->store), NULL, c->now, &h, &e)
		   : health_collect_user(c->store, c->cfg, store_path(c->store), c->tok.user_id,
					 c->now, &h, &e);
	if (rc < 0)
		return api_fail(c, &e);
	api_json(c, 200, health_json(&h));
	health_release(&h);
	return 0;
}
