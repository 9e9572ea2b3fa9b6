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

/* YYYY-MM-DDTHH:MM[:SS] then Z or +HH:MM / -HH:MM, and nothing else. */
static int parse_iso(const char *s, size_t len, time_t *t)
{
	char buf[40], *p;
	struct tm tm;
	int oh, om, n = 0;
	long off = 0;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(&tm, 0, sizeof(tm));
	p = strptime(buf, "%Y-%m-%dT%H:%M", &tm);
	if (!p)
		return -1;
	if (*p == ':') {
		p = strptime(p, ":%S", &tm);
		if (!p)
			return -1;
	}
	if (*p == 'Z') {
		p++;
	} else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 &&
		   n == 5 && oh < 24 && om < 60) {
		off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
		p += 1 + n;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*t = timegm(&tm) - off;
	return 0;
}

static int parse_time(const char *s, size_t len, time_t *t)
{
	return parse_epoch(s, len, t) == 0 || parse_iso(s, len, t) == 0 ? 0 : -1;
}

int wallclock_init(struct err *e)
{
	const char *v = getenv("NESTOR_NOW"), *at;
	time_t pinned, real = time(NULL);

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
	return time(NULL) + offset;
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
