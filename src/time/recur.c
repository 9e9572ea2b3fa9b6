#include "recur.h"
#include "cron.h"
#include "tz.h"
#include "when.h"
#include "xalloc.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

/* Give up on a rule that yields this many past occurrences without a future one. */
#define RRULE_MAX_STEPS 200000

/* An "rrule" job's rule (see recur.h): the RRULE, its EXDATEs, its TRIGGER. */
struct rrule_spec {
	struct icalrecurrencetype r;
	time_t *ex; /* sorted as written */
	size_t nex;
	long trigger;
};

static int bad_rule(const char *rule, struct err *e)
{
	icalerror_clear_errno();
	return err_set(e, ERR_USAGE, "bad RRULE \"%s\"", rule);
}

static int spec_line(struct rrule_spec *sp, const char *l, size_t len)
{
	char *v = xstrndup(l, len), *tok, *save = NULL;
	int rc = 0;

	if (!strncmp(v, "TRIGGER:", 8)) {
		struct icaldurationtype d = icaldurationtype_from_string(v + 8);

		if (icaldurationtype_is_bad_duration(d))
			rc = -1;
		sp->trigger = (long)icaldurationtype_as_int(d);
	} else if (!strncmp(v, "EXDATE:", 7)) {
		for (tok = strtok_r(v + 7, ",", &save); tok && rc == 0;
		     tok = strtok_r(NULL, ",", &save)) {
			struct icaltimetype t = icaltime_from_string(tok);

			if (icaltime_is_null_time(t) || !icaltime_is_utc(t)) {
				rc = -1;
				break;
			}
			sp->ex = xrealloc(sp->ex, (sp->nex + 1) * sizeof(*sp->ex));
			sp->ex[sp->nex++] = icaltime_as_timet(t);
		}
	} else {
		rc = -1;
	}
	free(v);
	return rc;
}

static int rrule_parse(const char *rule, struct rrule_spec *sp, struct err *e)
{
	size_t n = strcspn(rule, "\n");
	char *first = xstrndup(rule, n);

	memset(sp, 0, sizeof(*sp));
	icalerror_clear_errno();
	sp->r = icalrecurrencetype_from_string(first);
	free(first);
	if (sp->r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR)
		return bad_rule(rule, e);
	for (const char *l = rule + n; *l;) {
		l += *l == '\n';
		n = strcspn(l, "\n");
		if (n && spec_line(sp, l, n) < 0) {
			free(sp->ex);
			sp->ex = NULL;
			return bad_rule(rule, e);
		}
		l += n;
	}
	return 0;
}

static bool spec_excludes(const struct rrule_spec *sp, time_t t)
{
	for (size_t i = 0; i < sp->nex; i++)
		if (sp->ex[i] == t)
			return true;
	return false;
}

int recur_check(const char *schedule, const char *rule, struct err *e)
{
	struct rrule_spec sp;
	struct cron c;

	if (!strcmp(schedule, "at"))
		return 0;
	if (!rule)
		return err_set(e, ERR_USAGE, "a %s schedule needs a rule", schedule);
	if (!strcmp(schedule, "cron"))
		return cron_parse(rule, &c, e);
	if (!strcmp(schedule, "rrule")) {
		if (rrule_parse(rule, &sp, e) < 0)
			return -1;
		free(sp.ex);
		return 0;
	}
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
	struct rrule_spec sp;
	icalrecur_iterator *it;
	struct tm wall;
	int steps = 0, rc = 0;

	if (rrule_parse(rule, &sp, e) < 0)
		return -1;
	tz_to_wall(z, dtstart, &wall);
	it = icalrecur_iterator_new(sp.r, ical_wall(&wall));
	if (!it) {
		free(sp.ex);
		return bad_rule(rule, e);
	}
	/* Jump close to `after` (a day early, for folds) unless COUNT needs the count. */
	if (sp.r.count == 0 && after - sp.trigger - 86400 > dtstart) {
		tz_to_wall(z, after - sp.trigger - 86400, &wall);
		icalrecur_iterator_set_start(it, ical_wall(&wall));
	}
	*has = false;
	for (;;) {
		struct icaltimetype t = icalrecur_iterator_next(it);
		time_t u;

		if (icaltime_is_null_time(t))
			break;
		u = rrule_instant(z, t);
		if (!spec_excludes(&sp, u) && u + sp.trigger > after) {
			*next = u + sp.trigger;
			*has = true;
			break;
		}
		if (++steps > RRULE_MAX_STEPS) {
			rc = err_set(e, ERR_FAIL, "RRULE \"%s\": no occurrence found after %d steps",
				     rule, RRULE_MAX_STEPS);
			break;
		}
	}
	icalrecur_iterator_free(it);
	free(sp.ex);
	return rc;
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
