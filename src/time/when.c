/*
 * when.c - natural-language dates, durations and recurrence rules.
 *
 * The input is lowercased (ASCII and Cyrillic), cut into tokens (words,
 * numbers, clock times, ISO dates) and read left to right; words are looked
 * up in the tables below.  A phrase sets at most one date, one time of day
 * and one offset from now, and every token must be used, or it is an error
 * that quotes the token.
 */
#include "when.h"
#include "utf8.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbuf.h"
#include "tz.h"
#include "xalloc.h"

struct word {
	const char *w;
	int v;
};

#define MONDAY_TO_FRIDAY 0x3e /* bit n is tm_wday n */
#define SAT_AND_SUN	 0x41

static const struct word months[] = {
	{ "january", 1 },   { "jan", 1 },      { "январь", 1 },	  { "января", 1 },    { "янв", 1 },
	{ "february", 2 },  { "feb", 2 },      { "февраль", 2 },  { "февраля", 2 },   { "фев", 2 },
	{ "march", 3 },	    { "mar", 3 },      { "март", 3 },	  { "марта", 3 },     { "мар", 3 },
	{ "april", 4 },	    { "apr", 4 },      { "апрель", 4 },	  { "апреля", 4 },    { "апр", 4 },
	{ "may", 5 },	    { "май", 5 },      { "мая", 5 },	  { "june", 6 },      { "jun", 6 },
	{ "июнь", 6 },	    { "июня", 6 },     { "июн", 6 },	  { "july", 7 },      { "jul", 7 },
	{ "июль", 7 },	    { "июля", 7 },     { "июл", 7 },	  { "august", 8 },    { "aug", 8 },
	{ "август", 8 },    { "августа", 8 },  { "авг", 8 },	  { "september", 9 }, { "sep", 9 },
	{ "sept", 9 },	    { "сентябрь", 9 }, { "сентября", 9 }, { "сен", 9 },	      { "сент", 9 },
	{ "october", 10 },  { "oct", 10 },     { "октябрь", 10 }, { "октября", 10 },  { "окт", 10 },
	{ "november", 11 }, { "nov", 11 },     { "ноябрь", 11 },  { "ноября", 11 },   { "ноя", 11 },
	{ "december", 12 }, { "dec", 12 },     { "декабрь", 12 }, { "декабря", 12 },  { "дек", 12 },
	{ NULL, 0 }
};

/* Nominative, accusative and plural dative ("по пятницам") forms; v is tm_wday. */
static const struct word weekdays[] = {
	{ "sunday", 0 },       { "sun", 0 },	     { "воскресенье", 0 },
	{ "воскресеньям", 0 }, { "вс", 0 },	     { "monday", 1 },
	{ "mon", 1 },	       { "понедельник", 1 }, { "понедельникам", 1 },
	{ "пн", 1 },	       { "tuesday", 2 },     { "tue", 2 },
	{ "tues", 2 },	       { "вторник", 2 },     { "вторникам", 2 },
	{ "вт", 2 },	       { "wednesday", 3 },   { "wed", 3 },
	{ "среда", 3 },	       { "среду", 3 },	     { "средам", 3 },
	{ "ср", 3 },	       { "thursday", 4 },    { "thu", 4 },
	{ "thur", 4 },	       { "thurs", 4 },	     { "четверг", 4 },
	{ "четвергам", 4 },    { "чт", 4 },	     { "friday", 5 },
	{ "fri", 5 },	       { "пятница", 5 },     { "пятницу", 5 },
	{ "пятницам", 5 },     { "пт", 5 },	     { "saturday", 6 },
	{ "sat", 6 },	       { "суббота", 6 },     { "субботу", 6 },
	{ "субботам", 6 },     { "сб", 6 },	     { NULL, 0 }
};

/* Groups of weekdays for rules ("every weekday", "по будням"); v is a wday mask. */
static const struct word daygroups[] = {
	{ "weekday", MONDAY_TO_FRIDAY }, { "weekdays", MONDAY_TO_FRIDAY },
	{ "workday", MONDAY_TO_FRIDAY }, { "workdays", MONDAY_TO_FRIDAY },
	{ "будням", MONDAY_TO_FRIDAY },	 { "будни", MONDAY_TO_FRIDAY },
	{ "будний", MONDAY_TO_FRIDAY },	 { "weekend", SAT_AND_SUN },
	{ "weekends", SAT_AND_SUN },	 { "выходным", SAT_AND_SUN },
	{ "выходные", SAT_AND_SUN },	 { NULL, 0 }
};

enum { U_SEC, U_DAY, U_MON };
#define BARE 1 /* means one of itself without a number: "через час", "every day" */

/* Units of a span; n counts seconds (U_SEC), days (U_DAY) or months (U_MON). */
struct unit {
	const char *w;
	int kind;
	long n;
	int flags;
};

static const struct unit units[] = { { "s", U_SEC, 1, 0 },
				     { "sec", U_SEC, 1, 0 },
				     { "secs", U_SEC, 1, 0 },
				     { "second", U_SEC, 1, BARE },
				     { "seconds", U_SEC, 1, 0 },
				     { "сек", U_SEC, 1, 0 },
				     { "секунду", U_SEC, 1, BARE },
				     { "секунды", U_SEC, 1, 0 },
				     { "секунд", U_SEC, 1, 0 },
				     { "m", U_SEC, 60, 0 },
				     { "min", U_SEC, 60, 0 },
				     { "mins", U_SEC, 60, 0 },
				     { "minute", U_SEC, 60, BARE },
				     { "minutes", U_SEC, 60, 0 },
				     { "мин", U_SEC, 60, 0 },
				     { "минута", U_SEC, 60, BARE },
				     { "минуту", U_SEC, 60, BARE },
				     { "минуты", U_SEC, 60, 0 },
				     { "минут", U_SEC, 60, 0 },
				     { "h", U_SEC, 3600, 0 },
				     { "hr", U_SEC, 3600, 0 },
				     { "hrs", U_SEC, 3600, 0 },
				     { "hour", U_SEC, 3600, BARE },
				     { "hours", U_SEC, 3600, 0 },
				     { "ч", U_SEC, 3600, 0 },
				     { "час", U_SEC, 3600, BARE },
				     { "часа", U_SEC, 3600, 0 },
				     { "часов", U_SEC, 3600, 0 },
				     { "полчаса", U_SEC, 1800, BARE },
				     { "d", U_DAY, 1, 0 },
				     { "day", U_DAY, 1, BARE },
				     { "days", U_DAY, 1, 0 },
				     { "д", U_DAY, 1, 0 },
				     { "день", U_DAY, 1, BARE },
				     { "дня", U_DAY, 1, 0 },
				     { "дней", U_DAY, 1, 0 },
				     { "w", U_DAY, 7, 0 },
				     { "wk", U_DAY, 7, 0 },
				     { "wks", U_DAY, 7, 0 },
				     { "week", U_DAY, 7, BARE },
				     { "weeks", U_DAY, 7, 0 },
				     { "нед", U_DAY, 7, 0 },
				     { "неделя", U_DAY, 7, BARE },
				     { "неделю", U_DAY, 7, BARE },
				     { "недели", U_DAY, 7, 0 },
				     { "недель", U_DAY, 7, 0 },
				     { "mo", U_MON, 1, 0 },
				     { "month", U_MON, 1, BARE },
				     { "months", U_MON, 1, 0 },
				     { "мес", U_MON, 1, 0 },
				     { "месяц", U_MON, 1, BARE },
				     { "месяца", U_MON, 1, 0 },
				     { "месяцев", U_MON, 1, 0 },
				     { "y", U_MON, 12, 0 },
				     { "yr", U_MON, 12, 0 },
				     { "yrs", U_MON, 12, 0 },
				     { "year", U_MON, 12, BARE },
				     { "years", U_MON, 12, 0 },
				     { "год", U_MON, 12, BARE },
				     { "года", U_MON, 12, 0 },
				     { "лет", U_MON, 12, 0 },
				     { NULL, 0, 0, 0 } };

