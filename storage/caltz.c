#include "caltz.h"
#include "store-int.h"

#include <stdio.h>
#include <string.h>

int caltz_ensure(struct store *s, const char *tzid, struct err *e)
{
	static const char *const sql = "SELECT vtimezone FROM timezones WHERE tzid = ?";
	sqlite3_stmt *st;
	int rc;

	if (!tzid || !*tzid || tz_known(tzid))
		return 0;
	st = store_stmt(s, sql, e);
	if (!st)
		return -1;
	store_bind_text(st, 1, tzid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = tz_register_vtimezone(tzid, (const char *)sqlite3_column_text(st, 0), e);
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = store_error(s, e, "time zone");
	store_stmt_done(st);
	return rc;
}

int caltz_save(struct store *s, const char *tzid, const char *vtimezone, struct err *e)
{
	static const char *const sql =
		"INSERT INTO timezones(tzid, vtimezone) VALUES (?, ?)"
		" ON CONFLICT(tzid) DO UPDATE SET vtimezone = excluded.vtimezone";
	sqlite3_stmt *st;
	int rc;

	if (tz_register_vtimezone(tzid, vtimezone, e) < 0)
		return -1;
	st = store_stmt(s, sql, e);
	if (!st)
		return -1;
	store_bind_text(st, 1, tzid);
	store_bind_text(st, 2, vtimezone);
	rc = sqlite3_step(st);
	store_stmt_done(st);
	return rc == SQLITE_DONE ? 0 : store_error(s, e, "time zone");
}

struct tz *caltz_open(struct store *s, const char *tzid, struct err *e)
{
	if (caltz_ensure(s, tzid, e) < 0)
		return NULL;
	return tz_open(tzid, e);
}

struct icaltimetype caltz_to_wall(struct tz *z, time_t t, bool is_date)
{
	struct icaltimetype w = icaltime_null_time();
	struct tm tm;

	tz_to_wall(z, t, &tm);
	w.year = tm.tm_year + 1900;
	w.month = tm.tm_mon + 1;
	w.day = tm.tm_mday;
	if (is_date)
		w.is_date = 1;
	else {
		w.hour = tm.tm_hour;
		w.minute = tm.tm_min;
		w.second = tm.tm_sec;
	}
	return w;
}

time_t caltz_from_wall(struct tz *z, struct icaltimetype w)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = w.year - 1900;
	tm.tm_mon = w.month - 1;
	tm.tm_mday = w.day;
	if (!w.is_date) {
		tm.tm_hour = w.hour;
		tm.tm_min = w.minute;
		tm.tm_sec = w.second;
	}
	return tz_instant(z, &tm);
}

time_t caltz_utc_instant(struct icaltimetype w)
{
	time_t days = (time_t)tz_days_from_civil(w.year, w.month, w.day);

	return days * 86400 + (w.is_date ? 0 : w.hour * 3600 + w.minute * 60 + w.second);
}

bool caltz_in_range(struct icaltimetype w)
{
	return w.year >= 1 && w.year <= 9999;
}

icalvalue *caltz_value(struct icaltimetype w, bool utc)
{
	char buf[64];

	if (w.is_date) {
		snprintf(buf, sizeof(buf), "%04d%02d%02d", w.year, w.month, w.day);
		return icalvalue_new_from_string(ICAL_DATE_VALUE, buf);
	}
	snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02d%s", w.year, w.month, w.day, w.hour,
		 w.minute, w.second, utc ? "Z" : "");
	return icalvalue_new_from_string(ICAL_DATETIME_VALUE, buf);
}

icalproperty *caltz_utc_prop(icalproperty_kind kind, time_t t, bool is_date)
{
	icalproperty *p = icalproperty_new(kind);
	struct icaltimetype w = icaltime_null_time();
	struct tm tm;

	/* an instant a file cannot hold (an event added for 9999-12-31 23:30
	 * in New York) is written as the nearest it can */
	t = t < (time_t)-62135596800LL	 ? (time_t)-62135596800LL
	    : t > (time_t)253402300799LL ? (time_t)253402300799LL
					 : t;
	tz_utc_tm(t, &tm);
	w.year = tm.tm_year + 1900;
	w.month = tm.tm_mon + 1;
	w.day = tm.tm_mday;
	w.is_date = is_date;
	if (!is_date) {
		w.hour = tm.tm_hour;
		w.minute = tm.tm_min;
		w.second = tm.tm_sec;
	}
	icalproperty_set_value(p, caltz_value(w, !is_date));
	return p;
}
