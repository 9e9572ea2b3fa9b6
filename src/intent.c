/* The offline intent parser: which tool a sentence asks for, and its arguments.
 * Each parse_* function claims the sentence (returns true) or leaves it. */
#include "intent.h"
#include "intent-impl.h"
#include "render.h"
#include "tz.h"
#include "when.h"
#include "sbuf.h"
#include "xalloc.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const byday[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };

/* Words said for politeness or to address nestor: dropped anywhere. */
static const char *const polite_words[] = { "please", "kindly", "пожалуйста", "плиз", "пж", NULL };
/* Openings that carry no request, dropped from the start (longest first). */
static const char *const openings[] = {
	"would you be so kind as to",
	"i would like you to",
	"would you mind",
	"i'd like you to",
	"i want you to",
	"i need you to",
	"go ahead and",
	"could you",
	"can you",
	"would you",
	"will you",
	"could u",
	"can u",
	"hey nestor",
	"hi nestor",
	"hello nestor",
	"tell me",
	"ok nestor",
	"nestor",
	"hey",
	"ok",
	"okay",
	"just",
	"не могли бы вы",
	"не могла бы ты",
	"не мог бы ты",
	"будьте добры",
	"будь добра",
	"будь добр",
	"ты можешь",
	"можешь",
	"можете",
	"эй",
	"слушай",
	"нестор",
	"подскажи",
	"подскажите",
	"скажи",
	"скажите",
	NULL,
};

void intent_tool(struct intent *in, const char *tool)
{
	in->kind = INTENT_TOOL;
	in->tool = tool;
	if (!in->args)
		in->args = cJSON_CreateObject();
}

void intent_clarify(struct intent *in, enum intent_need need)
{
	cJSON_Delete(in->args);
	in->args = NULL;
	in->tool = NULL;
	free(in->match);
	in->match = NULL;
	in->kind = INTENT_CLARIFY;
	in->need = need;
}

void intent_clarify_past(struct intent *in, struct tz *z, time_t at, time_t now)
{
	int m = when_minutes(z, at);

	intent_clarify(in, NEED_PAST);
	if (m >= 60 && m < 720 && intent_day(z, at, 0, m + 720) > now)
		in->match =
			xasprintf("%02d:%02d or %02d:%02d", m / 60, m % 60, m / 60 + 12, m % 60);
	else
		in->match = xasprintf("%02d:%02d", m / 60, m % 60);
}

time_t intent_upcoming(const struct nlp *s, const struct when *w, time_t at, time_t now)
{
	int m = when_written_minutes(s->zone, w);

	if (intent_evening(s, w, at, now))
		return intent_day(s->zone, at, 0, m + 720);
	if (w->anchor == WHEN_TIME && !w->date_only && at <= now)
		return intent_day(s->zone, at, 1, m);
	return at;
}

void intent_arg_time(struct intent *in, const char *key, time_t t)
{
	char buf[40];

	cJSON_AddStringToObject(in->args, key, render_time_in(in->zone, t, buf, sizeof(buf)));
}

void intent_arg_wall(struct intent *in, const char *key, time_t t, int minutes)
{
	struct tm tm;
	char buf[64];

	tz_wall_in(in->zone, t, &tm);
	if (tm.tm_hour * 60 + tm.tm_min == minutes) {
		intent_arg_time(in, key, t);
		return;
	}
	/* no offset: the tool reads it in the zone as event add --at does */
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:00", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, minutes / 60, minutes % 60);
	cJSON_AddStringToObject(in->args, key, buf);
}

void intent_arg_date(struct intent *in, const char *key, time_t t)
{
	char buf[16];

	cJSON_AddStringToObject(in->args, key, render_date_in(in->zone, t, buf, sizeof(buf)));
}

bool intent_lead(struct nlp *s, const char *const *phrases)
{
	for (; *phrases; phrases++)
		if (nlp_phrase(s, 0, *phrases, true, NULL))
			return true;
	return false;
}

bool intent_anywhere(struct nlp *s, const char *const *phrases)
{
	for (; *phrases; phrases++)
		for (size_t i = 0; i < s->n; i++)
			if (!s->w[i].used && nlp_phrase(s, i, *phrases, true, NULL))
				return true;
	return false;
}

