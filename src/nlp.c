#include "nlp.h"
#include "sbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPAN_MAX 8 /* words in one date phrase: "в среду на следующей неделе в 9 вечера" */

/* Misspellings people type and word forms the date parser does not read,
 * and what they mean (normalised forms). */
static const char *const typos[][2] = {
	{ "tommorow", "tomorrow" },
	{ "tomorow", "tomorrow" },
	{ "tommorrow", "tomorrow" },
	{ "tomorrw", "tomorrow" },
	{ "tomrrow", "tomorrow" },
	{ "tmrw", "tomorrow" },
	{ "tmr", "tomorrow" },
	{ "tomoroww", "tomorrow" },
	{ "2morrow", "tomorrow" },
	{ "tonite", "tonight" },
	{ "2day", "today" },
	{ "todya", "today" },
	{ "wensday", "wednesday" },
	{ "wendsday", "wednesday" },
	{ "wednsday", "wednesday" },
	{ "thrusday", "thursday" },
	{ "thursay", "thursday" },
	{ "firday", "friday" },
	{ "fryday", "friday" },
	{ "saterday", "saturday" },
	{ "tuseday", "tuesday" },
	{ "mondy", "monday" },
	{ "sundy", "sunday" },
	{ "remaind", "remind" },
	{ "remid", "remind" },
	{ "remnd", "remind" },
	{ "remmind", "remind" },
	{ "reminde", "remind" },
	{ "rmind", "remind" },
	{ "remider", "reminder" },
	{ "reminer", "reminder" },
	{ "remidner", "reminder" },
	{ "remiders", "reminders" },
	{ "reminers", "reminders" },
	{ "calender", "calendar" },
	{ "calandar", "calendar" },
	{ "wheather", "weather" },
	{ "wether", "weather" },
	{ "weahter", "weather" },
	{ "waether", "weather" },
	{ "forcast", "forecast" },
	{ "taks", "task" },
	{ "tsak", "task" },
	{ "taksk", "tasks" },
	{ "tasl", "task" },
	{ "whats", "what's" },
	{ "wats", "what's" },
	{ "pls", "please" },
	{ "plz", "please" },
	{ "pleas", "please" },
	{ "plese", "please" },
	{ "завтро", "завтра" },
	{ "заавтра", "завтра" },
	{ "седня", "сегодня" },
	{ "севодня", "сегодня" },
	{ "сегодна", "сегодня" },
	{ "пагода", "погода" },
	{ "напомини", "напомни" },
	{ "напамни", "напомни" },
	{ "зодачи", "задачи" },
	{ "каторый", "который" },
	{ "щас", "сейчас" },
	{ "пжлст", "пожалуйста" },
	{ "пож", "пожалуйста" },
	/* weekdays after "до", "к": the date parser knows the nominative */
	{ "понедельника", "понедельник" },
	{ "понедельнику", "понедельник" },
	{ "вторника", "вторник" },
	{ "вторнику", "вторник" },
	{ "среды", "среда" },
	{ "среде", "среда" },
	{ "четверга", "четверг" },
	{ "четвергу", "четверг" },
	{ "пятницы", "пятница" },
	{ "пятнице", "пятница" },
	{ "субботы", "суббота" },
	{ "субботе", "суббота" },
	{ "воскресенья", "воскресенье" },
	{ "воскресенью", "воскресенье" },
	{ "пожалуста", "пожалуйста" },
	{ "пожайлуста", "пожалуйста" },
};

char *nlp_lower(const char *text)
{
	char *out = xstrdup(text);
	unsigned char *p = (unsigned char *)out;

	while (*p) {
		if (*p < 0x80) {
			*p = (unsigned char)tolower(*p);
			p++;
		} else if (p[0] == 0xD0 && p[1] == 0x81) { /* Ё -> е */
			p[1] = 0xB5;
			p += 2;
		} else if (p[0] == 0xD1 && p[1] == 0x91) { /* ё -> е */
			p[0] = 0xD0;
			p[1] = 0xB5;
			p += 2;
		} else if (p[0] == 0xD0 && p[1] >= 0x90 && p[1] <= 0x9F) { /* А-П */
			p[1] += 0x20;
			p += 2;
		} else if (p[0] == 0xD0 && p[1] >= 0xA0 && p[1] <= 0xAF) { /* Р-Я */
			p[0] = 0xD1;
			p[1] -= 0x20;
			p += 2;
		} else {
			p++;
		}
	}
	return out;
}