/* One-word rules ("daily", "ежемесячно"), as the unit they repeat by. */
static const struct unit freqwords[] = { { "hourly", U_SEC, 3600, 0 },
					 { "ежечасно", U_SEC, 3600, 0 },
					 { "daily", U_DAY, 1, 0 },
					 { "ежедневно", U_DAY, 1, 0 },
					 { "weekly", U_DAY, 7, 0 },
					 { "еженедельно", U_DAY, 7, 0 },
					 { "fortnightly", U_DAY, 14, 0 },
					 { "monthly", U_MON, 1, 0 },
					 { "ежемесячно", U_MON, 1, 0 },
					 { "yearly", U_MON, 12, 0 },
					 { "annually", U_MON, 12, 0 },
					 { "ежегодно", U_MON, 12, 0 },
					 { NULL, 0, 0, 0 } };

enum { MER_AM = 1, MER_PM, MER_NIGHT, MER_MORNING };
#define MER_MASK 7
#define NEEDS_AT 8 /* "3 дня" alone is three days; "в 3 дня" is 15:00 */

/* "утра" is MER_MORNING: as am, but "12 утра" is noon, as "утром в 12" is. */
static const struct word meridiems[] = {
	{ "am", MER_AM },     { "утра", MER_MORNING },	    { "pm", MER_PM },
	{ "вечера", MER_PM }, { "дня", MER_PM | NEEDS_AT }, { "ночи", MER_NIGHT },
	{ NULL, 0 }
};

/* Parts of the day a word names; an hour said with one takes its half. */
enum {
	PART_NONE,
	PART_MORNING,
	PART_AFTERNOON,
	PART_EVENING,
	PART_NIGHT,
	PART_NOON,
	PART_MIDNIGHT
};
#define TW_TODAY 0x100 /* also sets the date to today */
#define TW_HOUR	 0x200 /* only with an hour: "ночью" alone says no time */

static const struct word timewords[] = { { "noon", PART_NOON },
					 { "midday", PART_NOON },
					 { "полдень", PART_NOON },
					 { "midnight", PART_MIDNIGHT },
					 { "полночь", PART_MIDNIGHT },
					 { "tonight", PART_NIGHT | TW_TODAY },
					 { "night", PART_NIGHT },
					 { "ночью", PART_NIGHT | TW_HOUR },
					 { "morning", PART_MORNING },
					 { "утром", PART_MORNING },
					 { "afternoon", PART_AFTERNOON },
					 { "днем", PART_AFTERNOON },
					 { "evening", PART_EVENING },
					 { "вечером", PART_EVENING },
					 { NULL, 0 } };

/* The time a part of the day means said alone, in minutes; midnight alone
 * is the coming one (tomorrow 00:00 without a date). */
static const int part_alone[] = {
	[PART_MORNING] = 540, [PART_AFTERNOON] = 900, [PART_EVENING] = 1200,
	[PART_NIGHT] = 1200,  [PART_NOON] = 720,      [PART_MIDNIGHT] = 0
};

enum { P_DAYS, P_END_WEEK, P_END_MONTH };

/* Phrases naming a day; v is days from today for P_DAYS. */
static const struct phrase {
	const char *w[4];
	int kind, v;
} phrases[] = { { { "today" }, P_DAYS, 0 },
		{ { "сегодня" }, P_DAYS, 0 },
		{ { "tomorrow" }, P_DAYS, 1 },
		{ { "tommorow" }, P_DAYS, 1 },
		{ { "tomorow" }, P_DAYS, 1 },
		{ { "tommorrow" }, P_DAYS, 1 },
		{ { "tmrw" }, P_DAYS, 1 },
		{ { "tmr" }, P_DAYS, 1 },
		{ { "завтра" }, P_DAYS, 1 },
		{ { "day", "after", "tomorrow" }, P_DAYS, 2 },
		{ { "послезавтра" }, P_DAYS, 2 },
		{ { "yesterday" }, P_DAYS, -1 },
		{ { "вчера" }, P_DAYS, -1 },
		{ { "позавчера" }, P_DAYS, -2 },
		{ { "end", "of", "week" }, P_END_WEEK, 0 },
		{ { "end", "of", "the", "week" }, P_END_WEEK, 0 },
		{ { "конце", "недели" }, P_END_WEEK, 0 },
		{ { "конец", "недели" }, P_END_WEEK, 0 },
		{ { "end", "of", "month" }, P_END_MONTH, 0 },
		{ { "end", "of", "the", "month" }, P_END_MONTH, 0 },
		{ { "конце", "месяца" }, P_END_MONTH, 0 },
		{ { "конец", "месяца" }, P_END_MONTH, 0 },
		{ { NULL }, 0, 0 } };

enum {
	K_NONE,
	K_AT,
	K_ON,
	K_NEXT,
	K_IN,
	K_NOW,
	K_AND,
	K_ONE,
	K_EVERY,
	K_OTHER,
	K_ORD,
	K_YEAR,
	K_THIS,
	K_THE,
	K_AFTER,
	K_NUMBER,
};

static const struct word keywords[] = {
	{ "at", K_AT },		 { "в", K_AT },		  { "во", K_AT },
	{ "on", K_ON },		 { "next", K_NEXT },	  { "следующий", K_NEXT },
	{ "следующую", K_NEXT }, { "следующее", K_NEXT }, { "следующая", K_NEXT },
	{ "in", K_IN },		 { "через", K_IN },	  { "now", K_NOW },
	{ "сейчас", K_NOW },	 { "and", K_AND },	  { "и", K_AND },
	{ "a", K_ONE },		 { "an", K_ONE },	  { "one", K_ONE },
	{ "every", K_EVERY },	 { "each", K_EVERY },	  { "каждый", K_EVERY },
	{ "каждую", K_EVERY },	 { "каждое", K_EVERY },	  { "каждые", K_EVERY },
	{ "каждая", K_EVERY },	 { "по", K_EVERY },	  { "other", K_OTHER },
	{ "st", K_ORD },	 { "nd", K_ORD },	  { "rd", K_ORD },
	{ "th", K_ORD },	 { "года", K_YEAR },	  { "г", K_YEAR },
	{ "го", K_ORD },	 { "this", K_THIS },	  { "этот", K_THIS },
	{ "эту", K_THIS },	 { "это", K_THIS },	  { "the", K_THE },
	{ "after", K_AFTER },	 { "числа", K_NUMBER },	  { NULL, 0 }
};

