#include "cron.h"
#include "utf8.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How far around a fold in the clock a candidate can move (3 hours). */
#define FOLD_MARGIN (3 * 3600)
/* Long enough for 29 February to come round after a skipped leap year. */
#define SEARCH_DAYS (366 * 9)

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
					   "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

struct field {
	const char *name;
	int lo, hi;
	const char *const *names; /* names[0] is lo */
};

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL },	    { "hour", 0, 23, NULL },
	{ "day of month", 1, 31, NULL },    { "month", 1, 12, month_names },
	{ "day of week", 0, 7, dow_names },
};

static const struct {
	const char *macro, *expr;
} macros[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },	  { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

bool cron_is_expr(const char *text)
{
	int n = 0;

	while (*text == ' ')
		text++;
	if (*text == '@')
		return true;
	for (const char *p = text; *p;) {
		if (!strchr("0123456789*/,-", *p) && !isalpha((unsigned char)*p))
			return false;
		n++;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return n == 5 && (isdigit((unsigned char)*text) || *text == '*');
}

/* A number or (for months and weekdays) a three-letter name. */
static int value(const struct field *f, const char **p, int *out)
{
	char *end;
	long v;

	if (f->names && isalpha((unsigned char)**p)) {
		for (int i = 0; f->names[i]; i++) {
			if (!strncasecmp(*p, f->names[i], 3) && !isalpha((unsigned char)(*p)[3])) {
				*out = f->lo + i;
				*p += 3;
				return 0;
			}
		}
		return -1;
	}
	if (!isdigit((unsigned char)**p))
		return -1;
	v = strtol(*p, &end, 10);
	if (v < f->lo || v > f->hi)
		return -1;
	*out = (int)v;
	*p = end;
	return 0;
}

/* One comma-separated element: *, N, N-M, with /STEP; sets bits in *bits. */
static int element(const struct field *f, const char *p, const char *end, uint64_t *bits)
{
	int lo, hi, step = 1;
	char *e;

	if (*p == '*') {
		lo = f->lo;
		hi = f->hi == 7 ? 6 : f->hi;
		p++;
	} else {
		if (value(f, &p, &lo) < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (value(f, &p, &hi) < 0 || hi < lo)
				return -1;
		}
	}
	if (*p == '/') {
		long s = strtol(p + 1, &e, 10);

		if (e == p + 1 || s < 1 || s > f->hi)
			return -1;
		step = (int)s;
		p = e;
		if (hi == lo)
			hi = f->hi == 7 ? 6 : f->hi;
	}
	if (p != end)
		return -1;
	for (int v = lo; v <= hi; v += step)
		*bits |= 1ULL << (v == 7 && f->hi == 7 ? 0 : v);
	return 0;
}

static int parse_field(const struct field *f, const char *text, size_t len, uint64_t *bits,
		       struct err *e)
{
	const char *p = text, *end = text + len;

	*bits = 0;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		if (stop == p || element(f, p, stop, bits) < 0)
			return err_set(e, ERR_USAGE, "cron: bad %s \"%.*s\"", f->name, (int)len,
				       text);
		p = comma ? comma + 1 : end;
	}
	return 0;
}

int cron_parse(const char *expr, struct cron *c, struct err *e)
{
	const char *p = expr;
	uint64_t bits[5];
	bool star[5];
	int i;

	while (*p == ' ')
		p++;
	if (*p == '@') {
		for (size_t k = 0; k < sizeof(macros) / sizeof(macros[0]); k++)
			if (!strcasecmp(p, macros[k].macro))
				return cron_parse(macros[k].expr, c, e);
		return err_set(e, ERR_USAGE, "cron: unknown macro %s", utf8_q(p));
	}
	for (i = 0; i < 5 && *p; i++) {
		size_t len = strcspn(p, " \t");

		star[i] = *p == '*';
		if (parse_field(&fields[i], p, len, &bits[i], e) < 0)
			return -1;
		p += len;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (i < 5 || *p)
		return err_set(e, ERR_USAGE, "cron: %s needs five fields (min hour dom month dow)",
			       utf8_q(expr));
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->dom = (uint32_t)bits[2];
	c->month = (uint32_t)bits[3];
	c->dow = (uint32_t)bits[4];
	c->hour_star = star[1];
	c->dom_star = star[2];
	c->dow_star = star[4];
	return 0;
}

static bool day_matches(const struct cron *c, const struct tm *day)
{
	bool dom = c->dom >> day->tm_mday & 1, dow = c->dow >> day->tm_wday & 1;

	if (!(c->month >> (day->tm_mon + 1) & 1))
		return false;
	if (c->dom_star || c->dow_star)
		return dom && dow;
	return dom || dow;
}

/* Offer the instant(s) of wall time `wall` (local seconds) to *best. */
static void consider(const struct cron *c, struct tz *z, time_t wall, time_t after, time_t *best,
		     time_t *best_wall)
{
	time_t cand[2];
	struct tm tm;
	int n = 0;

	gmtime_r(&wall, &tm);
	switch (tz_from_wall(z, &tm, &cand[0], &cand[1])) {
	case TZ_NORMAL: n = 1; break;
	case TZ_REPEATED: n = c->hour_star ? 2 : 1; break;
	case TZ_GAP: n = c->hour_star ? 0 : 1; break;
	}
	for (int i = 0; i < n; i++) {
		if (cand[i] > after && (*best == 0 || cand[i] < *best)) {
			*best = cand[i];
			*best_wall = wall;
		}
	}
}

int cron_next(const struct cron *c, struct tz *z, time_t after, time_t *next, struct err *e)
{
	struct tm w;
	time_t wall_after, day, best = 0, best_wall = 0;

	tz_to_wall(z, after, &w);
	wall_after = timegm(&w);
	/* Start the day before: a repeated hour can put an earlier wall time later. */
	day = wall_after - wall_after % 86400 - 86400;
	for (int d = 0; d < SEARCH_DAYS; d++, day += 86400) {
		struct tm dt;

		if (best && day > best_wall + FOLD_MARGIN)
			break;
		gmtime_r(&day, &dt);
		if (!day_matches(c, &dt))
			continue;
		for (int h = 0; h < 24; h++) {
			if (!(c->hour >> h & 1))
				continue;
			for (int m = 0; m < 60; m++) {
				time_t wall = day + h * 3600 + m * 60;

				if (!(c->minute >> m & 1) || wall < wall_after - FOLD_MARGIN)
					continue;
				if (best && wall > best_wall + FOLD_MARGIN)
					break;
				consider(c, z, wall, after, &best, &best_wall);
			}
		}
	}
	if (!best)
		return err_set(e, ERR_USAGE, "cron: the expression never matches a date");
	*next = best;
	return 0;
}

/* Whether two days in a row match (a 23:00 run and a 00:00 one can then
 * be a minute apart): 28 years hold every weekday of every date. */
static bool days_in_a_row(const struct cron *c)
{
	time_t day = 946684800; /* 2000-01-01 */
	bool prev = false;

	for (int d = 0; d < 28 * 366; d++, day += 86400) {
		struct tm dt;
		bool match;

		gmtime_r(&day, &dt);
		match = day_matches(c, &dt);
		if (match && prev)
			return true;
		prev = match;
	}
	return false;
}

int cron_min_gap(const struct cron *c)
{
	int first = -1, last = -1, gap = 60;
	bool next_hour = false;

	for (int m = 0; m < 60; m++) {
		if (!(c->minute >> m & 1))
			continue;
		if (last >= 0 && m - last < gap)
			gap = m - last;
		if (first < 0)
			first = m;
		last = m;
	}
	for (int h = 0; h < 23 && !next_hour; h++)
		next_hour = (c->hour >> h & 1) && (c->hour >> (h + 1) & 1);
	if (!next_hour && (c->hour & 1) && (c->hour >> 23 & 1))
		next_hour = days_in_a_row(c);
	if (next_hour && 60 - last + first < gap)
		gap = 60 - last + first;
	return gap;
}