bool nlp_is_russian(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((p[0] == 0xD0 || p[0] == 0xD1) && p[1] >= 0x80 && p[1] <= 0xBF)
			return true;
	return false;
}

static const char *const marks[] = { ".", ",", "!", "?", ";", ":", "\"", "'", "(", ")", "[", "]",
				     "{", "}", "«", "»", "“", "”", "„",	 "‘", "’", "…", "—", "–" };

/* The length of the punctuation mark at p (starting at p when !at_end,
 * ending at p when at_end), or 0. */
static size_t mark_at(const char *b, const char *p, bool at_end)
{
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		size_t k = strlen(marks[i]);

		if (at_end ? (size_t)(p - b) >= k && !memcmp(p - k, marks[i], k)
			   : !strncmp(p, marks[i], k))
			return k;
	}
	return 0;
}

/* Trim punctuation off both ends; a '#' before a number goes too ("#4"). */
static char *trim_word(const char *w, size_t n)
{
	const char *b = w, *e = w + n;
	size_t k;

	while (b < e && (k = mark_at(b, b, false)) > 0)
		b += k;
	if (b + 1 < e && *b == '#' && isdigit((unsigned char)b[1]))
		b++;
	while (e > b && (k = mark_at(b, e, true)) > 0)
		e -= k;
	return xstrndup(b, (size_t)(e - b));
}

static char *normalise(const char *orig)
{
	char *n = nlp_lower(orig);

	/* typographic apostrophes */
	for (char *p; (p = strstr(n, "\xE2\x80\x99"));) {
		*p = '\'';
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	}
	for (size_t i = 0; i < sizeof(typos) / sizeof(typos[0]); i++) {
		if (!strcmp(n, typos[i][0])) {
			free(n);
			return xstrdup(typos[i][1]);
		}
	}
	return n;
}

/* Whether the comma at p (in a word from b) is a decimal one: digits
 * before and after it, then a space and a letter ("1,5 часа"). */
static bool decimal_comma(const char *b, const char *p)
{
	const char *q = p + 1;

	if (p == b || !isdigit((unsigned char)p[-1]) || !isdigit((unsigned char)*q))
		return false;
	while (isdigit((unsigned char)*q))
		q++;
	return *q == ' ' && q[1] && !isdigit((unsigned char)q[1]) && !isspace((unsigned char)q[1]);
}

void nlp_split(struct nlp *s, const char *text)
{
	const char *p = text;
	size_t cap = 0;

	s->w = NULL;
	s->n = 0;
	s->zone = NULL;
	s->doubt = false;
	while (*p) {
		const char *b;
		char *orig;

		while (*p && (isspace((unsigned char)*p) || *p == ','))
			p++;
		if (!*p)
			break;
		b = p;
		/* "1,5 часа": a decimal comma before a word stays in the number */
		while (*p && !isspace((unsigned char)*p) && (*p != ',' || decimal_comma(b, p)))
			p++;
		orig = trim_word(b, (size_t)(p - b));
		if (!*orig) {
			free(orig);
			continue;
		}
		if (s->n == cap) {
			cap = cap ? cap * 2 : 16;
			s->w = xrealloc(s->w, cap * sizeof(*s->w));
		}
		s->w[s->n].orig = orig;
		s->w[s->n].norm = normalise(orig);
		s->w[s->n].used = false;
		s->n++;
	}
	nlp_number_words(s);
}

void nlp_release(struct nlp *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->w[i].orig);
		free(s->w[i].norm);
	}
	free(s->w);
	s->w = NULL;
	s->n = 0;
}

