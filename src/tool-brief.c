/* The summaries a routine asks for: day_brief ("my day") and task_recap
 * (the tasks not finished).  Each part that cannot be had is named in
 * "missing" with its error, and the rest is still given. */
#include "reminder.h"
#include "render.h"
#include "task.h"
#include "tool-impl.h"
#include "tz.h"

#include <string.h>

#define DAY 86400

/* Midnight days after the day of t, in the user's zone. */
static time_t day_after(const struct tool_ctx *ctx, time_t t, int days)
{
	struct tm tm;

	tz_wall_in(ctx->zone, t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return tz_mktime_in(ctx->zone, &tm);
}

static void missing(cJSON *result, const char *what, const struct err *e)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(result, "missing"), *m;

	if (!arr)
		arr = cJSON_AddArrayToObject(result, "missing");
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "what", what);
	cJSON_AddStringToObject(m, "error", e->msg);
	cJSON_AddItemToArray(arr, m);
}

/* Call another tool; its result's key (or the whole result when key is
 * NULL) goes into result as name, a failure into "missing". */
static void part(struct tool_ctx *ctx, cJSON *result, const char *tool, cJSON *args,
		 const char *key, const char *name)
{
	struct err e = { 0, "" };
	cJSON *r = NULL;

	if (tool_call(ctx, tool, args, &r, &e) < 0) {
		missing(result, name, &e);
	} else if (!key) {
		cJSON_AddItemToObject(result, name, r);
		r = NULL;
	} else {
		cJSON_AddItemToObject(result, name,
				      cJSON_DetachItemFromObjectCaseSensitive(r, key));
	}
	cJSON_Delete(r);
	cJSON_Delete(args);
}

/* Open tasks due before end (overdue ones too) into "tasks", and how many
 * are open in all. */
static void tasks_due(struct tool_ctx *ctx, cJSON *result, time_t end)
{
	struct err e = { 0, "" };
	struct task *ts;
	size_t n;
	cJSON *arr;

	if (task_list(ctx->store, false, &ts, &n, &e) < 0) {
		missing(result, "tasks", &e);
		return;
	}
	arr = cJSON_AddArrayToObject(result, "tasks");
	for (size_t i = 0; i < n; i++)
		if (ts[i].has_due && ts[i].due < end)
			cJSON_AddItemToArray(arr, json_task_in(&ts[i], ctx->zone));
	cJSON_AddNumberToObject(result, "open_tasks", (double)n);
	task_list_free(ts, n);
}

/* Pending reminders due in [from, to). */
static void reminders_due(struct tool_ctx *ctx, cJSON *result, time_t from, time_t to)
{
	struct err e = { 0, "" };
	struct reminder *rs;
	size_t n;
	cJSON *arr;

	if (reminder_list(ctx->store, false, ctx->now, &rs, &n, &e) < 0) {
		missing(result, "reminders", &e);
		return;
	}
	arr = cJSON_AddArrayToObject(result, "reminders");
	for (size_t i = 0; i < n; i++)
		if (rs[i].has_at && rs[i].at >= from && rs[i].at < to)
			cJSON_AddItemToArray(arr, json_reminder_in(&rs[i], ctx->zone));
	reminder_list_free(rs, n);
}

/* The all-day events of "events" that are not on date (YYYY-MM-DD) left
 * out: a day's instants in the user's zone reach into two of the device's
 * dates, on which all-day events lie. */
static void all_day_on(cJSON *result, const char *date)
{
	cJSON *events = cJSON_GetObjectItemCaseSensitive(result, "events"), *ev, *next;

	for (ev = events ? events->child : NULL; ev; ev = next) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, "start");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev, "end");
		bool on;

		next = ev->next;
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "all_day")) ||
		    !cJSON_IsString(s) || !cJSON_IsString(t))
			continue;
		on = strcmp(s->valuestring, date) <= 0 &&
		     (strcmp(date, t->valuestring) < 0 || !strcmp(s->valuestring, date));
		if (!on)
			cJSON_Delete(cJSON_DetachItemViaPointer(events, ev));
	}
}

