/*
 * render.h - the stable JSON shapes of DESIGN.md ("Stable JSON for scripts")
 * and the time formats they use.  Fields are only ever added, never renamed.
 * Times are ISO 8601 with the local UTC offset, dates YYYY-MM-DD, absent
 * values null.
 */
#ifndef NESTOR_RENDER_H
#define NESTOR_RENDER_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

struct task;
struct assistant;
struct conversation;
struct message;
struct event;
struct event_occ;
struct reminder;
struct job;
struct job_run;
struct routine;
struct user;
struct tz;

/* 2026-12-01T17:00:00+01:00 in the local zone; buf needs 32 bytes. */
char *render_time(time_t t, char *buf, size_t len);
/* 2026-12-01 in the local zone. */
char *render_date(time_t t, char *buf, size_t len);
/* The same in zone z (NULL: the local zone). */
char *render_time_in(struct tz *z, time_t t, char *buf, size_t len);
char *render_date_in(struct tz *z, time_t t, char *buf, size_t len);
/* render_add_time() in zone z. */
void render_add_time_in(cJSON *o, const char *key, int present, time_t t, struct tz *z);
/* Add key: ISO time, or null when !present. */
void render_add_time(cJSON *o, const char *key, int present, time_t t);
/* Add key: string, or null when s is NULL. */
void render_add_str(cJSON *o, const char *key, const char *s);
/* Add key: the items of a comma-separated list as an array, or null when
 * list is NULL or empty. */
void render_add_list(cJSON *o, const char *key, const char *list);

/* {"id","title","notes","priority","due","status","created","done_at",
 * "due_date_only"}: a task due on a day (due_date_only true) has the end of
 * that day as its due time. */
cJSON *json_task(const struct task *t);
/* json_task() with its times in zone z (NULL: the local zone). */
cJSON *json_task_in(const struct task *t, struct tz *z);
/* {"id","text","at","every","state","channels","late"}: at is the next due
 * time, every the cron expression or RRULE, channels null for the default
 * list, late the seconds past due (null when not late). */
cJSON *json_reminder(const struct reminder *r);
/* json_reminder() with its times in zone z (NULL: the local zone). */
cJSON *json_reminder_in(const struct reminder *r, struct tz *z);
/* {"id","kind","next_run","state","attempts","last_error","occurrence",
 * "schedule","rule"} */
cJSON *json_job(const struct job *j);
/* {"id","job","occurrence","channel","started","finished","result","detail",
 * "output","conversation"}: output is what the step made (a routine's
 * reply, on its "assistant" step), conversation the one it went into. */
cJSON *json_job_run(const struct job_run *r);
/* {"id","request","every","next_run","tz","state","assistant","channels",
 * "user","attempts","last_error","late"}; assistant and channels null for
 * the defaults. */
cJSON *json_routine(const struct routine *r);

/* {"id","name","backend","base_url","model","key_secret","prompt","temperature",
 *  "tools","token_budget","default","created","max_tokens"}; tools is an array
 *  of names or null (every tool); key_secret is the secret's name, never a
 *  key; max_tokens is null when the server's default applies. */
cJSON *json_assistant(const struct assistant *a);
/* {"prompt_tokens","completion_tokens"} as servers reported them, or JSON
 * null when neither was (both -1); an unreported one of the two is null. */
cJSON *json_usage(long long prompt, long long completion);
/* {"id","assistant","channel","title","created","updated","messages","usage"};
 * usage: the token counts of its answers (json_usage), null when none were
 * reported. */
cJSON *json_conversation(const struct conversation *c);
/* {"id","conversation","role","content","tool_calls","tool_call_id","created",
 * "state","reasoning","usage"}; tool_calls is the stored JSON array (null when
 * none); state is "complete" or "interrupted" (a reply cut short: content is
 * what arrived); reasoning is the model's, kept apart from content (or null);
 * usage is what this answer cost (json_usage). */
cJSON *json_message(const struct message *m);
/* {"id","uid","calendar","summary","location","notes","start","end",
 * "all_day","tz","recurring","rrule"}; all-day start/end are dates, end
 * exclusive (the day after the last day). */
cJSON *json_event_occurrence(const struct event_occ *o);
/* An event as `event show` prints it: the occurrence fields of its first
 * occurrence plus "exdates" (times or dates), "attendees" (strings),
 * "alarms" (iCalendar text or null) and "overrides" (a count). */
cJSON *json_event(const struct event *ev);

/* {"id","name","tz","locale","telegram_chat","settings","gid"}: settings is
 * the user's JSON object (or null). */
cJSON *json_user(const struct user *u);

/* A turn's tool calls as `ask --json` and POST /v1/ask give them:
 * [{"name","arguments","result"}].  json_call_add appends a call (its
 * arguments parsed, {} when they are not JSON; result null) and returns it;
 * json_call_result sets the result of the last call (kept null when the
 * text is not JSON). */
cJSON *json_call_add(cJSON *calls, const char *name, const char *args_json);
void json_call_result(cJSON *calls, const char *result_json);

#endif