enum { T_END, T_WORD, T_NUM, T_DATE, T_TIME, T_OTHER };

struct tok {
	int kind;
	const char *s; /* into the lowercased copy */
	int len, off;
	double num;	   /* T_NUM */
	int ndig;	   /* digits before any decimal point */
	int frac;	   /* T_NUM had a decimal point */
	int y, mon, mday;  /* T_DATE */
	int h, mi, sec;	   /* T_TIME */
	int zoned, zh, zm; /* T_TIME with "Z" or "+01:00"; zh carries the sign */
	int pair, pa, pb;  /* T_NUM "5.12" or "5/12": the two numbers, read by the date order */
};

struct lex {
	const char *text; /* as given, for messages */
	char *low;
	struct tok *tok;
	struct err *e;
};

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

static int ndigits(const char *s)
{
	int n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

static int atoin(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Lowercase ASCII and Cyrillic in place; Ё and ё become е.  Lengths do not change. */
static void fold(char *s)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			*p += 'a' - 'A';
		} else if (p[0] == 0xd0 && p[1] >= 0x90 && p[1] <= 0x9f) {
			p[1] += 0x20;
			p++;
		} else if (p[0] == 0xd0 && p[1] >= 0xa0 && p[1] <= 0xaf) {
			p[0] = 0xd1;
			p[1] -= 0x20;
			p++;
		} else if ((p[0] == 0xd0 && p[1] == 0x81) || (p[0] == 0xd1 && p[1] == 0x91)) {
			p[0] = 0xd0;
			p[1] = 0xb5;
			p++;
		}
	}
}

/* A clock time "9:30", "09:30:00", "09:30:00.5Z", "09:30+01:00" at q; returns its length. */
static int lex_time(const char *q, struct tok *t)
{
	const char *p = q;
	int n = ndigits(p);

	t->h = atoin(p, n);
	t->mi = atoin(p + n + 1, 2);
	p += n + 3;
	if (*p == ':' && ndigits(p + 1) == 2) {
		t->sec = atoin(p + 1, 2);
		p += 3;
		if (*p == '.' && is_digit(p[1]))
			p += 1 + ndigits(p + 1);
	}
	if (*p == 'z' && !is_letter(p[1])) {
		t->zoned = 1;
		p++;
	} else if ((*p == '+' || *p == '-') && ndigits(p + 1) >= 2) {
		int sign = *p == '-' ? -1 : 1;

		t->zoned = 1;
		t->zh = atoin(p + 1, 2);
		p += 3;
		if (*p == ':' && ndigits(p + 1) == 2)
			p++;
		if (ndigits(p) == 2) {
			t->zm = atoin(p, 2);
			p += 2;
		}
		t->zh *= sign;
		t->zm *= sign;
	}
	return (int)(p - q);
}

static int date_order = -1; /* enum when_order; -1: from the locale on first use */

enum when_order when_order_from_locale(const char *locale)
{
	static const char *const mdy[] = { "en_US", "en_PH", "en_CA", "en_PR", "en_UM", NULL };

	for (const char *const *m = mdy; locale && *m; m++)
		if (!strncmp(locale, *m, strlen(*m)))
			return WHEN_MDY;
	return WHEN_DMY;
}

int when_order_parse(const char *text, enum when_order *out)
{
	static const char *const names[] = { "dmy", "mdy", "ymd" };

	for (int i = 0; i < 3; i++)
		if (text && !strcasecmp(text, names[i])) {
			*out = (enum when_order)i;
			return 0;
		}
	return -1;
}

void when_set_order(enum when_order order)
{
	date_order = (int)order;
}

enum when_order when_get_order(void)
{
	if (date_order < 0) {
		const char *l = getenv("LC_ALL");

		if (!l || !*l)
			l = getenv("LC_TIME");
		if (!l || !*l)
			l = getenv("LANG");
		date_order = (int)when_order_from_locale(l);
	}
	return (enum when_order)date_order;
}

/* Month and day of "a.b" / "a/b" as the date order reads them. */
static void order_date(int a, int b, int *mon, int *mday)
{
	if (when_get_order() == WHEN_DMY) {
		*mday = a;
		*mon = b;
	} else {
		*mon = a;
		*mday = b;
	}
}

/* A token starting with a digit at q; returns its length. */
static int lex_number(const char *q, struct tok *t)
{
	int n = ndigits(q), k;

	if (n == 4 && q[4] == '-' && ndigits(q + 5) == 2 && q[7] == '-' && ndigits(q + 8) == 2) {
		t->kind = T_DATE;
		t->y = atoin(q, 4);
		t->mon = atoin(q + 5, 2);
		t->mday = atoin(q + 8, 2);
		return q[10] == 't' && is_digit(q[11]) ? 11 : 10;
	}
	if (n == 4 && (q[4] == '.' || q[4] == '/') && (k = ndigits(q + 5)) >= 1 && k <= 2 &&
	    q[5 + k] == q[4] && ndigits(q + 6 + k) >= 1 && ndigits(q + 6 + k) <= 2) {
		t->kind = T_DATE; /* 2026.12.05, 2026/12/5: the year first is always y-m-d */
		t->y = atoin(q, 4);
		t->mon = atoin(q + 5, k);
		t->mday = atoin(q + 6 + k, ndigits(q + 6 + k));
		return 6 + k + ndigits(q + 6 + k);
	}
	if (n >= 1 && n <= 2 && (q[n] == '.' || q[n] == '/') && (k = ndigits(q + n + 1)) >= 1 &&
	    k <= 2) {
		int a = atoin(q, n), b = atoin(q + n + 1, k), y = n + 1 + k;

		if (q[y] == q[n] && ndigits(q + y + 1) == 4) {
			t->kind = T_DATE;
			order_date(a, b, &t->mon, &t->mday);
			t->y = atoin(q + y + 1, 4);
			return y + 5;
		}
		if (!is_digit(q[y]) && q[y] != '.' && q[y] != '/' && !is_letter(q[y])) {
			t->pair = q[n] == '/' ? 2 : 1;
			t->pa = a;
			t->pb = b;
			if (q[n] == '/') {
				t->kind = T_NUM;
				t->ndig = n;
				t->num = a;
				return y;
			}
		}
	}
	if (n <= 2 && q[n] == ':' && ndigits(q + n + 1) == 2) {
		t->kind = T_TIME;
		return lex_time(q, t);
	}
	t->kind = T_NUM;
	t->ndig = n;
	t->num = n > 9 ? 1e12 : atoin(q, n);
	if (q[n] == '.' && is_digit(q[n + 1])) {
		double scale = 0.1;

		t->frac = 1;
		for (k = n + 1; is_digit(q[k]); k++, scale /= 10)
			t->num += (q[k] - '0') * scale;
		return k;
	}
	return n;
}

