/* Intents for the calendar: agenda, add, edit, search (delete is with cancel). */
#include "intent-impl.h"
#include "tz.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const calendar_place[] = {
	"to my calendar",
	"to the calendar",
	"in my calendar",
	"on my calendar",
	"into my calendar",
	"to calendar",
	"in the calendar",
	"в календарь",
	"в мой календарь",
	"в календаре",
	NULL,
};
/* Nouns that make "add X" an event rather than a task. */
static const char *const event_nouns[] = { "meeting",	"appointment", "call",	 "lunch", "dinner",
					   "breakfast", "встреч*",     "созвон", "обед",  "ужин",
					   "приём",	"прием",       NULL };
static const char *const event_words[] = { "event",   "an event",      "a new event", "new event",
					   "событие", "новое событие", NULL };

/* The first day of the month containing t moved by months. */
static time_t month_start(struct tz *z, time_t t, int months)
{
	struct tm tm;

	tz_wall_in(z, t, &tm);
	tm.tm_mday = 1;
	tm.tm_mon += months;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return tz_mktime_in(z, &tm);
}

bool intent_period(struct nlp *s, time_t now, time_t *from, time_t *to)
{
	static const char *const this_week[] = {
		"this week",	  "the week",	"this week's", "for the week",
		"на этой неделе", "эта неделя", "этой неделе", "на неделе",
		"на эту неделю",  "на неделю",	NULL,
	};
	static const char *const next_week[] = { "next week",	     "на следующей неделе",
						 "следующая неделя", "на следующую неделю",
						 "следующей неделе", NULL };
	static const char *const weekend[] = { "this weekend", "the weekend", "weekend",
					       "на выходных",  "в выходные",  "на выходные",
					       "выходные",     NULL };
	static const char *const this_month[] = { "this month", "в этом месяце", "на этот месяц",
						  "этот месяц", NULL };
	static const char *const next_month[] = { "next month", "в следующем месяце",
						  "на следующий месяц", NULL };
	struct tm tm;
	int monday;

	tz_wall_in(s->zone, now, &tm);
	monday = (tm.tm_wday + 6) % 7; /* days since Monday */
	if (intent_anywhere(s, this_week)) {
		*from = intent_day(s->zone, now, 0, 0);
		*to = intent_day(s->zone, now, 7 - monday, 0);
	} else if (intent_anywhere(s, next_week)) {
		*from = intent_day(s->zone, now, 7 - monday, 0);
		*to = intent_day(s->zone, now, 14 - monday, 0);
	} else if (intent_anywhere(s, weekend)) {
		*from = intent_day(s->zone, now, monday >= 5 ? 0 : 5 - monday, 0);
		*to = intent_day(s->zone, now, 7 - monday, 0);
	} else if (intent_anywhere(s, this_month)) {
		*from = intent_day(s->zone, now, 0, 0);
		*to = month_start(s->zone, now, 1);
	} else if (intent_anywhere(s, next_month)) {
		*from = month_start(s->zone, now, 1);
		*to = month_start(s->zone, now, 2);
	} else {
		return false;
	}
	return true;
}

bool intent_calendar_agenda(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const keys[] = {
		"agenda",    "schedule", "calendar", "events",	      "meetings", "appointments",
		"plans",     "busy",	 "free",     "happening",     "planned",  "расписание",
		"календарь", "события",	 "встречи",  "планы",	      "повестка", "свободен",
		"свободна",  "занят",	 "занята",   "запланировано", NULL,
	};
	static const char *const asks[] = { "what's on",      "what is on",	 "whats on",
					    "what do i have", "what have i got", "anything on",
					    "что у меня",     "что у нас",	 NULL };
	static const char *const fillers[] = {
		"what's", "what", "on",	  "my",	    "for",   "show", "me",	 "the",	 "do",
		"i",	  "have", "got",  "is",	    "there", "any",  "anything", "am",	 "are",
		"how",	  "does", "look", "looks",  "like",  "что",  "у",	 "меня", "нас",
		"на",	  "в",	  "во",	  "покажи", "мои",   "мой",  "моё",	 "мое",	 "какие",
		"какое",  "есть", "дня",  "я",	    "ли",    "как",  "выглядит", "all",	 NULL,
	};
	size_t b = nlp_next(s, 0);
	bool asked = nlp_find(s, 0, keys) >= 0;
	time_t from = 0, to = 0;
	struct when w;

	for (const char *const *a = asks; *a && !asked; a++)
		asked = nlp_phrase(s, b, *a, false, NULL);
	/* "что сегодня?", "what about friday" */
	if (!asked && !nlp_is(s, b, (const char *const[]){ "что", "what", "what's", NULL }))
		return false;
	/* a day first: "friday next week" is a day, "next week" a period */
	if (nlp_when(s, 0, s->n, now, &w)) {
		from = intent_day(s->zone, w.at, 0, 0);
		to = intent_day(s->zone, w.at, 1, 0);
	} else {
		intent_period(s, now, &from, &to);
	}
	if (!asked && !from)
		return false;
	intent_drop(s, keys);
	intent_drop(s, fillers);
	if (nlp_left(s) > 0)
		return false;
	intent_tool(in, "calendar_agenda");
	if (from) {
		intent_arg_time(in, "from", from);
		intent_arg_time(in, "to", to);
	}
	return true;
}

