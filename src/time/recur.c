#include "recur.h"
#include "utf8.h"
#include "cron.h"
#include "tz.h"
#include "when.h"
#include "xalloc.h"

#include <libical/ical.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Give up on a rule that yields this many past occurrences without a future one. */
#define RRULE_MAX_STEPS 200000

static int bad_rule(const char *rule, struct err *e)
{
	icalerror_clear_errno();
	return err_set(e, ERR_USAGE, "bad RRULE %s", utf8_q(rule));
}

static int ical_parse(const char *rule, struct icalrecurrencetype *r, struct err *e)
{
	icalerror_clear_errno();
	*r = icalrecurrencetype_from_string(rule);
	if (r->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR)
		return bad_rule(rule, e);
	return 0;
}

static bool excluded(const struct recur_rule *r, time_t t)
{
	for (size_t i = 0; i < r->nexdates; i++)
		if (r->exdates[i] == t)
			return true;
	return false;
}

/* The bits of a BYMINUTE or BYHOUR list (values past hi ignored). */
static uint64_t by_bits(const char *p, int hi)
{
	uint64_t bits = 0;
	char *end;

	for (;;) {
		long v = strtol(p, &end, 10);

		if (end == p)
			return bits;
		if (v >= 0 && v <= hi)
			bits |= 1ULL << v;
		if (*end != ',')
			return bits;
		p = end + 1;
	}
}

/* What says how often an RRULE repeats (a bits field 0: not given). */
struct how_often {
	const char *freq;
	long interval;
	bool seconds; /* more than one BYSECOND */
	bool second;  /* a BYSECOND given */
	uint64_t minutes;
	uint32_t hours;
};

static void how_often(const char *rule, struct how_often *h)
{
	const char *p = rule;

	memset(h, 0, sizeof(*h));
	h->freq = "";
	h->interval = 1;
	if (!strncasecmp(p, "RRULE:", 6))
		p += 6;
	for (size_t n; *p; p += n + (p[n] == ';')) {
		n = strcspn(p, ";");
		if (!strncasecmp(p, "FREQ=", 5))
			h->freq = p + 5;
		else if (!strncasecmp(p, "INTERVAL=", 9))
			h->interval = strtol(p + 9, NULL, 10);
		else if (!strncasecmp(p, "BYSECOND=", 9)) {
			h->second = true;
			h->seconds = memchr(p, ',', n) != NULL;
		} else if (!strncasecmp(p, "BYMINUTE=", 9))
			h->minutes = by_bits(p + 9, 59);
		else if (!strncasecmp(p, "BYHOUR=", 7))
			h->hours = (uint32_t)by_bits(p + 7, 23);
	}
}

int recur_limit(const char *rule, bool reminder, struct err *e)
{
	struct how_often h;

	how_often(rule, &h);
	if (!strncasecmp(h.freq, "SECONDLY", 8) || h.seconds)
		return err_set(e, ERR_USAGE, "RRULE %s repeats within a minute: the shortest is %s",
			       utf8_q(rule),
			       reminder ? "every 5 minutes (FREQ=MINUTELY;INTERVAL=5)"
					: "every hour (FREQ=HOURLY)");
	if (strncasecmp(h.freq, "MINUTELY", 8))
		return 0;
	if (!reminder)
		return err_set(e, ERR_USAGE,
			       "RRULE %s: an event repeats at most every hour (FREQ=HOURLY); "
			       "a reminder can repeat every 5 minutes",
			       utf8_q(rule));
	if (h.interval < RECUR_MINUTES_MIN)
		return err_set(e, ERR_USAGE,
			       "RRULE %s: a reminder repeats at most every 5 minutes "
			       "(FREQ=MINUTELY;INTERVAL=5)",
			       utf8_q(rule));
	return 0;
}

