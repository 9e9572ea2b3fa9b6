/*
 * nestor's RRULE expander (rrule.h) against libical's: for thousands of
 * generated rules of the subset, in zones with DST changes, timed and
 * all-day, the occurrences recur_iter yields from DTSTART and in a window
 * (the way the agenda asks) are libical's, instant for instant.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "recur.h"
#include "rrule.h"
#include "tz.h"

#define DAY	86400
#define MAX_OCC 400

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static const char *const zones[] = { "UTC",	      "America/New_York",
				     "Europe/Moscow", "Australia/Lord_Howe",
				     "Europe/Berlin", "America/Sao_Paulo",
				     "Pacific/Apia",  "Asia/Kolkata" };
static const char *const wd[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };

static void cat(char *buf, size_t len, const char *fmt, const char *a, int n)
{
	size_t l = strlen(buf);

	snprintf(buf + l, len - l, fmt, a, n);
}

/* A rule of the subset; dtstart is the series' start (for UNTIL). */
static void gen_rule(char *buf, size_t len, time_t dtstart, bool all_day)
{
	static const char *const freqs[] = { "DAILY", "WEEKLY", "MONTHLY", "YEARLY" };
	static const int mdays[] = { 1, 2, 15, 28, 29, 30, 31, -1, -2, -7, -28, -29, -30, -31 };
	int f = (int)rnd(4), n;

	snprintf(buf, len, "FREQ=%s", freqs[f]);
	if (rnd(2))
		cat(buf, len, ";INTERVAL%s=%d", "", (int)(rnd(4) ? 2 + rnd(3) : 1 + rnd(13)));
	if (rnd(3) == 0) {
		cat(buf, len, ";COUNT%s=%d", "", (int)(1 + rnd(rnd(2) ? 5 : 60)));
	} else if (rnd(2)) {
		time_t u = dtstart + (time_t)rnd(3 * 365) * DAY + (time_t)rnd(DAY);
		struct tm tm;
		char s[32];

		gmtime_r(&u, &tm);
		strftime(s, sizeof(s),
			 rnd(3) == 0 ? "%Y%m%d"
			 : rnd(2)    ? "%Y%m%dT%H%M%SZ"
				     : "%Y%m%dT%H%M%S",
			 &tm);
		if (all_day && rnd(2))
			strftime(s, sizeof(s), "%Y%m%d", &tm);
		cat(buf, len, ";UNTIL=%s%.0d", s, 0);
	}
	if (rnd(2)) { /* BYDAY */
		int k = 1 + (int)rnd(4), written = 0;
		unsigned used = 0;

		strncat(buf, ";BYDAY=", len - strlen(buf) - 1);
		for (int i = 0; i < k; i++) {
			int d = (int)rnd(7), pos = 0;

			if (f >= 2 && rnd(2))
				pos = (rnd(2) ? 1 : -1) * (int)(1 + rnd(f == 3 && rnd(2) ? 53 : 5));
			if (f < 2 && (used & (1u << d)))
				continue;
			used |= 1u << d;
			if (written++)
				strncat(buf, ",", len - strlen(buf) - 1);
			if (pos)
				cat(buf, len, "%s%d", "", pos);
			strncat(buf, wd[d], len - strlen(buf) - 1);
		}
	}
	if (f != 1 && rnd(3) == 0) { /* BYMONTHDAY */
		n = 1 + (int)rnd(3);
		strncat(buf, ";BYMONTHDAY=", len - strlen(buf) - 1);
		for (int i = 0; i < n; i++)
			cat(buf, len, "%s%d", i ? "," : "",
			    f == 0 ? (int)(1 + rnd(28))
				   : mdays[rnd(sizeof(mdays) / sizeof(*mdays))]);
	}
	if (rnd(4) == 0) { /* BYMONTH */
		n = 1 + (int)rnd(4);
		strncat(buf, ";BYMONTH=", len - strlen(buf) - 1);
		for (int i = 0; i < n; i++)
			cat(buf, len, "%s%d", i ? "," : "", (int)(1 + rnd(12)));
	}
	if (rnd(4) == 0)
		cat(buf, len, ";WKST=%s%.0d", wd[rnd(7)], 0);
}

/* A start on an awkward day now and then: the 29th..31st, Feb 29, the
 * days DST changes, at times inside gaps and folds. */
static time_t gen_start(struct tz *z, bool all_day)
{
	static const int hours[] = { 0, 1, 2, 3, 12, 23 };
	struct tm w = { 0 };

	w.tm_year = 95 + (int)rnd(45);
	w.tm_mon = (int)rnd(12);
	w.tm_mday = 1 + (int)rnd(28);
	if (rnd(4) == 0)
		w.tm_mday = 29 + (int)rnd(3);
	if (rnd(10) == 0) {
		w.tm_year = 96 + 4 * (int)rnd(10);
		w.tm_mon = 1;
		w.tm_mday = 29;
	}
	if (rnd(6) == 0) { /* a DST change in March, April, October or November */
		static const int mon[] = { 2, 3, 9, 10 };

		w.tm_mon = mon[rnd(4)];
		w.tm_mday = 1 + (int)rnd(30);
	}
	w.tm_hour = hours[rnd(6)];
	w.tm_min = rnd(2) ? 30 : 0;
	if (all_day) {
		time_t t = timegm(&w);

		return t - t % DAY;
	}
	return tz_instant(z, &w);
}

