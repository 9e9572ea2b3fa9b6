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
 * the gap (02:30 becomes 03:30 in Europe/Berlin).
 *
 * An "rrule" rule may go on, one per line, with what an event's VALARM
 * needs (see event.h): "EXDATE:" UTC date-times (20260105T080000Z,...)
 * of occurrences to skip, and "TRIGGER:" a duration (-PT15M): each run is
 * that far from its occurrence, which libical still computes from dtstart
 * (so BYDAY and BYHOUR keep naming the occurrences, not the runs).
 */
#ifndef NESTOR_RECUR_H
#define NESTOR_RECUR_H

#include <stdbool.h>
#include <time.h>

#include "err.h"

/* Check that rule is valid for schedule ("at" takes no rule). */
int recur_check(const char *schedule, const char *rule, struct err *e);

/*
 * The first occurrence strictly after `after` in zone tzid (NULL: local).
 * *has is false when the rule has ended (COUNT/UNTIL) or schedule is "at".
 */
int recur_next(const char *schedule, const char *rule, const char *tzid, time_t dtstart,
	       time_t after, time_t *next, bool *has, struct err *e);

/* Turn the text of --every into a schedule and rule: a cron expression
 * ("0 9 * * 1-5") or anything when_parse_rule() reads ("every monday").
 * *rule is newly allocated; *schedule is a static string. */
int recur_parse(const char *text, const char **schedule, char **rule, struct err *e);

#endif
