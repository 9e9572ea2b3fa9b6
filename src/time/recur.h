/*
 * recur.h - the next run of a recurring job, cron expression or RRULE,
 * computed in the job's time zone.
 *
 * A job's schedule is "at" (once), "cron" (rule is a 5-field expression,
 * see cron.h) or "rrule" (rule is an RFC 5545 RRULE without "RRULE:",
 * anchored at dtstart).  RRULE occurrences come from libical's
 * icalrecur_iterator over wall-clock times in the zone, converted the way
 * RFC 5545 says: a time repeated by a fall-back change is its first
 * instance; a time inside a spring-forward gap takes the offset from before
 * the gap (02:30 becomes 03:30 in Europe/Berlin); a time inside a gap of a
 * day or more (a day skipped by a zone crossing the date line) is no
 * occurrence (recur_iter_next()).
 *
 * A schedule may also name occurrences to skip (`exdates`, the instants
 * of occurrences, not of runs) and a `run_offset`: each run is that many
 * seconds from its occurrence (-900: a quarter of an hour before), which
 * the rule still computes from dtstart (so BYDAY and BYHOUR keep naming the
 * occurrences, not the runs).  This is what an event's VALARM needs.
 *
 * An RRULE's UNTIL given in UTC is compared as the wall-clock time it is in
 * the zone, so a series ends at the same instant for the calendar and the
 * scheduler (recur_until_wall()).
 */
#ifndef NESTOR_RECUR_H
#define NESTOR_RECUR_H

#include <libical/ical.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "rrule.h"
#include "tz.h"

/* A schedule, as a job keeps it (the strings are not owned). */
struct recur_rule {
	const char *schedule;  /* "at", "cron" or "rrule" */
	const char *rule;      /* cron expression or RRULE; NULL for "at" */
	const char *tzid;      /* zone of the rule (see tz.h); NULL: local */
	time_t dtstart;	       /* the RRULE's first occurrence */
	const time_t *exdates; /* occurrences to skip, any order */
	size_t nexdates;
	long run_offset; /* seconds from an occurrence to its run */
	/* the RRULE's DTSTART as written (a time inside a gap, event.h's
	 * wall_start), used while it names dtstart (tz_wall_names()); or NULL */
	const time_t *wall;
};

/* Check that rule is valid for schedule ("at" takes no rule). */
int recur_check(const char *schedule, const char *rule, struct err *e);

/*
 * The first run of r strictly after `after`.  *has is false when the rule
 * has ended (COUNT/UNTIL) or the schedule is "at".
 */
int recur_next(const struct recur_rule *r, time_t after, time_t *next, bool *has, struct err *e);

/* Make a UTC UNTIL of rule the wall-clock time it is in z, the form of the
 * occurrences libical's iterator yields from a floating DTSTART; a DATE
 * UNTIL (the rule of a timed series) the last second of its day, so that
 * the series takes in that day as calendars read it. */
void recur_until_wall(struct icalrecurrencetype *rule, struct tz *z);

/*
 * The occurrences of a calendar series, in order: with RECUR_ANY nestor's
 * expander (rrule.h) for the rules it covers and libical's iterator for the
 * rest; RECUR_LIBICAL and RECUR_OWN take one of them alone (the
 * differential tests compare the two; RECUR_OWN is ERR_USAGE for a rule
 * rrule.h leaves to libical).  A timed series runs in zone z from the instant start; an all-day
 * one (z: the local zone) from the date whose UTC midnight is start.  When
 * the rule has no COUNT and seek is later than start, the iterator skips
 * to the occurrences from the wall-clock time (date) seek shows in z:
 * those before may be left out.
 *
 * Keys are an occurrence's instant (tz_instant()), or the UTC midnight of
 * its date for an all-day series.  m (may be NULL) keeps the parses of the
 * rules of one window for the next series (rrule_parse_memo()).  Only libical's side allocates; a
 * rule neither reads is ERR_USAGE `bad RRULE "X"`.
 */
enum recur_engine { RECUR_ANY, RECUR_LIBICAL, RECUR_OWN };

struct recur_iter {
	bool own; /* rrule.h's iterator, not libical's */
	bool all_day;
	struct tz *z; /* not owned */
	bool fixed;   /* z has one offset, off (tz_fixed()) */
	long off;
	icalrecur_iterator *ical;
	struct rrule_iter rr;
};