/* The parses of the rules nestor's expander opens, kept across a test's
 * rules as an agenda keeps them across its window's series: rules alike but
 * for their UNTIL or COUNT go through its hit. */
static struct rrule_memo memo;

/* The keys of the series from seek on (all of it when seek is 0), until one
 * reaches `to` or MAX_OCC of them; -1 when the rule cannot be opened. */
static int collect(const char *rule, struct tz *z, bool all_day, time_t start, time_t seek,
		   time_t to, enum recur_engine engine, time_t *keys)
{
	struct err e = { 0, "" };
	struct recur_iter ri;
	int n = 0;

	if (recur_iter_open(&ri, engine == RECUR_OWN ? &memo : NULL, rule, z, all_day, start, seek,
			    engine, &e) < 0)
		return -1;
	ck_assert(ri.own == (engine == RECUR_OWN));
	while (n < MAX_OCC && recur_iter_next(&ri, &keys[n]))
		if (keys[n++] >= to)
			break;
	recur_iter_close(&ri);
	return n;
}

/* Rules nestor's expander refused to start (libical's alone then). */
static int refused;

static void compare(const char *rule, const char *zone, bool all_day, time_t start, time_t seek,
		    time_t to)
{
	static time_t mine[MAX_OCC], ref[MAX_OCC];
	struct err e = { 0, "" };
	struct tz *z = tz_open(all_day ? NULL : zone, &e);
	int n, m;

	ck_assert_msg(z != NULL, "%s", e.msg);
	/* A rule matching no day for centuries makes libical search up to the
	 * year 20000 (seconds); nestor's expander refuses it and hands it to
	 * libical, so there is nothing to compare. */
	n = collect(rule, z, all_day, start, seek, to, RECUR_OWN, mine);
	if (n < 0) {
		refused++;
		tz_free(z);
		return;
	}
	m = collect(rule, z, all_day, start, seek, to, RECUR_LIBICAL, ref);
	ck_assert_msg(n == m, "%s %s%s start %lld seek %lld: %d occurrences, libical %d", rule,
		      zone, all_day ? " all-day" : "", (long long)start, (long long)seek, n, m);
	for (int i = 0; i < n; i++)
		ck_assert_msg(mine[i] == ref[i],
			      "%s %s%s start %lld seek %lld: occurrence %d at %lld, libical %lld",
			      rule, zone, all_day ? " all-day" : "", (long long)start,
			      (long long)seek, i, (long long)mine[i], (long long)ref[i]);
	tz_free(z);
}

/* A series written at 02:30 on the day Berlin skips 02:00-03:00 (RFC 5545
 * 3.3.5): both expanders start it at 03:30 CEST that day and repeat 02:30
 * on the others, with and without a COUNT and from a later seek. */
START_TEST(test_rrule_gap_dtstart)
{
	static const char *const rules[] = { "FREQ=DAILY", "FREQ=DAILY;COUNT=4",
					     "FREQ=WEEKLY;BYDAY=SU,MO" };
	struct err e = { 0, "" };
	struct tz *z = tz_open("Europe/Berlin", &e);
	time_t start = 1774747800, wall = 1774751400; /* 01:30Z; 2026-03-29T02:30 */

	ck_assert_msg(z != NULL, "%s", e.msg);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		for (int engine = RECUR_LIBICAL; engine <= RECUR_OWN; engine++) {
			struct recur_iter ri;
			time_t key;

			ck_assert_int_eq(recur_iter_open_wall(&ri, NULL, rules[i], z, start, wall,
							      0, (enum recur_engine)engine, &e),
					 0);
			ck_assert(recur_iter_next(&ri, &key));
			ck_assert_int_eq(key, start);
			ck_assert(recur_iter_next(&ri, &key));
			ck_assert_int_eq(key, start + DAY - 3600); /* 03-30 02:30 CEST */
			recur_iter_close(&ri);
			ck_assert_int_eq(recur_iter_open_wall(&ri, NULL, "FREQ=DAILY", z, start,
							      wall, start + 9 * DAY,
							      (enum recur_engine)engine, &e),
					 0);
			while (recur_iter_next(&ri, &key) && key < start + 9 * DAY)
				;
			ck_assert_int_eq(key, start + 10 * DAY - 3600);
			recur_iter_close(&ri);
		}
	}
	tz_free(z);
}
END_TEST

