/* Numbers said as words in a request: counts before a unit, hours, and
 * times of day ("five thirty", "quarter to six", "полшестого"). */
#include "nlp.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *w;
	int v;
} numbers[] = {
	{ "one", 1 },		{ "two", 2 },	       { "three", 3 },	     { "four", 4 },
	{ "five", 5 },		{ "six", 6 },	       { "seven", 7 },	     { "eight", 8 },
	{ "nine", 9 },		{ "ten", 10 },	       { "eleven", 11 },     { "twelve", 12 },
	{ "thirteen", 13 },	{ "fourteen", 14 },    { "fifteen", 15 },    { "sixteen", 16 },
	{ "seventeen", 17 },	{ "eighteen", 18 },    { "nineteen", 19 },   { "twenty", 20 },
	{ "thirty", 30 },	{ "forty", 40 },       { "fifty", 50 },	     { "один", 1 },
	{ "одна", 1 },		{ "одну", 1 },	       { "два", 2 },	     { "две", 2 },
	{ "три", 3 },		{ "четыре", 4 },       { "пять", 5 },	     { "шесть", 6 },
	{ "семь", 7 },		{ "восемь", 8 },       { "девять", 9 },	     { "десять", 10 },
	{ "одиннадцать", 11 },	{ "двенадцать", 12 },  { "тринадцать", 13 }, { "четырнадцать", 14 },
	{ "пятнадцать", 15 },	{ "шестнадцать", 16 }, { "семнадцать", 17 }, { "восемнадцать", 18 },
	{ "девятнадцать", 19 }, { "двадцать", 20 },    { "тридцать", 30 },   { "сорок", 40 },
	{ "пятьдесят", 50 },
};

/* The value of a number word, -1 when w is not one. */
static int word_value(const char *w)
{
	for (size_t k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++)
		if (!strcmp(w, numbers[k].w))
			return numbers[k].v;
	return -1;
}

/* The hour of a Russian genitive ordinal ("шестого": the sixth hour, so
 * five and some minutes), 1 to 12; -1 when w is none. */
static int ordinal_hour(const char *w)
{
	static const char *const ords[] = {
		"первого",  "второго",	"третьего", "четвертого", "пятого",	   "шестого",
		"седьмого", "восьмого", "девятого", "десятого",	  "одиннадцатого", "двенадцатого"
	};

	for (size_t k = 0; k < sizeof(ords) / sizeof(ords[0]); k++)
		if (!strcmp(w, ords[k]))
			return (int)k + 1;
	return -1;
}

bool nlp_number_word(const char *w)
{
	return word_value(w) >= 0 || !strcmp(w, "half") || !strcmp(w, "quarter") ||
	       !strcmp(w, "четверть") || !strncmp(w, "половин", strlen("половин")) ||
	       (!strncmp(w, "пол", strlen("пол")) && ordinal_hour(w + strlen("пол")) > 0);
}

/* An hour from one to twelve at word i, as a word or in digits. */
static int hour_at(const struct nlp *s, size_t i)
{
	const char *w;
	char *end;
	long v;

	if (i >= s->n)
		return -1;
	w = s->w[i].norm;
	v = word_value(w);
	if (v < 0 && isdigit((unsigned char)*w)) {
		v = strtol(w, &end, 10);
		if (*end)
			v = -1;
	}
	return v >= 1 && v <= 12 ? (int)v : -1;
}

/* Minutes said as words at word i ("thirty", "forty five", "forty-five",
 * "oh five", "тридцать", "сорок пять"), not a count before a unit ("thirty
 * minutes"); -1 when there are none.  *len gets the words taken. */
static int minutes_at(const struct nlp *s, size_t i, size_t *len)
{
	int tens, ones = -1;
	const char *dash;

	if (i >= s->n)
		return -1;
	dash = strchr(s->w[i].norm, '-');
	if (dash) {
		/* "forty-five" */
		char *a = xstrndup(s->w[i].norm, (size_t)(dash - s->w[i].norm));

		tens = word_value(a);
		ones = word_value(dash + 1);
		free(a);
		if (tens < 20 || tens % 10 || ones < 1 || ones > 9)
			return -1;
		*len = 1;
	} else {
		tens = nlp_is(s, i, (const char *const[]){ "oh", "o", "ноль", NULL })
			       ? 0
			       : word_value(s->w[i].norm);
		if (tens == 0 || (tens >= 20 && tens % 10 == 0))
			ones = word_value(i + 1 < s->n ? s->w[i + 1].norm : "");
		if (ones >= 1 && ones <= 9) {
			*len = 2;
		} else if (tens >= 10) {
			ones = 0;
			*len = 1;
		} else {
			return -1;
		}
	}
	if (i + *len < s->n && nlp_unit_secs(s->w[i + *len].norm))
		return -1;
	return tens + ones;
}

/* Replace the words [i, i + k) with one, its norm being norm (taken) and
 * its orig the words as typed: a time of day read as one token. */
static void merge(struct nlp *s, size_t i, size_t k, char *norm)
{
	size_t len = 0;
	char *orig;

	for (size_t j = i; j < i + k; j++)
		len += strlen(s->w[j].orig) + 1;
	orig = xmalloc(len);
	orig[0] = '\0';
	for (size_t j = i; j < i + k; j++) {
		if (j > i)
			strcat(orig, " ");
		strcat(orig, s->w[j].orig);
		free(s->w[j].orig);
		free(s->w[j].norm);
	}
	s->w[i].orig = orig;
	s->w[i].norm = norm;
	memmove(&s->w[i + 1], &s->w[i + k], (s->n - i - k) * sizeof(*s->w));
	s->n -= k - 1;
}