/* Cut text into lx->tok, ending with a T_END token; returns the number of tokens. */
static int lex(struct lex *lx, const char *text, struct err *e)
{
	const char *q;
	int n = 0;

	lx->text = text;
	lx->e = e;
	lx->low = xstrdup(text);
	fold(lx->low);
	lx->tok = xcalloc(strlen(text) + 1, sizeof(*lx->tok));
	for (q = lx->low; *q;) {
		struct tok *t = &lx->tok[n];
		int len = 1;

		if (strchr(" \t\r\n,.;", *q)) {
			q++;
			continue;
		}
		if (is_digit(*q)) {
			len = lex_number(q, t);
		} else if (is_letter(*q)) {
			t->kind = T_WORD;
			for (len = 0; is_letter(q[len]); len++)
				;
		} else {
			t->kind = T_OTHER;
		}
		t->s = q;
		t->len = len;
		t->off = (int)(q - lx->low);
		q += len;
		n++;
	}
	lx->tok[n].kind = T_END;
	lx->tok[n].off = (int)strlen(text);
	return n;
}

static void lex_release(struct lex *lx)
{
	free(lx->low);
	free(lx->tok);
}

/* Report token i: `WHAT: "blorp" in "tomorrow blorp"`; returns -1. */
static int bad(const struct lex *lx, int i, const char *what)
{
	const struct tok *t = &lx->tok[i];

	return err_set(lx->e, ERR_USAGE, "%s: \"%.*s\" in %s", what, t->len, lx->text + t->off,
		       utf8_q(lx->text));
}

static int is(const struct tok *t, const char *w)
{
	return t->kind == T_WORD && (int)strlen(w) == t->len && !memcmp(w, t->s, t->len);
}

static const struct word *lookup(const struct word *tab, const struct tok *t)
{
	for (; tab->w; tab++)
		if (is(t, tab->w))
			return tab;
	return NULL;
}

static const struct unit *lookup_unit(const struct unit *tab, const struct tok *t)
{
	for (; tab->w; tab++)
		if (is(t, tab->w))
			return tab;
	return NULL;
}

static int keyword(const struct tok *t)
{
	const struct word *w = lookup(keywords, t);

	return w ? w->v : K_NONE;
}

/* An amount of time: calendar months and days, plus seconds. */
struct span {
	long mon, day;
	double sec;
};

/*
 * Read "2 hours", "1h30m", "a week", "час", "1 hour and 30 minutes" from
 * token i.  Returns the number of tokens used, 0 if there is no span there.
 */
static int read_span(const struct lex *lx, int i, struct span *s, int months_ok)
{
	int j = i;

	for (;;) {
		const struct tok *t = &lx->tok[j];
		const struct unit *u;
		double num = 1;
		int counted = 0, at = j;

		if (j > i && keyword(t) == K_AND &&
		    (t[1].kind == T_NUM || lookup_unit(units, &t[1]))) {
			j++;
			t++;
		}
		if (t->kind == T_NUM || keyword(t) == K_ONE) {
			if (t->kind == T_NUM)
				num = t->num;
			counted = 1;
			t++;
		}
		u = lookup_unit(units, t);
		if (!counted && (!u || !(u->flags & BARE)))
			return at - i;
		if (!u && at > i)
			return at - i; /* "in 2 days 10am": the rest is not a span */
		if (!u)
			return bad(lx, t->kind == T_END ? j : j + 1,
				   t->kind == T_END ? "unit missing" : "unit not understood");
		if (num > 100000)
			return bad(lx, j, "number too large");
		if (u->kind == U_MON && !months_ok)
			return bad(lx, j + counted, "not a fixed length");
		if (u->kind != U_SEC && num != (long)num)
			return bad(lx, j, "not a whole number");
		if (u->kind == U_SEC)
			s->sec += num * u->n;
		else if (u->kind == U_DAY)
			s->day += (long)num * u->n;
		else
			s->mon += (long)num * u->n;
		j += counted + 1;
	}
}

/* Calendar arithmetic on day numbers (days since 1970-01-01), in UTC so DST cannot shift it. */
static long day_num(int y, int m, int d)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };

	return (long)((timegm(&tm) - 43200) / 86400);
}

static void day_civil(long n, int *y, int *m, int *d)
{
	time_t t = (time_t)n * 86400 + 43200;
	struct tm tm;

	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

static int mdays(int y, int m)
{
	static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0))
		return 29;
	return len[m - 1];
}

struct wp {
	struct lex lx;
	struct tz *z;			 /* the zone wall times are read in */
	struct tm now;			 /* now's wall-clock time in z */
	long today;			 /* day number of now */
	int date_tok, time_tok, rel_tok; /* the token that set each part, -1 if none */
	int y, mon, mday;
	int h, mi, sec;
	int midnight, zoned;
	int bare;	     /* the hour was said without am/pm: 1 to 12 */
	int part, part_tok;  /* a part of the day ("tonight", "утром"), its token */
	int part_needs_hour; /* "ночью" */
	int roll;	     /* the time is the night after the day ("tonight at 12") */
	long zone;	     /* seconds east of UTC */
	struct span rel;
};

static int set_date(struct wp *p, int i, int y, int m, int d)
{
	if (p->date_tok >= 0 || p->rel_tok >= 0)
		return bad(&p->lx, i, "date given twice");
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return bad(&p->lx, i, "invalid date");
	p->date_tok = i;
	p->y = y;
	p->mon = m;
	p->mday = d;
	return 0;
}

static int set_day(struct wp *p, int i, long n)
{
	int y, m, d;

	day_civil(n, &y, &m, &d);
	return set_date(p, i, y, m, d);
}

static int set_time(struct wp *p, int i, int h, int mi, int sec)
{
	if (p->time_tok >= 0)
		return bad(&p->lx, i, "time given twice");
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return bad(&p->lx, i, "invalid time");
	p->time_tok = i;
	p->h = h;
	p->mi = mi;
	p->sec = sec;
	return 0;
}

static int apply_meridiem(int h, int mer)
{
	if (h < 1 || h > 12)
		return -1;
	if (mer == MER_AM)
		return h % 12;
	if (mer == MER_MORNING)
		return h;
	if (mer == MER_PM)
		return h % 12 + 12;
	if (h == 12 || h <= 5)
		return h % 12;
	return h >= 9 ? h + 12 : -1;
}

/* Whether token t follows token t - 1 with nothing between: "7p". */
static int glued(const struct tok *t)
{
	return t[-1].off + t[-1].len == t->off;
}

/* The am/pm word at token j: "pm", "утра", "p.m." (two tokens), "7p" glued
 * to its number; sets *len to its tokens.  NULL when there is none. */
static const struct word *meridiem_at(const struct tok *t, int *len)
{
	static const struct word am = { "am", MER_AM }, pm = { "pm", MER_PM };
	int a = is(t, "a"), pmw = is(t, "p");

	*len = 1;
	if ((a || pmw) && is(&t[1], "m") && t[1].off == t->off + 2) {
		*len = 2;
		return a ? &am : &pm;
	}
	if ((a || pmw) && glued(t) && t[-1].kind != T_WORD)
		return a ? &am : &pm;
	return lookup(meridiems, t);
}