START_TEST(test_rrule_matches_libical)
{
	char rule[256];

	rng_state = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	refused = 0;
	memo.n = memo.next = 0;
	for (int i = 0; i < 500; i++) {
		const char *zone = zones[rnd(sizeof(zones) / sizeof(*zones))];
		bool all_day = rnd(4) == 0;
		struct err e = { 0, "" };
		struct tz *z = tz_open(zone, &e);
		time_t start = gen_start(z, all_day), from;

		tz_free(z);
		gen_rule(rule, sizeof(rule), start, all_day);
		/* from DTSTART */
		compare(rule, zone, all_day, start, 0, start + 5L * 365 * DAY);
		/* a window before, inside or long after the series, as the agenda
		 * asks: two days and the duration early */
		from = start + (time_t)rnd(4) * 86400 * (rnd(2) ? 1 : 400) -
		       (rnd(5) == 0 ? 30L * DAY : 0) + (time_t)rnd(DAY);
		compare(rule, zone, all_day, start, from - 2 * DAY - 3600,
			from + (rnd(2) ? 7L : 366L) * DAY);
	}
	/* nearly every generated rule is compared */
	ck_assert_msg(refused < 50, "%d of 1000 refused", refused);
}
END_TEST

/* Known answers, so both are not wrong the same way. */
static void expect(const char *rule, const char *zone, time_t start, const time_t *want, int n)
{
	static time_t got[MAX_OCC];
	struct err e = { 0, "" };
	struct tz *z = tz_open(zone, &e);
	int m = collect(rule, z, false, start, 0, want[n - 1], RECUR_OWN, got);

	ck_assert_int_ge(m, n);
	for (int i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "%s: occurrence %d at %lld, want %lld", rule, i,
			      (long long)got[i], (long long)want[i]);
	tz_free(z);
}

static time_t at(const char *zone, int y, int mo, int d, int h, int mi)
{
	struct err e = { 0, "" };
	struct tz *z = tz_open(zone, &e);
	struct tm w = { 0 };
	time_t t;

	w.tm_year = y - 1900;
	w.tm_mon = mo - 1;
	w.tm_mday = d;
	w.tm_hour = h;
	w.tm_min = mi;
	t = tz_instant(z, &w);
	tz_free(z);
	return t;
}

START_TEST(test_rrule_known_series)
{
	const char *ny = "America/New_York";
	/* the last Friday of each month, 09:00 New York, across the March change */
	time_t lastfri[] = { at(ny, 2026, 1, 30, 9, 0), at(ny, 2026, 2, 27, 9, 0),
			     at(ny, 2026, 3, 27, 9, 0), at(ny, 2026, 4, 24, 9, 0) };
	/* Feb 29 comes back in leap years only */
	time_t leap[] = { at("UTC", 2024, 2, 29, 8, 0), at("UTC", 2028, 2, 29, 8, 0),
			  at("UTC", 2032, 2, 29, 8, 0) };
	/* the 31st skips short months */
	time_t d31[] = { at("UTC", 2026, 1, 31, 10, 0), at("UTC", 2026, 3, 31, 10, 0),
			 at("UTC", 2026, 5, 31, 10, 0) };
	/* 02:30 on the day Berlin springs forward is 03:30 */
	time_t gap[] = { at("Europe/Berlin", 2026, 3, 28, 2, 30),
			 at("Europe/Berlin", 2026, 3, 29, 3, 30),
			 at("Europe/Berlin", 2026, 3, 30, 2, 30) };

	expect("FREQ=MONTHLY;BYDAY=-1FR", ny, lastfri[0], lastfri, 4);
	expect("FREQ=YEARLY", "UTC", leap[0], leap, 3);
	expect("FREQ=MONTHLY;BYMONTHDAY=-1;BYMONTH=1,3,5", "UTC", d31[0], d31, 3);
	expect("FREQ=MONTHLY", "UTC", d31[0], d31, 3);
	expect("FREQ=DAILY;COUNT=3", "Europe/Berlin", gap[0], gap, 3);
	ck_assert_int_eq(gap[1] - gap[0], DAY); /* 01:30 UTC both days */
}
END_TEST

/* The occurrences of rule from start up to want[n - 1], by engine, are want. */
static void expect_by(const char *rule, struct tz *z, time_t start, const time_t *want, int n,
		      enum recur_engine engine)
{
	static time_t got[MAX_OCC];
	int m = collect(rule, z, false, start, 0, want[n - 1], engine, got);

	ck_assert_msg(m == n, "%s engine %d: %d occurrences, want %d", rule, engine, m, n);
	for (int i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "%s engine %d: occurrence %d at %lld, want %lld",
			      rule, engine, i, (long long)got[i], (long long)want[i]);
}

/* Pacific/Apia skipped 2011-12-30 (UTC-10, then UTC+14): a wall time of
 * that day is no occurrence, for either expander and for the scheduler
 * (moved on by the gap it was the 31st's, given twice, or a Friday's
 * occurrence on a Saturday); a COUNT counts it.  Shorter gaps still move
 * a wall time on (test_rrule_known_series). */