/* "quarter past five", "a quarter to six", "twenty past 7", "half past
 * five", "полшестого", "в половине шестого", "четверть шестого", "без
 * четверти шесть", "без десяти шесть" at word i: the time as "H:MM"
 * (hour 1 to 12, its half of the day not said) and *len the words; NULL
 * when there is none. */
static char *phrase_clock(const struct nlp *s, size_t i, size_t *len)
{
	static const struct {
		const char *w;
		int m;
	} before[] = {
		{ "quarter", 15 }, { "half", 30 }, { "five", 5 }, { "ten", 10 }, { "twenty", 20 },
		{ "twenty-five", 25 },
	}, ru_without[] = {
		{ "четверти", 15 }, { "пяти", 5 }, { "десяти", 10 }, { "пятнадцати", 15 },
		{ "двадцати", 20 },
	};
	size_t j = i + nlp_is(s, i, (const char *const[]){ "a", NULL });
	int m = -1, h;
	const char *w = j < s->n ? s->w[j].norm : "";

	if (!strncmp(w, "пол", strlen("пол")) && (h = ordinal_hour(w + strlen("пол"))) > 0) {
		*len = j - i + 1; /* "полшестого" */
		return xasprintf("%d:30", h == 1 ? 12 : h - 1);
	}
	if (nlp_is(s, j,
		   (const char *const[]){ "пол", "половине", "половина", "четверть", NULL }) &&
	    j + 1 < s->n && (h = ordinal_hour(s->w[j + 1].norm)) > 0) {
		*len = j - i + 2;
		return xasprintf("%d:%d", h == 1 ? 12 : h - 1,
				 nlp_is(s, j, (const char *const[]){ "четверть", NULL }) ? 15 : 30);
	}
	if (nlp_is(s, j, (const char *const[]){ "без", NULL })) {
		for (size_t k = 0; k < sizeof(ru_without) / sizeof(ru_without[0]); k++)
			if (nlp_is(s, j + 1, (const char *const[]){ ru_without[k].w, NULL }))
				m = ru_without[k].m;
		if (m == 20 && nlp_is(s, j + 2, (const char *const[]){ "пяти", NULL })) {
			m = 25;
			j++;
		}
		if (m < 0 || (h = hour_at(s, j + 2)) < 0)
			return NULL;
		*len = j - i + 3;
		return xasprintf("%d:%02d", h == 1 ? 12 : h - 1, 60 - m);
	}
	for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++)
		if (nlp_is(s, j, (const char *const[]){ before[k].w, NULL }))
			m = before[k].m;
	if (m == 20 && nlp_is(s, j + 1, (const char *const[]){ "five", NULL })) {
		m = 25;
		j++;
	}
	if (m < 0)
		return NULL;
	if (nlp_is(s, j + 1, (const char *const[]){ "minutes", "mins", NULL }) && m != 15 &&
	    m != 30)
		j++;
	if ((h = hour_at(s, j + 2)) < 0)
		return NULL;
	*len = j - i + 3;
	if (nlp_is(s, j + 1, (const char *const[]){ "past", "after", NULL }))
		return xasprintf("%d:%02d", h, m);
	/* "half to six" is nothing; "ten to six" only after "at": "from ten
	 * to six" is a range, "invite five to six people" a count */
	if (m != 30 && nlp_is(s, j + 1, (const char *const[]){ "to", "of", "till", NULL }) &&
	    (j > i || !strcmp(w, "quarter") ||
	     (i > 0 && nlp_is(s, i - 1, (const char *const[]){ "at", "by", "around", NULL }))))
		return xasprintf("%d:%02d", h == 1 ? 12 : h - 1, 60 - m);
	return NULL;
}

void nlp_number_words(struct nlp *s)
{
	static const char *const hour_words[] = { "at", "from", "to", "till", "until", "в",
						  "во", "с",	"до", "к",    NULL };
	static const char *const long_units[] = {
		"month*", "year*", "месяц*", "год*", "лет", NULL
	};

	for (size_t i = 0; i < s->n; i++) {
		size_t len;
		char *t = phrase_clock(s, i, &len);

		if (!t)
			continue;
		if ((i > 0 && nlp_is(s, i - 1, hour_words)) || len < 2) {
			merge(s, i, len, t);
			continue;
		}
		/* "без четверти шесть", "quarter to six" said alone: read as
		 * after "в", "at" (the afternoon by the same rules) */
		free(s->w[i].norm);
		s->w[i].norm = xstrdup(nlp_is_russian(s->w[i].orig) ? "в" : "at");
		merge(s, i + 1, len - 1, t);
	}
	for (size_t i = 0; i < s->n; i++) {
		char *comma = strchr(s->w[i].norm, ',');
		bool unit = i + 1 < s->n &&
			    (nlp_unit_secs(s->w[i + 1].norm) || nlp_is(s, i + 1, long_units));
		bool hour = i > 0 && nlp_is(s, i - 1, hour_words) && hour_at(s, i) > 0;
		int v = word_value(s->w[i].norm), m;
		size_t len;

		if (unit && comma)
			*comma = '.'; /* "1,5 часа" */
		if (unit && nlp_is(s, i, (const char *const[]){ "полтора", "полторы", NULL })) {
			free(s->w[i].norm);
			s->w[i].norm = xstrdup("1.5");
		}
		if (hour && v > 0 && !unit && (m = minutes_at(s, i + 1, &len)) >= 0 && m < 60) {
			/* "at five thirty", "в девять тридцать": a time as "5:30" */
			merge(s, i, len + 1, xasprintf("%d:%02d", hour_at(s, i), m));
		} else if (v >= 0 && (unit || hour)) {
			free(s->w[i].norm);
			s->w[i].norm = xasprintf("%d", v);
		}
	}
}
