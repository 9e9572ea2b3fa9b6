/*
 * The common RRULEs expanded the way libical 3.0 (src/libical/icalrecur.c)
 * does, with day numbers instead of ICU's Calendar.  The names of the steps
 * follow icalrecur.c's (set_start, adjust_to_byday, expand_month_days,
 * expand_year_days, next_weekday_by_week, check_contracting_rules) so the two
 * can be read side by side.
 */
#include "rrule.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DAY 86400L
/* libical ends a series after this year (MAX_TIME_T_YEAR, 64-bit time_t). */
#define MAX_YEAR 2582
/* Before this, ICU's calendar is Julian. */
#define MIN_YEAR 1600

static const char *const wd_names[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };

/* 1 = Sunday .. 7 = Saturday, as libical and ICU count. */
static int dow1(long z)
{
	long r = (z + 4) % 7;

	return (int)(r < 0 ? r + 7 : r) + 1;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* --- parsing ------------------------------------------------------------ */

/* An unsigned decimal in [s, end) within [lo, hi]. */
static bool parse_num(const char *s, const char *end, long lo, long hi, long *v)
{
	long x = 0;

	if (s == end || end - s > 9)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		x = x * 10 + (*s - '0');
	}
	*v = x;
	return x >= lo && x <= hi;
}

/* [+-]digits in [s, end), 1 <= |v| <= hi. */
static bool parse_signed(const char *s, const char *end, long hi, long *v)
{
	long sign = 1;

	if (s < end && (*s == '+' || *s == '-'))
		sign = *s++ == '-' ? -1 : 1;
	if (!parse_num(s, end, 1, hi, v))
		return false;
	*v *= sign;
	return true;
}

static int weekday(const char *s, const char *end)
{
	if (end - s != 2)
		return 0;
	for (int i = 0; i < 7; i++)
		if (s[0] == wd_names[i][0] && s[1] == wd_names[i][1])
			return i + 1;
	return 0;
}

/* The 8 bytes at s as a number, s[0] its low byte: UNTIL's digits are
 * read eight at a time, an agenda reading one for each series. */