void intent_drop(struct nlp *s, const char *const *words)
{
	for (size_t i = 0; i < s->n; i++)
		if (nlp_is(s, i, words))
			s->w[i].used = true;
}

bool intent_take_match(struct nlp *s, struct intent *in)
{
	free(in->match);
	in->match = nlp_text(s, 0, s->n, true);
	return in->match != NULL;
}

/* The wall-clock time is read as when_parse() reads one (tz_instant()): a
 * time a fall-back change repeats is its first instance, whatever mktime()
 * picks ("every night at 2:30" said the evening before starts at the first
 * 02:30). */
time_t intent_day(struct tz *z, time_t t, int days, int minutes)
{
	struct tz *local = z ? NULL : tz_open(NULL, NULL);
	struct tm tm;
	time_t at;

	tz_wall_in(z, t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = minutes / 60;
	tm.tm_min = minutes % 60;
	tm.tm_sec = 0;
	at = tz_instant(z ? z : local, &tm);
	tz_free(local);
	return at;
}

bool intent_evening(const struct nlp *s, const struct when *w, time_t at, time_t now)
{
	int m = when_written_minutes(s->zone, w);

	return w->other_half > 0 && !w->date_only && at <= now &&
	       intent_day(s->zone, at, 0, m + 720) > now && intent_day(s->zone, now, 0, 0) <= at;
}

/* "on the last friday of every month", "в последнюю пятницу каждого
 * месяца": the monthly rule "every last friday of the month" reads, the
 * words (with "on the", "в" before them) marked; NULL when there is none. */
static char *ordinal_of_every_month(struct nlp *s)
{
	static const char *const ordinals[] = { "first",    "second",	"third", "fourth",
						"last",	    "перв*",	"втор*", "трет*",
						"четверт*", "последн*", NULL };
	static const char *const lead[] = { "on", "the", "в", "во", NULL };

	for (size_t i = 0; i + 3 < s->n; i++) {
		size_t end = 0, b = i;
		char *text, *rule = NULL;
		const char *o = s->w[i].norm, *each;
		struct err e;
		size_t len = strlen(o);

		if (s->w[i].used || s->w[i + 1].used || !nlp_is(s, i, ordinals))
			continue;
		if (nlp_phrase(s, i + 2, "of every month", false, &end) ||
		    nlp_phrase(s, i + 2, "of each month", false, &end)) {
			text = xasprintf("every %s %s of the month", o, s->w[i + 1].norm);
		} else if (nlp_phrase(s, i + 2, "каждого месяца", false, &end)) {
			/* "последнюю" -> "каждую", "последнее" -> "каждое" */
			each = len >= 2 && !strcmp(o + len - 2, "ю")	? "каждую"
			       : len >= 4 && !strcmp(o + len - 4, "ее") ? "каждое"
									: "каждый";
			text = xasprintf("%s %s %s месяца", each, o, s->w[i + 1].norm);
		} else {
			continue;
		}
		if (when_parse_rule(text, &rule, &e) == 0) {
			while (b > 0 && !s->w[b - 1].used && nlp_is(s, b - 1, lead))
				b--;
			nlp_use(s, b, end);
		}
		free(text);
		if (rule)
			return rule;
	}
	return NULL;
}

char *intent_recur(struct nlp *s)
{
	static const char *const starts[] = { "every",	"each",	     "daily",	    "weekly",
					      "hourly", "ежечасно",  "monthly",	    "yearly",
					      "каждый", "каждую",    "каждое",	    "каждые",
					      "по",	"ежедневно", "еженедельно", "ежемесячно",
					      NULL };
	char *best = ordinal_of_every_month(s);
	size_t bi = 0, blen = 0;

	if (best)
		return best;
	/* the longest phrase wins: "weekly sync every friday" is every Friday */
	for (size_t i = 0; i < s->n; i++) {
		if (s->w[i].used || !nlp_is(s, i, starts))
			continue;
		for (size_t len = 6; len > blen; len--) {
			char *text, *rule = NULL;
			struct err e;
			bool free_run = i + len <= s->n;

			for (size_t k = i; free_run && k < i + len; k++)
				free_run = !s->w[k].used;
			if (!free_run)
				continue;
			text = nlp_text(s, i, i + len, false);
			if (when_parse_rule(text, &rule, &e) == 0) {
				free(best);
				best = rule;
				bi = i;
				blen = len;
			}
			free(text);
		}
	}
	if (best)
		nlp_use(s, bi, bi + blen);
	return best;
}

bool intent_daily_part(struct nlp *s)
{
	static const char *const parts[][2] = {
		{ "every morning", "morning" },
		{ "each morning", "morning" },
		{ "every evening", "evening" },
		{ "each evening", "evening" },
		{ "every night", "night" },
		{ "each night", "night" },
		{ "каждое утро", "утром" },
		{ "каждый вечер", "вечером" },
		{ "каждую ночь", "ночью" },
		/* as a parser tried before left them */
		{ "каждое утром", "утром" },
		{ "каждый вечером", "вечером" },
		{ "каждую ночью", "ночью" },
	};

	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		for (size_t i = 0; i + 1 < s->n; i++) {
			size_t j;

			if (s->w[i].used || !nlp_phrase(s, i, parts[k][0], false, NULL))
				continue;
			s->w[i].used = true;
			j = nlp_next(s, i + 1);
			free(s->w[j].norm);
			s->w[j].norm = xstrdup(parts[k][1]);
			return true;
		}
	return false;
}

long intent_rule_step(const char *rule)
{
	static const struct {
		const char *freq;
		long secs;
	} sub[] = { { "FREQ=HOURLY", 3600 }, { "FREQ=MINUTELY", 60 }, { "FREQ=SECONDLY", 1 } };
	const char *iv = rule ? strstr(rule, "INTERVAL=") : NULL;
	long n = iv ? strtol(iv + 9, NULL, 10) : 1;

	for (size_t k = 0; rule && k < sizeof(sub) / sizeof(sub[0]); k++) {
		size_t len = strlen(sub[k].freq);

		if (!strncmp(rule, sub[k].freq, len) && (!rule[len] || rule[len] == ';'))
			return sub[k].secs * (n > 0 ? n : 1);
	}
	return 0;
}

/* Whether the day tm is one a BYDAY list allows: "FR" any Friday, "-1FR"
 * the last Friday of its month, "1MO" the first Monday. */
static bool byday_allows(const char *by, const struct tm *tm)
{
	static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = tm->tm_year + 1900,
	    days = len[tm->tm_mon] + (tm->tm_mon == 1 && y % 4 == 0 && (y % 100 || y % 400 == 0));

	for (by += strlen("BYDAY="); *by && *by != ';';) {
		char *end;
		long n = strtol(by, &end, 10);

		if (!end[0] || !end[1])
			break;
		if (!strncmp(end, byday[tm->tm_wday], 2) &&
		    (n == 0 ||
		     (n > 0 ? (tm->tm_mday - 1) / 7 + 1 == n : (days - tm->tm_mday) / 7 + 1 == -n)))
			return true;
		by = end + 2 + (end[2] == ',');
	}
	return false;
}

time_t intent_first(struct tz *z, const char *rule, time_t from, int minutes, time_t now)
{
	const char *by = rule ? strstr(rule, "BYDAY=") : NULL;
	long step = intent_rule_step(rule);

	if (step > 0) {
		/* "every hour from 9": the first step of the series after now */
		time_t t = intent_day(z, from, 0, minutes);

		if (t <= now)
			t += ((now - t) / step + 1) * step;
		return t;
	}
	for (int d = 0; d < 400; d++) {
		time_t t = intent_day(z, from, d, minutes);
		struct tm tm;

		tz_wall_in(z, t, &tm);
		if (t <= now)
			continue;
		if (!by || byday_allows(by, &tm))
			return t;
	}
	return intent_day(z, from, 0, minutes);
}

/* Days by name, English and Russian (after "except", "кроме"), and the
 * weekend; bit n is tm_wday n. */
static const struct {
	const char *word;
	int mask;
} day_words[] = {
	{ "sunday*", 0x01 },	  { "monday*", 0x02 },	 { "tuesday*", 0x04 },
	{ "wednesday*", 0x08 },	  { "thursday*", 0x10 }, { "friday*", 0x20 },
	{ "saturday*", 0x40 },	  { "weekend*", 0x41 },	 { "воскресень*", 0x01 },
	{ "понедельник*", 0x02 }, { "вторник*", 0x04 },	 { "сред*", 0x08 },
	{ "четверг*", 0x10 },	  { "пятниц*", 0x20 },	 { "суббот*", 0x40 },
	{ "выходн*", 0x41 },
};

static int day_mask(const struct nlp *s, size_t i)
{
	for (size_t k = 0; k < sizeof(day_words) / sizeof(day_words[0]); k++)
		if (nlp_is(s, i, (const char *const[]){ day_words[k].word, NULL }))
			return day_words[k].mask;
	return 0;
}

static const char *const except_words[] = { "except", "excluding", "кроме", NULL };

int intent_except(struct nlp *s, char **rule)
{
	static const char *const skip[] = { "on", "for", "the", "в", "во", "по", NULL };
	static const char *const and[] = { "and", "or", "и", "или", NULL };
	int at = nlp_find(s, 0, except_words), mask = 0, allowed = 0;
	size_t i, end;
	const char *by;
	struct sbuf sb = SBUF_INIT;

	if (at < 0)
		return 0;
	for (i = (size_t)at + 1; i < s->n && nlp_is(s, i, skip); i++)
		;
	for (end = i; end < s->n && !s->w[end].used; end++) {
		int m = day_mask(s, end);

		if (m)
			mask |= m;
		else if (!nlp_is(s, end, and) || !day_mask(s, end + 1))
			break;
	}
	if (!mask)
		return 0;
	if (!*rule || !strcmp(*rule, "FREQ=DAILY"))
		allowed = 0x7f;
	else if (!strncmp(*rule, "FREQ=WEEKLY;BYDAY=", 18))
		for (by = *rule + 18; *by; by += by[2] ? 3 : 2)
			for (int d = 0; d < 7; d++)
				allowed |= !strncmp(by, byday[d], 2) ? 1 << d : 0;
	allowed &= ~mask;
	if (!*rule || !allowed)
		return -1;
	nlp_use(s, (size_t)at, end);
	sbuf_adds(&sb, "FREQ=WEEKLY;BYDAY=");
	for (int d = 1; d <= 7; d++)
		if (allowed & (1 << (d % 7)))
			sbuf_addf(&sb, "%s%s", sb.buf[sb.len - 1] == '=' ? "" : ",", byday[d % 7]);
	free(*rule);
	*rule = sbuf_detach(&sb);
	return 1;
}

bool intent_stray_repeat(const struct nlp *s)
{
	static const char *const every[] = { "every",	  "each",   "каждый", "каждую",
					     "каждое",	  "каждые", "каждая", "except",
					     "excluding", "кроме",  NULL };
	static const char *const what[] = {
		"first", "second",   "third",	 "fourth", "last",    "other",	"day*",
		"week*", "month*",   "year*",	 "hour*",  "minute*", "перв*",	"втор*",
		"трет*", "четверт*", "последн*", "дн*",	   "день",    "недел*", "месяц*",
		"год*",	 "час*",     "минут*",	 NULL,
	};

	for (size_t i = 0; i + 1 < s->n; i++) {
		size_t j = nlp_next(s, i + 1);

		if (s->w[i].used || !nlp_is(s, i, every) || j >= s->n)
			continue;
		if (day_mask(s, j) || nlp_is(s, j, what) || intent_number(s, j, &(long long){ 0 }))
			return true;
	}
	return false;
}

static const char *const prio_urgent[] = {
	"top priority", "highest priority", "urgent",  "urgently", "asap",    "очень срочно",
	"срочно",	"срочная",	    "срочную", "срочное",  "срочный", NULL
};
static const char *const prio_low[] = {
	"with low priority", "low priority",	     "low-priority",
	"priority low",	     "с низким приоритетом", "низкий приоритет",
	"приоритет низкий",  "низкого приоритета",   "не срочно",
	"не срочная",	     "не срочную",	     NULL
};
static const char *const prio_medium[] = { "with medium priority", "medium priority",
					   "normal priority",	   "со средним приоритетом",
					   "средний приоритет",	   NULL };
static const char *const prio_high[] = { "with high priority",
					 "high priority",
					 "high-priority",
					 "priority high",
					 "important",
					 "с высоким приоритетом",
					 "высокий приоритет",
					 "приоритет высокий",
					 "высокого приоритета",
					 "важно",
					 "важная",
					 "важную",
					 "важное",
					 NULL };

int intent_priority(struct nlp *s)
{
	static const struct {
		const char *const *phrases;
		int level;
	} levels[] = { { prio_urgent, 9 }, { prio_low, 1 }, { prio_medium, 5 }, { prio_high, 7 } };
	int level = 0;

	for (size_t k = 0; k < sizeof(levels) / sizeof(levels[0]); k++)
		while (intent_anywhere(s, levels[k].phrases))
			if (!level)
				level = levels[k].level;
	return level;
}

bool intent_stray_date(const struct nlp *s)
{
	if (s->doubt)
		return true;
	for (size_t i = 0; i < s->n; i++) {
		const char *w = s->w[i].norm;
		size_t d = strspn(w, "0123456789");

		if (s->w[i].used || d == 0 || d > 4)
			continue;
		if ((w[d] == '.' || w[d] == '/' || w[d] == ':') && w[d + 1] >= '0' &&
		    w[d + 1] <= '9')
			return true;
		if (!strcmp(w + d, "-го") || !strcmp(w + d, "-е") || !strcmp(w + d, "th") ||
		    !strcmp(w + d, "st") || !strcmp(w + d, "nd") || !strcmp(w + d, "rd"))
			return true;
	}
	return false;
}

void intent_called(struct nlp *s)
{
	static const char *const words[] = { "called",	      "named",	     "titled",
					     "под названием", "с названием", "с именем",
					     "по названию",   "названием",   NULL };

	for (size_t i = 0; i < s->n; i++) {
		size_t end;

		if (s->w[i].used)
			continue;
		for (const char *const *w = words; *w; w++) {
			if (nlp_phrase(s, i, *w, false, &end) && nlp_next(s, end) < s->n) {
				nlp_use(s, 0, end);
				return;
			}
		}
	}
}

/* Words that never start a title or a name ("add a meeting", "the reminder"). */
static const char *const articles[] = { "a",   "an",  "the", "my",  "мне",
					"мой", "моя", "мою", "мои", NULL };

void intent_trim(struct nlp *s, const char *const *lead, const char *const *trail)
{
	size_t i;

	for (;;) {
		i = nlp_next(s, 0);
		if (i >= s->n || !(nlp_is(s, i, articles) || (lead && nlp_is(s, i, lead))))
			break;
		s->w[i].used = true;
	}
	for (;;) {
		size_t last = s->n;

		for (i = 0; i < s->n; i++)
			if (!s->w[i].used)
				last = i;
		if (last == s->n || !trail || !nlp_is(s, last, trail))
			break;
		s->w[last].used = true;
	}
}

/* "4", "#4" (the '#' is gone already), "4th" is not an id; nor is a number
 * over 2^53, which a JSON number (a tool's argument) cannot hold exactly. */
bool intent_number(const struct nlp *s, size_t i, long long *id)
{
	char *end;
	long long v;

	if (i >= s->n || s->w[i].used)
		return false;
	errno = 0;
	v = strtoll(s->w[i].norm, &end, 10);
	if (end == s->w[i].norm || *end || v <= 0 || errno || v > (1LL << 53))
		return false;
	*id = v;
	return true;
}

bool intent_take_id(struct nlp *s, struct intent *in)
{
	for (size_t i = 0; i < s->n; i++) {
		long long id;

		if (intent_number(s, i, &id)) {
			s->w[i].used = true;
			cJSON_AddNumberToObject(in->args, "id", (double)id);
			return true;
		}
	}
	return false;
}

static bool parse_small_talk(struct nlp *s, struct intent *in)
{
	static const char *const help[] = { "help",
					    "what can you do",
					    "what can you do for me",
					    "what do you do",
					    "commands",
					    "how does this work",
					    "помощь",
					    "справка",
					    "помоги",
					    "что ты умеешь",
					    "что ты можешь",
					    "что умеешь",
					    "?",
					    NULL };
	static const char *const hello[] = { "hi",	     "hello",
					     "hey",	     "good morning",
					     "good evening", "good afternoon",
					     "привет",	     "здравствуй",
					     "здравствуйте", "добрый день",
					     "доброе утро",  "добрый вечер",
					     "хай",	     NULL };
	static const char *const thanks[] = { "thanks",	   "thank you",	      "thx",
					      "cheers",	   "thanks a lot",    "спасибо",
					      "благодарю", "спасибо большое", "большое спасибо",
					      NULL };
	static const char *const yes[] = { "yes",      "yeah",	  "yep",	"sure",
					   "ok",       "okay",	  "yes please", "do it",
					   "go ahead", "confirm", "да",		"ага",
					   "давай",    "конечно", "да давай",	"подтверждаю",
					   NULL };
	static const char *const no[] = { "no",	 "nope",    "no thanks", "don't",	"do not",
					  "нет", "не надо", "не нужно",	 "нет спасибо", NULL };
	char *text = nlp_text(s, 0, s->n, false);
	bool hit = false;

	if (!text) {
		in->kind = INTENT_HELP;
		return true;
	}
	for (const char *const *p = help; *p && !hit; p++)
		if (!strcmp(text, *p))
			hit = true, in->kind = INTENT_HELP;
	for (const char *const *p = hello; *p && !hit; p++)
		if (!strcmp(text, *p))
			hit = true, in->kind = INTENT_GREETING;
	for (const char *const *p = thanks; *p && !hit; p++)
		if (!strcmp(text, *p))
			hit = true, in->kind = INTENT_THANKS;
	for (const char *const *p = yes; *p && !hit; p++)
		if (!strcmp(text, *p))
			hit = true, in->kind = INTENT_CONFIRM;
	for (const char *const *p = no; *p && !hit; p++)
		if (!strcmp(text, *p))
			hit = true, in->kind = INTENT_DENY;
	free(text);
	return hit;
}

/* "@coder why...", "ask coder why...", "спроси coder ...". */
static bool parse_ask(struct nlp *s, struct intent *in, const char *const *assistants)
{
	size_t b = nlp_next(s, 0), q;
	const char *name = NULL;
	char *question;

	if (b >= s->n || !assistants)
		return false;
	if (s->w[b].orig[0] == '@')
		q = b + 1;
	else if (nlp_is(s, b, (const char *const[]){ "ask", "спроси", "спросить", NULL }))
		q = b + 2;
	else
		return false;
	if (q - 1 >= s->n)
		return false;
	for (const char *const *a = assistants; *a; a++) {
		const char *word = s->w[q - 1].orig + (s->w[q - 1].orig[0] == '@');

		if (!strcasecmp(word, *a))
			name = *a;
	}
	if (!name)
		return false;
	nlp_use(s, b, q);
	nlp_phrase(s, q, "about", true, NULL);
	question = nlp_text(s, 0, s->n, true);
	if (!question) {
		intent_clarify(in, NEED_WHAT);
		return true;
	}
	intent_tool(in, "ask_assistant");
	cJSON_AddStringToObject(in->args, "assistant", name);
	cJSON_AddStringToObject(in->args, "question", question);
	free(question);
	return true;
}

static void drop_politeness(struct nlp *s)
{
	bool again = true;

	for (size_t i = 0; i < s->n; i++)
		if (nlp_is(s, i, polite_words))
			s->w[i].used = true;
	while (again) {
		again = false;
		/* keep at least one word: "hey" alone is a greeting */
		for (const char *const *o = openings; *o && nlp_left(s) > 1; o++) {
			size_t end;

			if (nlp_phrase(s, 0, *o, false, &end) && end < s->n) {
				nlp_phrase(s, 0, *o, true, NULL);
				again = true;
				break;
			}
		}
	}
}

void intent_parse(const char *text, time_t now, const char *const *assistants, struct intent *out)
{
	intent_parse_in(text, now, NULL, assistants, out);
}

void intent_parse_in(const char *text, time_t now, struct tz *z, const char *const *assistants,
		     struct intent *out)
{
	static bool (*const parsers[])(struct nlp *, struct intent *, time_t) = {
		intent_routine_add,	intent_day_brief,	intent_task_recap,
		intent_routine_list,	intent_time_convert,	intent_time_now,
		intent_weather,		intent_reminder_snooze, intent_cancel,
		intent_reminder_list,	intent_reminder_add,	intent_task_done,
		intent_task_list,	intent_task_add,	intent_calendar_edit,
		intent_calendar_search, intent_calendar_agenda, intent_calendar_add,
	};
	struct nlp s;
	bool done = false, calendar = false;

	memset(out, 0, sizeof(*out));
	out->lang = nlp_is_russian(text) ? "ru" : "en";
	out->kind = INTENT_UNKNOWN;
	out->zone = z;
	nlp_split(&s, text);
	s.zone = z;
	if (parse_ask(&s, out, assistants)) {
		nlp_release(&s);
		return;
	}
	drop_politeness(&s);
	if (!parse_small_talk(&s, out)) {
		bool *used = xcalloc(s.n + 1, sizeof(*used));

		for (size_t k = 0; k < s.n; k++)
			used[k] = s.w[k].used;
		for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]) && !done; i++) {
			/* the calendar's parsers, last, read the local zone: the
			 * calendar is the device's, whoever asks */
			calendar |= parsers[i] == intent_calendar_edit;
			s.zone = out->zone = calendar ? NULL : z;
			done = parsers[i](&s, out, now);
			/* a parser that passes leaves the words as it found them */
			for (size_t k = 0; k < s.n && !done; k++)
				s.w[k].used = used[k];
			s.doubt = false;
		}
		free(used);
		if (!done) {
			intent_release(out);
			out->kind = INTENT_UNKNOWN;
		}
	}
	nlp_release(&s);
}

