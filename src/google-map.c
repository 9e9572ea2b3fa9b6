/* Google Calendar events <-> nestor events (google.h). */
#include "google.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sbuf.h"
#include "tz.h"
#include "utf8.h"
#include "xalloc.h"

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* A text of an item, NULL when empty: control characters (the CR of a
 * CR LF...) are left out, as the store refuses them. */
static char *text_of(const cJSON *item, const char *k)
{
	const char *s = str(item, k);
	char *t = s && *s ? utf8_clean_str(s, UTF8_PRINTABLE) : NULL;

	if (t && !*t) {
		free(t);
		t = NULL;
	}
	return t;
}

/* Whether s is a colour "#rrggbb". */
static bool rgb_color(const char *s)
{
	return s && s[0] == '#' && strlen(s) == 7 && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

/* Whether s looks like a zone name ("Europe/Berlin", "Etc/GMT+2", "UTC"):
 * at most 64 letters, digits and "/_+-".  A name no zone has is for the
 * zone lookup to refuse. */
static bool zone_name(const char *s)
{
	return s && *s && strlen(s) <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") ==
		       strlen(s);
}

int gmap_calendar(const cJSON *item, struct gmap_cal *c, struct err *e)
{
	static const char *const roles[] = { "owner", "writer", "reader", "freeBusyReader" };
	const char *role = str(item, "accessRole");

	memset(c, 0, sizeof(*c));
	c->id = str(item, "id");
	if (!c->id || !*c->id)
		return err_set(e, ERR_USAGE, "a calendar without an id");
	if (utf8_check_name("calendar id", c->id, GMAP_CAL_ID_MAX, e) < 0)
		return -1;
	c->summary = str(item, "summaryOverride") ? str(item, "summaryOverride")
		     : str(item, "summary")	  ? str(item, "summary")
						  : c->id;
	c->color = rgb_color(str(item, "backgroundColor")) ? str(item, "backgroundColor") : NULL;
	for (size_t i = 0; role && !c->access && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!strcmp(role, roles[i]))
			c->access = roles[i];
	if (role && !c->access)
		c->access = "reader"; /* a role Google may add: no writing assumed */
	c->tz = zone_name(str(item, "timeZone")) ? str(item, "timeZone") : NULL;
	return 0;
}

/* Whether tm, as read (tm_year the year, tm_mon 1-12), names a real date
 * and time: timegm() would carry month 13 or hour 99 into the next. */
static bool tm_valid(const struct tm *tm)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = tm->tm_year;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= 1 && y <= 9999 && tm->tm_mon >= 1 && tm->tm_mon <= 12 && tm->tm_mday >= 1 &&
	       tm->tm_mday <= days[tm->tm_mon - 1] + (tm->tm_mon == 2 && leap) &&
	       tm->tm_hour >= 0 && tm->tm_hour <= 23 && tm->tm_min >= 0 && tm->tm_min <= 59 &&
	       tm->tm_sec >= 0 && tm->tm_sec <= 60;
}

int gmap_time(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	int n = 0, oh = 0, om = 0;
	const char *p;
	long off = 0;

	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    !tm_valid(&tm))
		return -1;
	p = s + n;
	if (*p == '.')
		while (*++p >= '0' && *p <= '9')
			;
	if (*p == '+' || *p == '-') {
		/* a zone is at most 18 hours from UTC (RFC 3339, ISO 8601) */
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || oh < 0 || om < 0 || om > 59 ||
		    oh * 60 + om > 18 * 60)
			return -1;
		off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
	} else if (*p != 'Z') {
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm) - off;
	return 0;
}

static int date_utc(const char *s, time_t *t)
{
	struct tm tm = { 0 };

	if (!s || sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3 ||
	    !tm_valid(&tm))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	return 0;
}

/* A start or end object: {"date"} or {"dateTime", "timeZone"}. */
static int when(const cJSON *o, const char *what, time_t *t, bool *all_day, const char **tzid,
		struct err *e)
{
	const char *d = str(o, "date"), *dt = str(o, "dateTime");

	*all_day = d != NULL;
	if (tzid)
		*tzid = str(o, "timeZone");
	if (d ? date_utc(d, t) : gmap_time(dt, t))
		return err_set(e, ERR_USAGE, "bad %s %s", what,
			       utf8_q(d	   ? d
				      : dt ? dt
					   : "(missing)"));
	return 0;
}

