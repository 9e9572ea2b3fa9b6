#include "wallclock.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds added to the system clock; 0 unless NESTOR_NOW is set.  Written
 * once by wallclock_init before any thread starts. */
static time_t offset;

/* Epoch seconds: all digits. */
static int parse_epoch(const char *s, size_t len, time_t *t)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > 12)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t = (time_t)v;
	return 0;
}

/* The n digits at s as a number in *v: whether they are all digits. */
static int digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* YYYY-MM-DDTHH:MM[:SS] then Z or +HH:MM / -HH:MM, and nothing else: each
 * field all its digits, and a date and time that exist (no February 30th,
 * no 24:00, no leap second). */
static int parse_iso(const char *s, size_t len, time_t *t)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec = 0, oh, om, leap;
	size_t at = 16;
	long off = 0;
	struct tm tm;

	if (len < 17 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi))
		return -1;
	if (s[16] == ':') {
		if (len < 20 || !digits(s + 17, 2, &sec))
			return -1;
		at = 19;
	}
	leap = mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	if (mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] + leap || h > 23 || mi > 59 || sec > 59)
		return -1;
	if (s[at] == 'Z' && at + 1 == len) {
		off = 0;
	} else if ((s[at] == '+' || s[at] == '-') && at + 6 == len && digits(s + at + 1, 2, &oh) &&
		   s[at + 3] == ':' && digits(s + at + 4, 2, &om) && oh < 24 && om < 60) {
		off = (oh * 3600L + om * 60L) * (s[at] == '-' ? -1 : 1);
	} else {
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = timegm(&tm) - off;
	return 0;
}

static int parse_time(const char *s, size_t len, time_t *t)
{
	return parse_epoch(s, len, t) == 0 || parse_iso(s, len, t) == 0 ? 0 : -1;
}

/* The system's seconds, from the clock wallclock_timespec() reads: time()
 * may read a coarser clock, a second behind it just after a second turns. */
static time_t system_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

int wallclock_init(struct err *e)
{
	const char *v = getenv("NESTOR_NOW"), *at;
	time_t pinned, real = system_now();

	offset = 0;
	if (!v || !*v)
		return 0;
	at = strchr(v, '@');
	if (parse_time(v, at ? (size_t)(at - v) : strlen(v), &pinned) < 0 ||
	    (at && parse_epoch(at + 1, strlen(at + 1), &real) < 0))
		return err_set(e, ERR_USAGE,
			       "NESTOR_NOW: bad time %s (want epoch seconds or "
			       "YYYY-MM-DDTHH:MM:SSZ, optionally @REAL)",
			       utf8_q(v));
	offset = pinned - real;
	return 0;
}

time_t wallclock_now(void)
{
	return system_now() + offset;
}

void wallclock_timespec(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += offset;
}

long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
