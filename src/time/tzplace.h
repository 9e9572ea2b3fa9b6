/*
 * tzplace.h - place names to IANA time zones, and clock arithmetic in them.
 *
 * No network: a place resolves through, in order,
 *   1. a literal zone id that exists under $TZDIR (/usr/share/zoneinfo):
 *      "Europe/Berlin", "UTC" (also spelt in any case: "europe/berlin");
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
 * Zone arithmetic is GLib's (GTimeZone, GDateTime): thread-safe, TZ is
 * never touched.  Time is a parameter: `now` is passed in.
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

/* 1 when tzid is a zone this system knows. */
int tzplace_valid(const char *tzid);

/*
 * Format instant t as local time in tzid with a GLib (strftime-like) format
 * (g_date_time_format).  0, or -1 for an unknown zone or a result that does
 * not fit.
 */
int tzplace_format(const char *tzid, time_t t, const char *fmt, char *buf, size_t len);

/* The local time in tzid at now: "2026-01-05 15:04 CET (UTC+01:00)". */
int tzplace_now(const char *tzid, time_t now, char *buf, size_t len);

/* ISO 8601 with the offset: "2026-12-01T17:00:00+01:00". */
int tzplace_iso(const char *tzid, time_t t, char *buf, size_t len);

/*
 * The instant at which it is hhmm ("15:00", "9:30", "15") in from_tz on the
 * date it is there at now.  to_tz is checked too, so a caller can show *out
 * in it with tzplace_format().
 */
int tzplace_convert(const char *hhmm, const char *from_tz, const char *to_tz, time_t now,
		    time_t *out, struct err *e);

#endif