START_TEST(test_rrule_skipped_day)
{
	const char *apia = "Pacific/Apia";
	time_t daily[] = { at(apia, 2011, 12, 28, 9, 0), at(apia, 2011, 12, 29, 9, 0),
			   at(apia, 2011, 12, 31, 9, 0), at(apia, 2012, 1, 1, 9, 0) };
	time_t friday[] = { at(apia, 2011, 12, 23, 10, 0), at(apia, 2012, 1, 6, 10, 0) };
	time_t hours[] = { at(apia, 2011, 12, 29, 9, 0), at(apia, 2011, 12, 29, 21, 0),
			   at(apia, 2011, 12, 31, 9, 0), at(apia, 2011, 12, 31, 21, 0) };
	struct recur_rule job = { "rrule", "FREQ=WEEKLY", apia, friday[0], NULL, 0, 0, NULL };
	struct err e = { 0, "" };
	struct tz *z = tz_open(apia, &e);
	static time_t got[MAX_OCC];
	time_t next;
	bool has;

	ck_assert_int_eq(daily[2] - daily[1], DAY); /* 19:00 UTC both */
	for (int engine = RECUR_LIBICAL; engine <= RECUR_OWN; engine++) {
		expect_by("FREQ=DAILY", z, daily[0], daily, 4, (enum recur_engine)engine);
		expect_by("FREQ=DAILY;COUNT=4", z, daily[0], daily, 3, (enum recur_engine)engine);
		ck_assert_int_eq(collect("FREQ=DAILY;COUNT=4", z, false, daily[0], 0,
					 daily[3] + 7 * DAY, (enum recur_engine)engine, got),
				 3);
		expect_by("FREQ=WEEKLY", z, friday[0], friday, 2, (enum recur_engine)engine);
	}
	expect_by("FREQ=DAILY;BYHOUR=9,21", z, hours[0], hours, 4, RECUR_LIBICAL);
	ck_assert_int_eq(recur_next(&job, friday[0], &next, &has, &e), 0);
	ck_assert(has);
	ck_assert_int_eq(next, friday[1]);
	tz_free(z);
}
END_TEST

/* A DATE UNTIL on a timed series (RFC 5545 wants a DATE-TIME; files have
 * it) takes in its day, as Google and Apple read it: for both expanders,
 * with a COUNT-less stride and BYDAY, and for the scheduler. */
START_TEST(test_rrule_date_until)
{
	const char *berlin = "Europe/Berlin";
	time_t daily[6], sat[] = { at(berlin, 2026, 1, 5, 9, 0), at(berlin, 2026, 1, 10, 9, 0) };
	struct recur_rule job = { "rrule", "FREQ=DAILY;UNTIL=20260110", berlin, sat[0], NULL, 0, 0,
				  NULL };
	struct err e = { 0, "" };
	struct tz *z = tz_open(berlin, &e);
	static time_t got[MAX_OCC];
	time_t next;
	bool has;

	for (int i = 0; i < 6; i++)
		daily[i] = at(berlin, 2026, 1, 5 + i, 9, 0);
	for (int engine = RECUR_LIBICAL; engine <= RECUR_OWN; engine++) {
		expect_by("FREQ=DAILY;UNTIL=20260110", z, daily[0], daily, 6,
			  (enum recur_engine)engine);
		ck_assert_int_eq(collect("FREQ=DAILY;UNTIL=20260110", z, false, daily[0], 0,
					 daily[5] + 7 * DAY, (enum recur_engine)engine, got),
				 6);
		ck_assert_int_eq(collect("FREQ=WEEKLY;BYDAY=MO,SA;UNTIL=20260110", z, false, sat[0],
					 0, sat[1] + 7 * DAY, (enum recur_engine)engine, got),
				 2);
		ck_assert_int_eq(got[1], sat[1]);
	}
	ck_assert_int_eq(recur_next(&job, daily[4], &next, &has, &e), 0);
	ck_assert(has);
	ck_assert_int_eq(next, daily[5]);
	ck_assert_int_eq(recur_next(&job, daily[5], &next, &has, &e), 0);
	ck_assert(!has);
	tz_free(z);
}
END_TEST

/* The k-th occurrence (from 0) of rule from start, by libical. */
static time_t nth(const char *rule, struct tz *z, bool all_day, time_t start, int k)
{
	static time_t keys[MAX_OCC];
	int n = collect(rule, z, all_day, start, 0, start + 400L * DAY, RECUR_LIBICAL, keys);

	ck_assert_int_gt(n, k);
	return keys[k];
}

/* The rules an agenda opens most, DAILY or WEEKLY without BY parts, all
 * through one memo entry whatever their UNTIL and a step of a stride each:
 * UNTIL on an occurrence, a second either side of it, as a date, as a
 * floating time and in UTC read in zones that change offset in between
 * and in one that never does;
 * INTERVAL and COUNT; windows from DTSTART, ending at the UNTIL and
 * starting on it; timed and all-day.  Each is libical's. */