/* "o'clock" (three tokens) or "oclock" at token j: its length, or 0. */
static int oclock(const struct tok *t)
{
	if (is(t, "oclock"))
		return 1;
	return is(t, "o") && t[1].kind == T_OTHER && t[1].len == 1 && is(&t[2], "clock") ? 3 : 0;
}

/* "10", "10 pm", "9 утра", "9 часов вечера", "10 o'clock" at token i; at:
 * "at" or "в" came first.  An hour with no am/pm is kept as said (bare):
 * finish() gives it its half. */
static int read_hour(struct wp *p, int i, int at)
{
	const struct tok *t = &p->lx.tok[i];
	const struct unit *u;
	const struct word *mer;
	int j = i + 1, h, k;

	if (t->frac || t->ndig > 2)
		return bad(&p->lx, i, "invalid time");
	h = (int)t->num;
	if ((k = oclock(&p->lx.tok[j])) > 0)
		j += k;
	else if (at && (u = lookup_unit(units, &p->lx.tok[j])) && u->kind == U_SEC && u->n == 3600)
		j++;
	mer = meridiem_at(&p->lx.tok[j], &k);
	if (mer && (at || !(mer->v & NEEDS_AT))) {
		if ((h = apply_meridiem(h, mer->v & MER_MASK)) < 0)
			return bad(&p->lx, i, "invalid time");
		j += k;
	} else if (!at && j == i + 1 && !lookup(timewords, &p->lx.tok[j])) {
		return bad(&p->lx, i, "date not understood");
	} else if (h >= 1 && h <= 12) {
		p->bare = 1;
	}
	return set_time(p, i, h, 0, 0) < 0 ? -1 : j - i;
}

/* "17:30", "5:30 pm"; at: "at" or "в" came first. */
static int clock_time(struct wp *p, int i, int at)
{
	const struct tok *t = &p->lx.tok[i];
	int k, h = t->h;
	const struct word *mer = meridiem_at(&t[1], &k);

	if (mer && ((mer->v & NEEDS_AT) || t->zoned))
		mer = NULL;
	if (mer && (h = apply_meridiem(h, mer->v & MER_MASK)) < 0)
		return bad(&p->lx, i, "invalid time");
	if (t->zoned) {
		if (t->zh < -14 || t->zh > 14 || t->zm < -59 || t->zm > 59)
			return bad(&p->lx, i, "invalid time zone");
		p->zoned = 1;
		p->zone = t->zh * 3600L + t->zm * 60L;
	}
	/* "at 5:30" is said as "at 5" is; "at 05:30", "at 17:30" and "5:30"
	 * without "at" are a 24-hour clock */
	if (at && !mer && !t->zoned && *t->s != '0' && h >= 1 && h <= 12)
		p->bare = 1;
	if (set_time(p, i, h, t->mi, t->sec) < 0)
		return -1;
	return mer ? 1 + k : 1;
}

/* Whether hour h (0-23) is in part of the day part. */
static int in_part(int part, int h)
{
	switch (part) {
	case PART_MORNING: return h <= 12;
	case PART_AFTERNOON: return h >= 12 && h < 19;
	case PART_EVENING: return h >= 16 || h == 0;
	case PART_NIGHT: return h >= 17 || h < 6;
	case PART_NOON: return h == 12;
	default: return h == 0;
	}
}

/* The time of day from the hour read, the part of the day said, or both:
 * "tonight at 9" is 21:00, "at 5" 17:00 (see when.h). */
static int day_half(struct wp *p)
{
	int h = p->h;

	if (!p->part) {
		if (p->bare && h <= 6)
			p->h += 12; /* "at 5" with no am/pm: people mean the afternoon */
		return 0;
	}
	if (p->time_tok < 0) {
		if (p->part_needs_hour)
			return bad(&p->lx, p->part_tok, "hour missing");
		p->midnight = p->part == PART_MIDNIGHT;
		return set_time(p, p->part_tok, part_alone[p->part] / 60, part_alone[p->part] % 60,
				0);
	}
	if (p->bare) {
		if (p->part == PART_MIDNIGHT) {
			h = 0;
			p->midnight = 1;
		} else if (p->part == PART_NIGHT && (h == 12 || h <= 4 + p->part_needs_hour)) {
			h %= 12;
		} else if (p->part == PART_NOON || h == 12) {
			h = 12;
		} else if (p->part == PART_AFTERNOON || p->part == PART_EVENING ||
			   p->part == PART_NIGHT) {
			h += 12;
		}
	}
	if (!in_part(p->part, h) || (p->part == PART_MIDNIGHT && p->mi))
		return bad(&p->lx, p->part_tok, "time given twice");
	p->roll = p->part == PART_NIGHT && h < 6; /* the small hours after the night's day */
	p->h = h;
	p->bare = 0;
	return 0;
}

/*
 * Day of month m at token yd, then an optional year at token j; the date
 * starts at token first.
 */
static int month_day(struct wp *p, int first, int yd, int m, int j)
{
	const struct tok *t = &p->lx.tok[yd];
	int y, d;
	long n;

	if (t->kind != T_NUM)
		return bad(&p->lx, first, "date not understood");
	if (t->frac || t->ndig > 2)
		return bad(&p->lx, yd, "invalid date");
	d = (int)t->num;
	t = &p->lx.tok[j];
	if (t->kind == T_NUM && t->ndig == 4 && !t->frac) {
		if (keyword(&t[1]) == K_YEAR)
			j++;
		return set_date(p, first, (int)t->num, m, d) < 0 ? -1 : j + 1 - first;
	}
	/* No year: the next such date on or after today. */
	for (y = p->now.tm_year + 1900; y < p->now.tm_year + 1900 + 8; y++) {
		if (d < 1 || d > mdays(y, m))
			continue;
		n = day_num(y, m, d);
		if (n >= p->today)
			return set_day(p, first, n) < 0 ? -1 : j - first;
	}
	return bad(&p->lx, yd, "invalid date");
}

/* The coming weekday, never today: on a Friday, "friday" is a week away.
 * next: the weekday of next week (weeks start on Monday); weeks: plus so
 * many weeks ("tuesday after next"). */
static int weekday(struct wp *p, int i, int wd, int next, int weeks)
{
	int ahead = (wd - p->now.tm_wday + 7) % 7, mon = (p->now.tm_wday + 6) % 7;

	if (next)
		ahead = 7 - mon + (wd + 6) % 7;
	else if (!ahead)
		ahead = 7;
	return set_day(p, i, p->today + ahead + 7L * weeks);
}

/* "after next" at token j: one more week. */
static int after_next(const struct wp *p, int j)
{
	return keyword(&p->lx.tok[j]) == K_AFTER && keyword(&p->lx.tok[j + 1]) == K_NEXT;
}

/* "next week", "на следующей неделе", "через неделю" at token i: the
 * tokens it takes, 0 when it is not there. */
