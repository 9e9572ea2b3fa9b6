/* An event's VALARMs: read them, and keep their reminders in step. */
#include "event.h"
#include "event-int.h"
#include "caltz.h"
#include "job.h"
#include "recur.h"
#include "tz.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void event_alarms_free(struct event_alarm *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].description);
	free(a);
}

int event_alarms(const char *alarms, struct event_alarm **out, size_t *n)
{
	icalcomponent *wrap;
	char *text;

	*out = NULL;
	*n = 0;
	if (!alarms || !*alarms)
		return 0;
	text = xasprintf("BEGIN:VEVENT\r\n%sEND:VEVENT\r\n", alarms);
	wrap = icalparser_parse_string(text);
	free(text);
	if (!wrap)
		return -1;
	for (icalcomponent *c = icalcomponent_get_first_component(wrap, ICAL_VALARM_COMPONENT); c;
	     c = icalcomponent_get_next_component(wrap, ICAL_VALARM_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(c, ICAL_TRIGGER_PROPERTY);
		icalproperty *d = icalcomponent_get_first_property(c, ICAL_DESCRIPTION_PROPERTY);
		icalparameter *rel;
		struct icaltriggertype t;
		struct event_alarm *a;
		long long offset = 0;

		if (!p)
			continue;
		t = icalproperty_get_trigger(p);
		/* a trigger beyond EVENT_DURATION_MAX sets no reminder */
		if (icaltime_is_null_time(t.time) && event_duration_secs(&t.duration, &offset) < 0)
			continue;
		rel = icalproperty_get_first_parameter(p, ICAL_RELATED_PARAMETER);
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		a = &(*out)[(*n)++];
		memset(a, 0, sizeof(*a));
		a->absolute = !icaltime_is_null_time(t.time);
		if (a->absolute) {
			a->at = icaltime_as_timet(t.time);
			snprintf(a->key, sizeof(a->key), "%s", icaltime_as_ical_string(t.time));
		} else {
			a->offset = (long)offset;
			a->from_end = rel && icalparameter_get_related(rel) == ICAL_RELATED_END;
			snprintf(a->key, sizeof(a->key), "%s%s", a->from_end ? "END:" : "",
				 icaldurationtype_as_ical_string(t.duration));
		}
		if (d && icalproperty_get_description(d) && *icalproperty_get_description(d))
			a->description = xstrdup(icalproperty_get_description(d));
	}
	icalcomponent_free(wrap);
	return 0;
}

int event_alarm_offsets(const char *alarms, long **out, size_t *n)
{
	struct event_alarm *a;
	size_t na;

	*out = NULL;
	*n = 0;
	if (event_alarms(alarms, &a, &na) < 0)
		return -1;
	for (size_t i = 0; i < na; i++) {
		if (a[i].absolute || a[i].from_end)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = a[i].offset;
	}
	event_alarms_free(a, na);
	return 0;
}

/* What clients write when the user gave no text of their own. */
static bool placeholder(const char *d, const char *summary)
{
	static const char *const words[] = { "reminder",
					     "event reminder",
					     "alarm",
					     "this is an event reminder",
					     "default mozilla description",
					     NULL };

	if (!strcasecmp(d, summary))
		return true;
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(d, words[i]))
			return true;
	return false;
}

/* "Dentist at 14:00" (in the event's zone z, named when not the local one),
 * or the alarm's own DESCRIPTION. */
static char *alarm_text(const struct event *ev, const struct event_alarm *a, struct tz *z,
			const char *local)
{
	struct tm w;

	if (a->description && !placeholder(a->description, ev->summary))
		return xstrdup(a->description);
	if (ev->all_day || !z)
		return xstrdup(ev->summary);
	if (ev->rrule && ev->has_wall && tz_wall_names(z, ev->start, ev->wall_start))
		gmtime_r(&ev->wall_start, &w); /* the time the series keeps */
	else
		tz_to_wall(z, ev->start, &w);
	if (ev->tzid && (!local || strcmp(ev->tzid, local)))
		return xasprintf("%s at %02d:%02d %s", ev->summary, w.tm_hour, w.tm_min, ev->tzid);
	return xasprintf("%s at %02d:%02d", ev->summary, w.tm_hour, w.tm_min);
}

