/*
 * rrule.h - nestor's own expander for the common RRULEs, occurrence for
 * occurrence what libical 3.0's icalrecur_iterator yields, without it.
 *
 * Debian's libical computes every step through ICU's Calendar (28k
 * instructions to open an iterator, 16k a step), more than the rest of an
 * agenda together, and loading it maps ICU and libstdc++.  This module covers
 * the rules calendars use:
 *
 *   FREQ=DAILY, WEEKLY, MONTHLY or YEARLY; INTERVAL; COUNT or UNTIL (a
 *   date, a floating or a UTC date-time); BYDAY (ordinals such as 2MO or
 *   -1FR for MONTHLY and YEARLY); BYMONTHDAY (negative too, not for DAILY);
 *   BYMONTH; WKST.
 *
 * rrule_parse() refuses anything else (BYSETPOS, BYYEARDAY, BYWEEKNO,
 * BYHOUR..BYSECOND, RSCALE/SKIP, SECONDLY..HOURLY, lower case, a part given
 * twice, text libical would read differently), and rrule_iter_init() a
 * DTSTART before 1600 (ICU counts Julian dates there) or a rule libical
 * refuses to start; the caller then uses libical as before.
 *
 * It works on wall-clock times (floating, like libical's iterator over a
 * DTSTART without zone): the caller converts them to instants in the
 * event's zone (tz_instant(): RFC 5545's rules for DST gaps and folds), and
 * a UTC UNTIL to the wall-clock time it is in that zone first
 * (rrule_iter_start()).  The order of the occurrences, the days libical
 * skips (the 31st of a short month, Feb 29 outside leap years), its
 * treatment of a DTSTART the rule does not match (not an occurrence), its
 * limit (year 2582) and where rrule_iter_seek() lands are libical's; the
 * differential suite (check_rrule.c) and tests/fuzz/rrule_fuzz.c compare
 * the two on generated rules.
 *
 *   struct rrule r;
 *   struct rrule_iter it;
 *   struct rrule_wall w;
 *   if (rrule_parse("FREQ=MONTHLY;BYDAY=-1FR", &r) == 0 &&
 *       rrule_iter_init(&it, &r, &dtstart)) {
 *           rrule_iter_seek(&it, &window_start);     (no COUNT only)
 *           while (rrule_iter_next(&it, &w)) ...
 *   }
 */
#ifndef NESTOR_RRULE_H
#define NESTOR_RRULE_H

#include <stdbool.h>
#include <time.h>

#include "tz.h"

/* A wall-clock time; a date when is_date (the time fields are then 0). */
struct rrule_wall {
	int year, month, day, hour, minute, second;
	bool is_date;
};

enum rrule_freq { RRULE_DAILY, RRULE_WEEKLY, RRULE_MONTHLY, RRULE_YEARLY };

#define RRULE_MAX_BYDAY 32

/* A parsed rule of the subset. */
struct rrule {
	enum rrule_freq freq;
	int interval;
	int count; /* 0: none */
	bool has_until;
	bool until_utc; /* UNTIL ended in Z */
	struct rrule_wall until;
	int wkst; /* 1 = SU .. 7 = SA */
	int nbyday;
	int nbymonthday;
	unsigned bymonth; /* bit m: month m listed; 0: no BYMONTH */
	/* the lists last: only their first nbyday and nbymonthday entries are
	 * set (rrule_parse_memo() copies no more) */
	short byday_wd[RRULE_MAX_BYDAY];  /* 1 = SU .. 7 = SA, in libical's order */
	short byday_pos[RRULE_MAX_BYDAY]; /* 0: every such day of the period */
	short bymonthday[31];
};

/* The instant of w read as UTC, and back (timegm() and gmtime_r() without
 * their cost); a date has no time of day. */
time_t rrule_wall_utc(const struct rrule_wall *w);
struct rrule_wall rrule_utc_wall(time_t t, bool is_date);

/* Parse rule (without "RRULE:"): 0, or -1 when it is outside the subset
 * (or not a rule at all): libical decides then. */
int rrule_parse(const char *rule, struct rrule *r);
/* The value of the first UNTIL or COUNT part of rule (*val; NULL: none)
 * and its end (*vend). */
void rrule_end_value(const char *rule, const char **val, const char **vend);
/* That value [val, vend) into r as rrule_parse() reads that part (only what
 * it sets): 0, or -1 when rrule_parse() would refuse it. */
int rrule_parse_end(const char *val, const char *vend, struct rrule *r);

/* rrule_parse() for the many rules of one window (an agenda opens each of
 * its series): a rule that differs from one parsed before only in the value
 * of its first UNTIL or COUNT is that parse with the value read again
 * (rrule_parse_end()).  Zero n before the first use; m NULL: rrule_parse().
 * It holds no pointer and needs no release. */
