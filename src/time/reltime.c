#include "reltime.h"
#include "tz.h"

#include <stdio.h>
#include <string.h>

#define RU(lang) ((lang) && !strcmp((lang), "ru"))

static const char *const en_wday[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const en_mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const ru_wday[] = { "вс", "пн", "вт", "ср", "чт", "пт", "сб" };
static const char *const ru_mon[] = { "января",	  "февраля", "марта",  "апреля",
				      "мая",	  "июня",    "июля",   "августа",
				      "сентября", "октября", "ноября", "декабря" };

/* The date of t in z as a day count: the date read as UTC midnight. */
static long local_day(struct tz *z, time_t t)
{
	struct tm tm;

	tz_wall_in(z, t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	return (long)(timegm(&tm) / 86400); /* exact: a UTC midnight */
}

long reltime_days_in(struct tz *z, time_t t, time_t now)
{
	return local_day(z, t) - local_day(z, now);
}

long reltime_days(time_t t, time_t now)
{
	return reltime_days_in(NULL, t, now);
}

const char *reltime_word(long days, const char *lang)
{
	switch (days) {
	case -1: return RU(lang) ? "вчера" : "yesterday";
	case 0: return RU(lang) ? "сегодня" : "today";
	case 1: return RU(lang) ? "завтра" : "tomorrow";
	default: return NULL;
	}
}

static void list_style(const struct tm *tm, const char *word, bool date_only, char *buf, size_t len)
{
	char hm[8];

	snprintf(hm, sizeof(hm), "%02d:%02d", tm->tm_hour, tm->tm_min);
	if (word)
		snprintf(buf, len, "%s%s%s", word, date_only ? "" : " ", date_only ? "" : hm);
	else
		snprintf(buf, len, "%04d-%02d-%02d%s%s", tm->tm_year + 1900, tm->tm_mon + 1,
			 tm->tm_mday, date_only ? "" : " ", date_only ? "" : hm);
}

static void short_style(const struct tm *tm, long days, bool date_only, char *buf, size_t len)
{
	if (days == 0)
		strftime(buf, len, date_only ? "today" : "%H:%M", tm);
	else if (days > 0 && days < 7)
		strftime(buf, len, date_only ? "%a" : "%a %H:%M", tm);
	else
		strftime(buf, len, "%b %d", tm);
}

void reltime_date(const char *lang, const struct tm *tm, bool with_year, char *buf, size_t len)
{
	char year[16] = "";

	if (with_year)
		snprintf(year, sizeof(year), " %d", tm->tm_year + 1900);
	if (RU(lang))
		snprintf(buf, len, "%s, %d %s%s", ru_wday[tm->tm_wday], tm->tm_mday,
			 ru_mon[tm->tm_mon], year);
	else
		snprintf(buf, len, "%s %d %s%s", en_wday[tm->tm_wday], tm->tm_mday,
			 en_mon[tm->tm_mon], year);
}

static void prose_style(const char *lang, const struct tm *tm, const struct tm *today,
			const char *word, bool date_only, char *buf, size_t len)
{
	char day[64];

	if (word)
		snprintf(day, sizeof(day), "%s", word);
	else
		reltime_date(lang, tm, tm->tm_year != today->tm_year, day, sizeof(day));
	if (date_only)
		snprintf(buf, len, "%s", day);
	else if (RU(lang))
		snprintf(buf, len, "%s%s в %02d:%02d", day, word ? "" : ",", tm->tm_hour,
			 tm->tm_min);
	else
		snprintf(buf, len, "%s %02d:%02d", day, tm->tm_hour, tm->tm_min);
}

void reltime_format(enum reltime_style style, const char *lang, time_t t, bool date_only,
		    time_t now, char *buf, size_t len)
{
	reltime_format_in(NULL, style, lang, t, date_only, now, buf, len);
}

void reltime_format_in(struct tz *z, enum reltime_style style, const char *lang, time_t t,
		       bool date_only, time_t now, char *buf, size_t len)
{
	long days = reltime_days_in(z, t, now);
	struct tm tm, today;

	tz_wall_in(z, t, &tm);
	tz_wall_in(z, now, &today);
	switch (style) {
	case RELTIME_LIST: list_style(&tm, reltime_word(days, lang), date_only, buf, len); break;
	case RELTIME_SHORT: short_style(&tm, days, date_only, buf, len); break;
	case RELTIME_PROSE:
		prose_style(lang, &tm, &today, reltime_word(days, lang), date_only, buf, len);
		break;
	}
}
