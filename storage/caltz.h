/*
 * caltz.h - the time zones the store keeps: those an imported calendar
 * defined only by its VTIMEZONE, in the `timezones` table.
 *
 * Every zone is resolved by tz (tz.h); this module puts the stored ones in
 * tz's registry, lazily: before storage hands out a zone name it read
 * (an event's, a job's) it calls caltz_ensure(), which costs nothing for a
 * name tz knows already and reads the table once for a name it does not.
 * A zone another process redefines later is seen after a restart.
 *
 * It also converts between tz's instants and libical's time values, for
 * the iCalendar and recurrence code of storage/.
 */
#ifndef NESTOR_CALTZ_H
#define NESTOR_CALTZ_H

#include <libical/ical.h>
#include <stdbool.h>
#include <time.h>

#include "err.h"
#include "store.h"
#include "tz.h"

/* Register the stored zone tzid with tz unless tz knows it already (no
 * error when the table has no such zone either: tz_open() will say). */
int caltz_ensure(struct store *s, const char *tzid, struct err *e);

/* Keep the VTIMEZONE text of a zone tzdata lacks, and register it. */
int caltz_save(struct store *s, const char *tzid, const char *vtimezone, struct err *e);

/* caltz_save() of the VTIMEZONE a new import defines for tzid, without
 * moving the events an earlier definition of tzid was kept for: the name
 * its events are to keep, newly allocated (NULL on an error).  That is
 * tzid when the store has no zone of that name, or one with the same
 * offsets; else "TZID (2)" (the first such name that has these offsets,
 * or is free, then kept with a warning). */
char *caltz_keep(struct store *s, const char *tzid, const char *vtimezone, struct err *e);

/* caltz_ensure(), then tz_open(): the zone of a stored name (NULL: local). */
struct tz *caltz_open(struct store *s, const char *tzid, struct err *e);

/* The wall-clock time of t in z as a floating libical time (a date when
 * is_date). */
struct icaltimetype caltz_to_wall(struct tz *z, time_t t, bool is_date);
/* The instant of a floating wall-clock time in z (see tz_instant()); a date
 * is taken at 00:00. */
time_t caltz_from_wall(struct tz *z, struct icaltimetype w);

/* The latest instant libical writes a DATE-TIME of itself: its setters
 * refuse a year after 3000 and leave zeros (icaltime_is_valid_time()). */
#define CALTZ_LIBICAL_MAX 32535215999LL /* 3000-12-31T23:59:59Z */

/* The instant of w read as UTC (a date: its UTC midnight), for every
 * year 1-9999. */
time_t caltz_utc_instant(struct icaltimetype w);
/* Whether w is in the years 1-9999, the ones a calendar file can hold
 * (caltz_value() has no value for another). */
bool caltz_in_range(struct icaltimetype w);
/* A DATE (w.is_date) or DATE-TIME value of w, formatted here for every
 * year 1-9999; with Z when utc. */
icalvalue *caltz_value(struct icaltimetype w, bool utc);
/* A property of kind with the value of instant t in UTC (a date: the UTC
 * date of t). */
icalproperty *caltz_utc_prop(icalproperty_kind kind, time_t t, bool is_date);

#endif