/* Russian nouns after "добавь": the accusative back to the title's nominative. */
static void nominative(struct nlp *s)
{
	static const char *const forms[][2] = {
		{ "встречу", "встреча" },
		{ "тренировку", "тренировка" },
		{ "презентацию", "презентация" },
		{ "лекцию", "лекция" },
		{ "планерку", "планерка" },
		{ "планёрку", "планёрка" },
		{ "вечеринку", "вечеринка" },
		{ "поездку", "поездка" },
		{ "консультацию", "консультация" },
		{ "репетицию", "репетиция" },
		{ "игру", "игра" },
		{ "пробежку", "пробежка" },
		{ "конференцию", "конференция" },
		{ "командировку", "командировка" },
	};
	size_t i = nlp_next(s, 0);

	if (i >= s->n)
		return;
	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		if (!strcmp(s->w[i].orig, forms[k][0])) {
			free(s->w[i].orig);
			s->w[i].orig = xstrdup(forms[k][1]);
			return;
		}
	}
}

/* Whether a word in [from, to) says am or pm itself. */
static bool has_meridiem(const struct nlp *s, size_t from, size_t to)
{
	static const char *const mer[] = { "*am",    "*pm", "*a.m", "*p.m", "утра",
					   "вечера", "дня", "ночи", NULL };

	for (size_t i = from; i < to && i < s->n; i++)
		for (const char *const *m = mer; *m; m++) {
			const char *w = s->w[i].norm, *p = *m;
			size_t lw = strlen(w), lp = strlen(p);

			if (*p == '*' ? lw >= lp - 1 && !strcmp(w + lw - (lp - 1), p + 1)
				      : !strcmp(w, p))
				return true;
		}
	return false;
}

/* An hour range as read: both ends in minutes and whether each said its
 * half of the day (am/pm, "вечера", a 24-hour clock). */
struct range {
	int start, end;
	bool start_said, end_said;
};

/* "from 3 to 4pm": the start takes the end's half of the day; "from 3 to 4"
 * with neither said is the afternoon, as "at 3" is (when.h).  An end
 * without am/pm that would come before the start is the afternoon's when
 * that makes the range shorter than 12 hours: "from 9 to 5" is 09:00-17:00,
 * "11-1" 11:00-13:00; "from 22 to 2" still ends the next night.  A part of
 * the day said (when.h's part_half) gives both ends its half instead:
 * "tonight from 8 to 10" is 20:00-22:00, "tomorrow morning from 5 to 7"
 * 05:00-07:00. */
static void range_halves(const struct range *r, int part_half, int *start, int *end)
{
	bool start_said = r->start_said, end_said = r->end_said;

	*start = r->start;
	*end = r->end;
	if (part_half && !start_said) {
		if (part_half > 0 && *start >= 60 && *start < 12 * 60)
			*start += 12 * 60;
		/* the end is the first of its two halves after the start */
		if (!end_said && *end < 12 * 60 && (*end - *start + 48 * 60) % (24 * 60) > 12 * 60)
			*end += 12 * 60;
		return;
	}
	if (!start_said && *start < 12 * 60 && *end >= 12 * 60 && *start + 12 * 60 < *end)
		*start += 12 * 60;
	if (!start_said && !end_said && *start >= 60 && *start < 7 * 60 && *end < 7 * 60 + 60) {
		*start += 12 * 60;
		if (*end < 12 * 60)
			*end += 12 * 60;
	}
	if (!end_said && *end <= *start && *end < 12 * 60 && *end + 12 * 60 > *start)
		*end += 12 * 60;
}

/* Whether the clock word w says its half of the day or is on the 24-hour
 * clock ("17:00", "9:30"): a range leaves such an end as written. */
