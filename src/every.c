/* A repeat rule (RRULE or cron) in English or Russian words. */
#include "every.h"
#include "cron.h"
#include "err.h"
#include "rrule.h"
#include "tz.h"

#include <libical/ical.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXB	 ICAL_RECURRENCE_ARRAY_MAX
#define WEEKDAYS 0x3e /* Monday to Friday, bit n: wday n (Sunday 0) */
#define WEEKEND	 0x41

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
}

/* put(o, "%s", str) without vsnprintf (an agenda says a rule per series),
 * of the n bytes of str. */
static void add_n(struct out *o, const char *str, size_t n)
{
	if (o->used >= o->len)
		return;
	if (n > o->len - o->used - 1)
		n = o->len - o->used - 1;
	memcpy(o->buf + o->used, str, n);
	o->used += n;
	o->buf[o->used] = '\0';
}

static void add(struct out *o, const char *str)
{
	add_n(o, str, strlen(str));
}

/* put(o, "%.4s-%.2s-%.2s", ymd, ymd + 4, ymd + 6) the same way: a date of
 * 8 digits. */
static void add_ymd(struct out *o, const char *ymd)
{
	const char s[10] = { ymd[0], ymd[1], ymd[2], ymd[3], '-',
			     ymd[4], ymd[5], '-',    ymd[6], ymd[7] };

	add_n(o, s, sizeof(s));
}

/* The 8 digits of the date y-m-d at ymd; false when it has more. */
static bool ymd_digits(int y, int m, int d, char *ymd)
{
	if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99)
		return false;
	ymd[0] = (char)('0' + y / 1000);
	ymd[1] = (char)('0' + y / 100 % 10);
	ymd[2] = (char)('0' + y / 10 % 10);
	ymd[3] = (char)('0' + y % 10);
	ymd[4] = (char)('0' + m / 10);
	ymd[5] = (char)('0' + m % 10);
	ymd[6] = (char)('0' + d / 10);
	ymd[7] = (char)('0' + d % 10);
	return true;
}

/* put(o, "%04d-%02d-%02d", y, m, d) the same way. */
static void add_date(struct out *o, int y, int m, int d)
{
	char ymd[8];

	if (ymd_digits(y, m, d, ymd))
		add_ymd(o, ymd);
	else
		put(o, "%04d-%02d-%02d", y, m, d);
}

static const char *const en_day[] = { "Sunday",	  "Monday", "Tuesday", "Wednesday",
				      "Thursday", "Friday", "Saturday" };
/* "каждую пятницу", "по пятницам", "в пятницу" */
static const char *const ru_each[] = { "каждое воскресенье", "каждый понедельник", "каждый вторник",
				       "каждую среду",	     "каждый четверг",	   "каждую пятницу",
				       "каждую субботу" };
static const char *const ru_dat[] = { "воскресеньям", "понедельникам", "вторникам", "средам",
				      "четвергам",    "пятницам",      "субботам" };
static const char *const ru_acc[] = { "воскресенье", "понедельник", "вторник", "среду",
				      "четверг",     "пятницу",	    "субботу" };
static const char ru_gender[] = "nmmfmff"; /* of each day, for its ordinal */
static const char *const en_month[] = { "January",   "February", "March",    "April",
					"May",	     "June",	 "July",     "August",
					"September", "October",	 "November", "December" };
static const char *const ru_month[] = { "января",   "февраля", "марта",	 "апреля",
					"мая",	    "июня",    "июля",	 "августа",
					"сентября", "октября", "ноября", "декабря" };

static bool ru(const char *lang)
{
	return lang && !strcmp(lang, "ru");
}

/* The Russian form of a noun after n: one (1, 21), few (2-4, 22-24), many. */
static const char *ru_plural(long n, const char *one, const char *few, const char *many)
{
	long t = n % 100, u = n % 10;

	if (t >= 11 && t <= 14)
		return many;
	return u == 1 ? one : u >= 2 && u <= 4 ? few : many;
}

