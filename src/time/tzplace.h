/*
 * tzplace.h - place names to IANA time zones, and clock arithmetic in them.
 *
 * No network: a place resolves through, in order,
 *   1. a literal zone id of tzdata (tz_is_system()): "Europe/Berlin", "UTC"
 *      (also spelt in any case: "europe/berlin");
 *   2. a built-in alias table: big cities whose name is not a zone name
 *      ("San Francisco", "Beijing", "Munich") and Russian names in their
 *      common cases ("Москва", "в Москве", "Петербурге", "Нью-Йорк");
 *   3. the city part of every zone in zone1970.tab and zone.tab ("tokyo",
 *      "New York", "são paulo" / "sao paulo", "kyiv");
 *   4. a country (iso3166.tab name or two-letter code) with one zone, or
 *      one marked "most of" in zone.tab ("Japan", "Germany", "UA").
 * Matching ignores case, accents, '_', '-' and extra spaces, and a leading
 * "in", "at", "в" or "во".
 *
 * This module is the table of names; the zones themselves are tz's (tz.h),
 * and the zones it resolves to are those of tzdata.  Time is a parameter:
 * `now` is passed in.
 */
#ifndef NESTOR_TZPLACE_H
#define NESTOR_TZPLACE_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/*
 * Find the zone for place and copy its id into tzid.  Unknown places fail
 * with ERR_NOTFOUND ("no time zone known for 'Atlantis'"), a country with
 * several zones with ERR_USAGE ("'Russia' has several time zones; name a
 * city").
 */
int tzplace_resolve(const char *place, char *tzid, size_t len, struct err *e);

/*
 * Format instant t as local time in the tzdata zone tzid (tz_format()).
 * 0, or -1 with e filled: ERR_USAGE for an unknown zone ("unknown time zone
 * 'Nowhere/Land'"), ERR_FAIL for a result that does not fit in len.
 */
int tzplace_format(const char *tzid, time_t t, const char *fmt, char *buf, size_t len,
		   struct err *e);

/* The local time in tzid at now: "2026-01-05 15:04 CET (UTC+01:00)". */
int tzplace_now(const char *tzid, time_t now, char *buf, size_t len, struct err *e);

/* ISO 8601 with the offset: "2026-12-01T17:00:00+01:00". */
int tzplace_iso(const char *tzid, time_t t, char *buf, size_t len, struct err *e);

/*
 * The instant at which it is hhmm ("15:00", "9:30", "15") in from_tz on the
 * date it is there at now.  to_tz is checked too, so a caller can show *out
 * in it with tzplace_format().
 */
int tzplace_convert(const char *hhmm, const char *from_tz, const char *to_tz, time_t now,
		    time_t *out, struct err *e);

#endif
