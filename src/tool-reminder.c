/* The reminder tools: add, list, cancel, snooze, over src/reminder.h. */
#include "reminder.h"
#include "render.h"
#include "tool-impl.h"
#include "sbuf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* {"id": id, "reminder": {...}} as it is now; one whose rule keeps a time
 * its first day skips (reminder.h) says it as "wall", without an offset:
 * "2026-03-29T02:30:00" while "at" is that day's 03:30. */
static int result_of(struct tool_ctx *ctx, long long id, cJSON **result, struct err *e)
{
	struct reminder r;
	cJSON *j;

	if (reminder_get(ctx->store, id, ctx->now, &r, e) < 0)
		return -1;
	*result = tool_result_id(id);
	j = json_reminder_in(&r, ctx->zone);
	if (r.has_wall) {
		struct tm tm;
		char buf[32];

		gmtime_r(&r.wall, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		cJSON_AddStringToObject(j, "wall", buf);
	}
	cJSON_AddItemToObject(*result, "reminder", j);
	reminder_release(&r);
	return 0;
}

static int run_reminder_add(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	const char *when = tool_arg_str(args, "at"), *every = tool_arg_str(args, "every");
	char *list;
	time_t at = 0, wall = 0;
	long long id;
	int rc;

	/* as the command line reads --at: a time of day gone is tomorrow's */
	if (when && reminder_resolve_at(when, ctx->tzid, !every, ctx->now, &at, &wall, e) < 0) {
		err_prefix(e, "at");
		return -1;
	}
	if (tool_arg_list(args, "channels", &list, e) < 0) {
		err_prefix(e, "reminder_add");
		return -1;
	}
	rc = reminder_add(ctx->store, tool_arg_str(args, "text"), at, when ? &wall : NULL, every,
			  ctx->tzid, list, ctx->now, &id, e);
	free(list);
	return rc < 0 ? -1 : result_of(ctx, id, result, e);
}

static int run_reminder_list(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct reminder *rs;
	size_t n;
	cJSON *arr;

	if (reminder_list(ctx->store, tool_arg_bool(args, "all", false), ctx->now, &rs, &n, e) < 0)
		return -1;
	*result = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(*result, "reminders");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, json_reminder_in(&rs[i], ctx->zone));
	reminder_list_free(rs, n);
	return 0;
}

static int run_reminder_cancel(struct tool_ctx *ctx, const cJSON *args, cJSON **result,
			       struct err *e)
{
	long long id = tool_arg_int(args, "id", 0);

	if (reminder_cancel(ctx->store, id, e) < 0)
		return -1;
	return result_of(ctx, id, result, e);
}

static int run_reminder_snooze(struct tool_ctx *ctx, const cJSON *args, cJSON **result,
			       struct err *e)
{
	long long id = tool_arg_int(args, "id", 0);
	long secs;
	time_t at;

	if (tool_arg_duration(args, "duration", &secs, e) < 0 ||
	    reminder_snooze(ctx->store, id, secs, ctx->now, &at, e) < 0)
		return -1;
	return result_of(ctx, id, result, e);
}

static char *approve_cancel(struct tool_ctx *ctx, const cJSON *args)
{
	long long id = tool_arg_int(args, "id", 0);
	struct err e = { 0, "" };
	struct reminder r;
	char when[48], *after = NULL, *s;

	if (reminder_get(ctx->store, id, ctx->now, &r, &e) < 0)
		return tool_approval_item("cancel reminder", "reminder", id, NULL, NULL, &e);
	if (r.has_at) {
		tool_time_words(ctx, r.at, false, when, sizeof(when));
		after = xasprintf("%s %s", r.every ? "next on" : "on", when);
	}
	s = tool_approval_item("cancel reminder", "reminder", id, r.text, after, NULL);
	free(after);
	reminder_release(&r);
	return s;
}

const struct tool tool_reminder_add = {
	"reminder_add",
	"Set a reminder: at the given time the user is told the text.",
	"{\"type\":\"object\",\"properties\":{"
	"\"text\":{\"type\":\"string\",\"description\":\"what to remind of\"},"
	"\"at\":{\"type\":\"string\",\"description\":\"when: ISO 8601 with offset"
	" (2026-12-01T17:00:00+01:00) or a phrase like 'tomorrow 17:00' or 'in 2 hours'\"},"
	"\"every\":{\"type\":\"string\",\"description\":\"repeat: an RRULE (FREQ=DAILY) or a"
	" phrase like 'every monday'\"},"
	"\"channels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"where to deliver (default: the configured channels)\"}},"
	"\"required\":[\"text\",\"at\"],\"additionalProperties\":false}",
	run_reminder_add,
	false,
	NULL,
};

const struct tool tool_reminder_list = {
	"reminder_list",
	"List pending reminders by due time (all: include fired and cancelled ones).",
	"{\"type\":\"object\",\"properties\":{"
	"\"all\":{\"type\":\"boolean\"}},"
	"\"additionalProperties\":false}",
	run_reminder_list,
	false,
	NULL,
};

const struct tool tool_reminder_cancel = {
	"reminder_cancel",
	"Cancel a reminder by id (reminder_list gives the ids).",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	run_reminder_cancel,
	false,
	approve_cancel,
};

const struct tool tool_reminder_snooze = {
	"reminder_snooze",
	"Move a reminder later by a duration from now.",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1},"
	"\"duration\":{\"type\":\"string\",\"description\":\"like '10m', '1h', '1 day'\"}},"
	"\"required\":[\"id\",\"duration\"],\"additionalProperties\":false}",
	run_reminder_snooze,
	false,
	NULL,
};
