#include "routine.h"
#include "assistant.h"
#include "engine.h"
#include "job.h"
#include "log.h"
#include "notify.h"
#include "recur.h"
#include "reminder.h"
#include "tz.h"
#include "user.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_HOUR 9 /* "--every weekday" without --at runs at 09:00 */

void routine_release(struct routine *r)
{
	if (!r)
		return;
	free(r->request);
	free(r->assistant);
	free(r->channels);
	free(r->user);
	free(r->every);
	free(r->tzid);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

void routine_list_free(struct routine *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		routine_release(&rs[i]);
	free(rs);
}

static char *payload_str(const cJSON *p, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);

	return cJSON_IsString(v) && *v->valuestring ? xstrdup(v->valuestring) : NULL;
}

/* Take over a job's fields into a routine (j is released). */
static void from_job(struct store *s, struct job *j, time_t now, struct routine *r)
{
	cJSON *p = j->payload ? cJSON_Parse(j->payload) : NULL;

	memset(r, 0, sizeof(*r));
	r->id = j->id;
	r->request = payload_str(p, "request");
	if (!r->request)
		r->request = xstrdup("");
	r->assistant = payload_str(p, "assistant");
	r->channels = reminder_channels_text(p);
	r->user = user_name(s, j->user_id);
	r->has_next = job_state_active(j->state) && j->has_next;
	r->next = j->occurrence;
	snprintf(r->schedule, sizeof(r->schedule), "%s", j->schedule);
	r->every = j->rule;
	r->tzid = j->tzid;
	snprintf(r->state, sizeof(r->state), "%s", job_state_name(j->state));
	r->attempts = j->attempts;
	r->last_error = j->last_error;
	r->late =
		job_state_active(j->state) && j->occurrence < now ? (long)(now - j->occurrence) : 0;
	j->rule = j->tzid = j->last_error = NULL;
	job_release(j);
	cJSON_Delete(p);
}

/* The checks of what d names: an assistant, channels, a user. */
static int check_names(struct store *s, const struct routine_def *d, long long *user_id,
		       struct err *e)
{
	if (d->assistant && *d->assistant) {
		struct assistant a;

		if (assistant_get_by_name(s, d->assistant, &a, e) < 0)
			return -1;
		assistant_release(&a);
	}
	if (d->channels && *d->channels && notify_check_channels(d->channels, e) < 0)
		return -1;
	if (d->user && user_find(s, d->user, user_id, e) < 0)
		return -1;
	return 0;
}

/* A new schedule's runs at least ROUTINE_MINUTES_MIN apart: each run is a
 * request to the assistant. */
static int check_gap(const char *every, struct err *e)
{
	const char *sched;
	char *rule;
	int gap;

	if (recur_parse(every, &sched, &rule, e) < 0)
		return -1;
	gap = recur_min_gap(sched, rule, e);
	free(rule);
	if (gap < 0 || gap >= ROUTINE_MINUTES_MIN)
		return gap < 0 ? -1 : 0;
	if (gap == 0)
		return err_set(e, ERR_USAGE,
			       "schedule %s repeats within a minute: a routine runs at most every"
			       " %d minutes (\"*/%d * * * *\")",
			       utf8_q(every), ROUTINE_MINUTES_MIN, ROUTINE_MINUTES_MIN);
	return err_set(e, ERR_USAGE,
		       "schedule %s runs %d minute%s apart: a routine runs at most every %d minutes"
		       " (\"*/%d * * * *\")",
		       utf8_q(every), gap, gap == 1 ? "" : "s", ROUTINE_MINUTES_MIN,
		       ROUTINE_MINUTES_MIN);
}

/* The schedule of j from every and at: for a rule, the first occurrence at
 * or after at that is still to come (a past at only anchors the rule). */
static int schedule(struct job *j, const char *every, const char *tzid, time_t at, time_t now,
		    struct err *e)
{
	struct recur_rule r;
	bool has = true;
	time_t from;