int recur_min_gap(const char *schedule, const char *rule, struct err *e)
{
	struct cron c = { .minute = 1, .hour = 1, .dom_star = true, .dow_star = true };
	struct how_often h;
	long step;
	int gap;

	if (!strcmp(schedule, "cron"))
		return cron_parse(rule, &c, e) < 0 ? -1 : cron_min_gap(&c);
	if (strcmp(schedule, "rrule") != 0)
		return INT_MAX;
	how_often(rule, &h);
	step = h.interval > 0 && h.interval < INT_MAX ? h.interval : 1;
	if (h.seconds)
		return 0;
	if (!strncasecmp(h.freq, "SECONDLY", 8)) {
		/* at most once a minute with one BYSECOND or a minute's step */
		if (!h.second && step < 60)
			return 0;
		step = step < 60 ? 1 : step / 60;
	} else if (strncasecmp(h.freq, "MINUTELY", 8)) {
		step = 0;
	}
	/* any day may follow any other: 23:59 and 00:00 count as in a row */
	c.dom = c.month = c.dow = ~0u;
	if (step) {
		/* runs step minutes apart, or further on a BYMINUTE list */
		if (!h.minutes)
			return (int)step;
		c.minute = h.minutes;
		c.hour = h.hours ? h.hours : (1u << 24) - 1;
		gap = cron_min_gap(&c);
		return gap > step ? gap : (int)step;
	}
	if (h.minutes)
		c.minute = h.minutes;
	if (h.hours)
		c.hour = h.hours;
	else if (!strncasecmp(h.freq, "HOURLY", 6) && h.interval <= 1)
		c.hour = (1u << 24) - 1;
	return cron_min_gap(&c);
}

int recur_check(const char *schedule, const char *rule, struct err *e)
{
	struct icalrecurrencetype r;
	struct cron c;

	if (!strcmp(schedule, "at"))
		return 0;
	if (!rule)
		return err_set(e, ERR_USAGE, "a %s schedule needs a rule", schedule);
	if (!strcmp(schedule, "cron"))
		return cron_parse(rule, &c, e);
	if (!strcmp(schedule, "rrule"))
		return ical_parse(rule, &r, e);
	return err_set(e, ERR_USAGE, "unknown schedule %s", utf8_q(schedule));
}

static struct icaltimetype ical_wall(const struct tm *tm)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = tm->tm_year + 1900;
	t.month = tm->tm_mon + 1;
	t.day = tm->tm_mday;
	t.hour = tm->tm_hour;
	t.minute = tm->tm_min;
	t.second = tm->tm_sec;
	return t;
}

void recur_until_wall(struct icalrecurrencetype *rule, struct tz *z)
{
	struct tm w;

	if (!icaltime_is_null_time(rule->until) && rule->until.is_date) {
		/* a DATE UNTIL on a timed series: its whole day (rrule.c) */
		rule->until.is_date = 0;
		rule->until.hour = 23;
		rule->until.minute = 59;
		rule->until.second = 59;
		return;
	}
	if (icaltime_is_null_time(rule->until) || !icaltime_is_utc(rule->until))
		return;
	tz_to_wall(z, icaltime_as_timet(rule->until), &w);
	rule->until = ical_wall(&w);
}

/* The floating DTSTART of a series: a date, or the wall time in z. */
static struct rrule_wall series_wall(struct tz *z, bool all_day, time_t t)
{
	return all_day ? rrule_utc_wall(t, true) : rrule_utc_wall(tz_wall_seconds(z, t), false);
}

static struct icaltimetype wall_ical(const struct rrule_wall *w)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = w->year;
	t.month = w->month;
	t.day = w->day;
	t.hour = w->hour;
	t.minute = w->minute;
	t.second = w->second;
	t.is_date = w->is_date;
	return t;
}

/* tz_wall_seconds() of t in ri's zone, without its call in a zone of one
 * offset. */
static long long wall_seconds(const struct recur_iter *ri, time_t t)
{
	return ri->fixed ? (long long)t + ri->off : (long long)tz_wall_seconds(ri->z, t);
}

/* DTSTART and the seek point go to the expander as wall-clock seconds (a
 * date: its UTC midnight; the seek point's day in z for an all-day series),
 * what series_wall() makes fields of. */
