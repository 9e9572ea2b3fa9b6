#include "render.h"
#include "assistant.h"
#include "conversation.h"
#include "event.h"
#include "job.h"
#include "reminder.h"
#include "routine.h"
#include "task.h"
#include "tz.h"
#include "user.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *render_time_in(struct tz *z, time_t t, char *buf, size_t len)
{
	struct tm tm;
	long off;

	tz_wall_in(z, t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
		 labs(off) / 60, labs(off) % 60);
	return buf;
}

char *render_date_in(struct tz *z, time_t t, char *buf, size_t len)
{
	struct tm tm;

	tz_wall_in(z, t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

char *render_time(time_t t, char *buf, size_t len)
{
	return render_time_in(NULL, t, buf, len);
}

char *render_date(time_t t, char *buf, size_t len)
{
	return render_date_in(NULL, t, buf, len);
}

void render_add_time_in(cJSON *o, const char *key, int present, time_t t, struct tz *z)
{
	char buf[40];

	if (present)
		cJSON_AddStringToObject(o, key, render_time_in(z, t, buf, sizeof(buf)));
	else
		cJSON_AddNullToObject(o, key);
}

void render_add_time(cJSON *o, const char *key, int present, time_t t)
{
	render_add_time_in(o, key, present, t, NULL);
}

void render_add_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

void render_add_list(cJSON *o, const char *key, const char *list)
{
	cJSON *arr;

	if (!list || !*list) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	arr = cJSON_AddArrayToObject(o, key);
	while (*list) {
		size_t len = strcspn(list, ",");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)len, list);
		cJSON_AddItemToArray(arr, cJSON_CreateString(name));
		list += len;
		list += *list == ',';
	}
}

cJSON *json_task(const struct task *t)
{
	return json_task_in(t, NULL);
}

cJSON *json_task_in(const struct task *t, struct tz *z)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "title", t->title);
	render_add_str(o, "notes", t->notes);
	cJSON_AddNumberToObject(o, "priority", t->priority);
	render_add_time_in(o, "due", t->has_due, t->due, z);
	cJSON_AddBoolToObject(o, "due_date_only", t->has_due && t->due_date_only);
	cJSON_AddStringToObject(o, "status", task_status_name(t->status));
	render_add_time_in(o, "created", 1, t->created_at, z);
	render_add_time_in(o, "done_at", t->done_at != 0, t->done_at, z);
	return o;
}

cJSON *json_assistant(const struct assistant *a)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "backend", assistant_backend_name(a->backend));
	render_add_str(o, "base_url", a->base_url);
	render_add_str(o, "model", a->model);
	render_add_str(o, "key_secret", a->key_secret);
	render_add_str(o, "prompt", a->system_prompt);
	if (a->has_temperature)
		cJSON_AddNumberToObject(o, "temperature", a->temperature);
	else
		cJSON_AddNullToObject(o, "temperature");
	render_add_list(o, "tools", a->tools);
	cJSON_AddNumberToObject(o, "token_budget", a->token_budget);
	cJSON_AddBoolToObject(o, "default", a->is_default);
	render_add_time(o, "created", 1, a->created_at);
	if (a->max_tokens > 0)
		cJSON_AddNumberToObject(o, "max_tokens", a->max_tokens);
	else
		cJSON_AddNullToObject(o, "max_tokens");
	return o;
}

cJSON *json_usage(long long prompt, long long completion)
{
	cJSON *o;

	if (prompt < 0 && completion < 0)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	if (prompt >= 0)
		cJSON_AddNumberToObject(o, "prompt_tokens", (double)prompt);
	else
		cJSON_AddNullToObject(o, "prompt_tokens");
	if (completion >= 0)
		cJSON_AddNumberToObject(o, "completion_tokens", (double)completion);
	else
		cJSON_AddNullToObject(o, "completion_tokens");
	return o;
}

cJSON *json_conversation(const struct conversation *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)c->id);
	render_add_str(o, "assistant", c->assistant);
	cJSON_AddStringToObject(o, "channel", conversation_channel_name(c->channel));
	render_add_str(o, "title", c->title);
	render_add_time(o, "created", 1, c->created_at);
	render_add_time(o, "updated", 1, c->updated_at);
	cJSON_AddNumberToObject(o, "messages", (double)c->messages);
	if (c->usage.answers)
		cJSON_AddItemToObject(o, "usage", json_usage(c->usage.prompt, c->usage.completion));
	else
		cJSON_AddNullToObject(o, "usage");
	return o;
}

