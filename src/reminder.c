#include "reminder.h"
#include "job.h"
#include "notify.h"
#include "caltz.h"
#include "recur.h"
#include "tz.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "reminder"

time_t reminder_when_at(struct tz *z, const struct when *w)
{
	struct tm tm;

	if (!w->date_only)
		return w->at;
	tz_wall_in(z, w->at, &tm);
	tm.tm_hour = REMINDER_DAY_MINUTES / 60;
	tm.tm_min = REMINDER_DAY_MINUTES % 60;
	tm.tm_sec = 0;
	return tz_mktime_in(z, &tm);
}

int reminder_resolve_at(const char *text, const char *tzid, bool once, time_t now, time_t *at,
			time_t *wall, struct err *e)
{
	struct tz *z = tz_open(tzid, e);
	struct when w;
	struct tm tm;
	char buf[64];
	time_t t;

	if (!z)
		return -1;
	if (when_parse_in(text, now, z, &w, e) < 0) {
		tz_free(z);
		return -1;
	}
	t = w.at;
	if (w.date_only) { /* 09:00 of that day, in the zone */
		tz_to_wall(z, t, &tm);
		tm.tm_hour = REMINDER_DAY_MINUTES / 60;
		tm.tm_min = REMINDER_DAY_MINUTES % 60;
		tm.tm_sec = 0;
		t = tz_instant(z, &tm);
	}
	/* a time less than a minute ago (the minute typed) is now */
	if (once && w.anchor == WHEN_TIME && t + REMINDER_AT_GRACE <= now)
		t = tz_instant_seconds(z, tz_wall_seconds(z, t) + 86400);
	/* today alone, its 09:00 gone: due now ("remind me today") */
	if (once && w.date_only && t + REMINDER_AT_GRACE <= now) {
		struct tm then;

		tz_to_wall(z, now, &tm);
		tz_to_wall(z, t, &then);
		if (then.tm_year == tm.tm_year && then.tm_yday == tm.tm_yday)
			t = now;
	}
	if (once && t + REMINDER_AT_GRACE <= now) {
		if (tz_format(z, t, "%Y-%m-%d %H:%M %Z", buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "%lld", (long long)t);
		tz_free(z);
		return err_set(e, ERR_USAGE,
			       "%s has passed (a one-time reminder needs a time to come)", buf);
	}
	if (wall)
		*wall = w.has_wall && t == w.at ? w.wall : tz_wall_seconds(z, t);
	tz_free(z);
	*at = t;
	return 0;
}

int reminder_check_tz(struct store *s, const char *tzid, struct err *e)
{
	struct tz *z;

	if (!tzid || !*tzid)
		return 0;
	/* a zone known from an imported VTIMEZONE is registered first */
	z = caltz_open(s, tzid, e);
	if (!z)
		return -1;
	tz_free(z);
	return 0;
}

void reminder_release(struct reminder *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->every);
	free(r->tzid);
	free(r->channels);
	free(r->last_error);
	free(r->alarm);
	memset(r, 0, sizeof(*r));
}

void reminder_list_free(struct reminder *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		reminder_release(&rs[i]);
	free(rs);
}

/* Take over a job's fields into a reminder (j is released). */
static void from_job(struct job *j, time_t now, struct reminder *r)
{
	cJSON *p = j->payload ? cJSON_Parse(j->payload) : NULL;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(p, "text");
	const cJSON *alarm = cJSON_GetObjectItemCaseSensitive(p, "alarm");

	memset(r, 0, sizeof(*r));
	r->id = j->id;
	r->user_id = j->user_id;
	r->text = xstrdup(cJSON_IsString(text) ? text->valuestring : "");
	r->has_at = job_state_active(j->state) || j->occurrence != 0;
	r->at = j->occurrence;
	snprintf(r->schedule, sizeof(r->schedule), "%s", j->schedule);
	r->every = j->rule;
	r->tzid = j->tzid;
	r->event_id = j->event_id;
	r->alarm = j->event_id && cJSON_IsString(alarm) ? xstrdup(alarm->valuestring) : NULL;
	r->has_wall = !j->event_id && j->has_wall;
	r->wall = j->wall_start;
	r->state = j->state;
	r->channels = reminder_channels_text(p);
	r->late =
		job_state_active(j->state) && j->occurrence < now ? (long)(now - j->occurrence) : 0;
	r->attempts = j->attempts;
	r->last_error = j->last_error;
	j->rule = j->tzid = j->last_error = NULL;
	job_release(j);
	cJSON_Delete(p);
}