static const char *en_suffix(long n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* "every day", "every 3 days", "каждый день", "каждые 3 дня". */
static void unit(struct out *o, bool r, long n, const char *en, const char *ru_one_acc,
		 const char *ru_each_word, const char *ru_few, const char *ru_many)
{
	if (n <= 1) {
		add(o, r ? ru_each_word : "every");
		add(o, " ");
		add(o, r ? ru_one_acc : en);
	} else if (r) {
		put(o, "каждые %ld %s", n, ru_plural(n, ru_one_acc, ru_few, ru_many));
	} else {
		put(o, "every %ld %ss", n, en);
	}
}

/* A set of weekdays (bit n: wday n): "every weekday", "every Monday and
 * Friday", "по будням", "каждую пятницу", "по понедельникам и пятницам".
 * with_every: English starts with "every" (else "on Monday and Friday",
 * Russian "по ..." or "в пятницу" for one day). */
static void days(struct out *o, bool r, unsigned mask, bool with_every)
{
	int n = 0, k = 0;

	if (mask == WEEKDAYS) {
		add(o, r ? "по будням" : with_every ? "every weekday" : "on weekdays");
		return;
	}
	if (mask == WEEKEND) {
		add(o, r ? "по выходным" : with_every ? "every weekend" : "on weekends");
		return;
	}
	for (int d = 0; d < 7; d++)
		n += (mask >> d) & 1;
	/* Monday first, Sunday last */
	for (int i = 1; i <= 7; i++) {
		int d = i % 7;

		if (!((mask >> d) & 1))
			continue;
		if (k == 0) {
			if (r && n == 1)
				put(o, "%s%s",
				    with_every ? ""
				    : d == 2   ? "во "
					       : "в ",
				    with_every ? ru_each[d] : ru_acc[d]);
			else if (r)
				put(o, "по %s", ru_dat[d]);
			else
				put(o, "%s %s", with_every ? "every" : "on", en_day[d]);
		} else {
			put(o, "%s%s", k == n - 1 ? (r ? " и " : " and ") : ", ",
			    r ? ru_dat[d] : en_day[d]);
		}
		k++;
	}
}

static const char *ru_ordinal(int pos, char gender)
{
	static const char *const m[] = { "первый", "второй", "третий", "четвёртый", "пятый" };
	static const char *const f[] = { "первую", "вторую", "третью", "четвёртую", "пятую" };
	static const char *const n[] = { "первое", "второе", "третье", "четвёртое", "пятое" };

	if (pos == -1)
		return gender == 'f' ? "последнюю" : gender == 'n' ? "последнее" : "последний";
	if (pos < 1 || pos > 5)
		return "?"; /* sayable() lets no other through */
	return gender == 'f' ? f[pos - 1] : gender == 'n' ? n[pos - 1] : m[pos - 1];
}

static const char *en_ordinal(int pos)
{
	static const char *const w[] = { "first", "second", "third", "fourth", "fifth" };

	if (pos < 1 || pos > 5)
		return pos == -1 ? "last" : "?"; /* sayable() lets no other through */
	return w[pos - 1];
}

/* libical's BYDAY encoding, read here so that a rule nestor parses itself
 * never loads libical: weekday (1 = Sunday) + 8 * position, signed. */
static int day_pos(short d)
{
	return d < 0 ? -(-d / 8) : d / 8;
}

static int day_wd(short d)
{
	return (d < 0 ? -d : d) % 8;
}

static size_t count(const short *a, size_t size)
{
	size_t n = 0;

	while (n < size && a[n] != MAXB)
		n++;
	return n;
}

/* Whether rt repeats hourly through a window of hours: its BYHOUR the
 * hours from the first to the last one INTERVAL apart, no BYMINUTE
 * ("FREQ=HOURLY;BYHOUR=9,10,11": every hour from 09:00 to 11:00). */
static bool hour_window(const struct icalrecurrencetype *rt)
{
	size_t n = count(rt->by_hour, ICAL_BY_HOUR_SIZE);
	int step = rt->interval > 1 ? rt->interval : 1;

	if (rt->freq != ICAL_HOURLY_RECURRENCE || n < 2 ||
	    count(rt->by_minute, ICAL_BY_MINUTE_SIZE))
		return false;
	for (size_t i = 1; i < n; i++)
		if (rt->by_hour[i] != rt->by_hour[i - 1] + step)
			return false;
	return true;
}

/* The parts of rule this module can say; false: say the rule text. */
static bool sayable(const struct icalrecurrencetype *rt)
{
	size_t nday = count(rt->by_day, ICAL_BY_DAY_SIZE);

	if (hour_window(rt))
		return !rt->rscale && !count(rt->by_second, ICAL_BY_SECOND_SIZE) && !nday &&
		       !count(rt->by_year_day, ICAL_BY_YEARDAY_SIZE) &&
		       !count(rt->by_week_no, ICAL_BY_WEEKNO_SIZE) &&
		       !count(rt->by_set_pos, ICAL_BY_SETPOS_SIZE) &&
		       !count(rt->by_month_day, ICAL_BY_MONTHDAY_SIZE) &&
		       !count(rt->by_month, ICAL_BY_MONTH_SIZE);
	if (rt->freq == ICAL_NO_RECURRENCE || rt->freq == ICAL_SECONDLY_RECURRENCE || rt->rscale ||
	    count(rt->by_second, ICAL_BY_SECOND_SIZE) ||
	    count(rt->by_year_day, ICAL_BY_YEARDAY_SIZE) ||
	    count(rt->by_week_no, ICAL_BY_WEEKNO_SIZE) ||
	    count(rt->by_set_pos, ICAL_BY_SETPOS_SIZE) ||
	    count(rt->by_hour, ICAL_BY_HOUR_SIZE) > 1 ||
	    count(rt->by_minute, ICAL_BY_MINUTE_SIZE) > 1 ||
	    (count(rt->by_minute, ICAL_BY_MINUTE_SIZE) && !count(rt->by_hour, ICAL_BY_HOUR_SIZE)) ||
	    count(rt->by_month_day, ICAL_BY_MONTHDAY_SIZE) > 1 ||
	    count(rt->by_month, ICAL_BY_MONTH_SIZE) > 1)
		return false;
	if (count(rt->by_month, ICAL_BY_MONTH_SIZE) &&
	    (rt->freq != ICAL_YEARLY_RECURRENCE || nday ||
	     !count(rt->by_month_day, ICAL_BY_MONTHDAY_SIZE) || rt->by_month[0] < 1 ||
	     rt->by_month[0] > 12))
		return false;
	if (count(rt->by_month_day, ICAL_BY_MONTHDAY_SIZE) &&
	    (nday || (rt->freq != ICAL_MONTHLY_RECURRENCE && rt->freq != ICAL_YEARLY_RECURRENCE)))
		return false;
	if (nday && rt->freq != ICAL_WEEKLY_RECURRENCE && rt->freq != ICAL_DAILY_RECURRENCE &&
	    rt->freq != ICAL_MONTHLY_RECURRENCE)
		return false;
	if ((nday && rt->freq == ICAL_DAILY_RECURRENCE && rt->interval > 1) ||
	    (count(rt->by_hour, ICAL_BY_HOUR_SIZE) &&
	     (rt->freq == ICAL_MINUTELY_RECURRENCE || rt->freq == ICAL_HOURLY_RECURRENCE)))
		return false;
	for (size_t i = 0; i < nday; i++) {
		int pos = day_pos(rt->by_day[i]);

		if (rt->freq == ICAL_MONTHLY_RECURRENCE
			    ? nday > 1 || pos < -1 || pos > 5 || pos == 0
			    : pos != 0)
			return false;
	}
	return true;
}

/* The words of rt but its end (COUNT, UNTIL): rrule_end() follows. */
static void rrule_head(struct out *o, bool r, const struct icalrecurrencetype *rt)
{
	long n = rt->interval > 1 ? rt->interval : 1;
	size_t nday = count(rt->by_day, ICAL_BY_DAY_SIZE);
	unsigned mask = 0;

	for (size_t i = 0; i < nday; i++)
		mask |= 1u << (day_wd(rt->by_day[i]) - 1);
	switch (rt->freq) {
	case ICAL_MINUTELY_RECURRENCE:
		unit(o, r, n, "minute", "минуту", "каждую", "минуты", "минут");
		break;
	case ICAL_HOURLY_RECURRENCE: unit(o, r, n, "hour", "час", "каждый", "часа", "часов"); break;
	case ICAL_DAILY_RECURRENCE:
		if (nday && n == 1)
			days(o, r, mask, true);
		else
			unit(o, r, n, "day", "день", "каждый", "дня", "дней");
		break;
	case ICAL_WEEKLY_RECURRENCE:
		if (nday && n == 1) {
			days(o, r, mask, true);
		} else {
			unit(o, r, n, "week", "неделю", "каждую", "недели", "недель");
			if (nday) {
				put(o, " ");
				days(o, r, mask, false);
			}
		}
		break;
	case ICAL_MONTHLY_RECURRENCE:
		unit(o, r, n, "month", "месяц", "каждый", "месяца", "месяцев");
		if (nday) {
			int pos = day_pos(rt->by_day[0]);
			int d = day_wd(rt->by_day[0]) - 1;

			if (r)
				put(o, " %s %s %s", pos == 2 ? "во" : "в",
				    ru_ordinal(pos, ru_gender[d]), ru_acc[d]);
			else
				put(o, " on the %s %s", en_ordinal(pos), en_day[d]);
		} else if (count(rt->by_month_day, ICAL_BY_MONTHDAY_SIZE)) {
			int d = rt->by_month_day[0];

			if (d == -1)
				put(o, r ? " в последний день" : " on the last day");
			else if (d > 0 && r)
				put(o, ", %d-го числа", d);
			else if (d > 0)
				put(o, " on the %d%s", d, en_suffix(d));
			else
				put(o, r ? ", %d-й день с конца" : " on day %d from the end", -d);
		}
		break;
	case ICAL_YEARLY_RECURRENCE:
		unit(o, r, n, "year", "год", "каждый", "года", "лет");
		if (count(rt->by_month, ICAL_BY_MONTH_SIZE) && rt->by_month_day[0] > 0 &&
		    rt->by_month[0] >= 1 && rt->by_month[0] <= 12) {
			int m = rt->by_month[0] - 1;

			if (r)
				put(o, " %d %s", rt->by_month_day[0], ru_month[m]);
			else
				put(o, " on %d %s", rt->by_month_day[0], en_month[m]);
		}
		break;
	default: break;
	}
	if (hour_window(rt))
		put(o, r ? " с %02d:00 до %02d:00" : " from %02d:00 to %02d:00", rt->by_hour[0],
		    rt->by_hour[count(rt->by_hour, ICAL_BY_HOUR_SIZE) - 1]);
	else if (count(rt->by_hour, ICAL_BY_HOUR_SIZE))
		put(o, r ? " в %02d:%02d" : " at %02d:%02d", rt->by_hour[0],
		    count(rt->by_minute, ICAL_BY_MINUTE_SIZE) ? rt->by_minute[0] : 0);
}

/* The date a person reads for UNTIL u: a UTC one (utc) is an instant,
 * said as its date in the local zone, where every front shows its times
 * (TZ, which general.timezone sets); a date or a floating time is a date
 * as written, and so is any UNTIL of an all-day series, whose days the
 * expander compares with it as written (rrule.h).  z: the local zone
 * (NULL: opened for this one and freed). */
static void until_local(struct tz *z, bool utc, bool all_day, struct rrule_wall *u)
{
	struct tz *own = NULL;

	if (!utc || all_day || u->is_date || u->year == 0)
		return;
	if (!z)
		z = own = tz_open(NULL, NULL);
	if (z)
		*u = rrule_utc_wall(tz_wall_seconds(z, rrule_wall_utc(u)), true);
	tz_free(own);
}

/* The end of a rule in words: its COUNT, else its UNTIL's date (year 0:
 * none), said from ymd when not NULL: the value of a valid UNTIL, whose
 * first 8 digits are that date's. */
static void rrule_end(struct out *o, bool r, int count, int y, int m, int d, const char *ymd)
{
	if (count > 0)
		put(o, ", %d %s", count,
		    r		 ? ru_plural(count, "раз", "раза", "раз")
		    : count == 1 ? "time"
				 : "times");
	else if (y != 0) {
		if (r)
			add_n(o, ", до ", sizeof(", до ") - 1);
		else
			add_n(o, ", until ", sizeof(", until ") - 1);
		if (ymd)
			add_ymd(o, ymd);
		else
			add_date(o, y, m, d);
	}
}

/* The words of rt, whose UNTIL is u (until_local() done). */
static void rrule_words(struct out *o, bool r, const struct icalrecurrencetype *rt,
			const struct rrule_wall *u)
{
	rrule_head(o, r, rt);
	rrule_end(o, r, rt->count, u->year, u->month, u->day, NULL);
}

static int bits(unsigned long long v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static int low_bit(unsigned long long v)
{
	int n = 0;

	while (v && !(v & 1)) {
		v >>= 1;
		n++;
	}
	return n;
}

/* A cron expression in words; false when it says more than this reads. */
static bool cron_words(struct out *o, bool r, const char *expr)
{
	const unsigned long long all_min = (1ULL << 60) - 1;
	const unsigned all_hours = (1u << 24) - 1, all_months = 0x1ffe;
	struct cron c;
	struct err e;
	unsigned dow;

	if (cron_parse(expr, &c, &e) < 0 || c.month != all_months)
		return false;
	dow = c.dow & 0x7f;
	if (c.hour == all_hours && c.dom_star && c.dow_star) {
		/* every N minutes, every hour */
		for (int step = 1; step <= 30; step++) {
			unsigned long long m = 0;

			for (int k = 0; k < 60; k += step)
				m |= 1ULL << k;
			if (c.minute == m && 60 % step == 0) {
				unit(o, r, step, "minute", "минуту", "каждую", "минуты", "минут");
				return true;
			}
		}
		if (bits(c.minute) != 1)
			return false;
		unit(o, r, 1, "hour", "час", "каждый", "часа", "часов");
		if (c.minute != 1)
			put(o, r ? " в :%02d" : " at :%02d", low_bit(c.minute));
		return true;
	}
	if (bits(c.minute) != 1 || bits(c.hour) != 1 || (c.minute & ~all_min))
		return false;
	if (c.dom_star && c.dow_star)
		unit(o, r, 1, "day", "день", "каждый", "дня", "дней");
	else if (c.dom_star)
		days(o, r, dow, true);
	else if (c.dow_star && bits(c.dom) == 1 && r)
		put(o, "каждый месяц, %d-го числа", low_bit(c.dom));
	else if (c.dow_star && bits(c.dom) == 1)
		put(o, "every month on the %d%s", low_bit(c.dom), en_suffix(low_bit(c.dom)));
	else
		return false;
	put(o, r ? " в %02d:%02d" : " at %02d:%02d", low_bit(c.hour), low_bit(c.minute));
	return true;
}

/* A rule of nestor's own parser in libical's shape, filled by hand (no
 * libical call): the words below read that shape.  Only what sayable()
 * and rrule_words() read is set, each BY list ended by its marker (count()
 * stops there): clearing the whole struct, 2.7 KiB, cost more than the
 * words (an agenda says a rule for every series). */
static void from_own(const struct rrule *own, struct icalrecurrencetype *rt)
{
	static const icalrecurrencetype_frequency freq[] = {
		[RRULE_DAILY] = ICAL_DAILY_RECURRENCE,
		[RRULE_WEEKLY] = ICAL_WEEKLY_RECURRENCE,
		[RRULE_MONTHLY] = ICAL_MONTHLY_RECURRENCE,
		[RRULE_YEARLY] = ICAL_YEARLY_RECURRENCE,
	};
	int i, n = 0;

	rt->freq = freq[own->freq];
	rt->interval = (short)own->interval;
	rt->count = own->count;
	memset(&rt->until, 0, sizeof(rt->until)); /* icaltime_null_time(): no libical */
	rt->rscale = NULL;
	if (own->has_until) {
		rt->until.year = own->until.year;
		rt->until.month = own->until.month;
		rt->until.day = own->until.day;
	}
	rt->by_second[0] = rt->by_minute[0] = rt->by_hour[0] = MAXB;
	rt->by_year_day[0] = rt->by_week_no[0] = rt->by_set_pos[0] = MAXB;
	for (i = 0; i < own->nbyday && i < ICAL_BY_DAY_SIZE - 1; i++)
		rt->by_day[i] =
			(short)(own->byday_pos[i] < 0 ? -(own->byday_wd[i] - 8 * own->byday_pos[i])
						      : own->byday_wd[i] + 8 * own->byday_pos[i]);
	rt->by_day[i] = MAXB;
	for (i = 0; i < own->nbymonthday && i < ICAL_BY_MONTHDAY_SIZE - 1; i++)
		rt->by_month_day[i] = own->bymonthday[i];
	rt->by_month_day[i] = MAXB;
	for (i = 1; i <= 12; i++)
		if (own->bymonth & (1u << i))
			rt->by_month[n++] = (short)i;
	rt->by_month[n] = MAXB;
}

const char *every_words(const char *lang, const char *rule, char *buf, size_t len)
{
	return every_words_series(lang, rule, false, buf, len);
}

const char *every_words_series(const char *lang, const char *rule, bool all_day, char *buf,
			       size_t len)
{
	struct out o = { buf, len, 0 };
	const char *p = rule;
	bool r = ru(lang);

	if (!rule || !*rule || !len)
		return NULL;
	buf[0] = '\0';
	if (!strncmp(p, "RRULE:", 6))
		p += 6;
	{
		struct icalrecurrencetype rt;

		struct rrule own;

		/* the common rules are read without libical (rrule.h); a rule
		 * it reads has no space, so it is no cron expression */
		if (rrule_parse(p, &own) == 0) {
			from_own(&own, &rt);
			if (sayable(&rt)) {
				until_local(NULL, own.until_utc, all_day, &own.until);
				rrule_words(&o, r, &rt, &own.until);
			} else {
				snprintf(buf, len, "%s", rule);
			}
			return buf;
		}
		if (cron_is_expr(rule)) {
			if (!cron_words(&o, r, rule))
				snprintf(buf, len, "%s", rule);
			return buf;
		}
		icalerror_clear_errno();
		rt = icalrecurrencetype_from_string(p);
		if (icalerrno == ICAL_NO_ERROR && sayable(&rt)) {
			struct rrule_wall u = { rt.until.year,	 rt.until.month,  rt.until.day,
						rt.until.hour,	 rt.until.minute, rt.until.second,
						rt.until.is_date };

			until_local(NULL, icaltime_is_utc(rt.until), all_day, &u);
			rrule_words(&o, r, &rt, &u);
		} else {
			snprintf(buf, len, "%s", rule);
		}
		free(rt.rscale);
		icalerror_clear_errno();
	}
	return buf;
}

/* every_words_series() and the length of its words (*n). */
static const char *words_n(const char *lang, const char *rule, bool all_day, char *buf, size_t len,
			   size_t *n)
{
	const char *w = every_words_series(lang, rule, all_day, buf, len);

	*n = w ? strlen(w) : 0;
	return w;
}

/* Whether the 8 bytes at s are all digits, in one test of them all: a
 * byte's high half must be 3 and, after adding 6, still 3 (a byte that
 * carries into the next one fails the first test itself). */
static bool digits8(const char *s)
{
	uint64_t v;

	memcpy(&v, s, 8);
	return ((v & 0xf0f0f0f0f0f0f0f0ull) |
		(((v + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) >> 4)) ==
	       0x3333333333333333ull;
}

/* Whether the n bytes at v, an UNTIL value that ends the rule, are one
 * that rrule_parse() reads: 8, 15 or 16 bytes, a year from 1, a day that
 * every year's month has, a time of the day (false: every_words_memo()
 * reads it the slow way). */
static bool plain_until(const char *v, size_t n)
{
	unsigned mo, d;
	char t[8];

	if ((n != 8 && n != 15 && n != 16) || !digits8(v) || !memcmp(v, "0000", 4))
		return false;
	mo = (unsigned)(v[4] - '0') * 10 + (unsigned)(v[5] - '0');
	d = (unsigned)(v[6] - '0') * 10 + (unsigned)(v[7] - '0');
	/* months of 31 days: bits 1, 3, 5, 7, 8, 10, 12; February 29 is read
	 * the slow way */
	if (mo < 1 || mo > 12 || d < 1 || d > (mo == 2 ? 28 : 30 + ((0x15aau >> mo) & 1)))
		return false;
	if (n == 8)
		return true;
	/* "THHMMSS" from 00:00:00 to 23:59:59, then "Z" or the end */
	memcpy(t, v + 7, 8);
	t[1] = '0';
	return v[8] == 'T' && digits8(t) && (n == 15 || v[15] == 'Z') &&
	       (v[9] - '0') * 10 + (v[10] - '0') <= 23 && v[11] <= '5' && v[13] <= '5';
}

/* The two digits at s as a number. */
static int two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The local zone of m, opened at its first need, with the range of its
 * offsets (m->lo, m->hi). */
static struct tz *memo_zone(struct every_memo *m)
{
	if (!m->zone && (m->zone = tz_open(NULL, NULL)))
		m->ranged = tz_offset_range(m->zone, &m->lo, &m->hi);
	return m->zone;
}

/* The local date of the UTC UNTIL at v, a value plain_until() passed: v
 * itself when its time of day with the zone's offset then is on the same
 * day (TZ=UTC; New York from 05:00 UTC; Kolkata to 17:30, whatever its
 * offset that day: no look-up), else 8 digits at ymd; NULL for a date past
 * 9999 (the slow way says it). */
static const char *memo_local_ymd(struct every_memo *m, const char *v, char *ymd)
{
	struct tz *z = memo_zone(m);
	long sec, day;
	int y, mo, d;

	if (!z || (m->ranged && m->lo == 0 && m->hi == 0)) /* UTC: as written */
		return v;
	sec = two(v + 9) * 3600L + two(v + 11) * 60L + two(v + 13);
	if (m->ranged && sec + m->lo >= 0 && sec + m->hi < 86400)
		return v;
	/* the zone's offset then, from GLib: the day before or after at most */
	y = two(v) * 100 + two(v + 2);
	mo = two(v + 4);
	d = two(v + 6);
	day = tz_days_from_civil(y, mo, d);
	sec += tz_offset(z, (time_t)day * 86400 + sec);
	if (sec >= 0 && sec < 86400)
		return v;
	tz_civil_from_days(day + (sec < 0 ? -1 : 1), &y, &mo, &d);
	return ymd_digits(y, mo, d, ymd) ? ymd : NULL;
}

/* every_words_memo() of p, a rule of n bytes that is a remembered one but
 * for the value of its UNTIL, its last part (the series of a calendar),
 * said without reading the rule again: the words of that one, then the
 * date; NULL when the rule is not such. */
static const char *memo_until(struct every_memo *m, bool r, bool all_day, const char *p, size_t n,
			      char *buf, size_t len, size_t *wn)
{
	static const char en_until[] = ", until ", ru_until[] = ", до ";

	for (unsigned i = 0; i < m->n; i++) {
		size_t cut = m->v[i].cut, wlen = m->v[i].wlen;
		size_t elen = r ? sizeof(ru_until) - 1 : sizeof(en_until) - 1;
		const char *v = p + cut;
		char *w = buf, ymd[8];

		if (!m->v[i].until || m->v[i].ru != r || cut > n || memcmp(m->v[i].key, p, cut))
			continue;
		if (!plain_until(v, n - cut) || wlen + elen + 10 >= len)
			return NULL;
		/* a UTC UNTIL: its local date, once for the series */
		if (n - cut == 16 && !all_day && !(v = memo_local_ymd(m, v, ymd)))
			return NULL;
		memcpy(w, m->v[i].words, wlen);
		w += wlen;
		if (r)
			memcpy(w, ru_until, sizeof(ru_until) - 1);
		else
			memcpy(w, en_until, sizeof(en_until) - 1);
		w += elen;
		memcpy(w, v, 4);
		w[4] = '-';
		memcpy(w + 5, v + 4, 2);
		w[7] = '-';
		memcpy(w + 8, v + 6, 2);
		w[10] = '\0';
		*wn = (size_t)(w + 10 - buf);
		return buf;
	}
	return NULL;
}

void every_memo_init(struct every_memo *m)
{
	m->n = m->next = 0;
	m->zone = NULL;
	m->lo = m->hi = 0;
	m->ranged = false;
}

void every_memo_release(struct every_memo *m)
{
	tz_free(m->zone);
	m->zone = NULL;
}

const char *every_words_memo(struct every_memo *m, const char *lang, const char *rule, bool all_day,
			     char *buf, size_t len)
{
	size_t n;

	return every_words_memo_n(m, lang, rule, all_day, buf, len, &n);
}

/* every_words_memo_n() of the rule p (rule without "RRULE:"), n bytes,
 * that memo_until() does not say: apart, its frame is large. */
static __attribute__((noinline)) const char *memo_slow(struct every_memo *m, const char *lang,
						       const char *rule, bool all_day,
						       const char *p, size_t n, char *buf,
						       size_t len, size_t *wn)
{
	struct out o = { buf, len, 0 }, head;
	const char *val, *vend;
	char hb[EVERY_MEMO_BYTES];
	struct icalrecurrencetype rt;
	struct rrule own;
	size_t cut, rest;
	bool r = ru(lang);

	rrule_end_value(p, &val, &vend);
	cut = val ? (size_t)(val - p) : n;
	rest = val ? n - (size_t)(vend - p) : 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < m->n; i++) {
		const char *words = m->v[i].words;

		if (m->v[i].ru != r || m->v[i].cut != cut || m->v[i].keylen != cut + rest ||
		    memcmp(m->v[i].key, p, cut) || (rest && memcmp(m->v[i].key + cut, vend, rest)))
			continue;
		/* the rule of that entry with another value of the same part:
		 * rrule_parse() reads it alike if it reads the value */
		own.count = 0;
		own.until_utc = false;
		own.until = (struct rrule_wall){ 0 }; /* year 0: no UNTIL */
		if (val && rrule_parse_end(val, vend, &own) < 0)
			break;
		until_local(own.until_utc && !all_day ? memo_zone(m) : NULL, own.until_utc, all_day,
			    &own.until);
		add_n(&o, words, m->v[i].wlen);
		rrule_end(&o, r, own.count, own.until.year, own.until.month, own.until.day,
			  own.until_utc && !all_day ? NULL : val);
		*wn = o.used;
		return buf;
	}
	if (rrule_parse(p, &own) < 0)
		return words_n(lang, rule, all_day, buf, len, wn);
	from_own(&own, &rt);
	if (!sayable(&rt)) {
		snprintf(buf, len, "%s", rule);
		*wn = strlen(buf);
		return buf;
	}
	head = (struct out){ hb, sizeof(hb), 0 };
	hb[0] = '\0';
	rrule_head(&head, r, &rt);
	if (head.used >= sizeof(hb) - 1) /* perhaps cut short */
		return words_n(lang, rule, all_day, buf, len, wn);
	if (cut + rest < EVERY_MEMO_BYTES) {
		unsigned i = m->n < EVERY_MEMO_N ? m->n++ : m->next++ % EVERY_MEMO_N;

		memcpy(m->v[i].key, p, cut);
		memcpy(m->v[i].key + cut, vend ? vend : p + n, rest);
		memcpy(m->v[i].words, hb, head.used + 1);
		m->v[i].wlen = (unsigned short)head.used;
		m->v[i].keylen = (unsigned short)(cut + rest);
		m->v[i].cut = (unsigned short)cut;
		m->v[i].ru = r;
		m->v[i].until = val && val[-6] == 'U' && !rest;
	}
	until_local(own.until_utc && !all_day ? memo_zone(m) : NULL, own.until_utc, all_day,
		    &own.until);
	add(&o, hb);
	rrule_end(&o, r, rt.count, own.until.year, own.until.month, own.until.day, NULL);
	*wn = o.used;
	return buf;
}

const char *every_words_memo_n(struct every_memo *m, const char *lang, const char *rule,
			       bool all_day, char *buf, size_t len, size_t *wn)
{
	const char *p;
	size_t n;

	*wn = 0;
	if (!rule || !*rule || !len)
		return NULL;
	p = *rule == 'R' && !strncmp(rule, "RRULE:", 6) ? rule + 6 : rule;
	n = strlen(p);
	if (memo_until(m, ru(lang), all_day, p, n, buf, len, wn))
		return buf;
	return memo_slow(m, lang, rule, all_day, p, n, buf, len, wn);
}
