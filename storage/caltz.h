/*
 * caltz.h - time zones for the calendar, through libical (src/time/tz.h is the
 * scheduler's, through GLib).
 *
 * An event keeps the IANA name of its zone (tzid); its occurrences are
 * computed in that zone's wall-clock time and stored as UTC epoch seconds.
 * A tzid is resolved, in order, as UTC, as a zone of the system's tzdata
 * (libical's built-in table), or as a VTIMEZONE an import stored in the
 * `timezones` table (for names like "W. Europe Standard Time").  A NULL
 * zone means floating time: the process's local zone (TZ).
 *
 * A struct caltz_cache owns the zones it loaded from the database; built-in
 * zones belong to libical.
 */
#ifndef NESTOR_CALTZ_H
#define NESTOR_CALTZ_H

#include <libical/ical.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

struct caltz_cache {
	struct store *store; /* may be NULL: built-in zones only */
	struct caltz_entry *v;
	size_t n, cap;
};

void caltz_cache_init(struct caltz_cache *c, struct store *s);
void caltz_cache_release(struct caltz_cache *c);

/* The zone for tzid into *zone (NULL for a NULL tzid: floating).
 * ERR_USAGE `unknown time zone "X"` when it cannot be resolved. */
int caltz_lookup(struct caltz_cache *c, const char *tzid, icaltimezone **zone, struct err *e);

/* The built-in zone for an IANA name, ignoring a libical prefix like
 * "/freeassociation.sourceforge.net/"; NULL when unknown. */
icaltimezone *caltz_builtin(const char *tzid);

/* The IANA name with any libical-style prefix removed (points into tzid). */
const char *caltz_plain_name(const char *tzid);

/* Wall-clock time of t in zone (NULL: local), as a date when is_date. */
struct icaltimetype caltz_to_wall(time_t t, icaltimezone *zone, bool is_date);
/* The instant of a wall-clock time in zone (NULL: local).  A date is taken
 * at 00:00. */
time_t caltz_from_wall(struct icaltimetype w, icaltimezone *zone);

/* Same wall-clock reading as local instant t, but in zone: what a user
 * means by "--at 09:00 --tz America/New_York". */
time_t caltz_reinterpret(time_t t, icaltimezone *zone);

/* Dates of all-day events are stored as UTC midnight; these convert
 * between that and the local midnight starting the same calendar day. */
time_t caltz_date_to_local(time_t utc_midnight);
time_t caltz_local_to_date(time_t local);

#endif