char *reminder_channels_text(const cJSON *payload)
{
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(payload, "channels"), *c;
	struct sbuf sb = SBUF_INIT;

	if (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) == 0)
		return NULL;
	cJSON_ArrayForEach(c, ch) {
		if (cJSON_IsString(c))
			sbuf_addf(&sb, "%s%s", sb.len ? "," : "", c->valuestring);
	}
	return sbuf_detach(&sb);
}

void reminder_set_channels(cJSON *payload, const char *channels)
{
	cJSON *arr;

	cJSON_DeleteItemFromObjectCaseSensitive(payload, "channels");
	if (!channels)
		return;
	arr = cJSON_AddArrayToObject(payload, "channels");
	for (const char *p = channels; *p;) {
		size_t len = strcspn(p, ", ");

		if (len) {
			char *name = xstrndup(p, len);

			cJSON_AddItemToArray(arr, cJSON_CreateString(name));
			free(name);
		}
		p += len;
		p += strspn(p, ", ");
	}
}

void reminder_set_wall(cJSON *payload, const struct job *j)
{
	struct tz *z = j->has_wall && !strcmp(j->schedule, "rrule") ? tz_open(j->tzid, NULL) : NULL;

	cJSON_DeleteItemFromObjectCaseSensitive(payload, "wall");
	if (z && tz_wall_names(z, j->dtstart, j->wall_start))
		cJSON_AddNumberToObject(payload, "wall", (double)j->wall_start);
	tz_free(z);
}

static char *payload_json(const char *text, const char *channels, const struct job *j)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "text", text);
	reminder_set_channels(o, channels);
	reminder_set_wall(o, j);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* The first due time of a new reminder. */
static int first_run(struct job *j, time_t at, time_t now, struct err *e)
{
	struct recur_rule r;
	bool has;

	if (!strcmp(j->schedule, "cron")) {
		job_recur(j, &r);
		if (recur_next(&r, (at > now ? at : now + 1) - 1, &j->next_run, &has, e) < 0)
			return -1;
		j->dtstart = j->next_run;
		j->has_next = has;
		return 0;
	}
	if (!at)
		return err_set(e, ERR_USAGE, "a reminder needs a time (--at WHEN)");
	j->next_run = j->dtstart = at;
	j->has_next = true;
	if (!strcmp(j->schedule, "rrule")) {
		/* what the scheduler computes after each run: a rule without a
		 * date would fail the reminder at its first */
		struct err why = { 0, "" };

		job_recur(j, &r);
		if (recur_next(&r, at - 1, &j->next_run, &has, &why) < 0)
			return err_set(e, ERR_USAGE, "every: RRULE %s never matches a date",
				       utf8_q(j->rule));
		if (!has)
			return err_set(e, ERR_USAGE,
				       "every: RRULE %s has no occurrence from the time given",
				       utf8_q(j->rule));
		/* like an event's series, an --at off the rule is not an
		 * occurrence; a past --at only anchors the rule */
		if (j->next_run > now)
			return 0;
		/* its occurrence after now not found: refused, not kept due at
		 * the past --at */
		if (recur_next(&r, now, &j->next_run, &has, &why) < 0)
			return err_set(e, ERR_USAGE,
				       "every: %s from the time given (give a later one)", why.msg);
		if (!has)
			return err_set(e, ERR_USAGE, "every: RRULE %s has no occurrence after now",
				       utf8_q(j->rule));
	}
	return 0;
}

int reminder_schedule(struct job *j, time_t at, const char *every, const char *tzid, bool limit,
		      time_t now, struct err *e)
{
	const char *schedule = "at";
	char *zone = tzid && *tzid ? xstrdup(tzid) : tz_local_name();
	struct tz *z;

	/* every and tzid may be j's own strings */
	free(j->tzid);
	j->tzid = zone;
	z = tz_open(j->tzid, e);
	if (!z)
		return -1;
	tz_free(z);
	if (every) {
		char *rule = NULL;

		if (recur_parse(every, &schedule, &rule, e) < 0)
			return -1;
		if (limit && !strcmp(schedule, "rrule") && recur_limit(rule, true, e) < 0) {
			free(rule);
			return -1;
		}
		free(j->rule);
		j->rule = rule;
	} else {
		free(j->rule);
		j->rule = NULL;
	}
	snprintf(j->schedule, sizeof(j->schedule), "%s", schedule);
	return first_run(j, at, now, e);
}