START_TEST(test_rrule_plain_series)
{
	static const char *const shape[] = { "FREQ=WEEKLY;UNTIL=%s",
					     "FREQ=DAILY;INTERVAL=3;UNTIL=%s",
					     "FREQ=WEEKLY;INTERVAL=2;UNTIL=%s",
					     "FREQ=DAILY;UNTIL=%s" };
	static const char *const counted[] = { "FREQ=WEEKLY;COUNT=%d",
					       "FREQ=DAILY;INTERVAL=2;COUNT=%d" };
	static const char *const pz[] = { "UTC", "Europe/Berlin", "America/New_York",
					  "Australia/Lord_Howe", "Etc/GMT+5" };
	/* before the spring changes (New York 03-08, Berlin 03-29, Lord Howe's
	 * autumn 04-05) and the autumn ones (Lord Howe 10-04, Berlin 10-25) */
	static const int day0[][2] = { { 3, 2 }, { 10, 2 } };
	int n = 0;

	memo.n = memo.next = 0;
	refused = 0;
	for (size_t zi = 0; zi < sizeof(pz) / sizeof(*pz); zi++)
		for (int all_day = 0; all_day < 2; all_day++)
			for (size_t di = 0; di < 2; di++) {
				struct err e = { 0, "" };
				struct tz *z = tz_open(all_day ? NULL : pz[zi], &e);
				time_t start =
					all_day ? at("UTC", 2026, day0[di][0], day0[di][1], 0, 0)
						: at(pz[zi], 2026, day0[di][0], day0[di][1],
						     di ? 2 : 9, 30);

				for (size_t si = 0; si < sizeof(shape) / sizeof(*shape); si++) {
					char plain[64], rule[96], until[32];
					int k = si % 2 ? 9 : 4;
					time_t o;

					snprintf(plain, sizeof(plain), "%s", shape[si]);
					plain[strlen(plain) - strlen(";UNTIL=%s")] = '\0';
					o = nth(plain, z, all_day, start, k);
					for (int form = 0; form < 3; form++)
						for (int d = -1; d <= 1; d++) {
							time_t u = o + d;
							struct tm tm;

							/* UTC, floating (the wall time in the
							 * zone), date */
							if (form == 1 && !all_day)
								u = tz_wall_seconds(z, u);
							gmtime_r(&u, &tm);
							strftime(until, sizeof(until),
								 form == 0   ? "%Y%m%dT%H%M%SZ"
								 : form == 1 ? "%Y%m%dT%H%M%S"
									     : "%Y%m%d",
								 &tm);
							if (form == 2 && d)
								continue;
							snprintf(rule, sizeof(rule), shape[si],
								 until);
							compare(rule, pz[zi], all_day, start, 0,
								start + 200L * DAY);
							compare(rule, pz[zi], all_day, start,
								o - 2 * DAY - 3600, o + 7L * DAY);
							compare(rule, pz[zi], all_day, start, o + d,
								o + 30L * DAY);
							n += 3;
						}
				}
				for (size_t ci = 0; ci < sizeof(counted) / sizeof(*counted); ci++)
					for (int c = 1; c <= 9; c += 4) {
						char rule[64];

						snprintf(rule, sizeof(rule), counted[ci], c);
						compare(rule, pz[zi], all_day, start, 0,
							start + 100L * DAY);
						compare(rule, pz[zi], all_day, start,
							start + 5 * DAY, start + 100L * DAY);
						n += 2;
					}
				tz_free(z);
			}
	ck_assert_int_eq(refused, 0);
	ck_assert_int_gt(n, 1000);
}
END_TEST

/* The keys rrule_iter_open() yields from seek (its seek of a stride rule
 * is one division), and those of the general iterator seeking there
 * (rrule_iter_start() and rrule_iter_seek_key(): set_start()'s alignment),
 * up to MAX_OCC or past `to`; dtstart and seek are wall-clock keys. */
static int stride_keys(const char *rule, bool general, long long dtstart, bool is_date,
		       struct tz *z, long long seek, long long to, long long *keys)
{
	static struct rrule_iter it;
	struct rrule r;
	int n = 0;

	if (!general) {
		ck_assert(rrule_iter_open(&it, &memo, rule, dtstart, is_date, z, seek));
	} else {
		ck_assert_int_eq(rrule_parse(rule, &r), 0);
		ck_assert(rrule_iter_start(&it, &r, dtstart, is_date, z));
		if (!rrule_iter_seek_key(&it, seek))
			ck_assert(rrule_iter_start(&it, &r, dtstart, is_date, z));
	}
	while (n < MAX_OCC && rrule_iter_next_key(&it, &keys[n]))
		if (keys[n++] >= to)
			break;
	return n;
}

/* A DAILY or WEEKLY rule without BY parts (nor COUNT) that an agenda opens
 * at its window: the occurrences from the seek that skips the general
 * iterator's alignment are its own, key for key, and libical's, for seeks
 * every 7 hours and a few seconds over ten weeks around New York's spring
 * and autumn changes, INTERVAL 1 to 3, UNTIL on an occurrence and none,
 * timed (New York, Kolkata, UTC) and all-day. */
