/* The calendar tools: agenda, add, edit, delete, search, over storage/event.h
 * and the same argument rules as `nestor event` (event-args.h). */
#include "event-args.h"
#include "utf8.h"
#include "event-edit.h"
#include "render.h"
#include "tool-impl.h"
#include "tz.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static cJSON *occurrences(const struct event_list *l)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < l->nocc; i++)
		cJSON_AddItemToArray(arr, json_event_occurrence(&l->occ[i]));
	return arr;
}

static int run_agenda(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct event_list l;
	time_t from, to;
	char buf[40];

	if (event_window(ctx->now, tool_arg_str(args, "from"), tool_arg_str(args, "to"), true,
			 &from, &to, e) < 0 ||
	    event_window_occurrences(ctx->store, from, to, tool_arg_str(args, "calendar"), &l, e) <
		    0)
		return -1;
	*result = cJSON_CreateObject();
	cJSON_AddStringToObject(*result, "from", render_time(from, buf, sizeof(buf)));
	cJSON_AddStringToObject(*result, "to", render_time(to, buf, sizeof(buf)));
	cJSON_AddItemToObject(*result, "events", occurrences(&l));
	event_list_release(&l);
	return 0;
}

/* {"id": id, "event": {...}}; a series kept at a time its first day
 * skips (event.h, wall_start) in the local zone says it as "wall_start",
 * without an offset: "2026-03-29T02:30:00" while "start" is that day's
 * 03:30 (a time in another zone is not one the reply can say). */