/* text as a reminder's (reminder_add() refuses more): the bytes that are
 * not UTF-8 as U+FFFD, no control characters but tab and newline, cut at a
 * character boundary to STORE_TITLE_MAX bytes; text is freed. */
static char *reminder_text(char *text)
{
	struct sbuf sb = SBUF_INIT;

	utf8_clean(&sb, text, strlen(text), UTF8_PRINTABLE);
	free(text);
	if (sb.len > STORE_TITLE_MAX) {
		sb.len = utf8_cut(sb.buf, STORE_TITLE_MAX);
		sb.buf[sb.len] = '\0';
	}
	return sbuf_detach(&sb);
}

/* One reminder an alarm asks for. */
struct want {
	const char *key;
	struct job j;
	bool past;    /* its time has passed (or the series has ended) */
	bool matched; /* an existing reminder stands for it */
	bool live;    /* and it is active */
};

static char *payload_json(const char *text, const char *key)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddStringToObject(o, "alarm", key);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* Fill w for alarm a of ev; 1 when made, 0 when the event's zone cannot
 * be opened (counted unsupported), -1 on error. */
static int plan(struct store *s, const struct event *ev, const struct event_alarm *a, time_t now,
		const char *local, struct want *w, struct err *e)
{
	time_t start = ev->all_day ? tz_date_to_local(ev->start) : ev->start;
	long offset = a->offset + (a->from_end ? (long)(ev->end - ev->start) : 0);
	struct err ze = { 0, "" };
	struct tz *z = caltz_open(s, ev->all_day ? NULL : ev->tzid, &ze);
	struct recur_rule r;
	char *text;

	memset(w, 0, sizeof(*w));
	w->key = a->key;
	snprintf(w->j.kind, sizeof(w->j.kind), "reminder");
	w->j.event_id = ev->id;
	if (!z && ze.code != ERR_USAGE)
		return err_set(e, ze.code, "%s", ze.msg);
	if (!z && ev->rrule && !a->absolute)
		return 0;
	w->j.tzid = z && ev->tzid && !ev->all_day ? xstrdup(ev->tzid)
		    : local			  ? xstrdup(local)
						  : NULL;
	text = reminder_text(alarm_text(ev, a, z, local));
	if (utf8_blank(text)) { /* a DESCRIPTION of control characters */
		free(text);
		text = reminder_text(xstrdup(ev->summary));
	}
	tz_free(z);
	w->j.payload = payload_json(text, a->key);
	free(text);
	w->j.has_next = true;
	if (a->absolute || !ev->rrule) {
		snprintf(w->j.schedule, sizeof(w->j.schedule), "at");
		w->j.dtstart = w->j.next_run = a->absolute ? a->at : start + offset;
		w->past = w->j.next_run <= now;
		return 1;
	}
	snprintf(w->j.schedule, sizeof(w->j.schedule), "rrule");
	w->j.rule = xstrdup(ev->rrule);
	w->j.dtstart = start;
	w->j.run_offset = offset;
	w->j.has_wall = ev->has_wall && !ev->all_day;
	w->j.wall_start = ev->wall_start;
	/* an occurrence declined alone is skipped as an excluded one is */
	if (ev->nexdates + ev->noverrides)
		w->j.exdates = xcalloc(ev->nexdates + ev->noverrides, sizeof(*w->j.exdates));
	for (size_t i = 0; i < ev->nexdates; i++)
		w->j.exdates[w->j.nexdates++] =
			ev->all_day ? tz_date_to_local(ev->exdates[i]) : ev->exdates[i];
	for (size_t i = 0; i < ev->noverrides; i++)
		if (ev->overrides[i].declined)
			w->j.exdates[w->j.nexdates++] =
				ev->all_day ? tz_date_to_local(ev->overrides[i].recurrence_id)
					    : ev->overrides[i].recurrence_id;
	job_recur(&w->j, &r);
	if (recur_next(&r, now, &w->j.next_run, &w->j.has_next, e) < 0) {
		struct err why = { 0, "" };
		bool opens, any;

		/* event_check() only parses a rule, so a pull keeps one no date
		 * matches (the agenda leaves that series out): no run */
		if (event_series_try(s, ev, &opens, &any, &why) < 0 || opens)
			return -1;
		err_clear(e);
		w->j.has_next = false;
	}
	w->past = !w->j.has_next;
	return 1;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_job(const struct job *x, const struct job *y)
{
	if (strcmp(x->schedule, y->schedule) || !same_text(x->rule, y->rule) ||
	    !same_text(x->tzid, y->tzid) || !same_text(x->payload, y->payload) ||
	    x->dtstart != y->dtstart || x->run_offset != y->run_offset ||
	    x->nexdates != y->nexdates)
		return false;
	for (size_t i = 0; i < x->nexdates; i++)
		if (x->exdates[i] != y->exdates[i])
			return false;
	return true;
}

static char *job_alarm_key(const struct job *j)
{
	cJSON *p = j->payload ? cJSON_Parse(j->payload) : NULL;
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "alarm");
	char *key = cJSON_IsString(k) ? xstrdup(k->valuestring) : NULL;

	cJSON_Delete(p);
	return key;
}