int reminder_add(struct store *s, const char *text, time_t at, const time_t *wall,
		 const char *every, const char *tzid, const char *channels, time_t now,
		 long long *id, struct err *e)
{
	struct job j;
	int rc = -1;

	if (utf8_blank(text))
		return err_set(e, ERR_USAGE, "a reminder needs a text");
	if (utf8_check_field("text", text, STORE_TITLE_MAX, e) < 0)
		return -1;
	if (channels && notify_check_channels(channels, e) < 0)
		return -1;
	memset(&j, 0, sizeof(j));
	snprintf(j.kind, sizeof(j.kind), KIND);
	if (tzid && *tzid && caltz_ensure(s, tzid, e) < 0)
		goto out;
	j.has_wall = wall != NULL;
	j.wall_start = wall ? *wall : 0;
	if (reminder_schedule(&j, at, every, tzid, true, now, e) < 0)
		goto out;
	j.payload = payload_json(text, channels, &j);
	if (job_add(s, &j, now, e) < 0)
		goto out;
	*id = j.id;
	rc = 0;
out:
	job_release(&j);
	return rc;
}

static int get(struct store *s, long long id, bool any, time_t now, struct reminder *out,
	       struct err *e)
{
	struct job j;

	memset(out, 0, sizeof(*out));
	if ((any ? job_get_any(s, id, &j, e) : job_get(s, id, &j, e)) < 0) {
		if (e->code == ERR_NOTFOUND)
			err_set(e, ERR_NOTFOUND, "no reminder with id %lld", id);
		return -1;
	}
	if (strcmp(j.kind, KIND) != 0) {
		job_release(&j);
		return err_set(e, ERR_NOTFOUND, "no reminder with id %lld (job %lld is a %s job)",
			       id, id, j.kind);
	}
	from_job(&j, now, out);
	return 0;
}

int reminder_get(struct store *s, long long id, time_t now, struct reminder *out, struct err *e)
{
	return get(s, id, false, now, out, e);
}

int reminder_get_any(struct store *s, long long id, time_t now, struct reminder *out, struct err *e)
{
	return get(s, id, true, now, out, e);
}

static void convert(struct job *jobs, size_t nj, time_t now, struct reminder **out, size_t *n)
{
	*out = nj ? xcalloc(nj, sizeof(**out)) : NULL;
	for (size_t i = 0; i < nj; i++)
		from_job(&jobs[i], now, &(*out)[i]);
	*n = nj;
	free(jobs);
}

int reminder_list(struct store *s, bool all, time_t now, struct reminder **out, size_t *n,
		  struct err *e)
{
	struct job *jobs;
	size_t nj;

	if (job_list(s, KIND, all, &jobs, &nj, e) < 0)
		return -1;
	convert(jobs, nj, now, out, n);
	return 0;
}

int reminder_find(struct store *s, const char *text, time_t now, struct reminder **out, size_t *n,
		  struct err *e)
{
	char *needle = store_fold(text);
	size_t k = 0;

	if (reminder_list(s, false, now, out, n, e) < 0) {
		free(needle);
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		char *hay = store_fold((*out)[i].text);

		if (strstr(hay, needle))
			(*out)[k++] = (*out)[i];
		else
			reminder_release(&(*out)[i]);
		free(hay);
	}
	*n = k;
	free(needle);
	return 0;
}

/* End the transaction of a read-then-write: commit after rc 0, else roll back. */
static int finish(struct store *s, int rc, struct err *e)
{
	if (rc < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}

int reminder_cancel(struct store *s, long long id, struct err *e)
{
	struct job_next next = { JOB_CANCELLED, false, 0, 0, 0, NULL };
	struct reminder r;
	int rc;

	if (store_begin(s, e) < 0)
		return -1;
	if (reminder_get(s, id, 0, &r, e) < 0)
		return finish(s, -1, e);
	if (!job_state_active(r.state) && r.state != JOB_FAILED)
		rc = err_set(e, ERR_FAIL, "reminder %lld is %s already", id,
			     job_state_name(r.state));
	else
		rc = job_set(s, id, &next, e);
	reminder_release(&r);
	return finish(s, rc, e);
}

int reminder_snooze(struct store *s, long long id, long secs, time_t now, time_t *at, struct err *e)
{
	struct job_next next = { JOB_PENDING, true, now + secs, now + secs, 0, NULL };
	struct reminder r;
	int rc;

	if (secs <= 0)
		return err_set(e, ERR_USAGE, "snooze needs a positive duration");
	if (secs > REMINDER_SNOOZE_MAX)
		return err_set(e, ERR_USAGE, "a snooze is at most a year (366 days)");
	if (store_begin(s, e) < 0)
		return -1;
	if (reminder_get(s, id, now, &r, e) < 0)
		return finish(s, -1, e);
	if (r.state == JOB_CANCELLED)
		rc = err_set(e, ERR_FAIL, "reminder %lld is cancelled", id);
	else
		rc = job_set(s, id, &next, e);
	reminder_release(&r);
	*at = now + secs;
	return finish(s, rc, e);
}

/* The payload of j with ed's text and channels, and j's written time. */
static char *edited_payload(const struct job *j, const struct reminder_edit *ed)
{
	cJSON *p = j->payload ? cJSON_Parse(j->payload) : NULL;
	char *out;

	if (!cJSON_IsObject(p)) {
		cJSON_Delete(p);
		p = cJSON_CreateObject();
	}
	if (ed->text) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "text");
		cJSON_AddStringToObject(p, "text", ed->text);
	}
	if (ed->channels)
		reminder_set_channels(p, *ed->channels ? ed->channels : NULL);
	reminder_set_wall(p, j);
	out = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	return out;
}