static cJSON *event_result(const struct event *ev)
{
	cJSON *o = tool_result_id(ev->id);
	cJSON *j = json_event(ev);

	if (ev->rrule && ev->has_wall && !ev->all_day && tz_is_local(ev->tzid)) {
		struct tm tm;
		char buf[32];

		gmtime_r(&ev->wall_start, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		cJSON_AddStringToObject(j, "wall_start", buf);
	}
	cJSON_AddItemToObject(o, "event", j);
	return o;
}

static void common_args(const cJSON *args, struct event_args *a)
{
	memset(a, 0, sizeof(*a));
	a->tool = true;
	a->at = tool_arg_str(args, "start");
	a->end = tool_arg_str(args, "end");
	a->location = tool_arg_str(args, "location");
	a->notes = tool_arg_str(args, "notes");
	a->summary = tool_arg_str(args, "summary");
}

static int run_add(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct event_args a;
	struct event ev;
	int rc = -1;

	memset(&ev, 0, sizeof(ev));
	common_args(args, &a);
	a.dur = tool_arg_str(args, "duration");
	a.all_day = tool_arg_bool(args, "all_day", false);
	a.every = tool_arg_str(args, "every");
	a.calendar = tool_arg_str(args, "calendar");
	a.tz = tool_arg_str(args, "tz");
	if (a.end && a.dur)
		return err_set(e, ERR_USAGE, "calendar_add: end and duration cannot be combined");
	if (event_args_apply(ctx->store, ctx->now, &a, &ev, true, e) == 0 &&
	    event_add(ctx->store, &ev, ctx->now, e) == 0) {
		*result = event_result(&ev);
		rc = 0;
	}
	event_release(&ev);
	return rc;
}

static int run_edit(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	const char *scope_s = tool_arg_str(args, "scope");
	enum event_scope scope;
	struct event_args a;
	struct event ev;
	time_t start, end;
	int rc = -1;

	if (event_scope_parse(scope_s, &scope) < 0)
		return err_set(e, ERR_USAGE, "scope: %s is neither \"this\" nor \"all\"",
			       utf8_q(scope_s));
	/* read and write in one transaction: a pull committed in between is
	 * not overwritten with what was read before it */
	if (store_begin(ctx->store, e) < 0)
		return -1;
	if (event_get(ctx->store, tool_arg_int(args, "id", 0), &ev, e) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	common_args(args, &a);
	if (ev.rrule && scope == EVENT_SCOPE_NONE) {
		/* nothing changes until the person says which */
		*result = event_result(&ev);
		cJSON_AddStringToObject(*result, "ask", "scope");
		cJSON_AddStringToObject(*result, "note",
					"this event repeats: ask whether to change only one"
					" occurrence (scope \"this\") or the whole series (scope"
					" \"all\"), then call again");
		rc = 0;
	} else if (event_edit(ctx->store, ctx->now, &ev, &a, tool_arg_str(args, "time"), scope,
			      tool_arg_str(args, "occurrence"), &start, &end, e) == 0) {
		*result = event_result(&ev);
		if (scope == EVENT_SCOPE_THIS) {
			cJSON *o = cJSON_GetObjectItemCaseSensitive(*result, "event");
			char buf[40];

			cJSON_ReplaceItemInObject(
				o, "start",
				cJSON_CreateString(render_time(start, buf, sizeof(buf))));
			cJSON_ReplaceItemInObject(
				o, "end", cJSON_CreateString(render_time(end, buf, sizeof(buf))));
		}
		render_add_str(*result, "scope", scope_s);
		rc = 0;
	}
	event_release(&ev);
	if (rc < 0)
		store_rollback(ctx->store);
	else if (store_commit(ctx->store, e) < 0)
		rc = -1;
	return rc;
}

static int run_delete(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	const char *only = tool_arg_str(args, "only_date");
	struct event ev;
	struct when w;
	int rc = -1;

	if (event_get(ctx->store, tool_arg_int(args, "id", 0), &ev, e) < 0)
		return -1;
	if (only && when_parse(only, ctx->now, &w, e) < 0) {
		err_prefix(e, "only_date");
		goto out;
	}
	if (event_delete(ctx->store, ev.id, only ? &w.at : NULL, ctx->now, e) < 0)
		goto out;
	*result = event_result(&ev);
	render_add_str(*result, "only_date", only);
	rc = 0;
out:
	event_release(&ev);
	return rc;
}

static int run_search(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct event_list l;

	if (event_search(ctx->store, tool_arg_str(args, "text"), ctx->now, &l, e) < 0)
		return -1;
	*result = cJSON_CreateObject();
	cJSON_AddItemToObject(*result, "events", occurrences(&l));
	event_list_release(&l);
	return 0;
}

#define WHEN_DESC                                                                                  \
	"ISO 8601 with offset (2026-12-01T17:00:00+01:00), a date (2026-12-01) or a"               \
	" phrase like 'friday 10:00'"

const struct tool tool_calendar_agenda = {
	"calendar_agenda",
	"List calendar events (recurring ones expanded) between from and to (at most 366"
	" days apart, at most 10000 events).",
	"{\"type\":\"object\",\"properties\":{"
	"\"from\":{\"type\":\"string\",\"description\":\"start of the range (default: the"
	" start of today): " WHEN_DESC "\"},"
	"\"to\":{\"type\":\"string\",\"description\":\"end of the range, exclusive (default:"
	" 7 days after from)\"},"
	"\"calendar\":{\"type\":\"string\",\"description\":\"only this calendar (by name)\"}},"
	"\"additionalProperties\":false}",
	run_agenda,
	false,
	NULL,
};

const struct tool tool_calendar_add = {
	"calendar_add",
	"Add an event to the calendar and return it with its id.",
	"{\"type\":\"object\",\"properties\":{"
	"\"summary\":{\"type\":\"string\",\"description\":\"title of the event\"},"
	"\"start\":{\"type\":\"string\",\"description\":\"when it starts: " WHEN_DESC "\"},"
	"\"end\":{\"type\":\"string\",\"description\":\"when it ends (default: start plus"
	" duration)\"},"
	"\"duration\":{\"type\":\"string\",\"description\":\"length like '1h' or '90m'"
	" (default 1h; ignored with end)\"},"
	"\"all_day\":{\"type\":\"boolean\",\"description\":\"an all-day event on the date of"
	" start\"},"
	"\"location\":{\"type\":\"string\"},"
	"\"notes\":{\"type\":\"string\"},"
	"\"every\":{\"type\":\"string\",\"description\":\"repeat: an RRULE (FREQ=WEEKLY;BYDAY=MO)"
	" or a phrase like 'every monday'\"},"
	"\"calendar\":{\"type\":\"string\",\"description\":\"calendar name (default: the first"
	" one)\"},"
	"\"tz\":{\"type\":\"string\",\"description\":\"IANA zone of the event (default: the"
	" local zone)\"}},"
	"\"required\":[\"summary\",\"start\"],\"additionalProperties\":false}",
	run_add,
	false,
	NULL,
};

const struct tool tool_calendar_edit = {
	"calendar_edit",
	"Change an event by id: rename, move (start keeps the duration unless end is given),"
	" change place or notes.  Only what is given changes: a date alone keeps the time, time"
	" alone keeps the day.  A repeating event needs scope: \"this\" (one occurrence) or"
	" \"all\" (the series; a weekly series moved to another weekday changes its rule);"
	" without it nothing changes and the result says to ask.",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1},"
	"\"summary\":{\"type\":\"string\"},"
	"\"start\":{\"type\":\"string\",\"description\":\"new start: " WHEN_DESC "\"},"
	"\"end\":{\"type\":\"string\",\"description\":\"new end\"},"
	"\"time\":{\"type\":\"string\",\"description\":\"new time of day HH:MM, the day"
	" kept\"},"
	"\"scope\":{\"type\":\"string\",\"enum\":[\"this\",\"all\"],\"description\":\"for"
	" a repeating event: one occurrence or the whole series\"},"
	"\"occurrence\":{\"type\":\"string\",\"description\":\"with scope this: the date of"
	" the occurrence (default: the next one)\"},"
	"\"location\":{\"type\":\"string\"},"
	"\"notes\":{\"type\":\"string\"}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	run_edit,
	false,
	NULL,
};

static char *approve_delete(struct tool_ctx *ctx, const cJSON *args)
{
	long long id = tool_arg_int(args, "id", 0);
	const char *only = tool_arg_str(args, "only_date");
	struct err e = { 0, "" };
	struct event ev;
	char when[48], *after, *s;

	if (event_get(ctx->store, id, &ev, &e) < 0)
		return tool_approval_item("delete event", "event", id, NULL, NULL, &e);
	tool_time_words(ctx, ev.start, ev.all_day, when, sizeof(when));
	after = only	   ? xasprintf("only on %s", only)
		: ev.rrule ? xasprintf("from %s, every time it repeats", when)
			   : xasprintf("on %s", when);
	s = tool_approval_item("delete event", "event", id, ev.summary, after, NULL);
	free(after);
	event_release(&ev);
	return s;
}

const struct tool tool_calendar_delete = {
	"calendar_delete",
	"Delete an event by id, or only its occurrence on one date for a recurring event.",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1},"
	"\"only_date\":{\"type\":\"string\",\"description\":\"YYYY-MM-DD: remove only the"
	" occurrence on that date\"}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	run_delete,
	false,
	approve_delete,
};

const struct tool tool_calendar_search = {
	"calendar_search",
	"Find events whose summary, location or notes contain the text.",
	"{\"type\":\"object\",\"properties\":{"
	"\"text\":{\"type\":\"string\",\"description\":\"words to look for\"}},"
	"\"required\":[\"text\"],\"additionalProperties\":false}",
	run_search,
	false,
	NULL,
};