START_TEST(test_rrule_stride_seek)
{
	static const char *const shape[] = { "FREQ=WEEKLY%s", "FREQ=WEEKLY;INTERVAL=2%s",
					     "FREQ=WEEKLY;INTERVAL=3%s", "FREQ=DAILY%s",
					     "FREQ=DAILY;INTERVAL=3%s" };
	static const char *const sz[] = { "America/New_York", "Asia/Kolkata", "UTC" };
	static const int day0[][2] = { { 2, 20 }, { 10, 15 } };
	static long long fast[MAX_OCC], slow[MAX_OCC];
	int n = 0;

	memo.n = memo.next = 0;
	refused = 0;
	for (size_t zi = 0; zi < sizeof(sz) / sizeof(*sz); zi++)
		for (int all_day = 0; all_day < 2; all_day++)
			for (size_t di = 0; di < 2; di++) {
				struct err e = { 0, "" };
				struct tz *z = tz_open(all_day ? NULL : sz[zi], &e);
				time_t start =
					all_day ? at("UTC", 2026, day0[di][0], day0[di][1], 0, 0)
						: at(sz[zi], 2026, day0[di][0], day0[di][1],
						     1 + (int)di * 8, 30);
				long long d = all_day ? start : tz_wall_seconds(z, start);

				for (size_t si = 0; si < sizeof(shape) / sizeof(*shape); si++)
					for (int bounded = 0; bounded < 2; bounded++) {
						char rule[96], until[40] = "";
						time_t o;

						snprintf(rule, sizeof(rule), shape[si], "");
						o = nth(rule, z, all_day, start, 5);
						if (bounded) {
							struct tm tm;

							gmtime_r(&o, &tm);
							strftime(until, sizeof(until),
								 all_day ? ";UNTIL=%Y%m%d"
									 : ";UNTIL=%Y%m%dT%H%M%SZ",
								 &tm);
							snprintf(rule, sizeof(rule), shape[si],
								 until);
						}
						for (long h = -30; h < 24 * 70; h += 7) {
							time_t seek = start + h * 3600 + h % 5;
							long long sk =
								all_day ? seek
									: tz_wall_seconds(z, seek);
							int a = stride_keys(rule, false, d, all_day,
									    z, sk, sk + 40L * DAY,
									    fast);
							int b = stride_keys(rule, true, d, all_day,
									    z, sk, sk + 40L * DAY,
									    slow);

							ck_assert_msg(
								a == b,
								"%s %s start %lld seek %lld: %d "
								"keys, the general iterator %d",
								rule, sz[zi], (long long)start, sk,
								a, b);
							for (int i = 0; i < a; i++)
								ck_assert_msg(
									fast[i] == slow[i],
									"%s %s seek %lld: key %d "
									"%lld, the general "
									"iterator %lld",
									rule, sz[zi], sk, i,
									fast[i], slow[i]);
							compare(rule, sz[zi], all_day, start,
								seek + 2 * DAY, seek + 40L * DAY);
							n++;
						}
					}
				tz_free(z);
			}
	ck_assert_int_eq(refused, 0);
	ck_assert_int_gt(n, 10000);
}
END_TEST

/* The local times an agenda compares of the first max occurrences of rule
 * from seek (ended before end_before when not 0, recur_iter_end_before()):
 * instants, or for an all-day series its dates' local midnights. */
static int local_times(const char *rule, struct tz *z, bool all_day, time_t start, time_t seek,
		       time_t *v, int max, time_t end_before)
{
	struct err e = { 0, "" };
	struct recur_iter ri;
	int n = 0;

	ck_assert_int_eq(recur_iter_open(&ri, &memo, rule, z, all_day, start, seek, RECUR_OWN, &e),
			 0);
	if (end_before)
		recur_iter_end_before(&ri, end_before);
	while (n < max && recur_iter_next(&ri, &v[n])) {
		if (all_day)
			v[n] = tz_date_to_local(v[n]);
		n++;
	}
	recur_iter_close(&ri);
	return n;
}

/* recur_iter_end_before(), which ends an agenda's series without its step
 * past the window: the series ended before t still has every occurrence
 * before t, and in a zone of one offset no timed one after, for t a second
 * either side of each occurrence and two days after it, in zones changing
 * offset and not, INTERVAL 1 to 3, UNTIL and none, timed and all-day. */
