#include "caltz.h"
#include "store-int.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct caltz_entry {
	char *tzid;
	icaltimezone *zone;
	bool owned; /* loaded from the timezones table */
};

void caltz_cache_init(struct caltz_cache *c, struct store *s)
{
	memset(c, 0, sizeof(*c));
	c->store = s;
}

void caltz_cache_release(struct caltz_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].owned)
			icaltimezone_free(c->v[i].zone, 1);
		free(c->v[i].tzid);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

const char *caltz_plain_name(const char *tzid)
{
	/* "/freeassociation.sourceforge.net/Europe/Berlin", "/mozilla.org/20050126_1/..." */
	static const char *const prefixes[] = { "/freeassociation.sourceforge.net/Tzfile/",
						"/freeassociation.sourceforge.net/",
						"/citadel.org/", NULL };

	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(tzid, prefixes[i], strlen(prefixes[i])))
			return tzid + strlen(prefixes[i]);
	if (!strncmp(tzid, "/mozilla.org/", 13)) {
		const char *p = strchr(tzid + 13, '/');

		return p ? p + 1 : tzid;
	}
	return tzid;
}

icaltimezone *caltz_builtin(const char *tzid)
{
	const char *name = caltz_plain_name(tzid);

	if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC") || !strcmp(name, "GMT") ||
	    !strcmp(name, "Z"))
		return icaltimezone_get_utc_timezone();
	/* libical reads the system tzdata; only Area/Location names are zones. */
	if (!strchr(name, '/') || strstr(name, ".."))
		return NULL;
	return icaltimezone_get_builtin_timezone(name);
}

static icaltimezone *load_stored(struct store *s, const char *tzid)
{
	sqlite3_stmt *st;
	icaltimezone *zone = NULL;

	if (!s)
		return NULL;
	st = store_prepare(s, "SELECT vtimezone FROM timezones WHERE tzid = ?", NULL);
	if (!st)
		return NULL;
	store_bind_text(st, 1, tzid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		icalcomponent *comp =
			icalparser_parse_string((const char *)sqlite3_column_text(st, 0));

		if (comp && icalcomponent_isa(comp) == ICAL_VTIMEZONE_COMPONENT) {
			zone = icaltimezone_new();
			if (!icaltimezone_set_component(zone, comp)) {
				icaltimezone_free(zone, 1);
				zone = NULL;
			}
		} else if (comp) {
			icalcomponent_free(comp);
		}
	}
	sqlite3_finalize(st);
	return zone;
}

int caltz_lookup(struct caltz_cache *c, const char *tzid, icaltimezone **zone, struct err *e)
{
	icaltimezone *z;
	bool owned = false;

	*zone = NULL;
	if (!tzid)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		if (!strcmp(c->v[i].tzid, tzid)) {
			*zone = c->v[i].zone;
			return 0;
		}
	}
	z = load_stored(c->store, tzid);
	if (z)
		owned = true;
	else
		z = caltz_builtin(tzid);
	if (!z)
		return err_set(e, ERR_USAGE, "unknown time zone \"%s\"", tzid);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n].tzid = xstrdup(tzid);
	c->v[c->n].zone = z;
	c->v[c->n].owned = owned;
	c->n++;
	*zone = z;
	return 0;
}

struct icaltimetype caltz_to_wall(time_t t, icaltimezone *zone, bool is_date)
{
	struct icaltimetype w;

	if (zone) {
		w = icaltime_from_timet_with_zone(t, 0, zone);
	} else {
		struct tm tm;

		localtime_r(&t, &tm);
		w = icaltime_null_time();
		w.year = tm.tm_year + 1900;
		w.month = tm.tm_mon + 1;
		w.day = tm.tm_mday;
		w.hour = tm.tm_hour;
		w.minute = tm.tm_min;
		w.second = tm.tm_sec;
	}
	if (is_date) {
		w.is_date = 1;
		w.hour = w.minute = w.second = 0;
		w.zone = NULL;
	}
	return w;
}

time_t caltz_from_wall(struct icaltimetype w, icaltimezone *zone)
{
	struct tm tm;

	if (zone && !w.is_date)
		return icaltime_as_timet_with_zone(w, zone);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = w.year - 1900;
	tm.tm_mon = w.month - 1;
	tm.tm_mday = w.day;
	if (!w.is_date) {
		tm.tm_hour = w.hour;
		tm.tm_min = w.minute;
		tm.tm_sec = w.second;
	}
	tm.tm_isdst = -1;
	return mktime(&tm);
}

time_t caltz_reinterpret(time_t t, icaltimezone *zone)
{
	struct icaltimetype w = caltz_to_wall(t, NULL, false);

	return zone ? icaltime_as_timet_with_zone(w, zone) : t;
}

time_t caltz_date_to_local(time_t utc_midnight)
{
	struct tm tm;

	gmtime_r(&utc_midnight, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

time_t caltz_local_to_date(time_t local)
{
	struct tm tm;

	localtime_r(&local, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	return timegm(&tm);
}