static bool open_own(struct recur_iter *ri, struct rrule_memo *m, const char *rule, time_t start,
		     const time_t *wall, time_t seek)
{
	long long d = ri->all_day ? (long long)start : wall ? *wall : wall_seconds(ri, start);

	return rrule_iter_open(&ri->rr, m, rule, d, ri->all_day, ri->all_day ? NULL : ri->z,
			       seek > start ? wall_seconds(ri, seek) : LLONG_MIN);
}

/* recur_iter_open(), from the wall-clock time *wall when not NULL. */
static int iter_open(struct recur_iter *ri, struct rrule_memo *m, const char *rule, struct tz *z,
		     bool all_day, time_t start, const time_t *wall, time_t seek,
		     enum recur_engine engine, struct err *e)
{
	struct icalrecurrencetype r;
	struct rrule_wall d;

	/* not memset: rrule_iter_init() sets what it reads of rr, and clearing
	 * its table of days cost as much as opening the series */
	ri->own = false;
	ri->ical = NULL;
	ri->z = z;
	ri->fixed = tz_fixed(z, &ri->off);
	ri->all_day = all_day;
	if (engine != RECUR_LIBICAL && open_own(ri, m, rule, start, wall, seek)) {
		ri->own = true;
		return 0;
	}
	if (engine == RECUR_OWN)
		return err_set(e, ERR_USAGE, "RRULE %s is left to libical", utf8_q(rule));
	r = icalrecurrencetype_from_string(rule);
	if (r.freq == ICAL_NO_RECURRENCE)
		return bad_rule(rule, e);
	if (!all_day)
		recur_until_wall(&r, z);
	d = wall ? rrule_utc_wall(*wall, false) : series_wall(z, all_day, start);
	ri->ical = icalrecur_iterator_new(r, wall_ical(&d));
	if (!ri->ical)
		return bad_rule(rule, e);
	if (r.count == 0 && seek > start) {
		struct rrule_wall s = series_wall(z, false, seek);

		s.is_date = all_day;
		if (all_day)
			s.hour = s.minute = s.second = 0;
		if (!icalrecur_iterator_set_start(ri->ical, wall_ical(&s))) {
			icalrecur_iterator_free(ri->ical);
			ri->ical = icalrecur_iterator_new(r, wall_ical(&d));
		}
	}
	return 0;
}

int recur_iter_open(struct recur_iter *ri, struct rrule_memo *m, const char *rule, struct tz *z,
		    bool all_day, time_t start, time_t seek, enum recur_engine engine,
		    struct err *e)
{
	return iter_open(ri, m, rule, z, all_day, start, NULL, seek, engine, e);
}

int recur_iter_open_wall(struct recur_iter *ri, struct rrule_memo *m, const char *rule,
			 struct tz *z, time_t start, time_t wall, time_t seek,
			 enum recur_engine engine, struct err *e)
{
	return iter_open(ri, m, rule, z, false, start, &wall, seek, engine, e);
}

bool recur_iter_next_ical(struct recur_iter *ri, time_t *key)
{
	struct icaltimetype o;
	struct rrule_wall w;
	long long local;
	long gap = 0;

	do {
		o = ri->ical ? icalrecur_iterator_next(ri->ical) : icaltime_null_time();
		if (icaltime_is_null_time(o))
			return false;
		/* the wall-clock time as seconds (a date: its UTC midnight), then
		 * the instant: what tz_instant() makes of its fields */
		w = (struct rrule_wall){ o.year,   o.month,  o.day,	    o.hour,
					 o.minute, o.second, o.is_date != 0 };
		if (ri->all_day)
			w.hour = w.minute = w.second = 0;
		local = rrule_wall_utc(&w);
		*key = ri->all_day ? (time_t)local : tz_instant_gap(ri->z, (time_t)local, &gap);
	} while (gap >= RECUR_GAP_SKIPPED); /* not an occurrence: recur_iter_next() */
	return true;
}

/* recur_iter_next() past a wall-clock time a long gap skipped (out of
 * line: an inline function does not call itself). */