static int next_week_words(const struct wp *p, int i)
{
	static const char *const said[][4] = {
		{ "next", "week" },
		{ "of", "next", "week" },
		{ "in", "a", "week" },
		{ "in", "one", "week" },
		{ "на", "следующей", "неделе" },
		{ "следующей", "недели" },
		{ "на", "будущей", "неделе" },
		{ "через", "неделю" },
	};

	for (size_t k = 0; k < sizeof(said) / sizeof(said[0]); k++) {
		int n = 0;

		while (n < 4 && said[k][n] && is(&p->lx.tok[i + n], said[k][n]))
			n++;
		if (n == 4 || !said[k][n])
			return n;
	}
	return 0;
}

/* "wednesday next week", "в среду на следующей неделе", "next week on
 * wednesday", "через неделю во вторник": the weekday of next week, as
 * "next wednesday" is.  The tokens used from i, 0 when it is none of these. */
static int weekday_next_week(struct wp *p, int i)
{
	const struct word *w;
	int n, on;

	if ((w = lookup(weekdays, &p->lx.tok[i])) && (n = next_week_words(p, i + 1)) > 0)
		return weekday(p, i, w->v, 1, 0) < 0 ? -1 : 1 + n;
	if ((n = next_week_words(p, i)) == 0)
		return 0;
	on = keyword(&p->lx.tok[i + n]) == K_ON || keyword(&p->lx.tok[i + n]) == K_AT;
	if (!(w = lookup(weekdays, &p->lx.tok[i + n + on])))
		return 0;
	return weekday(p, i, w->v, 1, 0) < 0 ? -1 : n + on + 1;
}

/* The day of month d (an ordinal: "the 15th", "15-го"), this month when it
 * is still to come (today included), else next month's. */
static int month_ordinal(struct wp *p, int i, int d)
{
	int y = p->now.tm_year + 1900, m = p->now.tm_mon + 1;

	for (int k = 0; k < 13; k++) {
		if (d <= mdays(y, m) && day_num(y, m, d) >= p->today)
			return set_date(p, i, y, m, d);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return bad(&p->lx, i, "invalid date");
}

/* "5.12", "5/12" without a year: the next such date, by the date order. */
static int numeric_date(struct wp *p, int i)
{
	const struct tok *t = &p->lx.tok[i];
	int m, d;

	order_date(t->pa, t->pb, &m, &d);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return bad(&p->lx, i, "invalid date");
	for (int y = p->now.tm_year + 1900; y < p->now.tm_year + 1900 + 8; y++)
		if (d <= mdays(y, m) && day_num(y, m, d) >= p->today)
			return set_day(p, i, day_num(y, m, d));
	return bad(&p->lx, i, "invalid date");
}

static int phrase(struct wp *p, int i)
{
	const struct phrase *ph;
	int n;

	for (ph = phrases; ph->w[0]; ph++) {
		for (n = 0; n < 4 && ph->w[n]; n++)
			if (!is(&p->lx.tok[i + n], ph->w[n]))
				break;
		if (n < 4 && ph->w[n])
			continue;
		if (ph->kind == P_DAYS) {
			if (set_day(p, i, p->today + ph->v) < 0)
				return -1;
		} else if (ph->kind == P_END_WEEK) {
			if (set_day(p, i, p->today + (7 - p->now.tm_wday) % 7) < 0)
				return -1;
		} else {
			int y = p->now.tm_year + 1900, m = p->now.tm_mon + 1;

			if (set_date(p, i, y, m, mdays(y, m)) < 0)
				return -1;
		}
		return n;
	}
	return 0;
}

/* Read what starts at token i; returns the number of tokens used or -1. */
static int step(struct wp *p, int i)
{
	const struct tok *t = &p->lx.tok[i], *nx = t + 1;
	const struct word *w;
	int n, k;

	switch (t->kind) {
	case T_DATE: return set_date(p, i, t->y, t->mon, t->mday) < 0 ? -1 : 1;
	case T_TIME: return clock_time(p, i, 0);
	case T_NUM:
		if (t->pair)
			return numeric_date(p, i) < 0 ? -1 : 1;
		n = keyword(nx) == K_ORD ? 1
		    : nx->kind == T_OTHER && *nx->s == '-' && keyword(&nx[1]) == K_ORD
			    ? 2
			    : 0; /* "1st dec", "15-го" */
		if (n && is(&nx[n], "of") && (w = lookup(months, &nx[n + 1])))
			n++; /* "1st of december" */
		if ((w = lookup(months, &nx[n])))
			return month_day(p, i, i, w->v, i + 2 + n);
		if (n && !t->frac && t->ndig <= 2) {
			n += keyword(&nx[n]) == K_NUMBER; /* "15-го числа" */
			return month_ordinal(p, i, (int)t->num) < 0 ? -1 : n + 1;
		}
		return read_hour(p, i, 0);
	case T_WORD: break;
	default: return bad(&p->lx, i, "date not understood");
	}
	if ((n = weekday_next_week(p, i)) != 0)
		return n;
	k = keyword(t);
	if (k == K_AT || k == K_ON) {
		if (nx->kind == T_END)
			return bad(&p->lx, i, "date not understood");
		if (k == K_AT && nx->kind == T_TIME)
			return (n = clock_time(p, i + 1, 1)) < 0 ? -1 : n + 1;
		if (k == K_AT && nx->kind == T_NUM && nx->pair == 1 && nx->pb <= 59 &&
		    nx[1].kind != T_NUM) {
			/* "at 9.30": a time */
			p->bare = *nx->s != '0' && nx->pa >= 1 && nx->pa <= 12;
			return set_time(p, i + 1, nx->pa, nx->pb, 0) < 0 ? -1 : 2;
		}
		if (k == K_AT && nx->kind == T_NUM && !nx->pair && !lookup(months, &nx[1]) &&
		    keyword(&nx[1]) != K_ORD && !(nx[1].kind == T_OTHER && *nx[1].s == '-'))
			return (n = read_hour(p, i + 1, 1)) < 0 ? -1 : n + 1;
		return 1;
	}
	if (k == K_THE && nx->kind == T_NUM && !nx->pair && keyword(&nx[1]) == K_ORD)
		return 1; /* "the 15th" */
	if (k == K_THIS && lookup(timewords, nx))
		return set_day(p, i, p->today) < 0 ? -1 : 1; /* "this evening" */
	if (k == K_NEXT || k == K_THIS) {
		if (!(w = lookup(weekdays, nx)))
			return bad(&p->lx, i, "date not understood");
		n = k == K_NEXT && after_next(p, i + 2) ? 2 : 0;
		return weekday(p, i, w->v, k == K_NEXT && !n, n ? 1 : 0) < 0 ? -1 : 2 + n;
	}
	if (k == K_IN && is(nx, "the") && lookup(timewords, &nx[1]))
		return 2; /* "at 9 in the evening" */
	if (k == K_IN || k == K_NOW) {
		if (p->date_tok >= 0 || p->rel_tok >= 0)
			return bad(&p->lx, i, "date given twice");
		p->rel_tok = i;
		if (k == K_NOW)
			return 1;
		if ((n = read_span(&p->lx, i + 1, &p->rel, 1)) <= 0)
			return n < 0 ? -1
				     : bad(&p->lx, nx->kind != T_END ? i + 1 : i,
					   "date not understood");
		if (p->rel.sec > 1e11 || p->rel.day > 10000000 || p->rel.mon > 1000000)
			return bad(&p->lx, i, "too far in the future");
		return n + 1;
	}
	if ((n = phrase(p, i)) != 0)
		return n;
	if ((w = lookup(timewords, t))) {
		if (p->part)
			return bad(&p->lx, i, "time given twice");
		if ((w->v & TW_TODAY) && set_day(p, i, p->today) < 0)
			return -1;
		p->part = w->v & 0xff;
		p->part_tok = i;
		p->part_needs_hour = !!(w->v & TW_HOUR);
		return 1;
	}
	if ((w = lookup(weekdays, t))) {
		n = after_next(p, i + 1);
		return weekday(p, i, w->v, 0, n) < 0 ? -1 : 1 + 2 * n;
	}
	if ((w = lookup(months, t)))
		return month_day(p, i, i + 1, w->v, i + 2 + (keyword(&t[2]) == K_ORD));
	return bad(&p->lx, i, "date not understood");
}

/* The instant of a wall-clock time in z: the first of a time a fall-back
 * change repeats, and one in a spring-forward gap read with the offset from
 * before the gap (RFC 5545 3.3.5), whatever the C library's mktime() picks. */
static time_t local_time(struct tz *z, int y, int m, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900,
			 .tm_mon = m - 1,
			 .tm_mday = d,
			 .tm_hour = h,
			 .tm_min = mi,
			 .tm_sec = s };

	return tz_instant(z, &tm);
}

