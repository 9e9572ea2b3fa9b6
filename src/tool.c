/* The registry: every tool, argument validation against its schema, and the
 * `tools` array the LLM backend sends. */
#include "tool-impl.h"
#include "log.h"
#include "tz.h"
#include "utf8.h"
#include "sbuf.h"
#include "user.h"
#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct tool *const tool_registry[] = {
	&tool_calendar_agenda, &tool_calendar_add,
	&tool_calendar_edit,   &tool_calendar_delete,
	&tool_calendar_search, &tool_reminder_add,
	&tool_reminder_list,   &tool_reminder_cancel,
	&tool_reminder_snooze, &tool_task_add,
	&tool_task_list,       &tool_task_done,
	&tool_task_delete,     &tool_time_now,
	&tool_time_convert,    &tool_weather_forecast,
	&tool_ask_assistant,   &tool_day_brief,
	&tool_task_recap,      &tool_routine_add,
	&tool_routine_list,    NULL,
};

const struct tool *tool_find(const char *name)
{
	for (const struct tool *const *t = tool_registry; *t; t++)
		if (!strcmp((*t)->name, name))
			return *t;
	return NULL;
}

bool tool_is_calendar(const struct tool *t)
{
	return t == &tool_calendar_agenda || t == &tool_calendar_add || t == &tool_calendar_edit ||
	       t == &tool_calendar_delete || t == &tool_calendar_search;
}

bool tool_needs_approval(const struct tool *t)
{
	return t->approval != NULL;
}

char *tool_approval_item(const char *what, const char *kind, long long id, const char *title,
			 const char *after, const struct err *e)
{
	if (e)
		return e->code == ERR_NOTFOUND ? xasprintf("%s %lld (%s %lld: no such %s)", what,
							   id, kind, id, kind)
					       : xasprintf("%s %lld (%s)", what, id, e->msg);
	return xasprintf("%s %lld \"%s\"%s%s", what, id, title ? title : "", after ? " " : "",
			 after ? after : "");
}

void tool_time_words(const struct tool_ctx *ctx, time_t t, bool date_only, char *buf, size_t len)
{
	const char *fmt = date_only ? "%a %Y-%m-%d" : "%a %Y-%m-%d %H:%M";
	struct tm tm;

	if (ctx->zone ? tz_format(ctx->zone, t, fmt, buf, len) == 0
		      : localtime_r(&t, &tm) && strftime(buf, len, fmt, &tm) > 0)
		return;
	snprintf(buf, len, "%lld", (long long)t);
}

char *tool_approval_text(struct tool_ctx *ctx, const struct tool *t, const cJSON *args)
{
	/* another user's calendar is not read for the question */
	if (!t->approval || tool_offered(ctx->store, t) != 1)
		return tool_approval_line(xasprintf("call %s", t->name));
	return tool_approval_line(t->approval(ctx, args));
}

char *tool_approval_line(char *raw)
{
	char *s = utf8_clean_str(raw, UTF8_PRINTABLE | UTF8_ONE_LINE | UTF8_NO_BIDI);
	size_t n = strlen(s);

	free(raw);
	if (n > TOOL_APPROVAL_MAX) {
		n = utf8_cut(s, TOOL_APPROVAL_MAX - 3);
		memcpy(s + n, "...", 4);
	}
	return s;
}

int tool_offered(struct store *s, const struct tool *t)
{
	struct err e;

	return tool_is_calendar(t) ? user_owns_calendar(s, &e) : 1;
}

/* The largest integer argument: past it a double (JSON's number, as
 * cJSON and most clients read it) holds no exact integer. */
#define ARG_INT_MAX 9007199254740991.0

/* Whether v is an integer argument: a number with no fraction of at most
 * ARG_INT_MAX either way, or a string that is exactly one in decimal
 * ("12", "-3": models send ids as strings now and then; not " 1", "+1",
 * "1.0", "0x10"); *n (unless NULL) its value. */
static bool is_integer(const cJSON *v, long long *n)
{
	const char *p;
	double d;

	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		if (!(fabs(d) <= ARG_INT_MAX) || d != floor(d))
			return false;
	} else if (cJSON_IsString(v)) {
		p = v->valuestring + (v->valuestring[0] == '-');
		/* at most 16 digits: 2^53-1 has 16 */
		if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 16)
			return false;
		d = (double)strtoll(v->valuestring, NULL, 10);
		if (fabs(d) > ARG_INT_MAX)
			return false;
	} else {
		return false;
	}
	if (n)
		*n = (long long)d;
	return true;
}