int recur_iter_open(struct recur_iter *ri, struct rrule_memo *m, const char *rule, struct tz *z,
		    bool all_day, time_t start, time_t seek, enum recur_engine engine,
		    struct err *e);
/* recur_iter_open() of a timed series whose DTSTART was written at wall
 * (wall-clock seconds, read as UTC) where start's wall clock shows another
 * time (inside a spring-forward gap, RFC 5545 3.3.5): the rule repeats the
 * written time, and the first occurrence is still start. */
int recur_iter_open_wall(struct recur_iter *ri, struct rrule_memo *m, const char *rule,
			 struct tz *z, time_t start, time_t wall, time_t seek,
			 enum recur_engine engine, struct err *e);
/* The next occurrence's key, or false at the end.  Inline, as nestor's
 * expander's side: an agenda calls it for each occurrence of each series.
 * A wall-clock time inside a gap of a day or more (Pacific/Apia skipped
 * 2011-12-30 when it moved across the date line) is not an occurrence
 * (RFC 5545 3.3.10: a local time that does not exist): moved on by the
 * gap, it would be the next day's at that time, or stand in for a day it
 * does not name.  A COUNT still counts it, as libical's iterator does. */
#define RECUR_GAP_SKIPPED 86400
bool recur_iter_next_ical(struct recur_iter *ri, time_t *key); /* libical's side */
bool recur_iter_next_after_gap(struct recur_iter *ri, time_t *key);
static inline bool recur_iter_next(struct recur_iter *ri, time_t *key)
{
	long long local;
	long gap;

	if (!ri->own)
		return recur_iter_next_ical(ri, key);
	if (!rrule_iter_next_key(&ri->rr, &local))
		return false;
	if (ri->all_day || ri->fixed) {
		*key = ri->all_day ? (time_t)local : (time_t)(local - ri->off);
		return true;
	}
	*key = tz_instant_gap(ri->z, (time_t)local, &gap);
	return gap < RECUR_GAP_SKIPPED || recur_iter_next_after_gap(ri, key);
}
/* End ri before its occurrences at or after t (their instants; for an
 * all-day series the local midnights of their dates), which its caller
 * will not take: nestor's expander then refuses the first key that is
 * surely one, where it refuses a key past UNTIL, instead of returning it.
 * An agenda's step past its window's end was one more step of each series
 * with its conversion to an instant. */
static inline void recur_iter_end_before(struct recur_iter *ri, time_t t)
{
	long long first;

	if (!ri->own)
		return;
	/* the first wall-clock key surely at or after t: an instant is its
	 * wall clock less an offset under a day (or later, past a gap), and a
	 * date's local midnight is its UTC one less that */
	first = ri->fixed && !ri->all_day ? (long long)t + ri->off : (long long)t + 2 * 86400LL;
	if (first - 1 < ri->rr.until_key)
		ri->rr.until_key = first - 1;
}
void recur_iter_close(struct recur_iter *ri);

/* Whether an RRULE repeats no more often than nestor lets a rule repeat
 * (what calendars and reminder programs offer): never FREQ=SECONDLY nor
 * more than one BYSECOND; for an event (reminder false) not FREQ=MINUTELY
 * either; for a reminder FREQ=MINUTELY with an INTERVAL of at least
 * RECUR_MINUTES_MIN.  0, else ERR_USAGE saying which. */
#define RECUR_MINUTES_MIN 5
int recur_limit(const char *rule, bool reminder, struct err *e);

/* The fewest wall-clock minutes between two runs of a "cron" or "rrule"
 * schedule (cron_min_gap()); 0 when an RRULE repeats within a minute.  An
 * RRULE's minutes and hours are its BYMINUTE and BYHOUR (else one each;
 * every hour for FREQ=HOURLY), 23 and 0 counted as in a row; FREQ=MINUTELY
 * and SECONDLY (once a minute with one BYSECOND) runs INTERVAL minutes
 * apart, or further on a BYMINUTE list.  60 or more
 * says "at least an hour"; -1 and ERR_USAGE for a bad cron expression. */
int recur_min_gap(const char *schedule, const char *rule, struct err *e);

/* Turn the text of --every into a schedule and rule: a cron expression
 * ("0 9 * * 1-5") or anything when_parse_rule() reads ("every monday").
 * *rule is newly allocated; *schedule is a static string. */
int recur_parse(const char *text, const char **schedule, char **rule, struct err *e);

#endif
