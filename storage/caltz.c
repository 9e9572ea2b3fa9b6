#include "caltz.h"
#include "store-int.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DAY_SECS = 86400 };

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

/* The stored VTIMEZONE text of tzid in *text, newly allocated (NULL: none). */
static int stored_text(struct store *s, const char *tzid, char **text, struct err *e)
{
	static const char *const sql = "SELECT vtimezone FROM timezones WHERE tzid = ?";
	sqlite3_stmt *st = store_stmt(s, sql, e);
	int rc;

	*text = NULL;
	if (!st)
		return -1;
	store_bind_text(st, 1, tzid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*text = xstrdup((const char *)sqlite3_column_text(st, 0));
	store_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, e, "time zone");
}

/* Whether zones a and b have the same UTC offset at every instant from 1970
 * to 2100: a day's start compared, and every quarter hour of a day either
 * changes its offset in. */
static bool same_offsets(struct tz *a, struct tz *b)
{
	const time_t from = 0, to = 4102444800LL; /* 1970, 2100 */
	long oa = tz_offset(a, from), ob = tz_offset(b, from);

	for (time_t t = from; t < to; t += DAY_SECS) {
		long na = tz_offset(a, t + DAY_SECS), nb = tz_offset(b, t + DAY_SECS);

		if (oa != ob)
			return false;
		if (na != oa || nb != ob)
			for (time_t q = t + 900; q < t + DAY_SECS; q += 900)
				if (tz_offset(a, q) != tz_offset(b, q))
					return false;
		oa = na;
		ob = nb;
	}
	return true;
}

/* Whether the zone tzid (stored, text ours) has the offsets of zone z. */
static int stored_same(struct store *s, const char *tzid, const char *ours, const char *text,
		       struct tz *z, bool *same, struct err *e)
{
	struct tz *old;

	if (!strcmp(ours, text)) {
		*same = true;
		return caltz_ensure(s, tzid, e);
	}
	old = caltz_open(s, tzid, e);
	if (!old)
		return -1;
	*same = same_offsets(old, z);
	tz_free(old);
	return 0;
}

char *caltz_keep(struct store *s, const char *tzid, const char *vtimezone, struct err *e)
{
	char *text, *name = NULL, *fresh = NULL, *alias, *other;
	struct tz *z = NULL;
	bool same = false;

	if (stored_text(s, tzid, &text, e) < 0)
		return NULL;
	if (!text)
		return caltz_save(s, tzid, vtimezone, e) < 0 ? NULL : xstrdup(tzid);
	if (!strcmp(text, vtimezone)) {
		free(text);
		return caltz_ensure(s, tzid, e) < 0 ? NULL : xstrdup(tzid);
	}
	/* another definition was kept: the events imported with it stay on its
	 * rules, this one goes by "NAME (2)" (or the first such name that has
	 * its rules, or is free) */
	for (int k = 2; k < 1000 && !fresh; k++) {
		alias = xasprintf("%s (%d)", tzid, k);
		if (stored_text(s, alias, &other, e) < 0) {
			free(alias);
			goto out;
		}
		if (other && !strcmp(other, vtimezone)) {
			free(other);
			if (caltz_ensure(s, alias, e) < 0) {
				free(alias);
				goto out;
			}
			name = alias;
			goto out;
		}
		if (!other)
			fresh = alias;
		else
			free(alias);
		free(other);
	}
	if (!fresh) {
		err_set(e, ERR_USAGE, "time zone \"%s\": too many definitions", tzid);
		goto out;
	}
	/* the free name holds the new rules while they are compared */
	if (tz_register_vtimezone(fresh, vtimezone, e) < 0 || !(z = tz_open(fresh, e)))
		goto out;
	if (stored_same(s, tzid, text, vtimezone, z, &same, e) < 0)
		same = false; /* a kept zone that no longer opens: not these rules */
	if (same) {
		name = xstrdup(tzid);
		goto out;
	}
	for (int k = 2; k < 1000; k++) {
		alias = xasprintf("%s (%d)", tzid, k);
		if (!strcmp(alias, fresh)) {
			free(alias);
			break;
		}
		if (stored_text(s, alias, &other, e) < 0) {
			free(alias);
			goto out;
		}
		if (other && stored_same(s, alias, other, vtimezone, z, &same, e) < 0)
			same = false;
		free(other);
		if (same) {
			name = alias;
			goto out;
		}
		free(alias);
	}
	if (caltz_save(s, fresh, vtimezone, e) == 0) {
		store_warn("time zone \"%s\" has other rules than the one imported before:"
			   " the events of this import keep them as \"%s\"",
			   tzid, fresh);
		name = fresh;
		fresh = NULL;
	}
out:
	tz_free(z);
	free(text);
	free(fresh);
	return name;
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