static inline uint64_t load8(const char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

#define BYTES(b) (0x0101010101010101ull * (b))

/* Whether the bytes of x under mask are ASCII digits (a byte below them
 * must not carry: none of 0xFA..0xFF). */
static bool digits(uint64_t x, uint64_t mask)
{
	uint64_t hi = BYTES(0xF0) & mask, three = BYTES(0x30) & mask;

	return (x & hi) == three && ((x + BYTES(0x06)) & hi) == three;
}

/* The digits of x (low byte first) as two-digit numbers in bytes 0, 2, 4
 * and 6. */
static uint64_t pairs(uint64_t x)
{
	x &= BYTES(0x0F);
	return (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFull;
}

/* UNTIL: YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ, a valid time. */
static bool parse_until(const char *s, const char *end, struct rrule *r)
{
	struct rrule_wall *u = &r->until;
	uint64_t x, p;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t n = (size_t)(end - s);

	if ((n != 8 && n != 15 && n != 16) || !digits(x = load8(s), ~0ull))
		return false;
	p = pairs(x);
	y = (int)(p & 0xFF) * 100 + (int)(p >> 16 & 0xFF);
	mo = (int)(p >> 32 & 0xFF);
	d = (int)(p >> 48);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	if (n > 8) {
		/* s[8..14]: T and HHMMSS */
		x = load8(s + 7) >> 8;
		if ((x & 0xFF) != 'T' || !digits(x, 0x00FFFFFFFFFFFF00ull) ||
		    (n == 16 && s[15] != 'Z'))
			return false;
		p = pairs(x >> 8);
		h = (int)(p & 0xFF);
		mi = (int)(p >> 16 & 0xFF);
		sec = (int)(p >> 32 & 0xFF);
		if (h > 23 || mi > 59 || sec > 59)
			return false;
	}
	*u = (struct rrule_wall){ y, mo, d, h, mi, sec, n == 8 };
	r->until_utc = n == 16;
	r->has_until = true;
	return true;
}

static bool parse_byday(const char *s, const char *end, struct rrule *r)
{
	while (s < end) {
		const char *c = memchr(s, ',', (size_t)(end - s)), *e = c ? c : end, *wd = e - 2;
		long pos = 0;
		int d;

		if (r->nbyday == RRULE_MAX_BYDAY || e - s < 2 || !(d = weekday(wd, e)))
			return false;
		if (wd > s && !parse_signed(s, wd, 53, &pos))
			return false;
		r->byday_wd[r->nbyday] = (short)d;
		r->byday_pos[r->nbyday++] = (short)pos;
		s = c ? c + 1 : end;
		if (c && s == end)
			return false;
	}
	return r->nbyday > 0;
}

static bool parse_list(const char *s, const char *end, bool bymonth, struct rrule *r)
{
	int n = 0;

	while (s < end) {
		const char *c = memchr(s, ',', (size_t)(end - s)), *e = c ? c : end;
		long v;

		if (bymonth) {
			if (!parse_num(s, e, 1, 12, &v))
				return false;
			r->bymonth |= 1u << v;
		} else {
			if (n == 31 || !parse_signed(s, e, 31, &v))
				return false;
			r->bymonthday[n++] = (short)v;
		}
		s = c ? c + 1 : end;
		if (c && s == end)
			return false;
	}
	r->nbymonthday = bymonth ? r->nbymonthday : n;
	return bymonth ? r->bymonth != 0 : n > 0;
}

/* libical's sort_bydayrules(): by weekday from WKST. */
static void sort_byday(struct rrule *r)
{
	for (int i = 0; i < r->nbyday; i++)
		for (int j = 0; j < i; j++) {
			int one = (r->byday_wd[j] - r->wkst + 7) % 7;
			int two = (r->byday_wd[i] - r->wkst + 7) % 7;

			if (one > two) {
				short w = r->byday_wd[j], p = r->byday_pos[j];

				r->byday_wd[j] = r->byday_wd[i];
				r->byday_pos[j] = r->byday_pos[i];
				r->byday_wd[i] = w;
				r->byday_pos[i] = p;
			}
		}
}

enum {
	P_FREQ = 1,
	P_INTERVAL = 2,
	P_COUNT = 4,
	P_UNTIL = 8,
	P_BYDAY = 16,
	P_BYMONTHDAY = 32,
	P_BYMONTH = 64,
	P_WKST = 128
};

/* The part named [name, name + n): by length, then compared with each
 * name of that length (memcmp of a constant length is a few integer
 * compares; an agenda parses a rule a series, and its words parse it
 * again). */
static int part(const char *name, size_t n)
{
#define IS(lit) (!memcmp(name, lit, sizeof(lit) - 1))
	switch (n) {
	case 4: return IS("FREQ") ? P_FREQ : IS("WKST") ? P_WKST : 0;
	case 5: return IS("UNTIL") ? P_UNTIL : IS("COUNT") ? P_COUNT : IS("BYDAY") ? P_BYDAY : 0;
	case 7: return IS("BYMONTH") ? P_BYMONTH : 0;
	case 8: return IS("INTERVAL") ? P_INTERVAL : 0;
	case 10: return IS("BYMONTHDAY") ? P_BYMONTHDAY : 0;
	default: return 0;
	}
}

/* FREQ's value [v, end), or -1. */
static int freq(const char *name, const char *end)
{
	switch (end - name) {
	case 5: return IS("DAILY") ? RRULE_DAILY : -1;
	case 6: return IS("WEEKLY") ? RRULE_WEEKLY : IS("YEARLY") ? RRULE_YEARLY : -1;
	case 7: return IS("MONTHLY") ? RRULE_MONTHLY : -1;
	default: return -1;
	}
#undef IS
}

static bool parse_part(int p, const char *v, const char *end, struct rrule *r)
{
	long x;
	int f;

	switch (p) {
	case P_FREQ:
		if ((f = freq(v, end)) < 0)
			return false;
		r->freq = (enum rrule_freq)f;
		return true;
	case P_INTERVAL:
		if (!parse_num(v, end, 1, 1000, &x))
			return false;
		r->interval = (int)x;
		return true;
	case P_COUNT:
		if (!parse_num(v, end, 1, 10000000, &x))
			return false;
		r->count = (int)x;
		return true;
	case P_UNTIL: return parse_until(v, end, r);
	case P_BYDAY: return parse_byday(v, end, r);
	case P_BYMONTHDAY: return parse_list(v, end, false, r);
	case P_BYMONTH: return parse_list(v, end, true, r);
	default: return (r->wkst = weekday(v, end)) != 0;
	}
}

/* Whether the rule's parts are ones libical expands as this file does. */
static bool in_subset(const struct rrule *r)
{
	unsigned seen = 0;

	if (r->freq == RRULE_DAILY || r->freq == RRULE_WEEKLY)
		for (int i = 0; i < r->nbyday; i++) {
			/* an ordinal never matches a DAILY day and WEEKLY ignores it */
			if (r->byday_pos[i] || seen & (1u << r->byday_wd[i]))
				return false;
			seen |= 1u << r->byday_wd[i];
		}
	if (r->freq == RRULE_WEEKLY && r->nbymonthday) /* libical refuses it */
		return false;
	if (r->freq == RRULE_DAILY)
		for (int i = 0; i < r->nbymonthday; i++)
			if (r->bymonthday[i] < 0) /* never matches in libical */
				return false;
	return true;
}

int rrule_parse(const char *rule, struct rrule *r)
{
	const char *s = rule;
	unsigned seen = 0;

	memset(r, 0, sizeof(*r));
	r->interval = 1;
	r->wkst = 2;
	if (!rule || !*rule)
		return -1;
	while (*s) {
		const char *semi = strchr(s, ';'), *end = semi ? semi : s + strlen(s);
		const char *eq = memchr(s, '=', (size_t)(end - s));
		int p = eq ? part(s, (size_t)(eq - s)) : 0;

		if (!p || (seen & (unsigned)p) || !parse_part(p, eq + 1, end, r))
			return -1;
		seen |= (unsigned)p;
		s = semi ? semi + 1 : end;
	}
	if (!(seen & P_FREQ) || ((seen & P_COUNT) && (seen & P_UNTIL)))
		return -1;
	sort_byday(r);
	return in_subset(r) ? 0 : -1;
}

time_t rrule_wall_utc(const struct rrule_wall *w)
{
	return (time_t)tz_days_from_civil(w->year, w->month, w->day) * DAY + w->hour * 3600L +
	       w->minute * 60L + w->second;
}

struct rrule_wall rrule_utc_wall(time_t t, bool is_date)
{
	struct rrule_wall w = { 0, 0, 0, 0, 0, 0, is_date };
	long d = (long)(t >= 0 ? t / DAY : (t - DAY + 1) / DAY), s = (long)(t - (time_t)d * DAY);

	tz_civil_from_days(d, &w.year, &w.month, &w.day);
	if (!is_date) {
		w.hour = (int)(s / 3600);
		w.minute = (int)(s / 60 % 60);
		w.second = (int)(s % 60);
	}
	return w;
}

/* Whether s starts with the 6 characters of name (strncmp() without its
 * call: it stops at the rule's NUL, which no name holds). */
static bool is_name6(const char *s, const char *name)
{
	return s[0] == name[0] && s[1] == name[1] && s[2] == name[2] && s[3] == name[3] &&
	       s[4] == name[4] && s[5] == name[5];
}

void rrule_end_value(const char *rule, const char **val, const char **vend)
{
	for (const char *s = rule; s; s = strchr(s, ';'), s = s ? s + 1 : NULL) {
		if ((*s == 'U' && is_name6(s, "UNTIL=")) || (*s == 'C' && is_name6(s, "COUNT="))) {
			*val = s + 6;
			*vend = strchrnul(*val, ';');
			return;
		}
	}
	*val = *vend = NULL;
}

int rrule_parse_end(const char *val, const char *vend, struct rrule *r)
{
	return parse_part(val[-6] == 'U' ? P_UNTIL : P_COUNT, val, vend, r) ? 0 : -1;
}

/* The memo's entry for rule (n its length): one whose rule is rule's but for
 * the value of the end part, which then is [rule + cut, rule + n - rest)
 * (a value holding a ';' is no value rrule_parse_end() reads: the
 * parse then is rrule_parse()'s).  No rrule_end_value(): the entry knows
 * where the value starts. */
static int memo_find(const struct rrule_memo *m, const char *rule, size_t n)
{
	for (unsigned i = 0; i < m->n; i++) {
		size_t cut = m->v[i].cut, rest = m->v[i].keylen - cut;

		if (n < cut + rest || (!m->v[i].end && n != cut) ||
		    memcmp(m->v[i].key, rule, cut) ||
		    (rest && memcmp(m->v[i].key + cut, rule + n - rest, rest)))
			continue;
		return (int)i;
	}
	return -1;
}

/* *r = *from but for the lists' entries past their counts: a plain rule
 * has none, and the whole struct is 252 bytes to copy for each series. */
static void memo_copy(struct rrule *r, const struct rrule *from)
{
	memcpy(r, from, offsetof(struct rrule, byday_wd));
	if (from->nbyday) {
		memcpy(r->byday_wd, from->byday_wd, sizeof(r->byday_wd));
		memcpy(r->byday_pos, from->byday_pos, sizeof(r->byday_pos));
	}
	if (from->nbymonthday)
		memcpy(r->bymonthday, from->bymonthday, sizeof(r->bymonthday));
}

int rrule_parse_memo(struct rrule_memo *m, const char *rule, struct rrule *r)
{
	const char *val, *vend;
	size_t n, cut, rest;
	int hit;
	unsigned i;

	if (!m || !rule || !*rule)
		return rrule_parse(rule, r);
	n = strlen(rule);
	hit = memo_find(m, rule, n);
	if (hit >= 0) {
		/* that entry's rule with another value of the same part: as
		 * rrule_parse() reads it when it reads the value */
		memo_copy(r, &m->v[hit].r);
		if (!m->v[hit].end)
			return 0;
		r->count = 0;
		r->has_until = r->until_utc = false;
		memset(&r->until, 0, sizeof(r->until));
		cut = m->v[hit].cut;
		rest = m->v[hit].keylen - cut;
		if (m->v[hit].end == 'U' ? parse_until(rule + cut, rule + n - rest, r)
					 : parse_part(P_COUNT, rule + cut, rule + n - rest, r))
			return 0;
		return rrule_parse(rule, r);
	}
	if (rrule_parse(rule, r) < 0)
		return -1;
	rrule_end_value(rule, &val, &vend);
	cut = val ? (size_t)(val - rule) : n;
	rest = val ? n - (size_t)(vend - rule) : 0;
	if (cut + rest <= sizeof(m->v[0].key)) {
		i = m->n < RRULE_MEMO_N ? m->n++ : m->next++ % RRULE_MEMO_N;
		memcpy(m->v[i].key, rule, cut);
		memcpy(m->v[i].key + cut, rule + n - rest, rest);
		m->v[i].keylen = (unsigned short)(cut + rest);
		m->v[i].cut = (unsigned short)cut;
		m->v[i].end = val ? val[-6] : 0;
		m->v[i].r = *r;
	}
	return 0;
}

/* --- expansion ---------------------------------------------------------- */

/* A set of days 0..366 of a period. */
struct dayset {
	uint64_t w[6];
};

static void set_bit(struct dayset *s, int i, bool v)
{
	if (v)
		s->w[i / 64] |= (uint64_t)1 << (i % 64);
	else
		s->w[i / 64] &= ~((uint64_t)1 << (i % 64));
}

static bool get_bit(const struct dayset *s, int i)
{
	return (s->w[i / 64] >> (i % 64)) & 1;
}

static long long key_of(const struct rrule_iter *it, long day)
{
	return (long long)day * DAY + it->tod;
}

/* The key of w, whose day number is d. */
static long long day_key(const struct rrule_iter *it, long d, const struct rrule_wall *w)
{
	return it->dtstart.is_date
		       ? (long long)d * DAY
		       : (long long)d * DAY + w->hour * 3600L + w->minute * 60L + w->second;
}

static long long wall_key(const struct rrule_iter *it, const struct rrule_wall *w)
{
	return day_key(it, tz_days_from_civil(w->year, w->month, w->day), w);
}

/* The BYMONTHDAYs (or DTSTART's day) of month m, as days doy0 + d of the
 * period (expand_bymonth_days()). */
static void add_month_days(const struct rrule_iter *it, struct dayset *s, int y, int m, int doy0)
{
	int dim = days_in_month(y, m);

	if (!it->r.nbymonthday) {
		if (it->dtstart.day <= dim)
			set_bit(s, doy0 + it->dtstart.day, true);
		return;
	}
	for (int i = 0; i < it->r.nbymonthday; i++) {
		int md = it->r.bymonthday[i];

		if (md > dim || -md > dim)
			continue;
		set_bit(s, doy0 + (md > 0 ? md : md + 1 + dim), true);
	}
}

/* Apply the BYDAYs to days doy0+1 .. doy0+len of s, a period starting on day
 * number first: keep those days that also are BYDAY days when limiting,
 * else make the BYDAY days the set (expand_by_day()). */
static void apply_byday(const struct rrule_iter *it, struct dayset *s, long first, int doy0,
			int len, bool limiting)
{
	int first_dow = dow1(first), last_dow = dow1(first + len - 1);
	struct dayset bd = { { 0 } };

	for (int i = 0; i < it->r.nbyday; i++) {
		int wd = it->r.byday_wd[i], pos = it->r.byday_pos[i];
		int fm = ((wd + 7 - first_dow) % 7) + 1, lm = len - ((last_dow + 7 - wd) % 7), d;

		if (pos == 0) {
			for (d = fm; d <= len; d += 7)
				set_bit(&bd, doy0 + d, true);
			continue;
		}
		d = pos > 0 ? fm + (pos - 1) * 7 : lm + (pos + 1) * 7;
		if (d <= lm && d >= fm)
			set_bit(&bd, doy0 + d, true);
	}
	for (int d = doy0 + 1; d <= doy0 + len; d++)
		set_bit(s, d, limiting ? get_bit(s, d) && get_bit(&bd, d) : get_bit(&bd, d));
}

/* Turn the set of days 1..len of a period starting on day number first
 * into it->days. */
static void take_days(struct rrule_iter *it, const struct dayset *s, long first, int len)
{
	it->ndays = 0;
	for (int d = 1; d <= len; d++)
		if (get_bit(s, d))
			it->days[it->ndays++] = first + d - 1;
	it->di = 0;
}

static void expand_month(struct rrule_iter *it, long period)
{
	int y = (int)(period / 12), m = (int)(period % 12) + 1, dim = days_in_month(y, m);
	long first = tz_days_from_civil(y, m, 1);
	struct dayset s = { { 0 } };

	add_month_days(it, &s, y, m, 0);
	if (it->r.nbyday)
		apply_byday(it, &s, first, 0, dim, it->r.nbymonthday > 0);
	take_days(it, &s, first, dim);
}

static void expand_year(struct rrule_iter *it, int y)
{
	long first = tz_days_from_civil(y, 1, 1);
	int len = is_leap(y) ? 366 : 365;
	unsigned months = it->r.bymonth ? it->r.bymonth : 1u << it->dtstart.month;
	struct dayset s = { { 0 } };

	for (int m = 1; m <= 12; m++)
		if (months & (1u << m))
			add_month_days(it, &s, y, m, (int)(tz_days_from_civil(y, m, 1) - first));
	if (it->r.nbyday && it->r.bymonth) {
		for (int m = 1; m <= 12; m++)
			if (months & (1u << m)) {
				long mf = tz_days_from_civil(y, m, 1);

				apply_byday(it, &s, mf, (int)(mf - first), days_in_month(y, m),
					    it->r.nbymonthday > 0);
			}
	} else if (it->r.nbyday) {
		apply_byday(it, &s, first, 0, len, it->r.nbymonthday > 0);
	}
	take_days(it, &s, first, len);
}

static int period_year(const struct rrule_iter *it)
{
	return it->r.freq == RRULE_YEARLY ? (int)it->period : (int)(it->period / 12);
}

/* The next period to expand: INTERVAL on, and for MONTHLY a BYMONTH month
 * (increment_month()).  false past libical's last year. */
static bool next_period(struct rrule_iter *it)
{
	it->period += it->r.interval;
	if (it->r.freq == RRULE_MONTHLY)
		while (it->r.bymonth && !(it->r.bymonth & (1u << (it->period % 12 + 1))) &&
		       it->period / 12 <= MAX_YEAR)
			it->period += it->r.interval;
	return period_year(it) <= MAX_YEAR;
}

static void expand(struct rrule_iter *it)
{
	if (it->r.freq == RRULE_YEARLY)
		expand_year(it, (int)it->period);
	else
		expand_month(it, it->period);
}

/* Move day number d back or forth to the first BYDAY weekday, the way
 * libical's adjust_to_byday() does (not always within the week). */
static long adjust_to_byday(const struct rrule_iter *it, long d)
{
	int this_dow = dow1(d), b0 = it->r.byday_wd[0], dow = b0 - this_dow;

	if (dow != 0 && this_dow < it->r.wkst)
		dow -= 7;
	if ((this_dow < b0 && dow >= 0) || dow < 0)
		d += dow;
	return d;
}

/* check_contracting_rules(): BYDAY, BYMONTHDAY, BYMONTH filter DAILY;
 * BYMONTH filters WEEKLY and MONTHLY. */
static bool passes(const struct rrule_iter *it)
{
	int y, m, d;

	if (it->r.freq == RRULE_YEARLY || (it->r.freq != RRULE_DAILY && !it->r.bymonth))
		return true;
	tz_civil_from_days(it->cur, &y, &m, &d);
	if (it->r.bymonth && !(it->r.bymonth & (1u << m)))
		return false;
	if (it->r.freq != RRULE_DAILY)
		return true;
	if (it->r.nbyday) {
		int wd = dow1(it->cur), i;

		for (i = 0; i < it->r.nbyday && it->r.byday_wd[i] != wd; i++)
			;
		if (i == it->r.nbyday)
			return false;
	}
	if (it->r.nbymonthday) {
		int i;

		for (i = 0; i < it->r.nbymonthday && it->r.bymonthday[i] != d; i++)
			;
		if (i == it->r.nbymonthday)
			return false;
	}
	return true;
}

/* The day number of key k (the floor of k / DAY). */
static long day_of(long long k)
{
	return (long)(k >= 0 ? k / DAY : (k - DAY + 1) / DAY);
}

/* __iterator_set_start(): the first candidate at or after the wall-clock
 * time key (a date's UTC midnight for a date iterator; the period or week
 * aligned to INTERVAL from DTSTART).  Only MONTHLY and YEARLY need its
 * date's fields. */
static bool set_start(struct rrule_iter *it, long long key, bool is_new)
{
	long sd = day_of(key);
	int diff, y = 0, m = 0, d;

	it->istart = it->dtstart.is_date ? (long long)sd * DAY : key;
	it->n = 0;
	it->cur = sd;
	if (it->r.freq == RRULE_YEARLY || it->r.freq == RRULE_MONTHLY)
		tz_civil_from_days(sd, &y, &m, &d);
	switch (it->r.freq) {
	case RRULE_YEARLY:
		it->period = y;
		if (it->r.interval > 1 &&
		    (diff = (int)(it->period - it->dtstart.year) % it->r.interval))
			it->period += it->r.interval - diff;
		for (;; it->period += it->r.interval) {
			if (it->period > MAX_YEAR)
				return false;
			expand(it);
			if (it->ndays)
				break;
		}
		it->cur = it->days[0];
		break;
	case RRULE_MONTHLY:
		it->period = y * 12L + m - 1;
		diff = (int)((it->period - (it->dtstart.year * 12L + it->dtstart.month - 1)) %
			     it->r.interval);
		if (it->r.interval > 1 && diff)
			it->period += it->r.interval - diff;
		for (;;) {
			if (it->period / 12 > MAX_YEAR)
				return false;
			expand(it);
			if (it->ndays)
				break;
			if (!next_period(it))
				return false;
		}
		it->cur = it->days[0];
		break;
	case RRULE_WEEKLY: {
		long skip;

		if (is_new && !it->r.nbyday)
			break;
		it->cur = adjust_to_byday(it, it->cur);
		if (it->istart == it->dkey)
			it->rstart = it->cur;
		diff = (int)((it->cur - it->rstart + 6) / 7);
		if (diff % it->r.interval)
			it->cur += 7L * (it->r.interval - diff);
		/* libical may land weeks before start; its occurrences there are
		 * skipped anyway: go to the first aligned week reaching start */
		skip = sd - 6 - it->cur;
		if (skip > 0)
			it->cur += (skip + 7L * it->r.interval - 1) / (7L * it->r.interval) * 7L *
				   it->r.interval;
		it->wdi = 0;
		break;
	}
	case RRULE_DAILY:
		diff = (int)((sd - it->rstart) % it->r.interval);
		if (diff)
			it->cur += it->r.interval - diff;
		break;
	}
	it->last = key_of(it, it->cur);
	return it->cur < tz_days_from_civil(MAX_YEAR + 1, 1, 1);
}

/* The key of r's UNTIL for a DTSTART that is a date or not (icaltime_compare():
 * a date on the day of a date-time UNTIL is before it; a DATE UNTIL on a
 * timed series, which RFC 5545 does not allow and files have, takes in its
 * whole day as calendars read it, recur_until_wall()); a UTC date-time taken
 * to wall time in z first when z is not NULL (recur_until_wall()'s
 * counterpart, without fields). */
static long long until_key(const struct rrule *r, bool dt_is_date, struct tz *z)
{
	const struct rrule_wall *u = &r->until;
	long long ud;

	if (!r->has_until)
		return LLONG_MAX;
	ud = (long long)tz_days_from_civil(u->year, u->month, u->day) * DAY;
	if (dt_is_date)
		return u->is_date ? ud : ud + DAY - 1;
	if (u->is_date)
		return ud + DAY - 1;
	ud += u->hour * 3600L + u->minute * 60L + u->second;
	return z && r->until_utc ? (long long)tz_wall_seconds(z, (time_t)ud) : ud;
}

/* rrule_iter_start() of the rule already in it->r.  seeking: a seek
 * follows at once, so what it sets anew need not be set here when that is
 * all the start does (DAILY, and WEEKLY without BYDAY, start on DTSTART). */
static bool begin(struct rrule_iter *it, long long dtstart, bool is_date, struct tz *z,
		  bool seeking)
{
	const struct rrule *r = &it->r;
	long d0 = day_of(dtstart);
	long end = tz_days_from_civil(MAX_YEAR + 1, 1, 1);
	int tod = is_date ? 0 : (int)(dtstart - (long long)d0 * DAY);
	bool plain = (r->freq == RRULE_DAILY && !r->nbyday && !r->nbymonthday) ||
		     (r->freq == RRULE_WEEKLY && !r->nbyday);

	if (d0 < tz_days_from_civil(MIN_YEAR, 1, 1) || d0 >= end)
		return false;
	it->dtstart = (struct rrule_wall){ .is_date = is_date };
	if (r->freq == RRULE_MONTHLY || r->freq == RRULE_YEARLY)
		tz_civil_from_days(d0, &it->dtstart.year, &it->dtstart.month, &it->dtstart.day);
	it->n = it->wdi = it->ndays = it->di = 0;
	it->period = 0;
	it->d0 = d0;
	it->tod = tod;
	it->dkey = key_of(it, it->d0);
	it->rstart = it->d0;
	if (r->freq == RRULE_WEEKLY && !r->nbyday) /* libical's default BYDAY */
		it->r.byday_wd[0] = (short)dow1(it->d0);
	it->until_key = until_key(r, is_date, z);
	/* every candidate an occurrence, INTERVAL days or weeks apart */
	it->stride =
		plain && !r->bymonth ? (r->freq == RRULE_WEEKLY ? 7 : 1) * DAY * r->interval : 0;
	it->end_key = (long long)end * DAY;
	if (seeking && plain) {
		it->istart = it->last = it->dkey;
		it->cur = d0;
		return true;
	}
	return set_start(it, it->dkey, true);
}

bool rrule_iter_start(struct rrule_iter *it, const struct rrule *r, long long dtstart, bool is_date,
		      struct tz *z)
{
	/* field by field, not memset: an agenda opens a series for each line */
	it->r = *r;
	return begin(it, dtstart, is_date, z, false);
}

/* rrule_iter_seek_key() of a rule without COUNT whose candidates all are
 * occurrences a stride apart, right after begin(): the first of them at or
 * after k by one division.  set_start()'s alignment lands on that one or on
 * one before k, which the first step passes (check_rrule.c's
 * test_rrule_stride_seek compares the two); an agenda seeks each series. */
static bool seek_stride(struct rrule_iter *it, long long k)
{
	long long first;

	if (it->dtstart.is_date)
		k = (long long)day_of(k) * DAY;
	if (k <= it->dkey) /* set_start(dkey) is where begin() left it */
		return true;
	if (k > it->until_key) {
		it->last = k;
		return true;
	}
	if (k >= it->end_key - it->stride)
		return set_start(it, k, false);
	first = it->dkey + (k - it->dkey + it->stride - 1) / it->stride * it->stride;
	it->istart = k;
	it->n = 0;
	it->last = first;
	it->cur = day_of(first);
	return true;
}

bool rrule_iter_open(struct rrule_iter *it, struct rrule_memo *m, const char *rule,
		     long long dtstart, bool is_date, struct tz *z, long long seek)
{
	bool seeking;

	if (rrule_parse_memo(m, rule, &it->r) < 0)
		return false;
	seeking = it->r.count == 0 && seek != LLONG_MIN;
	if (!begin(it, dtstart, is_date, z, seeking))
		return false;
	if (seeking && !(it->stride ? seek_stride(it, seek) : rrule_iter_seek_key(it, seek)))
		begin(it, dtstart, is_date, z, false);
	return true;
}

bool rrule_iter_init(struct rrule_iter *it, const struct rrule *r, const struct rrule_wall *dtstart)
{
	if (dtstart->year < MIN_YEAR || dtstart->year > MAX_YEAR || dtstart->month < 1 ||
	    dtstart->month > 12 || dtstart->day < 1 ||
	    dtstart->day > days_in_month(dtstart->year, dtstart->month) || dtstart->hour < 0 ||
	    dtstart->hour > 23 || dtstart->minute < 0 || dtstart->minute > 59 ||
	    dtstart->second < 0 || dtstart->second > 59)
		return false;
	return rrule_iter_start(it, r, rrule_wall_utc(dtstart), dtstart->is_date, NULL);
}

bool rrule_iter_seek_key(struct rrule_iter *it, long long k)
{
	if (it->dtstart.is_date)
		k = (long long)day_of(k) * DAY;
	if (it->r.count > 0)
		return false;
	if (k < it->dkey)
		return set_start(it, it->dkey, false);
	if (k > it->until_key) {
		it->last = k;
		return true;
	}
	return set_start(it, k, false);
}

bool rrule_iter_seek(struct rrule_iter *it, const struct rrule_wall *start)
{
	return rrule_iter_seek_key(it, wall_key(it, start));
}

/* One step to the next candidate (next_day, next_week, next_month,
 * next_year); false past libical's last year. */
static bool step(struct rrule_iter *it)
{
	switch (it->r.freq) {
	case RRULE_DAILY: it->cur += it->r.interval; break;
	case RRULE_WEEKLY:
		if (!it->r.nbyday) {
			it->cur += 7L * it->r.interval;
		} else {
			bool wrap = ++it->wdi == it->r.nbyday;
			long sow = it->cur - (dow1(it->cur) - it->r.wkst + 7) % 7;

			if (wrap)
				it->wdi = 0;
			it->cur = sow + (it->r.byday_wd[it->wdi] - it->r.wkst + 7) % 7;
			if (wrap)
				it->cur += 7L * it->r.interval;
		}
		break;
	default:
		while (++it->di >= it->ndays) {
			if (!next_period(it))
				return false;
			expand(it);
			it->di = -1;
		}
		it->cur = it->days[it->di];
		break;
	}
	return it->cur < tz_days_from_civil(MAX_YEAR + 1, 1, 1);
}

static void to_wall(const struct rrule_iter *it, struct rrule_wall *w)
{
	/* of last, not cur: rrule_iter_next_key() moves last alone */
	tz_civil_from_days(day_of(it->last), &w->year, &w->month, &w->day);
	w->hour = it->tod / 3600;
	w->minute = it->tod / 60 % 60;
	w->second = it->tod % 60;
	w->is_date = it->dtstart.is_date;
}

bool rrule_iter_next_slow(struct rrule_iter *it, long long *key)
{
	if ((it->r.count && it->n >= it->r.count) || it->last > it->until_key)
		return false;
	if (it->n == 0 && it->last >= it->istart && passes(it)) {
		it->n++;
		*key = it->last;
		return true;
	}
	do {
		if (!step(it))
			return false;
		it->last = key_of(it, it->cur);
		if (it->last > it->until_key)
			return false;
	} while (it->last < it->istart || !passes(it));
	it->n++;
	*key = it->last;
	return true;
}

bool rrule_iter_next(struct rrule_iter *it, struct rrule_wall *w)
{
	long long key;

	if (!rrule_iter_next_key(it, &key))
		return false;
	to_wall(it, w);
	return true;
}