	if (!every || !*every)
		return err_set(e, ERR_USAGE,
			       "a routine needs --every (a cron expression or a"
			       " phrase such as \"every weekday\")");
	if (!at) {
		/* DEFAULT_HOUR today in the routine's zone */
		struct tz *z = tz_open(tzid, e);
		time_t day;

		if (!z)
			return -1;
		day = tz_wall_seconds(z, now);
		at = tz_instant_seconds(z, day - day % 86400 + DEFAULT_HOUR * 3600);
		tz_free(z);
	}
	/* the limit is check_gap()'s, for a new rule only */
	if (reminder_schedule(j, at, every, tzid, false, now, e) < 0)
		return -1;
	job_recur(j, &r);
	if (!strcmp(j->schedule, "rrule")) {
		from = at > now ? at : now;
		if (recur_next(&r, from - 1, &j->next_run, &has, e) < 0)
			return -1;
	} else if (j->has_next && j->next_run <= now) {
		if (recur_next(&r, now, &j->next_run, &has, e) < 0)
			return -1;
	}
	j->has_next = has;
	if (!has)
		return err_set(e, ERR_USAGE, "the schedule %s has no run after now", utf8_q(every));
	return 0;
}

int routine_add(struct store *s, const struct routine_def *d, time_t now, long long *id,
		struct err *e)
{
	cJSON *p;
	struct job j;
	int rc = -1;

	if (!d->request || !*d->request)
		return err_set(e, ERR_USAGE, "a routine needs a request (what to ask)");
	if (utf8_check_field("request", d->request, STORE_REQUEST_MAX, e) < 0)
		return -1;
	memset(&j, 0, sizeof(j));
	snprintf(j.kind, sizeof(j.kind), ROUTINE_KIND);
	j.has_wall = d->has_wall;
	j.wall_start = d->wall;
	if (check_names(s, d, &j.user_id, e) < 0 || (d->every && check_gap(d->every, e) < 0) ||
	    schedule(&j, d->every, d->tzid, d->at, now, e) < 0)
		goto out;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "request", d->request);
	if (d->assistant && *d->assistant)
		cJSON_AddStringToObject(p, "assistant", d->assistant);
	reminder_set_channels(p, d->channels && *d->channels ? d->channels : NULL);
	reminder_set_wall(p, &j);
	j.payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	if (job_add(s, &j, now, e) < 0)
		goto out;
	*id = j.id;
	rc = 0;
out:
	job_release(&j);
	return rc;
}

/* The job of routine id; ERR_NOTFOUND unless it is one. */
static int get_job(struct store *s, long long id, struct job *j, struct err *e)
{
	if (job_get(s, id, j, e) < 0) {
		if (e->code == ERR_NOTFOUND)
			err_set(e, ERR_NOTFOUND, "no routine with id %lld", id);
		return -1;
	}
	if (strcmp(j->kind, ROUTINE_KIND) != 0) {
		err_set(e, ERR_NOTFOUND, "no routine with id %lld (job %lld is a %s job)", id, id,
			j->kind);
		job_release(j);
		return -1;
	}
	return 0;
}

int routine_get(struct store *s, long long id, time_t now, struct routine *out, struct err *e)
{
	struct job j;

	memset(out, 0, sizeof(*out));
	if (get_job(s, id, &j, e) < 0)
		return -1;
	from_job(s, &j, now, out);
	return 0;
}

int routine_list(struct store *s, bool all, time_t now, struct routine **out, size_t *n,
		 struct err *e)
{
	struct job *jobs;
	size_t nj;

	if (job_list(s, ROUTINE_KIND, all, &jobs, &nj, e) < 0)
		return -1;
	*out = nj ? xcalloc(nj, sizeof(**out)) : NULL;
	for (size_t i = 0; i < nj; i++)
		from_job(s, &jobs[i], now, &(*out)[i]);
	*n = nj;
	free(jobs);
	return 0;
}

/* Apply d to the payload p. */
static void edit_payload(cJSON *p, const struct routine_def *d)
{
	if (d->request)
		cJSON_ReplaceItemInObjectCaseSensitive(p, "request",
						       cJSON_CreateString(d->request));
	if (d->assistant) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "assistant");
		if (*d->assistant)
			cJSON_AddStringToObject(p, "assistant", d->assistant);
	}
	if (d->channels)
		reminder_set_channels(p, *d->channels ? d->channels : NULL);
}

int routine_edit(struct store *s, long long id, const struct routine_def *d, time_t now,
		 struct err *e)
{
	long long user_id = 0;
	struct job j;
	cJSON *p;
	char *every = NULL;
	int rc = -1;