cJSON *json_message(const struct message *m)
{
	cJSON *o = cJSON_CreateObject(), *calls = m->tool_calls ? cJSON_Parse(m->tool_calls) : NULL;

	cJSON_AddNumberToObject(o, "id", (double)m->id);
	cJSON_AddNumberToObject(o, "conversation", (double)m->conversation_id);
	cJSON_AddStringToObject(o, "role", m->role);
	render_add_str(o, "content", m->content);
	if (calls)
		cJSON_AddItemToObject(o, "tool_calls", calls);
	else
		cJSON_AddNullToObject(o, "tool_calls");
	render_add_str(o, "tool_call_id", m->tool_call_id);
	render_add_time(o, "created", 1, m->created_at);
	cJSON_AddStringToObject(o, "state", message_state_name(m->state));
	render_add_str(o, "reasoning", m->reasoning);
	cJSON_AddItemToObject(o, "usage", json_usage(m->prompt_tokens, m->completion_tokens));
	return o;
}

static void add_when(cJSON *o, const char *key, int all_day, time_t t)
{
	char buf[40];

	if (all_day)
		cJSON_AddStringToObject(o, key, render_date(t, buf, sizeof(buf)));
	else
		cJSON_AddStringToObject(o, key, render_time(t, buf, sizeof(buf)));
}

cJSON *json_event_occurrence(const struct event_occ *oc)
{
	const struct event *ev = oc->ev;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)ev->id);
	cJSON_AddStringToObject(o, "uid", ev->uid);
	render_add_str(o, "calendar", ev->calendar);
	cJSON_AddStringToObject(o, "summary", oc->summary);
	render_add_str(o, "location", oc->location);
	render_add_str(o, "notes", oc->notes);
	add_when(o, "start", ev->all_day, oc->start);
	add_when(o, "end", ev->all_day, oc->end);
	cJSON_AddBoolToObject(o, "all_day", ev->all_day);
	render_add_str(o, "tz", ev->all_day ? NULL : oc->tzid);
	cJSON_AddBoolToObject(o, "recurring", ev->rrule != NULL);
	render_add_str(o, "rrule", ev->rrule);
	/* an occurrence the user declined alone (gcalcli and khal mark it) */
	cJSON_AddBoolToObject(o, "declined", oc->ov && oc->ov->declined);
	return o;
}

cJSON *json_event(const struct event *ev)
{
	struct event_occ oc;
	cJSON *o, *arr;

	memset(&oc, 0, sizeof(oc));
	oc.ev = ev;
	oc.summary = ev->summary;
	oc.notes = ev->notes;
	oc.location = ev->location;
	oc.tzid = ev->tzid;
	oc.key = ev->start;
	oc.start = ev->all_day ? tz_date_to_local(ev->start) : ev->start;
	oc.end = ev->all_day ? tz_date_to_local(ev->end) : ev->end;
	o = json_event_occurrence(&oc);
	arr = cJSON_AddArrayToObject(o, "exdates");
	for (size_t i = 0; i < ev->nexdates; i++) {
		char buf[40];

		if (ev->all_day)
			render_date(tz_date_to_local(ev->exdates[i]), buf, sizeof(buf));
		else
			render_time(ev->exdates[i], buf, sizeof(buf));
		cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
	}
	arr = cJSON_AddArrayToObject(o, "attendees");
	for (const char *p = ev->attendees; p && *p;) {
		size_t n = strcspn(p, "\n");
		char *line = xstrndup(p, n);

		if (*line)
			cJSON_AddItemToArray(arr, cJSON_CreateString(line));
		free(line);
		p += n + (p[n] == '\n');
	}
	render_add_str(o, "alarms", ev->alarms);
	cJSON_AddNumberToObject(o, "overrides", (double)ev->noverrides);
	{
		size_t nd = 0; /* of them, the occurrences the user declined */

		for (size_t i = 0; i < ev->noverrides; i++)
			nd += ev->overrides[i].declined;
		/* an event's: how many, not its occurrence's mark */
		cJSON_DeleteItemFromObjectCaseSensitive(o, "declined");
		cJSON_AddNumberToObject(o, "declined", (double)nd);
	}
	return o;
}

cJSON *json_reminder(const struct reminder *r)
{
	return json_reminder_in(r, NULL);
}

