/*
 * cron.h - 5-field cron expressions and their next run in a time zone.
 *
 * "MIN HOUR DOM MONTH DOW" as in crontab(5): each field is '*', a number, a
 * range a-b, a list a,b,c, with an optional step (*\/15, 8-18/2); months and
 * weekdays also take names (jan, mon); Sunday is 0 or 7.  When both DOM and
 * DOW are restricted, a day matching either one matches (Vixie cron).  The
 * macros @yearly @annually @monthly @weekly @daily @midnight @hourly work.
 *
 * Times are wall-clock times in the job's zone.  Across a DST change:
 *  - a job with a fixed hour (the hour field does not start with '*') runs
 *    once a day as a person expects: a time that does not exist on
 *    spring-forward day (02:30 in Europe/Berlin) runs at the first valid
 *    minute after the gap (03:00); a time that happens twice on fall-back
 *    day runs once, at the first of the two;
 *  - a job whose hour field starts with '*' follows real time: it is not
 *    moved out of the gap (the hour did not happen) and runs in both copies
 *    of a repeated hour (*\/15 * * * * stays every 15 minutes).
 */
#ifndef NESTOR_CRON_H
#define NESTOR_CRON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "tz.h"

struct cron {
	uint64_t minute; /* bit n: minute n (0-59) */
	uint32_t hour;	 /* 0-23 */
	uint32_t dom;	 /* 1-31 */
	uint32_t month;	 /* 1-12 */
	uint32_t dow;	 /* 0-6, Sunday 0 */
	bool dom_star, dow_star, hour_star;
};

/* Whether text has the shape of a cron expression (five fields, or '@'). */
bool cron_is_expr(const char *text);

/* Parse expr; ERR_USAGE naming the bad field. */
int cron_parse(const char *expr, struct cron *c, struct err *e);

/* The first run strictly after `after`, in zone z.  ERR_USAGE when the
 * expression never matches (0 0 30 2 *). */
int cron_next(const struct cron *c, struct tz *z, time_t after, time_t *next, struct err *e);

/* The fewest wall-clock minutes between two runs of c: the closest two
 * minutes of the minute field, or the last and the first across the hour
 * when two hours in a row can match ("59,0 * * * *" is 1, "59,0 9 * * *"
 * 59); 60 or more with one minute. */
int cron_min_gap(const struct cron *c);

#endif