/* A new schedule for j from ed, the rest from j as it is. */
static int reschedule(struct store *s, struct job *j, const struct reminder_edit *ed, time_t now,
		      struct err *e)
{
	char *every = ed->every ? (*ed->every ? xstrdup(ed->every) : NULL)
				: (j->rule ? xstrdup(j->rule) : NULL);
	char *tzid = xstrdup(ed->tzid ? ed->tzid : j->tzid ? j->tzid : "");
	time_t at = ed->has_at ? ed->at : job_state_active(j->state) ? j->occurrence : 0;
	int rc = -1;

	if (!at && !every) {
		err_set(e, ERR_USAGE, "reminder %lld is %s: give it a new time (at)", j->id,
			job_state_name(j->state));
		goto out;
	}
	if (*tzid && caltz_ensure(s, tzid, e) < 0)
		goto out;
	if (ed->has_at) {
		j->has_wall = ed->wall != NULL;
		j->wall_start = ed->wall ? *ed->wall : 0;
	}
	rc = reminder_schedule(j, at, every, *tzid ? tzid : NULL, true, now, e);
out:
	free(every);
	free(tzid);
	return rc;
}

int reminder_update(struct store *s, long long id, const struct reminder_edit *ed, time_t now,
		    int (*check)(void *arg, const struct reminder *cur, struct err *e), void *arg,
		    struct err *e)
{
	struct reminder cur;
	char *payload;
	struct job j;
	int rc = -1;

	if (ed->text && utf8_blank(ed->text))
		return err_set(e, ERR_USAGE, "a reminder needs a text");
	if (ed->text && utf8_check_field("text", ed->text, STORE_TITLE_MAX, e) < 0)
		return -1;
	if (ed->channels && *ed->channels && notify_check_channels(ed->channels, e) < 0)
		return -1;
	if (store_begin(s, e) < 0)
		return -1;
	if (reminder_get(s, id, now, &cur, e) < 0)
		return finish(s, -1, e);
	rc = check ? check(arg, &cur, e) : 0;
	reminder_release(&cur);
	if (rc < 0 || job_get(s, id, &j, e) < 0)
		return finish(s, -1, e);
	rc = ed->has_at || ed->every || ed->tzid ? reschedule(s, &j, ed, now, e) : 0;
	if (rc == 0) {
		payload = edited_payload(&j, ed);
		free(j.payload);
		j.payload = payload;
		if (ed->has_at || ed->every || ed->tzid)
			rc = job_redefine(s, &j, e);
		else
			rc = job_set_payload(s, id, j.payload, e);
	}
	job_release(&j);
	return finish(s, rc, e);
}

int reminder_done(struct store *s, long long id, time_t now, bool *has, time_t *next, struct err *e)
{
	struct job_next n = { JOB_DONE, false, 0, 0, 0, NULL };
	struct recur_rule r;
	struct job j;
	int rc = -1;

	*has = false;
	/* the next run comes from the row as it is under the write lock */
	if (store_begin(s, e) < 0)
		return -1;
	if (job_get(s, id, &j, e) < 0) {
		if (e->code == ERR_NOTFOUND)
			err_set(e, ERR_NOTFOUND, "no reminder with id %lld", id);
		return finish(s, -1, e);
	}
	if (strcmp(j.kind, KIND) != 0) {
		err_set(e, ERR_NOTFOUND, "no reminder with id %lld", id);
		goto out;
	}
	if (!job_state_active(j.state)) {
		err_set(e, ERR_FAIL, "reminder %lld is %s already", id, job_state_name(j.state));
		goto out;
	}
	job_recur(&j, &r);
	if (strcmp(j.schedule, "at") != 0 &&
	    recur_next(&r, j.occurrence > now ? j.occurrence : now, next, has, e) < 0)
		goto out;
	if (*has) {
		n.state = JOB_PENDING;
		n.has_next = true;
		n.next_run = n.occurrence = *next;
	}
	rc = job_set(s, id, &n, e);
out:
	job_release(&j);
	return finish(s, rc, e);
}