static bool word_matches(const char *norm, const char *pat)
{
	size_t n = strlen(pat);

	if (n > 1 && pat[n - 1] == '*')
		return !strncmp(norm, pat, n - 1);
	return !strcmp(norm, pat);
}

bool nlp_is(const struct nlp *s, size_t i, const char *const *words)
{
	if (i >= s->n)
		return false;
	for (; *words; words++)
		if (word_matches(s->w[i].norm, *words))
			return true;
	return false;
}

int nlp_find(const struct nlp *s, size_t from, const char *const *words)
{
	for (size_t i = from; i < s->n; i++)
		if (!s->w[i].used && nlp_is(s, i, words))
			return (int)i;
	return -1;
}

size_t nlp_next(const struct nlp *s, size_t i)
{
	while (i < s->n && s->w[i].used)
		i++;
	return i;
}

size_t nlp_left(const struct nlp *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		k += !s->w[i].used;
	return k;
}

void nlp_use(struct nlp *s, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < s->n; i++)
		s->w[i].used = true;
}

bool nlp_phrase(struct nlp *s, size_t i, const char *phrase, bool mark, size_t *end)
{
	char *copy = xstrdup(phrase), *save = NULL;
	size_t j = nlp_next(s, i), start = j;
	bool ok = true;

	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (j >= s->n || !word_matches(s->w[j].norm, t)) {
			ok = false;
			break;
		}
		j = nlp_next(s, j + 1);
	}
	free(copy);
	if (ok && mark)
		for (size_t k = start; k < j; k++)
			s->w[k].used = true;
	if (ok && end)
		*end = j;
	return ok;
}

char *nlp_text(const struct nlp *s, size_t from, size_t to, bool orig)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = from; i < to && i < s->n; i++) {
		if (s->w[i].used)
			continue;
		if (sb.len)
			sbuf_adds(&sb, " ");
		sbuf_adds(&sb, orig ? s->w[i].orig : s->w[i].norm);
	}
	if (!sb.len) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

/* "5", "17:30", "9.30", "5pm", "5:30am" in one token; *ampm 1 for am, 2 for pm. */
static bool clock_token(const char *t, int *h, int *m, int *ampm, bool *dotted)
{
	char *end;
	long hh = strtol(t, &end, 10), mm = 0;

	*ampm = 0;
	*dotted = false;
	if (end == t || !isdigit((unsigned char)*t) || end - t > 2)
		return false;
	if (*end == ':' || *end == '.') {
		const char *q = end + 1;

		*dotted = *end == '.';
		if (!isdigit((unsigned char)q[0]) || !isdigit((unsigned char)q[1]))
			return false;
		mm = (q[0] - '0') * 10 + (q[1] - '0');
		end = (char *)q + 2;
	}
	if (!strcmp(end, "am") || !strcmp(end, "a.m"))
		*ampm = 1;
	else if (!strcmp(end, "pm") || !strcmp(end, "p.m"))
		*ampm = 2;
	else if (*end)
		return false;
	if (hh > 23 || mm > 59 || (*ampm && (hh < 1 || hh > 12)))
		return false;
	*h = (int)hh;
	*m = (int)mm;
	return true;
}

