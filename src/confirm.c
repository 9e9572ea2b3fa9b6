/* What was stored, in one line for people. */
#include "confirm.h"
#include "event.h"
#include "every.h"
#include "reltime.h"
#include "reminder.h"
#include "sbuf.h"
#include "task.h"
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* "Tue 2 Jun", with the year when it is not this year's. */
static void day_words(time_t t, time_t now, char *buf, size_t len)
{
	struct tm tm, today;

	localtime_r(&t, &tm);
	localtime_r(&now, &today);
	reltime_date("en", &tm, tm.tm_year != today.tm_year, buf, len);
}

static void clock_words(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(buf, len, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

/* " (today)", " (tomorrow)", " (in 6 days)", " (3 days ago)"; more, when
 * given, inside the parentheses after a semicolon. */
static void distance(struct sbuf *sb, time_t t, time_t now, const char *more)
{
	long d = reltime_days(t, now);
	const char *w = reltime_word(d, "en");

	if (w)
		sbuf_addf(sb, " (%s", w);
	else if (d > 0)
		sbuf_addf(sb, " (in %ld days", d);
	else
		sbuf_addf(sb, " (%ld days ago", -d);
	sbuf_addf(sb, "%s%s)", more && *more ? "; " : "", more ? more : "");
}

/* "Tue 2 Jun 17:00 (tomorrow)", or the date alone when date_only. */
static void when(struct sbuf *sb, time_t t, bool date_only, time_t now)
{
	char day[48], clock[8];

	day_words(t, now, day, sizeof(day));
	sbuf_adds(sb, day);
	if (!date_only) {
		clock_words(t, clock, sizeof(clock));
		sbuf_addf(sb, " %s", clock);
	}
	distance(sb, t, now, NULL);
}

static void rule(struct sbuf *sb, const char *every, bool all_day)
{
	char buf[128];

	if (every_words_series("en", every, all_day, buf, sizeof(buf)))
		sbuf_addf(sb, ", %s", buf);
}

static void head(struct sbuf *sb, const char *what, long long id, bool updated, const char *title)
{
	sbuf_addf(sb, "%s %lld%s: %s", what, id, updated ? " updated" : "", title ? title : "");
}

char *confirm_task(const struct task *t, bool updated, time_t now)
{
	struct sbuf sb = SBUF_INIT;

	head(&sb, "Task", t->id, updated, t->title);
	if (t->has_due) {
		sbuf_adds(&sb, " \xe2\x80\x94 due ");
		when(&sb, t->due, t->due_date_only, now);
	}
	if (t->priority)
		sbuf_addf(&sb, ", priority %d", t->priority);
	return sbuf_detach(&sb);
}

/* "09:00 America/New_York": the start in the event's own zone, when that
 * zone tells the time differently from the local one; else "". */
static void own_zone(const struct event *ev, char *buf, size_t len)
{
	struct tm here, there;
	struct tz *z;
	struct err e;

	buf[0] = '\0';
	if (!ev->tzid || ev->all_day || !(z = tz_open(ev->tzid, &e)))
		return;
	localtime_r(&ev->start, &here);
	tz_to_wall(z, ev->start, &there);
	if (here.tm_hour != there.tm_hour || here.tm_min != there.tm_min)
		snprintf(buf, len, "%02d:%02d %s", there.tm_hour, there.tm_min, ev->tzid);
	tz_free(z);
}

char *confirm_event(const struct event *ev, bool updated, time_t now)
{
	struct sbuf sb = SBUF_INIT;
	char a[48], b[48], c1[8], c2[8], zone[96];

	head(&sb, "Event", ev->id, updated, ev->summary);
	sbuf_adds(&sb, " \xe2\x80\x94 ");
	if (ev->all_day) {
		time_t first = tz_date_to_local(ev->start), last = tz_date_to_local(ev->end - DAY);

		day_words(first, now, a, sizeof(a));
		day_words(last, now, b, sizeof(b));
		if (strcmp(a, b))
			sbuf_addf(&sb, "%s \xe2\x80\x93 %s", a, b);
		else
			sbuf_adds(&sb, a);
		sbuf_adds(&sb, ", all day");
		distance(&sb, first, now, NULL);
	} else {
		day_words(ev->start, now, a, sizeof(a));
		day_words(ev->end, now, b, sizeof(b));
		clock_words(ev->start, c1, sizeof(c1));
		clock_words(ev->end, c2, sizeof(c2));
		if (ev->end == ev->start)
			sbuf_addf(&sb, "%s %s", a, c1);
		else if (!strcmp(a, b))
			sbuf_addf(&sb, "%s %s\xe2\x80\x93%s", a, c1, c2);
		else
			sbuf_addf(&sb, "%s %s \xe2\x80\x93 %s %s", a, c1, b, c2);
		own_zone(ev, zone, sizeof(zone));
		distance(&sb, ev->start, now, zone);
	}
	rule(&sb, ev->rrule, ev->all_day);
	if (ev->location && *ev->location)
		sbuf_addf(&sb, ", at %s", ev->location);
	return sbuf_detach(&sb);
}

char *confirm_reminder(const struct reminder *r, time_t now)
{
	struct sbuf sb = SBUF_INIT;

	head(&sb, "Reminder", r->id, false, r->text);
	if (r->has_at) {
		sbuf_adds(&sb, " \xe2\x80\x94 ");
		when(&sb, r->at, false, now);
	}
	rule(&sb, r->every, false);
	return sbuf_detach(&sb);
}