/* Settle one existing reminder x of the event against what is wanted. */
static int settle(struct store *s, struct job *x, struct want *ws, size_t nw, struct err *e)
{
	bool active = job_state_active(x->state);
	char *key = job_alarm_key(x);
	struct want *w = NULL;

	for (size_t i = 0; key && !w && i < nw; i++)
		if (!ws[i].matched && !strcmp(ws[i].key, key))
			w = &ws[i];
	free(key);
	if (!w) /* gone, or a duplicate: keep only the history of what ran */
		return active || x->state == JOB_CANCELLED ? job_delete(s, x->id, e) : 0;
	if (x->state == JOB_CANCELLED || same_job(x, &w->j)) {
		w->matched = true;
		w->live = active;
		return 0;
	}
	if (!active)
		return 0;
	w->matched = true;
	if (w->past)
		return job_delete(s, x->id, e);
	w->live = true;
	w->j.id = x->id;
	return job_redefine(s, &w->j, e);
}

int event_alarm_sync(struct store *s, const struct event *ev, time_t now,
		     struct event_alarm_count *count, struct err *e)
{
	struct event_alarm *as = NULL;
	struct want *ws = NULL;
	struct job *old = NULL;
	size_t na = 0, nw = 0, nold = 0;
	char *local = tz_local_name();
	int rc = -1;

	if (event_alarms(ev->alarms, &as, &na) < 0)
		na = 0;
	ws = na ? xcalloc(na, sizeof(*ws)) : NULL;
	for (size_t i = 0; i < na; i++) {
		bool dup = false;
		int made;

		for (size_t k = 0; k < nw && !dup; k++)
			dup = !strcmp(ws[k].key, as[i].key);
		if (dup)
			continue;
		made = plan(s, ev, &as[i], now, local, &ws[nw], e);
		if (made < 0) {
			job_release(&ws[nw].j);
			goto out;
		}
		if (made == 0 && count)
			count->unsupported++;
		nw += made;
	}
	if (job_list_event(s, ev->id, &old, &nold, e) < 0)
		goto out;
	for (size_t i = 0; i < nold; i++)
		if (settle(s, &old[i], ws, nw, e) < 0)
			goto out;
	for (size_t i = 0; i < nw; i++) {
		if (!ws[i].matched && !ws[i].past) {
			if (job_add(s, &ws[i].j, now, e) < 0)
				goto out;
			ws[i].live = true;
		}
		if (count && ws[i].live)
			count->set++;
		else if (count && ws[i].past)
			count->past++;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nw; i++)
		job_release(&ws[i].j);
	free(ws);
	job_list_free(old, nold);
	event_alarms_free(as, na);
	free(local);
	return rc;
}