static bool clock_said(const struct nlp *s, size_t from, size_t to)
{
	return has_meridiem(s, from, to) || (from < s->n && strchr(s->w[from].norm, ':'));
}

/* "from 10 to 11", "с 10 до 11", "10:00-11:00": both ends as said, the
 * words marked used. */
static bool time_range(struct nlp *s, struct range *r)
{
	for (size_t i = 0; i < s->n; i++) {
		size_t l1, l2, j;
		const char *dash;

		if (s->w[i].used)
			continue;
		dash = strchr(s->w[i].norm, '-');
		if (dash && dash != s->w[i].norm) {
			struct nlp one = { 0 };
			char *a = xstrndup(s->w[i].norm, (size_t)(dash - s->w[i].norm));
			bool ok;

			nlp_split(&one, a);
			ok = nlp_clock(&one, 0, true, &r->start, &l1) && l1 == one.n;
			r->start_said = ok && clock_said(&one, 0, one.n);
			nlp_release(&one);
			free(a);
			nlp_split(&one, dash + 1);
			ok = ok && nlp_clock(&one, 0, true, &r->end, &l2) && l2 == one.n;
			r->end_said = ok && clock_said(&one, 0, one.n);
			nlp_release(&one);
			if (ok) {
				s->w[i].used = true;
				return true;
			}
			continue;
		}
		if (!nlp_is(s, i, (const char *const[]){ "from", "с", NULL }) ||
		    !nlp_clock(s, i + 1, true, &r->start, &l1))
			continue;
		j = i + 1 + l1;
		if (!nlp_is(s, j,
			    (const char *const[]){ "to", "till", "until", "до", "-", NULL }) ||
		    !nlp_clock(s, j + 1, true, &r->end, &l2))
			continue;
		r->start_said = clock_said(s, i + 1, j);
		r->end_said = clock_said(s, j + 1, j + 1 + l2);
		nlp_use(s, i, j + 1 + l2);
		return true;
	}
	return false;
}

/* Try the unused words [i, j) (with extra after them, NULL: none) as a
 * date alone, read at now. */
static bool date_words(const struct nlp *s, size_t i, size_t j, const char *extra, time_t now,
		       struct when *w)
{
	char *text, *both;
	struct err e;
	bool ok;

	for (size_t k = i; k < j; k++)
		if (s->w[k].used)
			return false;
	if (!(text = nlp_text(s, i, j, false)))
		return false;
	both = extra ? xasprintf("%s %s", text, extra) : xstrdup(text);
	ok = when_parse_in(both, now, s->zone, w, &e) == 0 && w->date_only;
	free(both);
	free(text);
	return ok;
}

/* "from friday to sunday", "с 10 по 20 июня", "from dec 24 to dec 26": a
 * range of days, its first in *from and its last in *to (read from the
 * first day on: "from friday to monday" ends the Monday after); the words
 * are marked.  "с 10 по 20 июня": the first day takes the month of the
 * last. */
static bool date_range(struct nlp *s, time_t now, struct when *from, struct when *to)
{
	static const char *const start[] = { "from", "с", "со", NULL };
	static const char *const until[] = { "to", "till", "until", "through", "thru",
					     "по", "до",   "-",	    NULL };

	for (size_t i = 0; i + 3 < s->n + 1; i++) {
		if (s->w[i].used || !nlp_is(s, i, start))
			continue;
		for (size_t j = i + 2; j < s->n && j <= i + 4; j++) {
			if (!nlp_is(s, j, until))
				continue;
			for (size_t e = s->n < j + 5 ? s->n : j + 5; e > j + 1; e--) {
				char *tail;
				bool ok;

				if (!date_words(s, j + 1, e, NULL, now, to))
					continue;
				/* "с 10 по 20 июня": "10" with "июня" */
				tail = j + 2 < e ? nlp_text(s, j + 2, e, false) : NULL;
				ok = date_words(s, i + 1, j, NULL, now, from) ||
				     (j == i + 2 && tail &&
				      intent_number(s, i + 1, &(long long){ 0 }) &&
				      date_words(s, i + 1, j, tail, now, from));
				free(tail);
				if (!ok || !date_words(s, j + 1, e, NULL, from->at, to) ||
				    to->at < from->at)
					continue;
				nlp_use(s, i, e);
				return true;
			}
		}
	}
	return false;
}

/* "for 1h", "на 30 минут": the event's length; *huge gets the words of one
 * too long for an event (the tool says why). */
