#include "recur.h"
#include "cron.h"
#include "tz.h"
#include "when.h"
#include "xalloc.h"

#include <libical/ical.h>
#include <string.h>

/* Give up on a rule that yields this many past occurrences without a future one. */
#define RRULE_MAX_STEPS 200000

static int rrule_parse(const char *rule, struct icalrecurrencetype *r, struct err *e)
{
	icalerror_clear_errno();
	*r = icalrecurrencetype_from_string(rule);
	if (r->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return err_set(e, ERR_USAGE, "bad RRULE \"%s\"", rule);
	}
	return 0;
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
		return rrule_parse(rule, &r, e);
	return err_set(e, ERR_USAGE, "unknown schedule \"%s\"", schedule);
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

/* The instant of an RRULE wall time, per RFC 5545 (see recur.h). */
static time_t rrule_instant(struct tz *z, struct icaltimetype t)
{
	struct tm tm = { 0 };
	time_t first, second;

	tm.tm_year = t.year - 1900;
	tm.tm_mon = t.month - 1;
	tm.tm_mday = t.day;
	tm.tm_hour = t.hour;
	tm.tm_min = t.minute;
	tm.tm_sec = t.second;
	if (tz_from_wall(z, &tm, &first, &second) == TZ_GAP)
		return timegm(&tm) - tz_offset(z, first - 1);
	return first;
}

static int rrule_next(const char *rule, struct tz *z, time_t dtstart, time_t after,
		      time_t *next, bool *has, struct err *e)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	struct tm wall;
	int steps = 0;

	if (rrule_parse(rule, &r, e) < 0)
		return -1;
	tz_to_wall(z, dtstart, &wall);
	it = icalrecur_iterator_new(r, ical_wall(&wall));
	if (!it)
		return err_set(e, ERR_USAGE, "bad RRULE \"%s\"", rule);
	/* Jump close to `after` (a day early, for folds) unless COUNT needs the count. */
	if (r.count == 0 && after - 86400 > dtstart) {
		tz_to_wall(z, after - 86400, &wall);
		icalrecur_iterator_set_start(it, ical_wall(&wall));
	}
	*has = false;
	for (;;) {
		struct icaltimetype t = icalrecur_iterator_next(it);
		time_t u;

		if (icaltime_is_null_time(t))
			break;
		u = rrule_instant(z, t);
		if (u > after) {
			*next = u;
			*has = true;
			break;
		}
		if (++steps > RRULE_MAX_STEPS) {
			icalrecur_iterator_free(it);
			return err_set(e, ERR_FAIL, "RRULE \"%s\": no occurrence found after %d steps",
				       rule, RRULE_MAX_STEPS);
		}
	}
	icalrecur_iterator_free(it);
	return 0;
}

int recur_next(const char *schedule, const char *rule, const char *tzid, time_t dtstart,
	       time_t after, time_t *next, bool *has, struct err *e)
{
	struct tz *z;
	struct cron c;
	int rc;

	*has = false;
	if (!strcmp(schedule, "at"))
		return 0;
	if (recur_check(schedule, rule, e) < 0)
		return -1;
	z = tz_open(tzid, e);
	if (!z)
		return -1;
	if (!strcmp(schedule, "cron")) {
		rc = cron_parse(rule, &c, e) < 0 ? -1 : cron_next(&c, z, after, next, e);
		*has = rc == 0;
	} else {
		rc = rrule_next(rule, z, dtstart, after, next, has, e);
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