/* Whether v has the JSON Schema type named by type (string|integer|number|boolean|array). */
static bool type_ok(const cJSON *v, const char *type)
{
	if (!strcmp(type, "string"))
		return cJSON_IsString(v);
	if (!strcmp(type, "integer"))
		return is_integer(v, NULL);
	if (!strcmp(type, "number"))
		return cJSON_IsNumber(v);
	if (!strcmp(type, "boolean"))
		return cJSON_IsBool(v);
	if (!strcmp(type, "array"))
		return cJSON_IsArray(v);
	return true;
}

/* Check args against the schema: an object, required keys present and not
 * null, no unknown keys, each value of its declared type and range. */
static int validate(const struct tool *t, const cJSON *schema, const cJSON *args, struct err *e)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required"), *r, *a;

	if (args && !cJSON_IsNull(args) && !cJSON_IsObject(args))
		return err_set(e, ERR_USAGE, "%s: arguments must be a JSON object", t->name);
	cJSON_ArrayForEach(r, req) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, r->valuestring);

		if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring))
			return err_set(e, ERR_USAGE, "%s: missing argument %s", t->name,
				       utf8_q(r->valuestring));
	}
	cJSON_ArrayForEach(a, args) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(props, a->string), *type, *lim;
		long long whole;
		double val;

		if (!p)
			return err_set(e, ERR_USAGE, "%s: unknown argument %s", t->name,
				       utf8_q(a->string));
		if (cJSON_IsNull(a))
			continue;
		type = cJSON_GetObjectItemCaseSensitive(p, "type");
		if (cJSON_IsString(type) && !type_ok(a, type->valuestring))
			return err_set(e, ERR_USAGE, "%s: argument %s must be %s %s", t->name,
				       utf8_q(a->string),
				       strchr("aeiou", type->valuestring[0]) ? "an" : "a",
				       type->valuestring);
		if (cJSON_IsNumber(a))
			val = a->valuedouble;
		else if (is_integer(a, &whole)) /* a string the schema takes */
			val = (double)whole;
		else
			continue;
		lim = cJSON_GetObjectItemCaseSensitive(p, "minimum");
		if (cJSON_IsNumber(lim) && val < lim->valuedouble)
			return err_set(e, ERR_USAGE, "%s: argument %s must be at least %g", t->name,
				       utf8_q(a->string), lim->valuedouble);
		lim = cJSON_GetObjectItemCaseSensitive(p, "maximum");
		if (cJSON_IsNumber(lim) && val > lim->valuedouble)
			return err_set(e, ERR_USAGE, "%s: argument %s must be at most %g", t->name,
				       utf8_q(a->string), lim->valuedouble);
	}
	return 0;
}

void tool_ctx_zone(struct tool_ctx *ctx)
{
	char *tzid = user_tz(ctx->store, store_user(ctx->store));
	struct tz *z = tzid ? tz_open(tzid, NULL) : NULL;

	if (tzid && !z) {
		log_warn("user %lld: unknown time zone %s: the local zone is used",
			 store_user(ctx->store), utf8_q(tzid));
		free(tzid);
		tzid = NULL;
	}
	ctx->tzid = tzid;
	ctx->zone = z;
}

void tool_ctx_zone_release(struct tool_ctx *ctx)
{
	free((char *)ctx->tzid);
	tz_free(ctx->zone);
	ctx->tzid = NULL;
	ctx->zone = NULL;
}

int tool_call(struct tool_ctx *ctx, const char *name, const cJSON *args, cJSON **result,
	      struct err *e)
{
	const struct tool *t = tool_find(name);
	cJSON *schema;
	int rc;

	*result = NULL;
	if (!t)
		return err_set(e, ERR_USAGE, "unknown tool %s", utf8_q(name));
	schema = cJSON_Parse(t->schema);
	if (!schema)
		return err_set(e, ERR_FAIL, "%s: broken schema", name);
	rc = validate(t, schema, args, e);
	cJSON_Delete(schema);
	if (rc < 0)
		return -1;
	if (tool_is_calendar(t) && (rc = user_owns_calendar(ctx->store, e)) <= 0) {
		if (rc == 0)
			err_prefix(e, "%s", name);
		return -1;
	}
	if (ctx->cancel && atomic_load(ctx->cancel))
		return err_set(e, ERR_FAIL, "cancelled");
	if (t->run(ctx, args, result, e) < 0) {
		cJSON_Delete(*result);
		*result = NULL;
		return -1;
	}
	return 0;
}