static bool duration(struct nlp *s, long *secs, char **huge)
{
	for (size_t i = 0; i + 1 < s->n; i++) {
		size_t len;
		int rc;

		if (s->w[i].used || !nlp_is(s, i, (const char *const[]){ "for", "на", NULL }) ||
		    !(rc = nlp_duration(s, i + 1, secs, &len)))
			continue;
		if (rc < 0)
			*huge = nlp_text(s, i + 1, i + 1 + len, true);
		nlp_use(s, i, i + 1 + len);
		return true;
	}
	return false;
}

/* The words before the first day of a series, left last once it is read. */
static const char *const series_from[] = { "starting", "beginning", "from", "начиная", NULL };

/* "yoga every day at 7 starting (from) March 29": the one series word (or
 * "starting from") left last, when the words right after it, but for
 * connectors ("on", "с"), are a date nlp_when() read (dated[]).  "new
 * beginning every day ..." and "new beginning from March 29 ..." keep
 * their name. */
static void trim_series_from(struct nlp *s, const bool *dated)
{
	static const char *const from[] = { "from", NULL };
	static const char *const starting[] = { "starting", NULL };
	size_t last = s->n, j;

	for (size_t i = 0; i < s->n; i++)
		if (!s->w[i].used)
			last = i;
	if (last == s->n || !nlp_is(s, last, series_from))
		return;
	for (j = last + 1; j < s->n && !dated[j] && nlp_is(s, j, nlp_connectors); j++)
		;
	if (j == s->n || !dated[j])
		return;
	s->w[last].used = true;
	if (last > 0 && nlp_is(s, last, from) && !s->w[last - 1].used &&
	    nlp_is(s, last - 1, starting))
		s->w[last - 1].used = true;
}