/* "20260616T090000" or "...Z" or "20260616" (date) of an EXDATE in zone z. */
static int ical_time(const char *v, struct tz *z, time_t *t)
{
	struct tm tm = { 0 };
	int n = 0;

	if (sscanf(v, "%4d%2d%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (v[n] == 'T' && sscanf(v + n + 1, "%2d%2d%2d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 3)
		return -1;
	if (v[n] != 'T' || strchr(v + n, 'Z') || !z)
		*t = timegm(&tm);
	else
		*t = tz_instant(z, &tm);
	return 0;
}

/* An "EXDATE;TZID=X:V1,V2" line into ev's exdates (zone: the event's). */
static int exdate_line(struct event *ev, const char *line, struct err *e)
{
	const char *colon = strchr(line, ':'), *tzp = strstr(line, "TZID=");
	char *tzid = NULL;
	struct tz *z = NULL;
	int rc = 0;

	if (!colon)
		return err_set(e, ERR_USAGE, "bad recurrence line %s", utf8_q(line));
	if (tzp && tzp < colon)
		tzid = xstrndup(tzp + 5, strcspn(tzp + 5, ";:"));
	if (tzid || ev->tzid) {
		z = tz_open(tzid ? tzid : ev->tzid, e);
		if (!z) {
			free(tzid);
			return -1;
		}
	}
	for (const char *p = colon + 1; *p && rc == 0;) {
		size_t n = strcspn(p, ",");
		char *v = xstrndup(p, n);
		time_t t;

		if (ical_time(v, z, &t) < 0)
			rc = err_set(e, ERR_USAGE, "bad EXDATE %s", utf8_q(v));
		else
			event_add_exdate(ev, t);
		free(v);
		p += n + (p[n] == ',');
	}
	tz_free(z);
	free(tzid);
	return rc;
}

static const char *partstat(const char *rs)
{
	if (!rs)
		return "NEEDS-ACTION";
	if (!strcmp(rs, "accepted"))
		return "ACCEPTED";
	if (!strcmp(rs, "declined"))
		return "DECLINED";
	if (!strcmp(rs, "tentative"))
		return "TENTATIVE";
	return "NEEDS-ACTION";
}

/* Whether mail, an attendee's address from Google, can stand after
 * "mailto:" on one line: no control character (a newline would start a
 * line of its own, an attendee Google never had), no space, no quote, and
 * valid UTF-8. */
static bool mail_ok(const char *mail)
{
	char *clean;
	bool ok;

	if (!*mail || strpbrk(mail, " \"\t"))
		return false;
	clean = utf8_clean_str(mail, UTF8_PRINTABLE | UTF8_ONE_LINE);
	ok = !strcmp(clean, mail);
	free(clean);
	return ok;
}

/* Attendees as "ATTENDEE;CN=...;PARTSTAT=...:mailto:..." lines; one whose
 * address is not fit for that line is left out (counted in *dropped).  A
 * name is cleaned as other text, on one line, its double quotes made
 * single (a parameter value cannot hold one). */
static char *attendees(const cJSON *list, long *dropped)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *a;

	cJSON_ArrayForEach(a, list) {
		const char *mail = str(a, "email"), *raw = str(a, "displayName");
		char *name = raw ? utf8_clean_str(raw, UTF8_PRINTABLE | UTF8_ONE_LINE) : NULL;

		if (!mail || !mail_ok(mail)) {
			*dropped += mail != NULL;
			free(name);
			continue;
		}
		for (char *q = name ? strchr(name, '"') : NULL; q; q = strchr(q, '"'))
			*q = '\'';
		sbuf_adds(&sb, "ATTENDEE");
		if (name && *name && !strpbrk(name, ";:,"))
			sbuf_addf(&sb, ";CN=%s", name);
		else if (name && *name)
			sbuf_addf(&sb, ";CN=\"%s\"", name);
		sbuf_addf(&sb, ";PARTSTAT=%s:mailto:%s\n", partstat(str(a, "responseStatus")),
			  mail);
		free(name);
	}
	return sb.len ? sbuf_detach(&sb) : NULL;
}

/* Whether the user declined the event: their own attendee entry (self)
 * answers "declined". */
static bool declined(const cJSON *list)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, list) {
		const char *answer = str(a, "responseStatus");

		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "self")))
			return answer && !strcmp(answer, "declined");
	}
	return false;
}

/* Google's limit on a reminder's minutes before the start (four weeks). */
#define GMAP_REMINDER_MAX 40320

/* Reminders ({"method", "minutes"}) as VALARMs; one whose minutes are not a
 * whole number in Google's range is skipped, as one of no known shape is. */
