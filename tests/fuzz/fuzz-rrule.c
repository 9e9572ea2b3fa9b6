/*
 * libFuzzer target: nestor's RRULE expander against libical's.
 *
 * The input's first 8 bytes pick the zone, whether the series is all-day,
 * its start and the window the agenda would ask for; the rest is the rule:
 * its text when it starts with "FREQ", else bytes that build one of the
 * subset part by part (so an empty corpus reaches every part at once).
 * For a rule rrule_parse() takes, the occurrences recur_iter yields with
 * nestor's expander must be libical's, key for key (the process aborts on
 * the first difference); other rules, and those it refuses to start, are
 * libical's alone and are skipped.
 *
 *   make fuzz                       (clang -fsanitize=fuzzer,address,undefined)
 *   make fuzz FUZZ_TIME=60 (build-fuzz/fuzz/rrule)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur.h"
#include "rrule.h"
#include "tz.h"

#define MAX_OCC 300

static const char *const zones[] = { "UTC",	      "America/New_York",    "Europe/Moscow",
				     "Europe/Berlin", "Australia/Lord_Howe", "America/Sao_Paulo",
				     "Pacific/Apia",  "Asia/Kathmandu" };

static int collect(const char *rule, struct tz *z, int all_day, time_t start, time_t seek,
		   time_t to, int libical, time_t *keys)
{
	struct err e = { 0, "" };
	struct recur_iter ri;
	int n = 0;

	if (recur_iter_open(&ri, NULL, rule, z, all_day, start, seek,
			    libical ? RECUR_LIBICAL : RECUR_OWN, &e) < 0)
		return libical ? -1 : -2;
	while (n < MAX_OCC && recur_iter_next(&ri, &keys[n]))
		if (keys[n++] >= to)
			break;
	recur_iter_close(&ri);
	return n;
}

/* A byte at a time from [*p, end), 0 past the end. */
static unsigned byte(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

static void add(char *rule, size_t len, const char *fmt, int v)
{
	size_t l = strlen(rule);

	snprintf(rule + l, len - l, fmt, v);
}

/* A rule of the subset, read from bytes. */
static void build(const uint8_t *p, const uint8_t *end, time_t start, char *rule, size_t len)
{
	static const char *const freqs[] = { "DAILY", "WEEKLY", "MONTHLY", "YEARLY" };
	static const char *const wd[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };
	unsigned f = byte(&p, end), x = byte(&p, end), n;

	snprintf(rule, len, "FREQ=%s", freqs[f % 4]);
	if (x & 1)
		add(rule, len, ";INTERVAL=%d", (int)(1 + byte(&p, end) % 30));
	if (x & 2) {
		add(rule, len, ";COUNT=%d", (int)(1 + byte(&p, end) % 100));
	} else if (x & 4) {
		time_t u = start + (time_t)(byte(&p, end) | byte(&p, end) << 8) * 3600;
		struct tm tm;
		char s[32];

		gmtime_r(&u, &tm);
		strftime(s, sizeof(s),
			 (x & 8)    ? "%Y%m%d"
			 : (x & 16) ? "%Y%m%dT%H%M%SZ"
				    : "%Y%m%dT%H%M%S",
			 &tm);
		add(rule, len, ";UNTIL=%.0d", 0);
		strncat(rule, s, len - strlen(rule) - 1);
	}
	if (x & 32) {
		n = 1 + byte(&p, end) % 7;
		strncat(rule, ";BYDAY=", len - strlen(rule) - 1);
		for (unsigned i = 0; i < n; i++) {
			unsigned d = byte(&p, end);
			int pos = (int)(d / 7 % 12) - 6;

			if (i)
				strncat(rule, ",", len - strlen(rule) - 1);
			if (f % 4 >= 2 && pos)
				add(rule, len, "%d", (d & 128) && f % 4 == 3 ? pos * 9 : pos);
			strncat(rule, wd[d % 7], len - strlen(rule) - 1);
		}
	}
	if (x & 64) {
		n = 1 + byte(&p, end) % 4;
		strncat(rule, ";BYMONTHDAY=", len - strlen(rule) - 1);
		for (unsigned i = 0; i < n; i++)
			add(rule, len, i ? ",%d" : "%d", (int)(byte(&p, end) % 62) - 31 ?: 1);
	}
	if (x & 128) {
		n = 1 + byte(&p, end) % 4;
		strncat(rule, ";BYMONTH=", len - strlen(rule) - 1);
		for (unsigned i = 0; i < n; i++)
			add(rule, len, i ? ",%d" : "%d", (int)(1 + byte(&p, end) % 12));
	}
	if (f & 4)
		add(rule, len, ";WKST=%.0d", 0),
			strncat(rule, wd[f / 8 % 7], len - strlen(rule) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static time_t mine[MAX_OCC], ref[MAX_OCC];
	struct err e = { 0, "" };
	struct rrule r;
	char rule[256];
	struct tz *z;
	time_t start, seek, to;
	int all_day, n, m;
	uint32_t a, b;

	if (size < 8 || size - 8 >= sizeof(rule))
		return 0;
	a = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
	    (uint32_t)data[3] << 24;
	b = (uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 |
	    (uint32_t)data[7] << 24;
	all_day = (a & 1) != 0;
	/* 1990 .. 2058, a minute apart */
	start = 631152000 + (time_t)((a >> 1) % (36000000u)) * 60;
	if (all_day)
		start -= start % 86400;
	if (size >= 12 && !memcmp(data + 8, "FREQ", 4)) {
		memcpy(rule, data + 8, size - 8);
		rule[size - 8] = 0;
		if (strlen(rule) != size - 8)
			return 0;
	} else {
		build(data + 8, data + size, start, rule, sizeof(rule));
	}
	if (rrule_parse(rule, &r) < 0)
		return 0;
	/* no DAILY rule that matches nothing for centuries: libical needs
	 * seconds to find out */
	if (r.freq == RRULE_DAILY && (r.bymonth || r.nbymonthday) && !r.has_until)
		return 0;
	seek = (b & 1) ? 0 : start + (time_t)((b >> 1) % 4000u) * 86400 - 3 * 86400;
	to = (seek ? seek : start) + (b & 2 ? 9L : 400L) * 86400;
	z = tz_open(all_day ? NULL : zones[(a >> 28) % 8], &e);
	if (!z)
		abort();
	/* A rule nestor's expander refuses to start is libical's alone (often
	 * one that matches no day before the year 20000: libical takes
	 * seconds to find out). */
	n = collect(rule, z, all_day, start, seek, to, 0, mine);
	m = n == -2 ? -2 : collect(rule, z, all_day, start, seek, to, 1, ref);
	if (n != -2 && (n != m || (n > 0 && memcmp(mine, ref, (size_t)n * sizeof(*ref))))) {
		fprintf(stderr, "%s (%s%s, start %lld, seek %lld): %d occurrences, libical %d\n",
			rule, all_day ? "all-day, " : "", zones[(a >> 28) % 8], (long long)start,
			(long long)seek, n, m);
		for (int i = 0; i < n && i < m; i++)
			if (mine[i] != ref[i])
				fprintf(stderr, "  #%d: %lld, libical %lld\n", i,
					(long long)mine[i], (long long)ref[i]);
		abort();
	}
	tz_free(z);
	return 0;
}