/* Whether name is one of the comma-separated names in allowed. */
static bool allowed_has(const char *allowed, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = allowed; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len == n && !strncmp(p, name, n))
			return true;
		p = end ? end + 1 : p + strlen(p);
	}
	return false;
}

cJSON *tool_schemas(const char *allowed)
{
	cJSON *arr = cJSON_CreateArray();

	for (const struct tool *const *t = tool_registry; *t; t++) {
		cJSON *o, *fn;

		if (allowed && !allowed_has(allowed, (*t)->name))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "function");
		fn = cJSON_AddObjectToObject(o, "function");
		cJSON_AddStringToObject(fn, "name", (*t)->name);
		cJSON_AddStringToObject(fn, "description", (*t)->description);
		cJSON_AddItemToObject(fn, "parameters", cJSON_Parse((*t)->schema));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

const char *tool_arg_str(const cJSON *args, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

long long tool_arg_int(const cJSON *args, const char *name, long long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);

	long long n;

	/* tool_call() refused any other value already (validate) */
	return is_integer(v, &n) ? n : def;
}

bool tool_arg_bool(const cJSON *args, const char *name, bool def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

int tool_arg_when(const struct tool_ctx *ctx, const cJSON *args, const char *name, struct when *w,
		  struct err *e)
{
	const char *s = tool_arg_str(args, name);

	if (!s)
		return 0;
	if (when_parse_in(s, ctx->now, ctx->zone, w, e) < 0) {
		err_prefix(e, "%s", name);
		return -1;
	}
	return 1;
}

int tool_arg_duration(const cJSON *args, const char *name, long *secs, struct err *e)
{
	const char *s = tool_arg_str(args, name);

	if (!s)
		return 0;
	if (when_parse_duration(s, secs, e) < 0) {
		err_prefix(e, "%s", name);
		return -1;
	}
	return 1;
}

int tool_arg_list(const cJSON *args, const char *name, char **list, struct err *e)
{
	const cJSON *c;
	struct sbuf sb = SBUF_INIT;

	*list = NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(args, name)) {
		if (!cJSON_IsString(c)) {
			sbuf_release(&sb);
			return err_set(e, ERR_USAGE, "%s must be strings", name);
		}
		/* the list is stored joined with commas: one would make two */
		if (strchr(c->valuestring, ',')) {
			sbuf_release(&sb);
			return err_set(e, ERR_USAGE, "%s: %s holds a comma: give each one apart",
				       name, utf8_q(c->valuestring));
		}
		sbuf_addf(&sb, "%s%s", sb.len ? "," : "", c->valuestring);
	}
	*list = sb.len ? sbuf_detach(&sb) : NULL;
	sbuf_release(&sb);
	return 0;
}

cJSON *tool_result_id(long long id)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	return o;
}

char *tool_call_text(const char *name, const char *args_json)
{
	struct sbuf sb = SBUF_INIT;
	cJSON *args = args_json ? cJSON_Parse(args_json) : NULL, *v;

	sbuf_adds(&sb, name ? name : "?");
	if (!cJSON_IsObject(args)) {
		if (args_json && args_json[0] && strcmp(args_json, "{}"))
			sbuf_addf(&sb, " %s", args_json);
		cJSON_Delete(args);
		return sbuf_detach(&sb);
	}
	cJSON_ArrayForEach(v, args) {
		if (cJSON_IsString(v)) {
			const char *s = v->valuestring;

			sbuf_addf(&sb, strpbrk(s, " '") || !s[0] ? " '%s'" : " %s", s);
		} else if (cJSON_IsNumber(v)) {
			sbuf_addf(&sb, " %g", v->valuedouble);
		} else if (cJSON_IsTrue(v)) {
			sbuf_addf(&sb, " %s", v->string);
		} else if (!cJSON_IsFalse(v) && !cJSON_IsNull(v)) {
			char *t = cJSON_PrintUnformatted(v);

			sbuf_addf(&sb, " %s", t);
			free(t);
		}
	}
	cJSON_Delete(args);
	return sbuf_detach(&sb);
}

char *tool_error_text(const char *name, const char *result_json)
{
	cJSON *r = result_json ? cJSON_Parse(result_json) : NULL;
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(r, "error");
	struct sbuf sb = SBUF_INIT;

	if (!cJSON_IsString(msg)) {
		cJSON_Delete(r);
		return NULL;
	}
	sbuf_adds(&sb, name ? name : "error");
	sbuf_addf(&sb, ": %s", msg->valuestring);
	cJSON_Delete(r);
	return sbuf_detach(&sb);
}