static void alarms_add(struct sbuf *sb, const cJSON *list)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, list) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "minutes");
		const char *method = str(r, "method");

		if (!cJSON_IsNumber(m) || !(m->valuedouble >= 0) ||
		    !(m->valuedouble <= GMAP_REMINDER_MAX) ||
		    m->valuedouble != (double)(int)m->valuedouble)
			continue;
		sbuf_addf(sb, "BEGIN:VALARM\r\nACTION:%s\r\nTRIGGER:-PT%dM\r\nEND:VALARM\r\n",
			  method && !strcmp(method, "email") ? "EMAIL" : "DISPLAY",
			  (int)m->valuedouble);
	}
}

static char *alarms(const cJSON *item, const char *defaults)
{
	const cJSON *rem = cJSON_GetObjectItemCaseSensitive(item, "reminders");
	struct sbuf sb = SBUF_INIT;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rem, "useDefault")) || !rem) {
		cJSON *d = defaults ? cJSON_Parse(defaults) : NULL;

		alarms_add(&sb, d);
		cJSON_Delete(d);
	} else {
		alarms_add(&sb, cJSON_GetObjectItemCaseSensitive(rem, "overrides"));
	}
	return sb.len ? sbuf_detach(&sb) : NULL;
}

int gmap_event(const cJSON *item, const char *cal_name, const char *cal_tz, const char *defaults,
	       struct event *ev, struct err *e)
{
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(item, "recurrence"), *line;
	const char *tzid = NULL;
	bool all_day, end_all_day;
	long dropped = 0;

	memset(ev, 0, sizeof(*ev));
	ev->calendar = xstrdup(cal_name);
	ev->summary = text_of(item, "summary");
	if (!ev->summary)
		ev->summary = xstrdup("(no title)");
	ev->notes = text_of(item, "description");
	ev->location = text_of(item, "location");
	if (when(cJSON_GetObjectItemCaseSensitive(item, "start"), "start", &ev->start, &all_day,
		 &tzid, e) < 0 ||
	    when(cJSON_GetObjectItemCaseSensitive(item, "end"), "end", &ev->end, &end_all_day, NULL,
		 e) < 0)
		goto fail;
	ev->all_day = all_day;
	if (!all_day)
		ev->tzid = dup_or_null(tzid ? tzid : cal_tz);
	cJSON_ArrayForEach(line, rec) {
		const char *l = cJSON_IsString(line) ? line->valuestring : "";

		if (!strncmp(l, "RRULE:", 6)) {
			free(ev->rrule);
			ev->rrule = xstrdup(l + 6);
		} else if (!strncmp(l, "EXDATE", 6) && exdate_line(ev, l, e) < 0) {
			goto fail;
		}
	}
	ev->attendees = attendees(cJSON_GetObjectItemCaseSensitive(item, "attendees"), &dropped);
	if (dropped)
		log_msg(LOG_WARN, "google",
			"calendar %s: event %s: %ld attendee%s left out (an address that is "
			"empty, not UTF-8, or holds a control character, a space or a quote)",
			utf8_q(cal_name), utf8_q(str(item, "id")), dropped,
			dropped == 1 ? "" : "s");
	/* a meeting declined is shown (as Google's calendar and gcalcli do),
	 * never reminded; no reminders are sent for it either way */
	ev->alarms = declined(cJSON_GetObjectItemCaseSensitive(item, "attendees"))
			     ? NULL
			     : alarms(item, defaults);
	return 0;
fail:
	event_release(ev);
	return -1;
}

int gmap_instance(const cJSON *item, bool all_day, const char *cal_tz, time_t *key,
		  struct event_override **ov, struct err *e)
{
	const cJSON *orig = cJSON_GetObjectItemCaseSensitive(item, "originalStartTime");
	struct event_override *o;
	const char *tzid = NULL, *status = str(item, "status");
	bool ad;

	*ov = NULL;
	if (when(orig, "originalStartTime", key, &ad, NULL, e) < 0)
		return -1;
	(void)all_day;
	if (status && !strcmp(status, "cancelled"))
		return 0;
	o = xcalloc(1, sizeof(*o));
	o->recurrence_id = *key;
	o->summary = text_of(item, "summary");
	o->notes = text_of(item, "description");
	o->location = text_of(item, "location");
	if (when(cJSON_GetObjectItemCaseSensitive(item, "start"), "start", &o->start, &ad, &tzid,
		 e) < 0 ||
	    when(cJSON_GetObjectItemCaseSensitive(item, "end"), "end", &o->end, &ad, NULL, e) < 0) {
		event_override_release(o);
		free(o);
		return -1;
	}
	if (!ad)
		o->tzid = dup_or_null(tzid ? tzid : cal_tz);
	/* the user may decline one occurrence alone: shown, not reminded */
	o->declined = declined(cJSON_GetObjectItemCaseSensitive(item, "attendees"));
	*ov = o;
	return 0;
}