START_TEST(test_recur_iter_end_before)
{
	static const char *const shape[] = { "FREQ=WEEKLY;UNTIL=20270301T000000Z",
					     "FREQ=WEEKLY;INTERVAL=2", "FREQ=DAILY",
					     "FREQ=DAILY;INTERVAL=3;UNTIL=20261120",
					     "FREQ=WEEKLY;BYDAY=MO,TH" };
	static const char *const sz[] = { "America/New_York", "Asia/Kolkata", "UTC", "Etc/GMT-14",
					  "Australia/Lord_Howe" };
	static time_t v[MAX_OCC], w[MAX_OCC];
	int n = 0;

	for (size_t zi = 0; zi < sizeof(sz) / sizeof(*sz); zi++)
		for (int all_day = 0; all_day < 2; all_day++)
			for (size_t si = 0; si < sizeof(shape) / sizeof(*shape); si++) {
				struct err e = { 0, "" };
				struct tz *z = tz_open(all_day ? NULL : sz[zi], &e);
				time_t start = all_day ? at("UTC", 2026, 10, 20, 0, 0)
						       : at(sz[zi], 2026, 10, 20, 23, 30);
				time_t seek = start + 3 * DAY;
				long off;
				bool fixed = tz_fixed(z, &off) && !all_day;
				int nv = local_times(shape[si], z, all_day, start, seek, v, 60, 0);

				ck_assert_int_gt(nv, 5);
				for (int i = 0; i < nv; i++)
					for (int d = -1; d <= 2; d++) {
						time_t t = v[i] + (d == 2 ? 2 * DAY : d);
						int nw = local_times(shape[si], z, all_day, start,
								     seek, w, 60, t);
						int before = 0;

						while (before < nv && v[before] < t)
							before++;
						ck_assert_msg(nw >= before && nw <= nv,
							      "%s %s%s ended before %lld: %d "
							      "occurrences, %d before it",
							      shape[si], sz[zi],
							      all_day ? " all-day" : "",
							      (long long)t, nw, before);
						for (int k = 0; k < nw; k++)
							ck_assert(w[k] == v[k]);
						if (fixed)
							ck_assert_int_eq(nw, before);
						n++;
					}
				tz_free(z);
			}
	ck_assert_int_gt(n, 5000);
}
END_TEST

/* rrule_parse()'s answer for a and b alike, field by field. */
static void same_parse(const char *rule, int rc, const struct rrule *a, int want,
		       const struct rrule *b)
{
	ck_assert_msg(rc == want, "%s: %d, rrule_parse() %d", rule, rc, want);
	if (want < 0)
		return;
	ck_assert_msg(a->freq == b->freq && a->interval == b->interval && a->count == b->count &&
			      a->has_until == b->has_until && a->until_utc == b->until_utc &&
			      a->wkst == b->wkst && a->nbyday == b->nbyday &&
			      a->nbymonthday == b->nbymonthday && a->bymonth == b->bymonth,
		      "%s: another rule's parse", rule);
	if (a->has_until)
		ck_assert_msg(a->until.year == b->until.year && a->until.month == b->until.month &&
				      a->until.day == b->until.day &&
				      a->until.hour == b->until.hour &&
				      a->until.minute == b->until.minute &&
				      a->until.second == b->until.second &&
				      a->until.is_date == b->until.is_date,
			      "%s: another UNTIL", rule);
	for (int i = 0; i < a->nbyday; i++)
		ck_assert(a->byday_wd[i] == b->byday_wd[i] && a->byday_pos[i] == b->byday_pos[i]);
	for (int i = 0; i < a->nbymonthday; i++)
		ck_assert(a->bymonthday[i] == b->bymonthday[i]);
}

/* One memo through rules of 20 shapes (more than it holds) with ends valid
 * and not, forwards and backwards: each parse is rrule_parse()'s. */
START_TEST(test_rrule_parse_memo)
{
	static const char *const shape[] = {
		"FREQ=WEEKLY;%s",
		"FREQ=DAILY;%s",
		"FREQ=DAILY;INTERVAL=3;%s",
		"FREQ=WEEKLY;BYDAY=MO,TH;%s",
		"FREQ=WEEKLY;BYDAY=TH,MO;WKST=SU;%s",
		"FREQ=MONTHLY;BYDAY=-1FR;%s",
		"FREQ=MONTHLY;BYMONTHDAY=31;%s",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;%s",
		"%s;FREQ=DAILY",
		"%s;FREQ=WEEKLY;INTERVAL=2",
		"FREQ=MONTHLY;%s;BYMONTHDAY=1,15",
		"FREQ=YEARLY;%s",
		"FREQ=WEEKLY;INTERVAL=4;%s",
		"FREQ=DAILY;BYMONTH=1,7;%s",
		"FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;%s",
		"FREQ=WEEKLY;BYDAY=SA,SU;%s",
		"FREQ=DAILY;INTERVAL=10;%s",
		"FREQ=MONTHLY;BYMONTHDAY=-2;%s",
		"FREQ=YEARLY;INTERVAL=3;%s",
		"FREQ=HOURLY;%s",
	};
	static const char *const end[] = {
		"UNTIL=20261130T070000Z",
		"UNTIL=20270101T000000Z",
		"UNTIL=20260601",
		"UNTIL=20260615T093000",
		"COUNT=1",
		"COUNT=40",
		"COUNT=10000000",
		"UNTIL=20261331T000000Z",
		"UNTIL=20260230",
		"UNTIL=2026-06-01",
		"COUNT=0",
		"COUNT=x",
		"UNTIL=20261130T070000Z;COUNT=3",
		"COUNT=3;UNTIL=20261130T070000Z",
		"UNTIL=20261130T246000Z",
		"UNTIL=2026O601",
		"UNTIL=202:0601",
		"UNTIL=20260601T09:000Z",
		"UNTIL=20260601t090000Z",
		"UNTIL=20240229T235959Z",
		"UNTIL=20261130T070000Z;BYDAY=MO",
	};
	size_t ns = sizeof(shape) / sizeof(*shape), ne = sizeof(end) / sizeof(*end);
	struct rrule_memo m = { .n = 0 };

	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < ns * ne; k++) {
			size_t i = pass ? ns * ne - 1 - k : k;
			char rule[160];
			struct rrule a, b;
			int want;

			snprintf(rule, sizeof(rule), shape[i % ns], end[i / ns]);
			want = rrule_parse(rule, &b);
			same_parse(rule, rrule_parse_memo(&m, rule, &a), &a, want, &b);
		}
	/* the end alone differs: only the hit can answer */
	for (size_t k = 0; k < ne; k++) {
		char rule[160];
		struct rrule a, b;

		snprintf(rule, sizeof(rule), "FREQ=WEEKLY;BYDAY=FR;%s", end[k]);
		same_parse(rule, rrule_parse_memo(&m, rule, &a), &a, rrule_parse(rule, &b), &b);
	}
	ck_assert_int_lt(rrule_parse_memo(NULL, "", &(struct rrule){ 0 }), 0);
}
END_TEST