bool intent_calendar_add(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = {
		"add",	  "schedule", "book",	"create",   "put",	  "plan",
		"set up", "arrange",  "добавь", "добавить", "запланируй", "запланировать",
		"создай", "внеси",    "запиши", "назначь",  "поставь",	  NULL,
	};
	size_t b = nlp_next(s, 0);
	bool is_add = nlp_is(s, b, (const char *const[]){ "add", "добавь", "добавить", NULL });
	int start_min = -1, end_min = -1, excepted;
	struct range r;
	bool has_range;
	long secs = 0;
	char *rule, *summary, *huge = NULL, buf[32];
	struct when w, last, last_time;
	bool found, ranged, *dated;
	time_t start;

	if (!intent_lead(s, lead))
		return false;
	/* "book me a flight": a service asked for, not a time to keep */
	if (nlp_is(s, b, (const char *const[]){ "book", NULL }) &&
	    nlp_is(s, nlp_next(s, b + 1), (const char *const[]){ "me", "us", NULL }))
		return false;
	intent_anywhere(s, calendar_place);
	intent_lead(s, event_words);
	ranged = date_range(s, now, &w, &last);
	rule = intent_recur(s);
	if (!rule && intent_daily_part(s))
		rule = xstrdup("FREQ=DAILY");
	excepted = intent_except(s, &rule);
	duration(s, &secs, &huge);
	has_range = time_range(s, &r);
	dated = xcalloc(s->n ? s->n : 1, sizeof(*dated));
	for (size_t i = 0; i < s->n; i++)
		dated[i] = !s->w[i].used;
	/* a range of days with a time as well ("at 10"): asked about below */
	found = ranged ? !nlp_when(s, 0, s->n, now, &last_time) : nlp_when(s, 0, s->n, now, &w);
	for (size_t i = 0; i < s->n; i++)
		dated[i] = dated[i] && s->w[i].used;
	if (has_range)
		range_halves(&r, found && !ranged ? w.part_half : 0, &start_min, &end_min);
	intent_called(s);
	intent_trim(s, NULL, nlp_connectors);
	/* "yoga every day at 7 starting March 29": the series' first day */
	if (rule && found)
		trim_series_from(s, dated);
	free(dated);
	nominative(s);
	if (excepted < 0 || intent_stray_repeat(s) || intent_stray_date(s) ||
	    (ranged && (!found || rule || start_min >= 0))) {
		/* "add dentist 32.12": a date that was not understood */
		free(rule);
		free(huge);
		intent_clarify(in, NEED_WHEN);
		return true;
	}
	summary = nlp_text(s, 0, s->n, true);
	if (!found && !rule && start_min < 0) {
		bool event = summary && nlp_find(s, 0, event_nouns) >= 0;

		free(summary);
		free(huge);
		if (!is_add || event) {
			/* "add a meeting with Bob": when? */
			intent_clarify(in, NEED_WHEN);
			return true;
		}
		return false; /* "add buy milk": a task */
	}
	if (!summary) {
		free(rule);
		free(huge);
		intent_clarify(in, NEED_WHAT);
		return true;
	}
	intent_tool(in, "calendar_add");
	cJSON_AddStringToObject(in->args, "summary", summary);
	free(summary);
	if (start_min < 0 && found && !w.date_only)
		start_min = when_written_minutes(s->zone, &w);
	if (rule) {
		start = intent_first(s->zone, rule, found ? w.at : now,
				     start_min < 0 ? 0 : start_min,
				     start_min < 0 ? intent_day(s->zone, now, 0, 0) - 1 : now);
		cJSON_AddStringToObject(in->args, "every", rule);
		free(rule);
	} else {
		start = intent_day(s->zone, found ? w.at : now, 0, start_min < 0 ? 0 : start_min);
		/* "add dinner at 8" said at 18:30 is 20:00, said at 21:00
		 * tomorrow's 8:00: a time alone is never one already past */
		if (found && end_min < 0 && intent_evening(s, &w, start, now)) {
			start_min += 720;
			start = intent_day(s->zone, start, 0, start_min);
		} else if (found && end_min < 0 && w.anchor == WHEN_TIME && start <= now) {
			start = intent_day(s->zone, start, 1, start_min);
		} else if (end_min >= 0 && (!found || w.anchor == WHEN_TIME) && start <= now) {
			/* a range by the same rule: "from 8 to 10" said at 14:30
			 * is 20:00-22:00, said at 23:30 tomorrow's 08:00-10:00 */
			if (!r.start_said && !r.end_said && start_min >= 7 * 60 &&
			    start_min < 12 * 60 && end_min < 12 * 60 &&
			    intent_day(s->zone, now, 0, start_min + 720) > now) {
				start_min += 720;
				end_min += 720;
				start = intent_day(s->zone, start, 0, start_min);
			} else {
				start = intent_day(s->zone, start, 1, start_min);
			}
		}
	}
	if (!rule && start_min >= 0 && start <= now && start >= intent_day(s->zone, now, 0, 0)) {
		/* "add call today at 8" said at 20:30: never silently in the past */
		free(huge);
		intent_clarify_past(in, s->zone, start, now);
		return true;
	}
	if (start_min < 0) {
		intent_arg_date(in, "start", start);
		if (ranged)
			intent_arg_date(in, "end", last.at);
		cJSON_AddTrueToObject(in->args, "all_day");
		free(huge);
		return true;
	}
	intent_arg_wall(in, "start", start, start_min);
	if (end_min >= 0 && rule && when_minutes(s->zone, start) != start_min) {
		/* "from 2:30 to 4:00" on a gap day: the series keeps 02:30 and
		 * its written length, as event add --for does */
		int mins = end_min - start_min;

		nlp_duration_text((long)(mins > 0 ? mins : mins + 1440) * 60, buf, sizeof(buf));
		cJSON_AddStringToObject(in->args, "duration", buf);
	} else if (end_min >= 0) {
		time_t end = intent_day(s->zone, start, end_min <= start_min ? 1 : 0, end_min);

		intent_arg_time(in, "end", end);
	} else if (huge) {
		cJSON_AddStringToObject(in->args, "duration", huge);
	} else if (secs > 0) {
		nlp_duration_text(secs, buf, sizeof(buf));
		cJSON_AddStringToObject(in->args, "duration", buf);
	}
	free(huge);
	return true;
}

/* "move the sync to 11", "перенеси на 11": an hour after "to"/"на" is a
 * time, read as "at 11" is (when.h). */
static bool bare_hour(struct nlp *s, time_t now, struct when *w)
{
	for (size_t i = 0; i + 1 < s->n; i++) {
		struct err e;
		char *text;
		bool ok;

		if (s->w[i].used || s->w[i + 1].used ||
		    !nlp_is(s, i, (const char *const[]){ "to", "на", NULL }) ||
		    !intent_number(s, i + 1, &(long long){ 0 }))
			continue;
		text = xasprintf("at %s", s->w[i + 1].norm);
		ok = when_parse(text, now, w, &e) == 0;
		free(text);
		if (ok) {
			nlp_use(s, i, i + 2);
			return true;
		}
	}
	return false;
}

/* "all", "the weekly ...", "only this one": which part of a series an edit
 * is for; NULL when not said.  The words are marked. */