bool nlp_clock(const struct nlp *s, size_t i, bool bare, int *minutes, size_t *len)
{
	static const char *const am[] = { "am", "a.m", "утра", "ночи", NULL };
	static const char *const pm[] = { "pm", "p.m", "вечера", "дня", NULL };
	static const char *const hours[] = { "час", "часа", "часов", "o'clock", NULL };
	int h, m, ampm;
	bool dotted;

	if (i >= s->n)
		return false;
	if (nlp_is(s, i, (const char *const[]){ "noon", "полдень", NULL })) {
		*minutes = 12 * 60;
		*len = 1;
		return true;
	}
	if (nlp_is(s, i, (const char *const[]){ "midnight", "полночь", NULL })) {
		*minutes = 0;
		*len = 1;
		return true;
	}
	if (!clock_token(s->w[i].norm, &h, &m, &ampm, &dotted))
		return false;
	*len = 1;
	if (!ampm && nlp_is(s, i + 1, am)) {
		ampm = nlp_is(s, i + 1, (const char *const[]){ "ночи", NULL }) ? 3 : 1;
		*len = 2;
	} else if (!ampm && nlp_is(s, i + 1, pm)) {
		ampm = 2;
		*len = 2;
	} else if (!ampm && nlp_is(s, i + 1, hours)) {
		*len = 2;
		bare = true;
	}
	if (ampm) {
		if (h < 1 || h > 12)
			return false;
		if (ampm == 2 && h != 12)
			h += 12;
		else if (ampm != 2 && h == 12)
			h = 0;
	} else if (!bare && (dotted || !strchr(s->w[i].norm, ':'))) {
		return false;
	}
	*minutes = h * 60 + m;
	return true;
}