#define RRULE_MEMO_N 16
struct rrule_memo {
	struct {
		char key[112];		    /* the rule without the value */
		unsigned short keylen, cut; /* cut: where the value was */
		char end;		    /* 'U'ntil, 'C'ount, 0: none */
		struct rrule r;
	} v[RRULE_MEMO_N];
	unsigned n, next;
};
int rrule_parse_memo(struct rrule_memo *m, const char *rule, struct rrule *r);

/* An iterator over the occurrences of a rule (no allocation, no release). */
struct rrule_iter {
	struct rrule r;
	/* DTSTART: is_date, and its date for MONTHLY and YEARLY (the time of
	 * day, and the date of the others, are not set: tod, d0) */
	struct rrule_wall dtstart;
	int tod;	     /* DTSTART's seconds of the day, 0 for a date */
	long d0;	     /* DTSTART's day number (days since 1970-01-01) */
	long rstart;	     /* the day WEEKLY counts its weeks from */
	long cur;	     /* the day of `last` (not moved by a stride) */
	long long last;	     /* the current candidate (day * 86400 + tod) */
	long long dkey;	     /* DTSTART's (d0 * 86400 + tod) */
	long long istart;    /* occurrences before this are skipped */
	long long until_key; /* occurrences after this end the series */
	long long end_key;   /* the first key past libical's last year */
	long long stride;    /* not 0: each candidate an occurrence, this far apart */
	int n;		     /* occurrences returned */
	int wdi;	     /* WEEKLY: the index into byday_wd */
	long period;	     /* MONTHLY: months since year 0; YEARLY: the year */
	int ndays, di;	     /* the days of the current period, the current one */
	long days[366];
};

/* Start at dtstart (the rule's DTSTART, a date for an all-day series).
 * false when libical would refuse it too, or for a date before 1600: use
 * libical. */
bool rrule_iter_init(struct rrule_iter *it, const struct rrule *r,
		     const struct rrule_wall *dtstart);
/* The same from DTSTART's wall-clock time read as UTC (rrule_wall_utc(); a
 * date: the UTC midnight of its day), with a UTC UNTIL of r taken to the
 * wall-clock time it is in z when z is not NULL (a timed series; an all-day
 * one's UNTIL is compared as it is): no fields to convert on the way. */
bool rrule_iter_start(struct rrule_iter *it, const struct rrule *r, long long dtstart, bool is_date,
		      struct tz *z);

/* What an agenda does for each of its series: rrule_parse_memo() of rule
 * and rrule_iter_start(), then, for a rule without COUNT when seek is not
 * LLONG_MIN, rrule_iter_seek_key(it, seek) (from DTSTART when that fails),
 * with no copy of the parse and no start the seek makes again.  false when
 * rrule_parse_memo() or rrule_iter_start() would fail: use libical. */
bool rrule_iter_open(struct rrule_iter *it, struct rrule_memo *m, const char *rule,
		     long long dtstart, bool is_date, struct tz *z, long long seek);

/* Skip to the occurrences at or after start, as icalrecur_iterator_set_start()
 * does (not for a rule with COUNT: false, as libical); false when libical's
 * would fail, then rrule_iter_init() again and iterate from DTSTART. */
bool rrule_iter_seek(struct rrule_iter *it, const struct rrule_wall *start);
/* The same from start's wall-clock time read as UTC (its day alone for a
 * date iterator). */
bool rrule_iter_seek_key(struct rrule_iter *it, long long start);

/* The next occurrence, or false at the end of the series. */
bool rrule_iter_next(struct rrule_iter *it, struct rrule_wall *w);
/* The same as its wall-clock time read as UTC (rrule_wall_utc() of *w, a
 * date's UTC midnight for a date): no conversion to fields and back.
 * Inline for a rule whose candidates all are occurrences a stride apart
 * (DAILY or WEEKLY without BY parts): an agenda takes a step of each of its
 * series. */
bool rrule_iter_next_slow(struct rrule_iter *it, long long *key); /* the other rules */
static inline bool rrule_iter_next_key(struct rrule_iter *it, long long *key)
{
	long long k = it->last;

	if (!it->stride)
		return rrule_iter_next_slow(it, key);
	/* step() and passes() of such a rule, in keys; last alone moves */
	if ((it->r.count && it->n >= it->r.count) || k > it->until_key)
		return false;
	if (it->n > 0 || k < it->istart)
		do
			k += it->stride;
		while (k < it->istart);
	if (k > it->until_key || k >= it->end_key)
		return false;
	it->last = k;
	it->n++;
	*key = k;
	return true;
}

#endif