bool recur_iter_next_after_gap(struct recur_iter *ri, time_t *key)
{
	return recur_iter_next(ri, key);
}

void recur_iter_close(struct recur_iter *ri)
{
	if (ri->ical)
		icalrecur_iterator_free(ri->ical);
	ri->ical = NULL;
}

static int rrule_next(const struct recur_rule *rr, struct tz *z, time_t after, time_t *next,
		      bool *has, struct err *e)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	struct tm wall;
	int steps = 0, rc = 0;
	long gap;

	if (ical_parse(rr->rule, &r, e) < 0)
		return -1;
	recur_until_wall(&r, z);
	if (rr->wall && tz_wall_names(z, rr->dtstart, *rr->wall))
		gmtime_r(rr->wall, &wall);
	else
		tz_to_wall(z, rr->dtstart, &wall);
	it = icalrecur_iterator_new(r, ical_wall(&wall));
	if (!it)
		return bad_rule(rr->rule, e);
	/* Jump close to `after` (a day early, for folds) unless COUNT needs the count. */
	if (r.count == 0 && after - rr->run_offset - 86400 > rr->dtstart) {
		tz_to_wall(z, after - rr->run_offset - 86400, &wall);
		icalrecur_iterator_set_start(it, ical_wall(&wall));
	}
	*has = false;
	for (;;) {
		struct icaltimetype t = icalrecur_iterator_next(it);
		struct tm tm = { 0 };
		time_t u;

		if (icaltime_is_null_time(t))
			break;
		tm.tm_year = t.year - 1900;
		tm.tm_mon = t.month - 1;
		tm.tm_mday = t.day;
		tm.tm_hour = t.hour;
		tm.tm_min = t.minute;
		tm.tm_sec = t.second;
		u = tz_instant_gap(z, tz_tm_utc(&tm), &gap);
		if (gap < RECUR_GAP_SKIPPED && !excluded(rr, u) && u + rr->run_offset > after) {
			*next = u + rr->run_offset;
			*has = true;
			break;
		}
		if (++steps > RRULE_MAX_STEPS) {
			rc = err_set(e, ERR_FAIL, "RRULE %s: no occurrence found after %d steps",
				     utf8_q(rr->rule), RRULE_MAX_STEPS);
			break;
		}
	}
	icalrecur_iterator_free(it);
	return rc;
}

/* The next run of a cron schedule: occurrences from cron_next(), moved by
 * the run offset, the excluded ones skipped. */
static int cron_run_next(const struct recur_rule *r, struct tz *z, time_t after, time_t *next,
			 struct err *e)
{
	struct cron c;
	time_t t = after - r->run_offset;

	if (cron_parse(r->rule, &c, e) < 0)
		return -1;
	do {
		if (cron_next(&c, z, t, &t, e) < 0)
			return -1;
	} while (excluded(r, t));
	*next = t + r->run_offset;
	return 0;
}

int recur_next(const struct recur_rule *r, time_t after, time_t *next, bool *has, struct err *e)
{
	struct tz *z;
	int rc;

	*has = false;
	if (!strcmp(r->schedule, "at"))
		return 0;
	if (recur_check(r->schedule, r->rule, e) < 0)
		return -1;
	z = tz_open(r->tzid, e);
	if (!z)
		return -1;
	if (!strcmp(r->schedule, "cron")) {
		rc = cron_run_next(r, z, after, next, e);
		*has = rc == 0;
	} else {
		rc = rrule_next(r, z, after, next, has, e);
	}
	tz_free(z);
	return rc;
}

int recur_parse(const char *text, const char **schedule, char **rule, struct err *e)
{
	struct cron c;

	if (cron_is_expr(text)) {
		if (cron_parse(text, &c, e) < 0)
			return -1;
		*schedule = "cron";
		*rule = xstrdup(text);
		return 0;
	}
	if (when_parse_rule(text, rule, e) < 0)
		return -1;
	*schedule = "rrule";
	return 0;
}
