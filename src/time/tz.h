/*
 * tz.h - wall-clock arithmetic in a named IANA zone, for recurrence.
 *
 * Recurring reminders are defined in wall-clock time ("09:00 every day in
 * Europe/Berlin"); the scheduler stores UTC instants.  This module converts
 * between the two through GLib's GTimeZone, which reads the system zoneinfo
 * and, unlike libc, needs no change to the process's TZ.
 */
#ifndef NESTOR_TZ_H
#define NESTOR_TZ_H

#include <time.h>

#include "err.h"

struct tz;

/* The zone named tzid ("Europe/Berlin"), or the local zone ($TZ, else the
 * system's) for NULL or "".  ERR_USAGE for an unknown name. */
struct tz *tz_open(const char *tzid, struct err *e);
void tz_free(struct tz *z);

/* The IANA name of the local zone ($TZ, /etc/timezone, /etc/localtime's
 * link), newly allocated, or NULL when it cannot be told. */
char *tz_local_name(void);

/* The UTC offset of z at instant t, in seconds east of UTC. */
long tz_offset(struct tz *z, time_t t);

/* The wall-clock time of instant t in z (tm_isdst, tm_gmtoff filled). */
void tz_to_wall(struct tz *z, time_t t, struct tm *wall);

enum tz_kind {
	TZ_NORMAL,   /* the wall time exists once: *first */
	TZ_REPEATED, /* it exists twice (fall back): *first, then *second */
	TZ_GAP,      /* it does not exist (spring forward): *first is the end of the gap */
};

/* The instant(s) of a wall-clock time (tm_year..tm_sec) in z. */
enum tz_kind tz_from_wall(struct tz *z, const struct tm *wall, time_t *first, time_t *second);

#endif