START_TEST(test_rrule_outside_subset_left_to_libical)
{
	static const char *const libical_only[] = {
		"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1",
		"FREQ=YEARLY;BYYEARDAY=100",
		"FREQ=YEARLY;BYWEEKNO=20",
		"FREQ=DAILY;BYHOUR=9,17",
		"FREQ=HOURLY",
		"freq=daily",
		"FREQ=DAILY;COUNT=2;COUNT=3",
		"FREQ=WEEKLY;BYDAY=1MO",
		"FREQ=DAILY;BYMONTHDAY=-1",
		"RSCALE=GREGORIAN;FREQ=YEARLY",
		"FREQ=DAILY;;COUNT=2",
		"FREQ=DAILY;UNTIL=2026-01-01",
		"FREQ=WEEKLY;BYMONTHDAY=1",
		"",
		/* an UNTIL of the right length that is no date-time */
		"FREQ=DAILY;UNTIL=2026O601",
		"FREQ=DAILY;UNTIL=202:0601",
		"FREQ=DAILY;UNTIL=20260601T0:0000Z",
		"FREQ=DAILY;UNTIL=20260601T00000?",
		"FREQ=DAILY;UNTIL=2026060\xff",
		"FREQ=DAILY;UNTIL=20260601T09:000Z",
		"FREQ=DAILY;UNTIL=20260601t090000Z",
		"FREQ=DAILY;UNTIL=20260601T090000z",
		"FREQ=DAILY;UNTIL=20260601T0900/0",
		"FREQ=DAILY;UNTIL=00000101",
		"FREQ=DAILY;UNTIL=20250229",
		"FREQ=DAILY;UNTIL=20260601T240000Z",
		"FREQ=DAILY;UNTIL=20260601T236000",
		"FREQ=DAILY;UNTIL=20260601T235960Z",
	};
	struct rrule r;

	for (size_t i = 0; i < sizeof(libical_only) / sizeof(*libical_only); i++)
		ck_assert_msg(rrule_parse(libical_only[i], &r) < 0, "%s", libical_only[i]);
	ck_assert_int_eq(
		rrule_parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU;UNTIL=20261231T235959Z",
			    &r),
		0);
	ck_assert_int_eq(r.interval, 2);
	ck_assert_int_eq(r.nbyday, 2);
	ck_assert(r.until_utc);
	/* a rule libical refuses to start is libical's to report */
	{
		struct err e = { 0, "" };
		struct tz *z = tz_open("UTC", &e);
		struct recur_iter ri;
		time_t t = at("UTC", 2026, 1, 1, 9, 0);

		ck_assert_int_eq(recur_iter_open(&ri, NULL, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
						 z, false, t, 0, RECUR_ANY, &e),
				 -1);
		ck_assert_str_eq(e.msg, "bad RRULE \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"");
		tz_free(z);
	}
}
END_TEST

Suite *rrule_suite(void)
{
	Suite *s = suite_create("rrule");
	TCase *tc = tcase_create("rrule");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_rrule_matches_libical, 0, 8);
	tcase_add_test(tc, test_rrule_known_series);
	tcase_add_test(tc, test_rrule_skipped_day);
	tcase_add_test(tc, test_rrule_plain_series);
	tcase_add_test(tc, test_rrule_stride_seek);
	tcase_add_test(tc, test_recur_iter_end_before);
	tcase_add_test(tc, test_rrule_parse_memo);
	tcase_add_test(tc, test_rrule_outside_subset_left_to_libical);
	tcase_add_test(tc, test_rrule_gap_dtstart);
	tcase_add_test(tc, test_rrule_date_until);
	suite_add_tcase(s, tc);
	return s;
}