	if (d->request && !*d->request)
		return err_set(e, ERR_USAGE, "a routine needs a request (what to ask)");
	if (utf8_check_field("request", d->request, STORE_REQUEST_MAX, e) < 0)
		return -1;
	if (check_names(s, d, &user_id, e) < 0)
		return -1;
	if (d->user) {
		/* the routine, if found, is the acting user's */
		char *owner = user_name(s, store_user(s));

		err_set(e, ERR_USAGE,
			"a routine keeps its user (remove it as that user, 'nestor --user %s "
			"routine rm %lld', and add it anew with --user %s)",
			owner ? owner : "NAME", id, d->user);
		free(owner);
		return -1;
	}
	if (store_begin(s, e) < 0)
		return -1;
	if (get_job(s, id, &j, e) < 0) {
		store_rollback(s);
		return -1;
	}
	if (d->every || d->at || d->tzid) {
		/* only a new rule meets the limit: a stored one keeps running */
		every = xstrdup(d->every ? d->every : j.rule ? j.rule : "");
		if (d->at) {
			j.has_wall = d->has_wall;
			j.wall_start = d->wall;
		}
		if ((d->every && check_gap(d->every, e) < 0) ||
		    schedule(&j, every, d->tzid ? d->tzid : j.tzid, d->at ? d->at : j.dtstart, now,
			     e) < 0)
			goto out;
	} else if (!job_state_active(j.state)) {
		err_set(e, ERR_FAIL, "routine %lld is %s; give it a new --every or --at", id,
			job_state_name(j.state));
		goto out;
	} else {
		j.has_next = true;
		j.next_run = j.occurrence;
	}
	p = j.payload ? cJSON_Parse(j.payload) : NULL;
	if (!p)
		p = cJSON_CreateObject();
	edit_payload(p, d);
	reminder_set_wall(p, &j);
	free(j.payload);
	j.payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	rc = job_redefine(s, &j, e);
out:
	free(every);
	job_release(&j);
	if (rc < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}

int routine_rm(struct store *s, long long id, struct err *e)
{
	struct job j;

	if (store_begin(s, e) < 0)
		return -1;
	if (get_job(s, id, &j, e) < 0) {
		store_rollback(s);
		return -1;
	}
	job_release(&j);
	if (job_delete(s, id, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}

static void keep_reply(void *arg, const char *reply)
{
	char **out = arg;

	free(*out);
	*out = xstrdup(reply);
}

int routine_compose(void *arg, struct store *s, const struct sched_fire *f, time_t now,
		    struct sched_reply *r, struct err *e)
{
	cJSON *p = f->payload ? cJSON_Parse(f->payload) : NULL;
	char *request = payload_str(p, "request"), *assistant = payload_str(p, "assistant");
	char *reply = NULL;
	struct engine_sink sink;
	struct engine *eng = NULL;
	long long conv = 0, saved = store_user(s);
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&sink, 0, sizeof(sink));
	sink.arg = &reply;
	sink.done = keep_reply;
	if (!request) {
		err_set(e, ERR_FAIL, "routine %lld has no request", f->job_id);
		goto out;
	}
	/* the turn is the routine's user's (their tasks; the calendar only
	 * when they own it), whoever runs the scheduler */
	if (f->user_id)
		store_set_user(s, f->user_id);
	eng = engine_new(s, arg, e);
	if (!eng || (assistant && engine_set_assistant(eng, assistant, e) < 0))
		goto out;
	log_info("routine %lld: asking %s: %s", f->job_id, engine_assistant(eng), request);
	if (engine_turn(eng, &conv, request, now, &sink, e) < 0) {
		if (conv)
			err_prefix(e, "conversation %lld", conv);
		goto out;
	}
	r->text = reply ? reply : xstrdup("");
	reply = NULL;
	r->conversation = conv;
	rc = 0;
out:
	store_set_user(s, saved);
	engine_free(eng);
	free(reply);
	free(request);
	free(assistant);
	cJSON_Delete(p);
	return rc;
}

void routine_sched(struct sched_opts *o, struct config *cfg)
{
	o->compose = routine_compose;
	o->compose_arg = cfg;
}