cJSON *json_reminder_in(const struct reminder *r, struct tz *z)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "text", r->text);
	render_add_time_in(o, "at", r->has_at, r->at, z);
	render_add_str(o, "every", r->every);
	cJSON_AddStringToObject(o, "state", job_state_name(r->state));
	render_add_list(o, "channels", r->channels);
	if (r->late)
		cJSON_AddNumberToObject(o, "late", (double)r->late);
	else
		cJSON_AddNullToObject(o, "late");
	if (r->event_id) {
		cJSON_AddNumberToObject(o, "event_id", (double)r->event_id);
		render_add_str(o, "alarm", r->alarm);
	}
	return o;
}

cJSON *json_job(const struct job *j)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)j->id);
	cJSON_AddStringToObject(o, "kind", j->kind);
	render_add_time(o, "next_run", j->has_next, j->next_run);
	cJSON_AddStringToObject(o, "state", job_state_name(j->state));
	cJSON_AddNumberToObject(o, "attempts", j->attempts);
	render_add_str(o, "last_error", j->last_error);
	render_add_time(o, "occurrence", j->occurrence != 0, j->occurrence);
	cJSON_AddStringToObject(o, "schedule", j->schedule);
	render_add_str(o, "rule", j->rule);
	return o;
}

cJSON *json_job_run(const struct job_run *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddNumberToObject(o, "job", (double)r->job_id);
	render_add_time(o, "occurrence", 1, r->occurrence);
	render_add_str(o, "channel", r->channel);
	render_add_time(o, "started", 1, r->started_at);
	render_add_time(o, "finished", r->finished_at != 0, r->finished_at);
	cJSON_AddStringToObject(o, "result", job_result_name(r->result));
	render_add_str(o, "detail", r->detail);
	render_add_str(o, "output", r->output);
	if (r->conversation_id)
		cJSON_AddNumberToObject(o, "conversation", (double)r->conversation_id);
	else
		cJSON_AddNullToObject(o, "conversation");
	return o;
}

cJSON *json_routine(const struct routine *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "request", r->request);
	render_add_str(o, "every", r->every);
	render_add_time(o, "next_run", r->has_next, r->next);
	render_add_str(o, "tz", r->tzid);
	cJSON_AddStringToObject(o, "state", r->state);
	render_add_str(o, "assistant", r->assistant);
	render_add_list(o, "channels", r->channels);
	render_add_str(o, "user", r->user);
	cJSON_AddNumberToObject(o, "attempts", r->attempts);
	render_add_str(o, "last_error", r->last_error);
	if (r->late)
		cJSON_AddNumberToObject(o, "late", (double)r->late);
	else
		cJSON_AddNullToObject(o, "late");
	return o;
}

cJSON *json_user(const struct user *u)
{
	cJSON *o = cJSON_CreateObject(), *settings = u->settings ? cJSON_Parse(u->settings) : NULL;

	cJSON_AddNumberToObject(o, "id", (double)u->id);
	cJSON_AddStringToObject(o, "name", u->name);
	if (u->tz)
		cJSON_AddStringToObject(o, "tz", u->tz);
	else
		cJSON_AddNullToObject(o, "tz");
	if (u->locale)
		cJSON_AddStringToObject(o, "locale", u->locale);
	else
		cJSON_AddNullToObject(o, "locale");
	if (u->telegram_chat_id)
		cJSON_AddNumberToObject(o, "telegram_chat", (double)u->telegram_chat_id);
	else
		cJSON_AddNullToObject(o, "telegram_chat");
	cJSON_AddItemToObject(o, "settings", settings ? settings : cJSON_CreateNull());
	if (u->gid)
		cJSON_AddStringToObject(o, "gid", u->gid);
	else
		cJSON_AddNullToObject(o, "gid");
	return o;
}

cJSON *json_call_add(cJSON *calls, const char *name, const char *args_json)
{
	cJSON *c = cJSON_CreateObject(), *a = cJSON_Parse(args_json);

	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddItemToObject(c, "arguments", a ? a : cJSON_CreateObject());
	cJSON_AddNullToObject(c, "result");
	cJSON_AddItemToArray(calls, c);
	return c;
}

void json_call_result(cJSON *calls, const char *result_json)
{
	int n = cJSON_GetArraySize(calls), i = n - 1;
	cJSON *last, *r = cJSON_Parse(result_json);

	/* the newest call still without its result: a sub-assistant's calls
	 * (ask_assistant) come and go before their caller's result */
	while (i > 0 && !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(calls, i),
								       "result")))
		i--;
	last = cJSON_GetArrayItem(calls, i);
	if (last && !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(last, "result")))
		last = cJSON_GetArrayItem(calls, n - 1);
	if (last && r)
		cJSON_ReplaceItemInObjectCaseSensitive(last, "result", r);
	else
		cJSON_Delete(r);
}