static const char *edit_scope(struct nlp *s)
{
	static const char *const this[] = {
		"only this one",
		"just this one",
		"only this week's",
		"just this week's",
		"this week's",
		"only the next one",
		"just the next one",
		"only the next",
		"just the next",
		"the next one",
		"only this",
		"just this",
		"this one",
		"only",
		"just",
		"только эту",
		"только этот",
		"только это",
		"только",
		NULL,
	};
	static const char *const all[] = {
		"the whole series", "whole series", "all of them", "the series",
		"all the",	    "all",	    "every",	   "each",
		"weekly",	    "daily",	    "monthly",	   "recurring",
		"всю серию",	    "все",	    "всю",	   "еженедельн*",
		"ежедневн*",	    "каждую",	    "каждый",	   NULL,
	};

	if (intent_anywhere(s, this))
		return "this";
	if (intent_anywhere(s, all)) {
		while (intent_anywhere(s, all))
			;
		return "all";
	}
	return NULL;
}

bool intent_calendar_edit(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const move[] = { "move",	 "reschedule", "shift",	 "push", "перенеси",
					    "перенести", "передвинь",  "сдвинь", NULL };
	static const char *const rename[] = { "rename", "переименуй", "переименовать", NULL };
	const char *scope;
	struct when w;

	if (intent_lead(s, rename)) {
		int to;
		char *summary;

		intent_lead(s, event_words);
		intent_tool(in, "calendar_edit");
		if (!intent_take_id(s, in)) {
			intent_clarify(in, NEED_WHICH);
			return true;
		}
		to = nlp_find(s, 0, (const char *const[]){ "to", "as", "в", "на", NULL });
		if (to >= 0)
			s->w[to].used = true;
		summary = nlp_text(s, 0, s->n, true);
		if (!summary) {
			intent_clarify(in, NEED_WHAT);
			return true;
		}
		cJSON_AddStringToObject(in->args, "summary", summary);
		free(summary);
		return true;
	}
	if (!intent_lead(s, move))
		return false;
	if (nlp_find(s, 0, (const char *const[]){ "reminder", "напоминание", NULL }) >= 0)
		return false;
	intent_tool(in, "calendar_edit");
	scope = edit_scope(s);
	if ((!nlp_when(s, 0, s->n, now, &w) && !bare_hour(s, now, &w)) || intent_stray_date(s)) {
		intent_clarify(in, NEED_WHEN);
		return true;
	}
	if (scope)
		cJSON_AddStringToObject(in->args, "scope", scope);
	if (w.anchor == WHEN_TIME) {
		/* "move the dentist to 16:30": the time changes, the day stays */
		char hm[16];
		int m = when_written_minutes(s->zone, &w);

		snprintf(hm, sizeof(hm), "%02d:%02d", m / 60, m % 60);
		cJSON_AddStringToObject(in->args, "time", hm);
	} else if (w.date_only) {
		intent_arg_date(in, "start", w.at);
	} else {
		/* "move all yoga to 29 March 2:30": 02:30 kept, as when added */
		intent_arg_wall(in, "start", w.at, when_written_minutes(s->zone, &w));
	}
	intent_lead(s, event_words);
	if (intent_take_id(s, in))
		return true;
	intent_trim(s, NULL, (const char *const[]){ "to", "на", NULL });
	if (!intent_take_match(s, in))
		intent_clarify(in, NEED_WHICH);
	return true;
}

bool intent_calendar_search(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = {
		"search my calendar for",
		"search the calendar for",
		"search for",
		"search",
		"look up",
		"look for",
		"find",
		"when is",
		"when's",
		"when do i have",
		"what time is",
		"найди",
		"найти",
		"поищи",
		"поиск",
		"когда у меня",
		"когда",
		NULL,
	};
	static const char *const stop[] = {
		"my",	   "the",	"a",	   "an",      "for",	     "in",
		"on",	   "calendar",	"event",   "events",  "appointment", "appointments",
		"meeting", "meetings",	"with",	   "all",     "мои",	     "мой",
		"в",	   "календаре", "встреча", "встречи", "встречу",     "событие",
		"события", "с",		"у",	   "меня",    "все",	     "is",
		"будет",   NULL,
	};
	char *text;

	(void)now;
	if (!intent_lead(s, lead))
		return false;
	intent_drop(s, stop);
	text = nlp_text(s, 0, s->n, true);
	if (!text)
		return false;
	intent_tool(in, "calendar_search");
	cJSON_AddStringToObject(in->args, "text", text);
	free(text);
	return true;
}
