/* Minimal placeholder parser: ISO dates, today/tomorrow [HH:MM], in N units. */
#include "when.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

time_t when_day_start(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static int unit_secs(const char *u, long *mult)
{
	if (!strcmp(u, "m") || !strncmp(u, "min", 3))
		*mult = 60;
	else if (!strcmp(u, "h") || !strncmp(u, "hour", 4))
		*mult = 3600;
	else if (!strcmp(u, "d") || !strncmp(u, "day", 3))
		*mult = 86400;
	else if (!strcmp(u, "w") || !strncmp(u, "week", 4))
		*mult = 7 * 86400;
	else
		return -1;
	return 0;
}

int when_parse_duration(const char *text, long *secs, struct err *e)
{
	long n, mult;
	char unit[16];

	if (sscanf(text, "%ld%15s", &n, unit) == 2 && n > 0 && unit_secs(unit, &mult) == 0) {
		*secs = n * mult;
		return 0;
	}
	if (sscanf(text, "%ld %15s", &n, unit) == 2 && n > 0 && unit_secs(unit, &mult) == 0) {
		*secs = n * mult;
		return 0;
	}
	return err_set(e, ERR_USAGE, "not a duration: \"%s\"", text);
}

int when_parse(const char *text, time_t now, struct when *out, struct err *e)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, n = 0;
	char rest[64];
	long mult;

	localtime_r(&now, &tm);
	if (sscanf(text, "in %d %63s", &n, rest) == 2 || sscanf(text, "in %d%63s", &n, rest) == 2) {
		if (n > 0 && unit_secs(rest, &mult) == 0) {
			out->at = now + n * mult;
			out->date_only = false;
			return 0;
		}
	}
	if (!strncmp(text, "today", 5) || !strncmp(text, "tomorrow", 8)) {
		const char *p = text + (text[1] == 'o' && text[2] == 'd' ? 5 : 8);
		time_t day = when_day_start(now);

		localtime_r(&day, &tm);
		if (text[2] == 'm')
			tm.tm_mday++;
		while (*p == ' ')
			p++;
		out->date_only = *p == '\0';
		if (*p && (sscanf(p, "%d:%d%n", &h, &mi, &n) != 2 || p[n]))
			return err_set(e, ERR_USAGE, "date not understood: \"%s\"", text);
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = -1;
		out->at = mktime(&tm);
		return 0;
	}
	n = 0;
	if (sscanf(text, "%d-%d-%d%n", &y, &mo, &d, &n) == 3) {
		const char *p = text + n;

		if (*p == ' ' || *p == 'T')
			p++;
		out->date_only = *p == '\0';
		if (*p && (sscanf(p, "%d:%d%n", &h, &mi, &n) != 2 || p[n]))
			return err_set(e, ERR_USAGE, "date not understood: \"%s\"", text);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = -1;
		out->at = mktime(&tm);
		return 0;
	}
	return err_set(e, ERR_USAGE, "date not understood: \"%s\"", text);
}