void intent_release(struct intent *in)
{
	cJSON_Delete(in->args);
	free(in->match);
	in->args = NULL;
	in->match = NULL;
	in->tool = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *intent_format(const struct intent *in)
{
	static const char *const need[] = { "none", "when", "what", "which", "often", "past" };
	struct sbuf sb = SBUF_INIT;
	const char *keys[32];
	size_t n = 0;
	const cJSON *a;

	switch (in->kind) {
	case INTENT_HELP: return xstrdup("help");
	case INTENT_GREETING: return xstrdup("greeting");
	case INTENT_THANKS: return xstrdup("thanks");
	case INTENT_CONFIRM: return xstrdup("yes");
	case INTENT_DENY: return xstrdup("no");
	case INTENT_UNKNOWN: return xstrdup("unknown");
	case INTENT_CLARIFY:
		if (in->match)
			return xasprintf("clarify:%s match=%s", need[in->need], in->match);
		return xasprintf("clarify:%s", need[in->need]);
	case INTENT_TOOL: break;
	}
	sbuf_adds(&sb, in->tool);
	cJSON_ArrayForEach(a, in->args)
		if (n < sizeof(keys) / sizeof(keys[0]))
			keys[n++] = a->string;
	qsort(keys, n, sizeof(keys[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(in->args, keys[i]);

		sbuf_addf(&sb, "%s%s=", i ? "; " : " ", keys[i]);
		if (cJSON_IsString(v))
			sbuf_adds(&sb, v->valuestring);
		else if (cJSON_IsNumber(v))
			sbuf_addf(&sb, "%lld", (long long)v->valuedouble);
		else if (cJSON_IsBool(v))
			sbuf_adds(&sb, cJSON_IsTrue(v) ? "true" : "false");
		else {
			char *j = cJSON_PrintUnformatted(v);

			sbuf_adds(&sb, j);
			free(j);
		}
	}
	if (in->match)
		sbuf_addf(&sb, "%smatch=%s", n ? "; " : " ", in->match);
	return sbuf_detach(&sb);
}