/* The zone name to send with ev's times: a tzdata name Google knows
 * (without a libical prefix), or NULL (the times alone, in UTC, are
 * exact) for a name only a calendar file defines ("W. Europe Standard
 * Time"), which Google refuses.  A series needs its zone to repeat in: it
 * keeps the name. */
static const char *google_zone(const struct event *ev)
{
	const char *plain = ev->tzid ? tz_plain_name(ev->tzid) : NULL;

	if (!plain || tz_is_system(plain))
		return plain;
	if (tz_is_utc(plain))
		return "UTC";
	return ev->rrule ? ev->tzid : NULL;
}

static cJSON *when_json(time_t t, bool all_day, const char *tzid)
{
	cJSON *o = cJSON_CreateObject();
	char buf[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	if (all_day) {
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		cJSON_AddStringToObject(o, "date", buf);
		return o;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, "dateTime", buf);
	if (tzid)
		cJSON_AddStringToObject(o, "timeZone", tzid);
	return o;
}

/* "EXDATE;TZID=Z:20260616T090000,..." (or UTC "...Z", or dates). */
static char *exdate_out(const struct event *ev)
{
	struct sbuf sb = SBUF_INIT;
	struct tz *z = NULL;
	struct err e = { 0 };

	if (!ev->nexdates)
		return NULL;
	if (ev->all_day)
		sbuf_adds(&sb, "EXDATE;VALUE=DATE:");
	else if (ev->tzid && (z = tz_open(ev->tzid, &e)))
		sbuf_addf(&sb, "EXDATE;TZID=%s:", ev->tzid);
	else
		sbuf_adds(&sb, "EXDATE:");
	for (size_t i = 0; i < ev->nexdates; i++) {
		struct tm tm;
		char buf[24];

		if (z)
			tz_to_wall(z, ev->exdates[i], &tm);
		else
			gmtime_r(&ev->exdates[i], &tm);
		strftime(buf, sizeof(buf),
			 ev->all_day ? "%Y%m%d"
			 : z	     ? "%Y%m%dT%H%M%S"
				     : "%Y%m%dT%H%M%SZ",
			 &tm);
		sbuf_addf(&sb, "%s%s", i ? "," : "", buf);
	}
	tz_free(z);
	return sbuf_detach(&sb);
}

struct cJSON *gmap_to_json(const struct event *ev, const char *remote_id)
{
	cJSON *o = cJSON_CreateObject();
	long *offs = NULL;
	size_t n = 0;

	if (remote_id)
		cJSON_AddStringToObject(o, "id", remote_id);
	cJSON_AddStringToObject(o, "summary", ev->summary);
	cJSON_AddItemToObject(o, "description",
			      ev->notes ? cJSON_CreateString(ev->notes) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "location",
			      ev->location ? cJSON_CreateString(ev->location) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "start", when_json(ev->start, ev->all_day, google_zone(ev)));
	cJSON_AddItemToObject(o, "end", when_json(ev->end, ev->all_day, google_zone(ev)));
	if (ev->rrule) {
		cJSON *rec = cJSON_AddArrayToObject(o, "recurrence");
		char *rr = xasprintf("RRULE:%s", ev->rrule), *ex = exdate_out(ev);

		cJSON_AddItemToArray(rec, cJSON_CreateString(rr));
		if (ex)
			cJSON_AddItemToArray(rec, cJSON_CreateString(ex));
		free(rr);
		free(ex);
	}
	if (ev->alarms && event_alarm_offsets(ev->alarms, &offs, &n) == 0) {
		cJSON *rem = cJSON_AddObjectToObject(o, "reminders"), *ov;

		cJSON_AddBoolToObject(rem, "useDefault", false);
		ov = cJSON_AddArrayToObject(rem, "overrides");
		for (size_t i = 0; i < n; i++) {
			cJSON *r = cJSON_CreateObject();

			cJSON_AddStringToObject(r, "method", "popup");
			cJSON_AddNumberToObject(r, "minutes",
						(double)(offs[i] < 0 ? -offs[i] / 60 : 0));
			cJSON_AddItemToArray(ov, r);
		}
		free(offs);
	}
	return o;
}