static int run_day_brief(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct when w;
	char date[16], buf[40];
	time_t day, end;
	cJSON *a;
	int rc = tool_arg_when(ctx, args, "date", &w, e);

	if (rc < 0)
		return -1;
	day = day_after(ctx, rc ? w.at : ctx->now, 0);
	end = day_after(ctx, day, 1);
	render_date_in(ctx->zone, day, date, sizeof(date));
	*result = cJSON_CreateObject();
	cJSON_AddStringToObject(*result, "date", date);
	/* the user's day, as instants: the calendar reads a date in the
	 * device's zone */
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "from", render_time(day, buf, sizeof(buf)));
	cJSON_AddStringToObject(a, "to", render_time(end, buf, sizeof(buf)));
	/* the calendar is its owner's: another user's day has none, rather
	 * than a refusal in every brief */
	if (tool_offered(ctx->store, tool_find("calendar_agenda")) != 0) {
		part(ctx, *result, "calendar_agenda", a, "events", "events");
		all_day_on(*result, date);
	} else
		cJSON_Delete(a);
	tasks_due(ctx, *result, end);
	reminders_due(ctx, *result, day > ctx->now ? day : ctx->now, end);
	a = cJSON_CreateObject();
	cJSON_AddNumberToObject(a, "days", 1);
	cJSON_AddStringToObject(a, "date", date);
	part(ctx, *result, "weather_forecast", a, NULL, "weather");
	return 0;
}

static int run_task_recap(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct when w;
	struct task *ts;
	size_t n, overdue = 0;
	char date[16];
	time_t since;
	cJSON *open, *done;
	int rc = tool_arg_when(ctx, args, "since", &w, e);

	if (rc < 0)
		return -1;
	since = rc ? w.at : day_after(ctx, ctx->now - 7 * DAY, 0);
	if (task_list(ctx->store, true, &ts, &n, e) < 0)
		return -1;
	*result = cJSON_CreateObject();
	cJSON_AddStringToObject(*result, "since",
				render_date_in(ctx->zone, since, date, sizeof(date)));
	open = cJSON_AddArrayToObject(*result, "open");
	done = cJSON_AddArrayToObject(*result, "done");
	for (size_t i = 0; i < n; i++) {
		if (ts[i].status == TASK_TODO) {
			cJSON_AddItemToArray(open, json_task_in(&ts[i], ctx->zone));
			overdue += ts[i].has_due && ts[i].due < ctx->now;
		} else if (ts[i].status == TASK_DONE && ts[i].done_at >= since) {
			cJSON_AddItemToArray(done, json_task_in(&ts[i], ctx->zone));
		}
	}
	cJSON_AddNumberToObject(*result, "overdue", (double)overdue);
	task_list_free(ts, n);
	return 0;
}

const struct tool tool_day_brief = {
	"day_brief",
	"The user's day in one call: the calendar, open tasks due by the end of the day"
	" (overdue ones too), reminders still to come that day, and the weather at the"
	" configured location.  Parts that could not be had are listed in \"missing\".",
	"{\"type\":\"object\",\"properties\":{"
	"\"date\":{\"type\":\"string\",\"description\":\"the day: YYYY-MM-DD or a phrase"
	" like 'tomorrow' (default today)\"}},"
	"\"additionalProperties\":false}",
	run_day_brief,
	true,
	NULL,
};

const struct tool tool_task_recap = {
	"task_recap",
	"A recap of the to-do list: the tasks not finished (how many overdue) and those"
	" done since a day.",
	"{\"type\":\"object\",\"properties\":{"
	"\"since\":{\"type\":\"string\",\"description\":\"count tasks done since then"
	" (default: a week ago)\"}},"
	"\"additionalProperties\":false}",
	run_task_recap,
	false,
	NULL,
};