static int finish(struct wp *p, time_t now, struct when *out)
{
	struct tm tm;
	int y, m, d;

	out->has_wall = false;
	out->part_half = p->part == PART_MORNING ? -1 : 0;
	if (p->part >= PART_AFTERNOON && p->part <= PART_NIGHT)
		out->part_half = 1;
	if (day_half(p) < 0)
		return -1;
	out->other_half = !p->bare		     ? 0
			  : p->h >= 7 && p->h <= 11  ? 1
			  : p->h >= 13 && p->h <= 18 ? -1
						     : 0;
	if (p->rel_tok >= 0) {
		if (p->time_tok >= 0 && p->rel.sec != 0)
			return bad(&p->lx, p->time_tok, "time given twice");
		y = p->now.tm_year + 1900 + (int)((p->now.tm_mon + p->rel.mon) / 12);
		m = (int)((p->now.tm_mon + p->rel.mon) % 12) + 1;
		d = p->now.tm_mday < mdays(y, m) ? p->now.tm_mday : mdays(y, m);
		day_civil(day_num(y, m, d) + p->rel.day, &y, &m, &d);
		if (p->rel.mon == 0 && p->rel.day == 0 && p->time_tok < 0)
			out->at = now;
		else if (p->time_tok >= 0)
			out->at = local_time(p->z, y, m, d, p->h, p->mi, p->sec);
		else
			out->at = local_time(p->z, y, m, d, p->now.tm_hour, p->now.tm_min,
					     p->now.tm_sec);
		out->at += (time_t)(p->rel.sec + 0.5);
		out->date_only = false;
		return 0;
	}
	if (p->date_tok < 0 && p->time_tok < 0)
		return err_set(p->lx.e, ERR_USAGE, "no date given");
	if (p->date_tok < 0) {
		if (p->zoned)
			return bad(&p->lx, p->time_tok, "time zone needs a date");
		day_civil(p->today + (p->midnight || p->roll ? 1 : 0), &p->y, &p->mon, &p->mday);
	} else if (p->roll) {
		day_civil(day_num(p->y, p->mon, p->mday) + 1, &p->y, &p->mon, &p->mday);
	}
	out->date_only = p->time_tok < 0;
	tm = (struct tm){ .tm_year = p->y - 1900,
			  .tm_mon = p->mon - 1,
			  .tm_mday = p->mday,
			  .tm_hour = p->h,
			  .tm_min = p->mi,
			  .tm_sec = p->sec };
	if (p->zoned) {
		out->at = timegm(&tm) - p->zone;
	} else {
		out->at = local_time(p->z, p->y, p->mon, p->mday, p->h, p->mi, p->sec);
		out->has_wall = !out->date_only;
		out->wall = timegm(&tm);
	}
	if (out->at == (time_t)-1)
		return bad(&p->lx, p->date_tok >= 0 ? p->date_tok : p->time_tok,
			   "date out of range");
	return 0;
}

int when_parse_in(const char *text, time_t now, struct tz *z, struct when *out, struct err *e)
{
	struct wp p = { .date_tok = -1, .time_tok = -1, .rel_tok = -1 };
	int i = 0, n = 0, ret;

	p.z = z ? z : tz_open(NULL, NULL);
	tz_to_wall(p.z, now, &p.now);
	p.today = day_num(p.now.tm_year + 1900, p.now.tm_mon + 1, p.now.tm_mday);
	lex(&p.lx, text, e);
	while (p.lx.tok[i].kind != T_END && (n = step(&p, i)) > 0)
		i += n;
	ret = n < 0 ? -1 : finish(&p, now, out);
	if (ret == 0)
		out->anchor = p.rel_tok >= 0 ? WHEN_SPAN : p.date_tok >= 0 ? WHEN_DATED : WHEN_TIME;
	lex_release(&p.lx);
	if (!z)
		tz_free(p.z);
	return ret;
}

int when_parse(const char *text, time_t now, struct when *out, struct err *e)
{
	return when_parse_in(text, now, NULL, out, e);
}

int when_parse_duration(const char *text, long *secs, struct err *e)
{
	struct lex lx;
	struct span s = { 0, 0, 0 };
	int n, ret = -1;
	double total;

	if (lex(&lx, text, e) == 0) {
		err_set(e, ERR_USAGE, "no duration given");
		goto out;
	}
	if ((n = read_span(&lx, 0, &s, 0)) < 0)
		goto out;
	if (n == 0 || lx.tok[n].kind != T_END) {
		bad(&lx, n, "duration not understood");
		goto out;
	}
	total = (double)s.day * 86400 + s.sec;
	if (total > 1e11)
		bad(&lx, 0, "duration too long");
	else if ((*secs = (long)(total + 0.5)) <= 0)
		bad(&lx, 0, "duration not positive");
	else
		ret = 0;
out:
	lex_release(&lx);
	return ret;
}

time_t when_day_start(time_t t)
{
	struct tm tm;

	struct tz *z = tz_open(NULL, NULL);
	time_t day;

	tz_to_wall(z, t, &tm);
	day = local_time(z, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, 0);
	tz_free(z);
	return day;
}

