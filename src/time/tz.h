/*
 * tz.h - time zones: the one lookup for every zone nestor shows, stores or
 * schedules in.
 *
 * A tzid names
 *  - a zone of the system's tzdata ("Europe/Berlin", "UTC"), read through
 *    GLib's GTimeZone, which needs no change to the process's TZ and is
 *    thread-safe; a libical-style prefix ("/freeassociation.sourceforge.net/
 *    Europe/Berlin") is ignored, and "Z" is UTC;
 *  - or a custom zone registered from the text of a VTIMEZONE
 *    (tz_register_vtimezone()), for the names only a calendar file defines
 *    ("W. Europe Standard Time", "Custom/Berlin-ish"), computed by libical
 *    from the VTIMEZONE's rules.  A registered name wins over tzdata.
 * The registry belongs to the process and serves every thread.  storage/
 * registers the zones it keeps before it hands their names out (caltz.h),
 * so the calendar, recurrence and the scheduler all resolve a name here.
 *
 * NULL or "" is the local zone as GLib tells it ($TZ, else the system's).
 * Wall-clock times are struct tm fields read as UTC (timegm()); nothing here
 * reads or changes TZ except to find the local zone.
 *
 *   struct tz *z = tz_open("Europe/Berlin", &e);
 *   struct tm w;
 *   tz_to_wall(z, now, &w);            w.tm_hour is the hour in Berlin
 *   w.tm_hour = 9; w.tm_min = 0;
 *   time_t nine = tz_instant(z, &w);   09:00 that day, in Berlin
 *   tz_free(z);
 */
#ifndef NESTOR_TZ_H
#define NESTOR_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

struct tz;

/*
 * Register (or redefine) the zone tzid from the text of a VTIMEZONE (alone
 * or inside a VCALENDAR); its own TZID line may differ.  Zones opened before
 * a redefinition keep the rules they had.  ERR_USAGE for text that is not a
 * VTIMEZONE with at least one STANDARD or DAYLIGHT part.
 */
int tz_register_vtimezone(const char *tzid, const char *vtimezone, struct err *e);

/* Whether tz_open(tzid) succeeds for this non-empty name. */
bool tz_known(const char *tzid);
/* Whether tzid is a zone of the system's tzdata: a plain name ("Asia/Tokyo",
 * never a path or "..") of a file under $TZDIR (/usr/share/zoneinfo). */
bool tz_is_system(const char *tzid);
/* Whether tzid is UTC by name (UTC, Etc/UTC, GMT, Z). */
bool tz_is_utc(const char *tzid);
/* tzid without a libical-style prefix (points into tzid). */
const char *tz_plain_name(const char *tzid);
/* The VTIMEZONE text of a known zone other than UTC, newly allocated (for a
 * calendar export), or NULL. */
char *tz_vtimezone(const char *tzid);

/* The zone named tzid, or the local zone for NULL or "".  ERR_USAGE
 * `unknown time zone "X"` for a name that is neither registered nor tzdata. */
struct tz *tz_open(const char *tzid, struct err *e);
void tz_free(struct tz *z);

/* The name of the local zone (GLib's identifier of it) when tz_open() knows
 * it by that name, newly allocated; else NULL. */
char *tz_local_name(void);
/* Whether tzid names the local zone, the one times are read in when none
 * is given (false when tz_local_name() knows none). */
bool tz_is_local(const char *tzid);

/* Whether z has one UTC offset for every instant of the years 1-9999 (UTC,
 * Etc/GMT+5, the local zone under TZ=UTC): *off. */
bool tz_fixed(const struct tz *z, long *off);
/* The least and the greatest UTC offset z has at any instant of the years
 * 1-9999 (*lo, *hi): an instant whose time of day plus either is within
 * its UTC day is on that day in z, with no look-up.  false for a zone of a
 * VTIMEZONE (its offsets are libical's to compute, one instant at a time). */
bool tz_offset_range(const struct tz *z, long *lo, long *hi);

/* The UTC offset of z at instant t, in seconds east of UTC. */
long tz_offset(struct tz *z, time_t t);

/* The wall-clock time of instant t in z (tm_isdst, tm_gmtoff filled). */
void tz_to_wall(struct tz *z, time_t t, struct tm *wall);
/* The same as seconds: the wall-clock time of t in z read as UTC (what
 * tz_tm_utc() makes of tz_to_wall()'s fields). */
time_t tz_wall_seconds(struct tz *z, time_t t);

enum tz_kind {
	TZ_NORMAL,   /* the wall time exists once: *first */
	TZ_REPEATED, /* it exists twice (fall back): *first, then *second */
	TZ_GAP,	     /* it does not exist (spring forward): *first is the end of the gap */
};

/* The instant(s) of a wall-clock time (tm_year..tm_sec) in z. */
enum tz_kind tz_from_wall(struct tz *z, const struct tm *wall, time_t *first, time_t *second);

/*
 * The instant a calendar means by a wall-clock time in z (RFC 5545): a time
 * repeated by a fall-back change is its first instance; a time inside a
 * spring-forward gap takes the offset from before the gap (02:30 becomes
 * 03:30 in Europe/Berlin).
 */
time_t tz_instant(struct tz *z, const struct tm *wall);
/* tz_instant() of the wall-clock time local, read as UTC (tz_tm_utc() of
 * its fields): a recurrence's occurrences need no struct tm. */
time_t tz_instant_seconds(struct tz *z, time_t local);
/* tz_instant_seconds(), with in *gap how far a wall time inside a gap is
 * moved (the gap's length; 0 for one that exists): a recurrence leaves
 * out a wall time a gap of a day or more skips (recur.h). */
time_t tz_instant_gap(struct tz *z, time_t local, long *gap);
/* Whether the wall-clock time wall (seconds read as UTC) is one z's clock
 * skips that tz_instant_seconds() makes t: a time written inside a gap for
 * the instant t (a series' DTSTART as written, event.h); false for t's own
 * wall time or one that names another instant. */
bool tz_wall_names(struct tz *z, time_t t, time_t wall);

/*
 * Format instant t as wall-clock time in z with a GLib (strftime-like)
 * format (g_date_time_format()); %Z is the zone's abbreviation (a custom
 * zone's TZNAME).  0, or -1 when the result does not fit.
 */
int tz_format(struct tz *z, time_t t, const char *fmt, char *buf, size_t len);

/* localtime_r() and mktime() (tm_isdst -1) in z, or in the process's zone
 * by the C library when z is NULL (what callers did before zones were
 * passed down): for code that reads or says times in a person's zone. */
void tz_wall_in(struct tz *z, time_t t, struct tm *wall);
time_t tz_mktime_in(struct tz *z, struct tm *wall);

/* All-day dates are kept as the UTC midnight of the date; these convert
 * between that and the local midnight starting the same date. */
time_t tz_date_to_local(time_t utc_midnight);
time_t tz_local_to_date(time_t local);

/* Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms):
 * the day number (0 = 1970-01-01) of year y, month m (1-12), day d, and
 * back; what timegm() and gmtime_r() compute, at a fraction of their cost. */
static inline long tz_days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static inline void tz_civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* gmtime_r() and timegm() by that arithmetic (tm_wday and tm_yday filled;
 * fields out of range are carried as timegm() carries them). */
void tz_utc_tm(time_t t, struct tm *tm);
time_t tz_tm_utc(const struct tm *tm);

#endif