long nlp_unit_secs(const char *u)
{
	static const struct {
		const char *pat;
		long secs;
	} units[] = {
		{ "m", 60 },	      { "min", 60 },	    { "mins", 60 },
		{ "minute", 60 },     { "minutes", 60 },    { "мин", 60 },
		{ "минут*", 60 },     { "h", 3600 },	    { "hr", 3600 },
		{ "hrs", 3600 },      { "hour", 3600 },	    { "hours", 3600 },
		{ "час", 3600 },      { "часа", 3600 },	    { "часов", 3600 },
		{ "ч", 3600 },	      { "d", 86400 },	    { "day", 86400 },
		{ "days", 86400 },    { "день", 86400 },    { "дня", 86400 },
		{ "дней", 86400 },    { "сутки", 86400 },   { "w", 604800 },
		{ "week", 604800 },   { "weeks", 604800 },  { "неделю", 604800 },
		{ "недели", 604800 }, { "недель", 604800 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (word_matches(u, units[i].pat))
			return units[i].secs;
	return 0;
}

/* The largest count of a unit and the longest duration nlp_duration()
 * reads, as when_parse_duration() does. */
#define COUNT_MAX 100000L
#define SECS_MAX  100000000000L

/* "1h30m", "90m", "2d" in one token: 1, 0 when it is not one, -1 when it is
 * one too long. */
static int compact_duration(const char *t, long *secs)
{
	long total = 0;
	bool big = false;

	if (!isdigit((unsigned char)*t))
		return 0;
	while (*t) {
		char *end, unit[8];
		long n = strtol(t, &end, 10), u;
		size_t k = 0;

		if (end == t)
			return 0;
		while (end[k] && !isdigit((unsigned char)end[k]) && k < sizeof(unit) - 1) {
			unit[k] = end[k];
			k++;
		}
		unit[k] = '\0';
		u = nlp_unit_secs(unit);
		if (!k || !u || n <= 0)
			return 0;
		if (n > COUNT_MAX || total > SECS_MAX)
			big = true;
		else
			total += n * u;
		t = end + k;
	}
	if (big || total > SECS_MAX)
		return -1;
	*secs = total;
	return total > 0;
}

int nlp_duration(const struct nlp *s, size_t i, long *secs, size_t *len)
{
	static const struct {
		const char *phrase;
		long secs;
	} fixed[] = {
		{ "half an hour", 1800 }, { "an hour and a half", 5400 },
		{ "an hour", 3600 },	  { "a hour", 3600 },
		{ "one hour", 3600 },	  { "a day", 86400 },
		{ "a minute", 60 },	  { "a week", 604800 },
		{ "полчаса", 1800 },	  { "полтора часа", 5400 },
		{ "час", 3600 },	  { "сутки", 86400 },
		{ "неделю", 604800 },	  { "минуту", 60 },
		{ "день", 86400 },
	};
	char *end;
	long n;
	int rc;

	if (i >= s->n || s->w[i].used)
		return 0;
	if ((rc = compact_duration(s->w[i].norm, secs)) != 0) {
		*len = 1;
		return rc;
	}
	n = strtol(s->w[i].norm, &end, 10);
	if (end != s->w[i].norm && *end == '.' && isdigit((unsigned char)end[1]) && n < COUNT_MAX &&
	    i + 1 < s->n && nlp_unit_secs(s->w[i + 1].norm)) {
		/* "1.5 hours", "полтора часа" (1.5 by now) */
		double x = strtod(s->w[i].norm, &end);

		if (!*end && x > 0) {
			*len = 2;
			*secs = (long)(x * (double)nlp_unit_secs(s->w[i + 1].norm) + 0.5);
			return *secs > 0;
		}
	}
	if (end != s->w[i].norm && !*end && n > 0 && i + 1 < s->n &&
	    nlp_unit_secs(s->w[i + 1].norm)) {
		*len = 2;
		if (n > COUNT_MAX)
			return -1;
		*secs = n * nlp_unit_secs(s->w[i + 1].norm);
		return 1;
	}
	for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
		size_t e;

		if (nlp_phrase((struct nlp *)s, i, fixed[k].phrase, false, &e)) {
			*secs = fixed[k].secs;
			*len = e - i;
			return 1;
		}
	}
	return 0;
}

void nlp_duration_text(long secs, char *buf, size_t len)
{
	long m = secs / 60;

	if (m < 60)
		snprintf(buf, len, "%ldm", m);
	else if (m % 60 == 0)
		snprintf(buf, len, "%ldh", m / 60);
	else
		snprintf(buf, len, "%ldh%ldm", m / 60, m % 60);
}

const char *const nlp_connectors[] = { "at", "on", "by", "for", "in", "until", "till", "due",
				       "в",  "во", "на", "к",	"до", "с",     NULL };

/* Parts of the day that also name things: "morning run", "night shift". */
static const char *const part_nouns[] = { "morning", "afternoon", "evening", "night", NULL };

/* Words that say a time of day or a day (but for numbers), for nlp_when()'s
 * check of what it left next to a date. */
static const char *const time_words[] = {
	"morning",  "afternoon", "evening",	"tonight",  "night",	   "noon",	"midday",
	"midnight", "am",	 "pm",		"a.m",	    "p.m",	   "o'clock",	"oclock",
	"утром",    "днем",	 "вечером",	"ночью",    "утра",	   "вечера",	"ночи",
	"полдень",  "полночь",	 "monday",	"tuesday",  "wednesday",   "thursday",	"friday",
	"saturday", "sunday",	 "понедельник", "вторник",  "среду",	   "среда",	"четверг",
	"пятницу",  "пятница",	 "субботу",	"суббота",  "воскресенье", "january",	"february",
	"march",    "april",	 "june",	"july",	    "august",	   "september", "october",
	"november", "december",	 "января",	"февраля",  "марта",	   "апреля",	"мая",
	"июня",	    "июля",	 "августа",	"сентября", "октября",	   "ноября",	"декабря",
	NULL,
};

/* Try the unused run [i, j) as a date; it must not cross a used word.  A
 * lone "morning" before a noun names a thing: "morning run". */
static bool try_span(const struct nlp *s, size_t i, size_t j, time_t now, struct when *w)
{
	struct err e;
	char *text;
	bool ok;

	for (size_t k = i; k < j; k++)
		if (s->w[k].used)
			return false;
	if (j == i + 1 && nlp_is(s, i, part_nouns) && j < s->n && !s->w[j].used &&
	    !nlp_is(s, j, nlp_connectors) &&
	    !nlp_is(s, j, (const char *const[]){ "to", "and", "that", NULL }))
		return false;
	text = nlp_text(s, i, j, false);
	ok = text && when_parse_in(text, now, s->zone, w, &e) == 0;
	free(text);
	return ok;
}

/* The longest date run in [from, to); sets *b, *e. */
static bool longest(const struct nlp *s, size_t from, size_t to, time_t now, struct when *w,
		    size_t *b, size_t *e)
{
	for (size_t len = SPAN_MAX; len > 0; len--) {
		for (size_t i = from; i + len <= to; i++) {
			if (try_span(s, i, i + len, now, w)) {
				*b = i;
				*e = i + len;
				return true;
			}
		}
	}
	return false;
}

static void use_with_connector(struct nlp *s, size_t b, size_t e, size_t from)
{
	nlp_use(s, b, e);
	if (b > from && !s->w[b - 1].used && nlp_is(s, b - 1, nlp_connectors))
		s->w[b - 1].used = true;
}

/* Whether word i says a time or a day: a word of time_words[], "5pm",
 * "7p", or "next"/"следующ*" before "week"/"неделе". */
static bool time_word(const struct nlp *s, size_t i)
{
	static const char *const next[] = { "next", "следующ*", NULL };
	static const char *const span[] = { "week", "month", "year", "недел*", "месяц*", NULL };
	const char *w = s->w[i].norm;
	size_t d = strspn(w, "0123456789");

	if (nlp_is(s, i, time_words))
		return true;
	if (d && d <= 2 && w[d] &&
	    (!strcmp(w + d, "a") || !strcmp(w + d, "p") || !strcmp(w + d, "am") ||
	     !strcmp(w + d, "pm") || !strcmp(w + d, "a.m") || !strcmp(w + d, "p.m")))
		return true;
	return nlp_is(s, i, next) && i + 1 < s->n && !s->w[i + 1].used && nlp_is(s, i + 1, span);
}

/* Whether the first unused word before b, or after e - 1, past connectors,
 * says a time or a day: "в 6 ночи" read as "в 6" leaves "ночи"; or a
 * number word is right next to a time in digits ("at 5 thirty"). */
static bool doubt_near(const struct nlp *s, size_t from, size_t to, size_t b, size_t e)
{
	size_t i = e;

	if (e < to && !s->w[e].used && isdigit((unsigned char)s->w[e - 1].norm[0]) &&
	    nlp_number_word(s->w[e].norm))
		return true;
	if (b > from && !s->w[b - 1].used && isdigit((unsigned char)s->w[b].norm[0]) &&
	    nlp_number_word(s->w[b - 1].norm))
		return true;
	while (i < to && !s->w[i].used && nlp_is(s, i, nlp_connectors))
		i++;
	if (i < to && !s->w[i].used && time_word(s, i))
		return true;
	for (i = b; i > from && !s->w[i - 1].used && nlp_is(s, i - 1, nlp_connectors); i--)
		;
	return i > from && !s->w[i - 1].used && time_word(s, i - 1);
}

bool nlp_when(struct nlp *s, size_t from, size_t to, time_t now, struct when *w)
{
	size_t b1, e1, b2 = 0, e2 = 0;
	bool two = false;
	struct when w2;

	if (to > s->n)
		to = s->n;
	s->doubt = false;
	if (!longest(s, from, to, now, w, &b1, &e1))
		return false;
	/* Mark the first run so the second cannot overlap it, then try both orders. */
	nlp_use(s, b1, e1);
	if (longest(s, from, to, now, &w2, &b2, &e2)) {
		char *a, *b;
		struct err err;

		for (size_t k = b1; k < e1; k++)
			s->w[k].used = false;
		a = nlp_text(s, b1, e1, false);
		b = nlp_text(s, b2, e2, false);
		for (int order = 0; order < 2; order++) {
			char *both = order ? xasprintf("%s %s", b, a) : xasprintf("%s %s", a, b);
			int ok = when_parse_in(both, now, s->zone, &w2, &err) == 0;

			free(both);
			if (ok) {
				*w = w2;
				use_with_connector(s, b2, e2, from);
				two = true;
				break;
			}
		}
		free(a);
		free(b);
	}
	use_with_connector(s, b1, e1, from);
	s->doubt = doubt_near(s, from, to, b1, e1) || (two && doubt_near(s, from, to, b2, e2));
	return true;
}