/* Check an RRULE ("FREQ=...", "RRULE:FREQ=...") with libical and return it normalised. */
static int rrule_check(const char *text, char **rrule, struct err *e)
{
	char *up = xstrdup(text), *p, *s;
	struct icalrecurrencetype r;
	int ret = -1;

	for (p = up; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	while (p > up && strchr(" \t\r\n", p[-1]))
		*--p = '\0';
	p = up + strspn(up, " \t\r\n");
	if (!strncmp(p, "RRULE:", 6))
		p += 6;
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(p);
	if (r.freq != ICAL_NO_RECURRENCE && icalerrno == ICAL_NO_ERROR &&
	    (s = icalrecurrencetype_as_string_r(&r))) {
		*rrule = xstrdup(s);
		icalmemory_free_buffer(s);
		ret = 0;
	} else {
		err_set(e, ERR_USAGE, "recurrence rule not understood: %s", utf8_q(text));
	}
	free(r.rscale);
	free(up);
	return ret;
}

/* FREQ and INTERVAL for "every N units". */
static const char *unit_freq(const struct unit *u, long *interval)
{
	if (u->kind == U_MON) {
		*interval *= u->n % 12 ? u->n : u->n / 12;
		return u->n % 12 ? "MONTHLY" : "YEARLY";
	}
	if (u->kind == U_DAY) {
		*interval *= u->n % 7 ? u->n : u->n / 7;
		return u->n % 7 ? "DAILY" : "WEEKLY";
	}
	*interval *= u->n % 3600 == 0 ? u->n / 3600 : u->n % 60 == 0 ? u->n / 60 : u->n;
	return u->n % 3600 == 0 ? "HOURLY" : u->n % 60 == 0 ? "MINUTELY" : "SECONDLY";
}

/* "every [N|other] unit", "every monday and friday", "по будням" from token 1. */
static int rule_every(const struct lex *lx, const char **freq, long *interval, int *mask)
{
	const struct unit *u;
	const struct word *w;
	int i = 1;

	if (lx->tok[i].kind == T_NUM) {
		if (lx->tok[i].frac || lx->tok[i].num < 1 || lx->tok[i].num > 1000)
			return bad(lx, i, "invalid interval");
		*interval = (long)lx->tok[i++].num;
	} else if (keyword(&lx->tok[i]) == K_OTHER ||
		   (lookup(weekdays, &lx->tok[i + 1]) &&
		    (is(&lx->tok[i], "second") || is(&lx->tok[i], "второй") ||
		     is(&lx->tok[i], "вторую")))) {
		/* "every second tuesday": every other one */
		*interval = 2;
		i++;
	}
	if ((u = lookup_unit(units, &lx->tok[i]))) {
		*freq = unit_freq(u, interval);
		i++;
	} else if ((w = lookup(daygroups, &lx->tok[i]))) {
		*mask = w->v;
		i++;
		if ((u = lookup_unit(units, &lx->tok[i])) && u->kind == U_DAY && u->n == 1)
			i++; /* "каждый будний день" */
	} else {
		while ((w = lookup(weekdays, &lx->tok[i]))) {
			*mask |= 1 << w->v;
			i++;
			if (keyword(&lx->tok[i]) == K_AND && lookup(weekdays, &lx->tok[i + 1]))
				i++;
		}
		if (!*mask)
			return bad(lx, lx->tok[i].kind == T_END ? i - 1 : i,
				   "recurrence not understood");
	}
	return i;
}

/* "every last friday (of the month)", "каждую первую пятницу месяца" from
 * token 1: the tokens used and the weekday's place in its month (*nth, -1
 * for the last), 0 when it is not such a phrase.  "second" to "fourth"
 * need the month said: "every second tuesday" is every other one. */
static int rule_nth(const struct lex *lx, int *nth, int *wd)
{
	static const struct word places[] = {
		{ "first", 1 },	     { "last", -1 },	  { "second", 2 },     { "third", 3 },
		{ "fourth", 4 },     { "первый", 1 },	  { "первую", 1 },     { "первое", 1 },
		{ "последний", -1 }, { "последнюю", -1 }, { "последнее", -1 }, { "второй", 2 },
		{ "вторую", 2 },     { "третий", 3 },	  { "третью", 3 },     { "четвертый", 4 },
		{ "четвертую", 4 },  { NULL, 0 },
	};
	static const char *const month[][4] = {
		{ "of", "the", "month" },
		{ "of", "every", "month" },
		{ "of", "each", "month" },
		{ "каждого", "месяца" },
		{ "месяца" },
	};
	const struct word *p = lookup(places, &lx->tok[1]), *w = lookup(weekdays, &lx->tok[2]);
	int n = 0;

	if (!p || !w)
		return 0;
	for (size_t k = 0; k < sizeof(month) / sizeof(month[0]) && !n; k++) {
		int m = 0;

		while (m < 4 && month[k][m] && is(&lx->tok[3 + m], month[k][m]))
			m++;
		if (m == 4 || !month[k][m])
			n = m;
	}
	if (!n && p->v != 1 && p->v != -1)
		return 0;
	*nth = p->v;
	*wd = w->v;
	return 3 + n;
}

int when_parse_rule(const char *text, char **rrule, struct err *e)
{
	static const char *const byday[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };
	const char *s = text + strspn(text, " \t\r\n"), *freq = "WEEKLY", *sep = "";
	struct sbuf sb = SBUF_INIT;
	const struct unit *u;
	struct lex lx;
	long interval = 1;
	int i = 1, mask = 0, wd, nth = 0, nth_day = 0, ret = -1;

	if (!strncasecmp(s, "rrule:", 6) || !strncasecmp(s, "freq=", 5))
		return rrule_check(s, rrule, e);
	if (lex(&lx, text, e) == 0)
		err_set(e, ERR_USAGE, "no recurrence given");
	else if ((u = lookup_unit(freqwords, &lx.tok[0])))
		freq = unit_freq(u, &interval);
	else if (keyword(&lx.tok[0]) == K_EVERY && (i = rule_nth(&lx, &nth, &nth_day)) > 0)
		freq = "MONTHLY";
	else if (keyword(&lx.tok[0]) == K_EVERY)
		i = rule_every(&lx, &freq, &interval, &mask);
	else
		i = bad(&lx, 0, "recurrence not understood");
	if (i < 0 || lx.tok[0].kind == T_END)
		goto out;
	if (lx.tok[i].kind != T_END) {
		bad(&lx, i, "recurrence not understood");
		goto out;
	}
	sbuf_addf(&sb, "FREQ=%s", freq);
	if (interval > 1)
		sbuf_addf(&sb, ";INTERVAL=%ld", interval);
	if (nth)
		sbuf_addf(&sb, ";BYDAY=%d%s", nth, byday[nth_day]);
	if (mask) {
		sbuf_adds(&sb, ";BYDAY=");
		for (wd = 1; wd <= 7; wd++) {
			if (mask & (1 << (wd % 7))) {
				sbuf_addf(&sb, "%s%s", sep, byday[wd % 7]);
				sep = ",";
			}
		}
	}
	*rrule = sbuf_detach(&sb);
	ret = 0;
out:
	lex_release(&lx);
	return ret;
}

int when_wall_minutes(time_t wall)
{
	return (int)((wall % 86400 + 86400) % 86400 / 60);
}

int when_minutes(struct tz *z, time_t t)
{
	struct tm tm;

	tz_wall_in(z, t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

int when_written_minutes(struct tz *z, const struct when *w)
{
	return w->has_wall ? when_wall_minutes(w->wall) : when_minutes(z, w->at);
}
