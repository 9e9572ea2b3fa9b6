#include "answer.h"
#include "every.h"
#include "reltime.h"
#include "routine.h"
#include "tz.h"
#include "when.h"
#include "sbuf.h"
#include "xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RU(lang) ((lang) && !strcmp((lang), "ru"))

void answer_when_iso(const char *lang, const char *iso, time_t now, struct tz *z, char *buf,
		     size_t len)
{
	struct when w;
	struct err e;

	if (!iso || when_parse_in(iso, now, z, &w, &e) < 0) {
		snprintf(buf, len, "?");
		return;
	}
	reltime_format_in(z, RELTIME_PROSE, lang, w.at, w.date_only, now, buf, len);
}

char *answer_help(const char *lang)
{
	if (RU(lang))
		return xstrdup("Я веду календарь, напоминания и задачи, подскажу время и погоду."
			       " Например:\n"
			       "  напомни завтра в 9 позвонить маме\n"
			       "  что у меня в пятницу? · что у меня на этой неделе\n"
			       "  добавь обед с Анной в понедельник в 13:00 на 1 час\n"
			       "  добавь задачу купить молоко · мои задачи · задача 3 выполнена\n"
			       "  мои напоминания · отмени напоминание 4\n"
			       "  который час в Токио · погода в Казани завтра");
	return xstrdup("I keep your calendar, reminders and tasks, and tell the time and the"
		       " weather. For example:\n"
		       "  remind me to call mom tomorrow at 5pm\n"
		       "  what's on friday? · what's on this week\n"
		       "  add lunch with Anna on monday 13:00 for 1h\n"
		       "  add task buy milk · my tasks · done 3\n"
		       "  my reminders · cancel reminder 4\n"
		       "  what time is it in Tokyo · weather in Berlin tomorrow");
}

char *answer_unknown(const char *lang, const char *text)
{
	char *help = answer_help(lang), *r;

	r = RU(lang) ? xasprintf("Я не понял «%s». %s", text, help)
		     : xasprintf("I didn't understand \"%s\". %s", text, help);
	free(help);
	return r;
}

char *answer_greeting(const char *lang)
{
	char *help = answer_help(lang), *r;

	r = xasprintf("%s %s", RU(lang) ? "Привет!" : "Hello!", help);
	free(help);
	return r;
}

char *answer_dropped(const char *lang)
{
	return xstrdup(RU(lang) ? "Хорошо, ничего не меняю." : "OK, nothing changed.");
}

char *answer_thanks(const char *lang)
{
	return xstrdup(RU(lang) ? "Пожалуйста!" : "You're welcome!");
}

/* "08:00 today has passed; say ...": match is the intent's, "08:00", or
 * "08:00 or 20:00" when the evening's is still ahead. */
static char *answer_past(const char *lang, const char *match)
{
	int h = 0, m = 0, eh, em;
	bool pm = match && sscanf(match, "%d:%d or %d:%d", &h, &m, &eh, &em) == 4;
	char said[16];

	if (!match || sscanf(match, "%d:%d", &h, &m) != 2 || h < 0 || h > 23 || m < 0 || m > 59)
		h = m = 0;
	if (h == 0 || h > 12)
		snprintf(said, sizeof(said), "%02d:%02d", h, m);
	else if (m)
		snprintf(said, sizeof(said), "%d:%02d", h, m);
	else
		snprintf(said, sizeof(said), "%d", h);
	if (RU(lang))
		return pm ? xasprintf("Сегодня %02d:%02d уже прошло; скажите «завтра в %s» или «в "
				      "%02d:%02d».",
				      h, m, said, h + 12, m)
			  : xasprintf("Сегодня %02d:%02d уже прошло; скажите «завтра в %s».", h, m,
				      said);
	return pm ? xasprintf("%02d:%02d today has passed; say \"tomorrow at %s\" or \"at %s pm\".",
			      h, m, said, said)
		  : xasprintf("%02d:%02d today has passed; say \"tomorrow at %s\".", h, m, said);
}

char *answer_clarify(const char *lang, enum intent_need need, const char *match)
{
	switch (need) {
	case NEED_PAST: return answer_past(lang, match);
	case NEED_WHEN:
		return xstrdup(RU(lang) ? "Когда? Назовите время, например: «напомни завтра в 9"
					  " позвонить маме»."
					: "When? Give a time, for example: \"remind me to call mom"
					  " tomorrow at 5pm\".");
	case NEED_WHAT:
		return xstrdup(RU(lang) ? "О чём? Например: «добавь задачу купить молоко»."
					: "What should it say? For example: \"add task buy"
					  " milk\".");
	case NEED_OFTEN:
		return xasprintf(RU(lang) ? "Регулярный запрос выполняется не чаще раза в %d минут:"
					    " например, «каждые %d минут расскажи мой день»."
					  : "A routine runs at most every %d minutes: for example,"
					    " \"every %d minutes tell me my day\".",
				 ROUTINE_MINUTES_MIN, ROUTINE_MINUTES_MIN);
	case NEED_WHICH:
	case NEED_NONE: break;
	}
	return xstrdup(RU(lang) ? "Что именно? Назовите напоминание или событие с номером,"
				  " например: «отмени напоминание 4»."
				: "Which one? Name a reminder or an event with its number, for"
				  " example: \"cancel reminder 4\".");
}

/* "reminder" / "напоминание" etc. for the kind of thing a tool acts on. */
static const char *thing(const char *lang, const char *tool, bool plural)
{
	bool ru = RU(lang);

	if (!strncmp(tool, "reminder", 8))
		return ru ? (plural ? "напоминаний" : "напоминание")
			  : (plural ? "reminders" : "reminder");
	if (!strncmp(tool, "task", 4))
		return ru ? (plural ? "задач" : "задача") : (plural ? "tasks" : "task");
	return ru ? (plural ? "событий" : "событие") : (plural ? "events" : "event");
}

char *answer_which(const char *lang, const char *tool, const char *match,
		   const struct answer_choice *c, size_t n)
{
	struct sbuf sb = SBUF_INIT;

	if (RU(lang))
		sbuf_addf(&sb, "Под «%s» подходит несколько (%s) — какое именно?", match,
			  thing(lang, tool, true));
	else
		sbuf_addf(&sb, "Several %s match \"%s\" — which one?", thing(lang, tool, true),
			  match);
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "\n  %lld  %s", c[i].id, c[i].label);
	if (RU(lang))
		sbuf_addf(&sb, "\nСкажите с номером, например: «%s %lld».",
			  !strcmp(tool, "task_done")	     ? "задача выполнена"
			  : !strcmp(tool, "task_delete")     ? "удали задачу"
			  : !strcmp(tool, "reminder_cancel") ? "отмени напоминание"
			  : !strcmp(tool, "reminder_snooze") ? "отложи напоминание"
			  : !strcmp(tool, "calendar_delete") ? "удали событие"
							     : "перенеси событие",
			  c[0].id);
	else
		sbuf_addf(&sb, "\nSay it with the number, for example: \"%s %lld\".",
			  !strcmp(tool, "task_done")	     ? "done"
			  : !strcmp(tool, "task_delete")     ? "delete task"
			  : !strcmp(tool, "reminder_cancel") ? "cancel reminder"
			  : !strcmp(tool, "reminder_snooze") ? "snooze reminder"
			  : !strcmp(tool, "calendar_delete") ? "delete event"
							     : "move event",
			  c[0].id);
	return sbuf_detach(&sb);
}

char *answer_nomatch(const char *lang, const char *tool, const char *match)
{
	if (RU(lang))
		return xasprintf("Не нашёл: «%s» (%s).", match, thing(lang, tool, false));
	return xasprintf("No %s matches \"%s\".", thing(lang, tool, false), match);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

char *answer_recurrence(const char *lang, const char *rule, bool all_day, int minutes)
{
	char buf[160];
	const char *w = every_words_series(lang, rule, all_day, buf, sizeof(buf));
	bool said = w && strcmp(w, rule) != 0;
	bool daily_weekly = rule && (strstr(rule, "FREQ=DAILY") || strstr(rule, "FREQ=WEEKLY"));

	if (!w)
		return xstrdup("?");
	/* the time, where the words do not say it already */
	if (minutes >= 0 && said && daily_weekly && !strstr(w, ":"))
		return xasprintf(RU(lang) ? "%s в %02d:%02d" : "%s at %02d:%02d", w, minutes / 60,
				 minutes % 60);
	return xstrdup(w);
}

void answer_stored_when(const char *lang, const char *iso, time_t now, struct tz *z, char *buf,
			size_t len)
{
	struct when w;
	struct err e;
	struct tm tm;
	char day[64];
	const char *word;

	if (!iso || when_parse_in(iso, now, z, &w, &e) < 0) {
		snprintf(buf, len, "?");
		return;
	}
	tz_wall_in(z, w.at, &tm);
	reltime_date(lang, &tm, true, day, sizeof(day));
	word = reltime_word(reltime_days_in(z, w.at, now), lang);
	if (w.date_only)
		snprintf(buf, len, word ? "%s (%s)" : "%s", day, word);
	else if (RU(lang))
		snprintf(buf, len, word ? "%s, в %02d:%02d (%s)" : "%s, в %02d:%02d", day,
			 tm.tm_hour, tm.tm_min, word);
	else
		snprintf(buf, len, word ? "%s %02d:%02d (%s)" : "%s %02d:%02d", day, tm.tm_hour,
			 tm.tm_min, word);
}

static void reminder_line(struct sbuf *sb, const char *lang, const cJSON *r, time_t now,
			  struct tz *z)
{
	char when[64];
	char rule[128];
	const char *every = every_words(lang, str(r, "every"), rule, sizeof(rule));

	answer_when_iso(lang, str(r, "at"), now, z, when, sizeof(when));
	sbuf_addf(sb, "\n  %lld  %s  %s", num(r, "id"), when, str(r, "text") ? str(r, "text") : "");
	if (every)
		sbuf_addf(sb, " (%s)", every);
}

/* Minutes past midnight of an ISO time as written ("...T16:00..."), or -1. */
static int clock_minutes(const char *iso)
{
	if (!iso || strlen(iso) < 16 || iso[10] != 'T')
		return -1;
	return atoi(iso + 11) * 60 + atoi(iso + 14);
}

/* The minutes a timed series keeps: its time as written ("wall_start",
 * event.h) when its first day skips it, else its start's. */
static int series_minutes(const cJSON *ev)
{
	return clock_minutes(str(ev, "wall_start") ? str(ev, "wall_start") : str(ev, "start"));
}

/* "HH:MM" of an ISO time string, as it is written there. */
static void clock_of(const char *iso, char *buf, size_t len)
{
	if (iso && strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(buf, len, "%.5s", iso + 11);
	else
		snprintf(buf, len, "?");
}

/* A timed ISO instant's fmt in z (the day brief's events, in the user's
 * zone); NULL z, or a date: false (its digits are the local zone's). */
static bool iso_in(const char *iso, time_t now, struct tz *z, const char *fmt, char *buf,
		   size_t len)
{
	struct when w;
	struct err e;

	return z && iso && strlen(iso) >= 16 && iso[10] == 'T' &&
	       when_parse_in(iso, now, z, &w, &e) == 0 && tz_format(z, w.at, fmt, buf, len) == 0;
}

/* "13:00–14:00" or "all day", with the day in front when with_day. */
static void event_when(struct sbuf *sb, const char *lang, const cJSON *ev, bool with_day,
		       time_t now, struct tz *z)
{
	char a[8], b[8], day[64] = "";
	const cJSON *ad = cJSON_GetObjectItemCaseSensitive(ev, "all_day");
	struct when w;
	struct err e;

	if (with_day && when_parse_in(str(ev, "start"), now, z, &w, &e) == 0) {
		reltime_format_in(z, RELTIME_PROSE, lang, w.at, true, now, day, sizeof(day));
		sbuf_addf(sb, "%s ", day);
	}
	if (cJSON_IsTrue(ad)) {
		sbuf_adds(sb, RU(lang) ? "весь день" : "all day");
	} else {
		if (!iso_in(str(ev, "start"), now, z, "%H:%M", a, sizeof(a)))
			clock_of(str(ev, "start"), a, sizeof(a));
		if (!iso_in(str(ev, "end"), now, z, "%H:%M", b, sizeof(b)))
			clock_of(str(ev, "end"), b, sizeof(b));
		sbuf_addf(sb, "%s–%s", a, b);
	}
}

/* "13:00–14:00  lunch (Cafe)" */
static void event_text(struct sbuf *sb, const char *lang, const cJSON *ev, bool with_day,
		       time_t now, struct tz *z)
{
	event_when(sb, lang, ev, with_day, now, z);
	sbuf_addf(sb, "  %s", str(ev, "summary") ? str(ev, "summary") : "");
	if (str(ev, "location"))
		sbuf_addf(sb, " (%s)", str(ev, "location"));
}

static void event_line(struct sbuf *sb, const char *lang, const cJSON *ev, bool with_day,
		       time_t now, struct tz *z)
{
	sbuf_addf(sb, "\n  %lld  ", num(ev, "id"));
	event_text(sb, lang, ev, with_day, now, z);
}

static char *agenda(const char *lang, const cJSON *result, time_t now, struct tz *z)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(result, "events"), *ev;
	struct sbuf sb = SBUF_INIT;
	char last[16] = "", key[16];

	if (cJSON_GetArraySize(events) == 0)
		return xstrdup(RU(lang) ? "В календаре ничего нет на это время."
					: "Nothing on the calendar then.");
	cJSON_ArrayForEach(ev, events) {
		const char *start = str(ev, "start");

		if (start && !iso_in(start, now, z, "%Y-%m-%d", key, sizeof(key)))
			snprintf(key, sizeof(key), "%.10s", start);
		if (start && strcmp(last, key) != 0) {
			char day[64];
			struct when w;
			struct err e;

			snprintf(last, sizeof(last), "%s", key);
			if (when_parse_in(last, now, z, &w, &e) == 0)
				reltime_format_in(z, RELTIME_PROSE, lang, w.at, true, now, day,
						  sizeof(day));
			else
				snprintf(day, sizeof(day), "%s", last);
			sbuf_addf(&sb, "%s%s:", sb.len ? "\n" : "", day);
		}
		event_line(&sb, lang, ev, false, now, z);
	}
	return sbuf_detach(&sb);
}

/* A task's due time, or its day alone when it is due on a day. */
static void due_text(const char *lang, const cJSON *task, time_t now, struct tz *z, char *buf,
		     size_t len)
{
	struct when w;
	struct err e;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(task, "due_date_only")) &&
	    when_parse_in(str(task, "due"), now, z, &w, &e) == 0)
		reltime_format_in(z, RELTIME_PROSE, lang, w.at, true, now, buf, len);
	else
		answer_when_iso(lang, str(task, "due"), now, z, buf, len);
}

static char *listing(const char *lang, const char *tool, const cJSON *items, time_t now,
		     struct tz *z)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *it;
	bool ru = RU(lang);

	if (cJSON_GetArraySize(items) == 0) {
		if (!strcmp(tool, "task_list"))
			return xstrdup(ru ? "Открытых задач нет." : "No open tasks.");
		if (!strcmp(tool, "reminder_list"))
			return xstrdup(ru ? "Напоминаний нет." : "No reminders.");
		return xstrdup(ru ? "Ничего не нашёл." : "No events found.");
	}
	if (!strcmp(tool, "task_list"))
		sbuf_adds(&sb, ru ? "Задачи:" : "Tasks:");
	else if (!strcmp(tool, "reminder_list"))
		sbuf_adds(&sb, ru ? "Напоминания:" : "Reminders:");
	else
		sbuf_adds(&sb, ru ? "Нашёл:" : "Found:");
	cJSON_ArrayForEach(it, items) {
		if (!strcmp(tool, "task_list")) {
			char due[64];
			const char *d = str(it, "due");

			sbuf_addf(&sb, "\n  %lld  %s", num(it, "id"), str(it, "title"));
			if (d) {
				due_text(lang, it, now, z, due, sizeof(due));
				sbuf_addf(&sb, " (%s %s)", ru ? "до" : "due", due);
			}
			if (str(it, "status") && strcmp(str(it, "status"), "todo"))
				sbuf_addf(&sb, " [%s]", str(it, "status"));
		} else if (!strcmp(tool, "reminder_list")) {
			reminder_line(&sb, lang, it, now, z);
		} else {
			event_line(&sb, lang, it, true, now, z);
		}
	}
	return sbuf_detach(&sb);
}

static char *reminder_reply(const char *lang, const char *tool, const cJSON *result, time_t now,
			    struct tz *z)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(result, "reminder");
	const char *text = str(r, "text") ? str(r, "text") : "";
	long long id = num(result, "id");
	char when[96], rep[160] = "";

	answer_stored_when(lang, str(r, "at"), now, z, when, sizeof(when));
	if (str(r, "every")) {
		char *words = answer_recurrence(
			lang, str(r, "every"), false,
			clock_minutes(str(r, "wall") ? str(r, "wall") : str(r, "at")));

		snprintf(rep, sizeof(rep), " (%s)", words);
		free(words);
	}
	if (!strcmp(tool, "reminder_add"))
		return RU(lang) ? xasprintf("Напоминание %lld: %s — %s%s", id, when, text, rep)
				: xasprintf("Reminder %lld set for %s: %s%s", id, when, text, rep);
	if (!strcmp(tool, "reminder_snooze"))
		return RU(lang) ? xasprintf("Напоминание %lld отложено: %s — %s", id, when, text)
				: xasprintf("Reminder %lld snoozed until %s: %s", id, when, text);
	return RU(lang) ? xasprintf("Напоминание %lld отменено: %s", id, text)
			: xasprintf("Reminder %lld cancelled: %s", id, text);
}

static char *task_reply(const char *lang, const char *tool, const cJSON *result, time_t now,
			struct tz *z)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(result, "task");
	long long id = num(result, "id");
	const char *title = str(t, "title") ? str(t, "title") : "";
	char due[64];

	if (!strcmp(tool, "task_done"))
		return RU(lang) ? xasprintf("Задача %lld выполнена: %s", id, title)
				: xasprintf("Task %lld done: %s", id, title);
	if (!strcmp(tool, "task_delete"))
		return RU(lang) ? xasprintf("Задача %lld удалена: %s", id, title)
				: xasprintf("Task %lld deleted: %s", id, title);
	if (!str(t, "due"))
		return RU(lang) ? xasprintf("Задача %lld добавлена: %s", id, title)
				: xasprintf("Task %lld added: %s", id, title);
	due_text(lang, t, now, z, due, sizeof(due));
	return RU(lang) ? xasprintf("Задача %lld добавлена: %s (до: %s)", id, title, due)
			: xasprintf("Task %lld added: %s (due %s)", id, title, due);
}

/* "Thu 26 Nov 2026 13:00–14:00 (tomorrow)", "Sat 12 Dec 2026, all day". */
static void stored_event_when(struct sbuf *sb, const char *lang, const cJSON *ev, time_t now,
			      struct tz *z)
{
	char day[96], a[8], b[8];

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "all_day"))) {
		const char *end = str(ev, "end");
		struct tm tm = { 0 };
		char last[16], to[96];

		answer_stored_when(lang, str(ev, "start"), now, z, day, sizeof(day));
		/* days over a range: "Fri 5 Jun 2026 – Sun 7 Jun 2026, all day"
		 * (the end is the day after the last) */
		if (end && sscanf(end, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3 &&
		    strcmp(end, str(ev, "start")) > 0) {
			time_t t;

			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			tm.tm_mday -= 1;
			tm.tm_hour = 12;
			t = timegm(&tm);
			gmtime_r(&t, &tm);
			strftime(last, sizeof(last), "%Y-%m-%d", &tm);
			if (strcmp(last, str(ev, "start")) > 0) {
				answer_stored_when(lang, last, now, z, to, sizeof(to));
				sbuf_addf(sb, "%s – %s, %s", day, to,
					  RU(lang) ? "весь день" : "all day");
				return;
			}
		}
		sbuf_addf(sb, "%s, %s", day, RU(lang) ? "весь день" : "all day");
		return;
	}
	answer_stored_when(lang, str(ev, "start"), now, z, day, sizeof(day));
	clock_of(str(ev, "start"), a, sizeof(a));
	clock_of(str(ev, "end"), b, sizeof(b));
	/* "Thu 26 Nov 2026 13:00 (tomorrow)" -> "... 13:00–14:00 (tomorrow)" */
	{
		char *at = strstr(day, a);

		if (at)
			sbuf_addf(sb, "%.*s%s–%s%s", (int)(at - day), day, a, b, at + strlen(a));
		else
			sbuf_adds(sb, day);
	}
}

/* A repeating event edited without saying which part: the question. */
static char *scope_question(const char *lang, const cJSON *result, time_t now, struct tz *z)
{
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(result, "event");
	bool all_day = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "all_day"));
	char *words = answer_recurrence(lang, str(ev, "rrule"), all_day,
					all_day ? -1 : series_minutes(ev));
	char *r;

	if (RU(lang))
		r = xasprintf(
			"Событие %lld «%s» повторяется (%s). Изменить только ближайшее или всю"
			" серию? Ответьте «только это» или «все».",
			num(result, "id"), str(ev, "summary"), words);
	else
		r = xasprintf(
			"Event %lld \"%s\" repeats (%s). Change only the next one or the whole"
			" series? Say \"this one\" or \"all\".",
			num(result, "id"), str(ev, "summary"), words);
	(void)now;
	(void)z;
	free(words);
	return r;
}

static char *event_reply(const char *lang, const char *tool, const cJSON *result, time_t now,
			 struct tz *z)
{
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(result, "event");
	struct sbuf sb = SBUF_INIT;
	long long id = num(result, "id");
	bool ru = RU(lang);

	if (str(result, "ask"))
		return scope_question(lang, result, now, z);
	if (!strcmp(tool, "calendar_add"))
		sbuf_addf(&sb, ru ? "Событие %lld добавлено: " : "Event %lld added: ", id);
	else if (!strcmp(tool, "calendar_edit"))
		sbuf_addf(&sb, ru ? "Событие %lld изменено: " : "Event %lld changed: ", id);
	else if (str(result, "only_date"))
		sbuf_addf(&sb,
			  ru ? "Событие %lld удалено только на %s: "
			     : "Event %lld removed on %s only: ",
			  id, str(result, "only_date"));
	else
		sbuf_addf(&sb, ru ? "Событие %lld удалено: " : "Event %lld deleted: ", id);
	if (ev) {
		sbuf_addf(&sb, "%s, ", str(ev, "summary") ? str(ev, "summary") : "");
		stored_event_when(&sb, lang, ev, now, z);
		if (str(ev, "location"))
			sbuf_addf(&sb, " (%s)", str(ev, "location"));
		if (str(ev, "rrule") && strcmp(tool, "calendar_delete") &&
		    !(str(result, "scope") && !strcmp(str(result, "scope"), "this"))) {
			bool all_day =
				cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "all_day"));
			char *words = answer_recurrence(lang, str(ev, "rrule"), all_day,
							all_day ? -1 : series_minutes(ev));

			sbuf_addf(&sb, ", %s", words);
			free(words);
		}
	}
	if (str(result, "scope") && !strcmp(str(result, "scope"), "all"))
		sbuf_adds(&sb, ru ? " — изменена вся серия" : " — the whole series changed");
	else if (str(result, "scope"))
		sbuf_adds(&sb, ru ? " — изменено только это" : " — only this occurrence changed");
	return sbuf_detach(&sb);
}

/* Whether two {"time"} objects fall on different dates. */
static bool other_day(const cJSON *a, const cJSON *b)
{
	const char *x = str(a, "time"), *y = str(b, "time");

	return x && y && strncmp(x, y, 10) != 0;
}

static char *time_reply(const char *lang, const char *tool, const cJSON *result)
{
	bool ru = RU(lang);

	if (!strcmp(tool, "time_convert")) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(result, "from");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(result, "to");
		char a[8], b[8];

		clock_of(str(f, "time"), a, sizeof(a));
		clock_of(str(t, "time"), b, sizeof(b));
		if (ru)
			return xasprintf("%s (%s) — это %s (%s)%s", a, str(f, "zone"), b,
					 str(t, "zone"), other_day(f, t) ? ", другой день" : "");
		return xasprintf("%s in %s is %s in %s%s (%s → %s)", a, str(f, "place"), b,
				 str(t, "place"), other_day(f, t) ? " on another day" : "",
				 str(f, "zone"), str(t, "zone"));
	}
	{
		const char *iso = str(result, "time");
		char hm[8], buf[48] = "";
		struct tm tm = { 0 };

		clock_of(iso, hm, sizeof(hm));
		if (iso && sscanf(iso, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			tm.tm_hour = 12;
			tm.tm_isdst = -1;
			timegm(&tm); /* fills tm_wday */
			reltime_date(lang, &tm, false, buf, sizeof(buf));
		}
		if (ru)
			return xasprintf("Сейчас %s, %s (%s)", hm, buf, str(result, "zone"));
		if (str(result, "place"))
			return xasprintf("In %s it's %s, %s (%s)", str(result, "place"), hm, buf,
					 str(result, "zone"));
		return xasprintf("It's %s, %s (%s)", hm, buf, str(result, "zone"));
	}
}

static void fmt_num(char *buf, size_t len, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNumber(v) && !isnan(v->valuedouble))
		snprintf(buf, len, "%.0f", v->valuedouble);
	else
		snprintf(buf, len, "?");
}

static char *weather_reply(const char *lang, const cJSON *result, time_t now, struct tz *z)
{
	const cJSON *units = cJSON_GetObjectItemCaseSensitive(result, "units");
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(result, "current");
	const cJSON *daily = cJSON_GetObjectItemCaseSensitive(result, "daily"), *d;
	const char *tu = str(units, "temperature") ? str(units, "temperature") : "";
	struct sbuf sb = SBUF_INIT;
	bool ru = RU(lang);
	char a[16], b[16];

	sbuf_adds(&sb, str(result, "place") ? str(result, "place") : "?");
	if (str(result, "country"))
		sbuf_addf(&sb, ", %s", str(result, "country"));
	sbuf_adds(&sb, ":");
	if (cur && !str(result, "date")) {
		fmt_num(a, sizeof(a), cur, "temperature");
		sbuf_addf(&sb, "\n  %s %s %s, %s", ru ? "сейчас" : "now", a, tu,
			  str(cur, "conditions") ? str(cur, "conditions") : "");
	}
	cJSON_ArrayForEach(d, daily) {
		char day[64], date[16];
		struct when w;
		struct err e;

		snprintf(date, sizeof(date), "%s", str(d, "date") ? str(d, "date") : "");
		if (when_parse_in(date, now, z, &w, &e) == 0)
			reltime_format_in(z, RELTIME_PROSE, lang, w.at, true, now, day,
					  sizeof(day));
		else
			snprintf(day, sizeof(day), "%s", date);
		fmt_num(a, sizeof(a), d, "temperature_min");
		fmt_num(b, sizeof(b), d, "temperature_max");
		sbuf_addf(&sb, "\n  %s: %s..%s %s, %s", day, a, b, tu,
			  str(d, "conditions") ? str(d, "conditions") : "");
		fmt_num(a, sizeof(a), d, "precipitation_probability");
		if (strcmp(a, "?") && strcmp(a, "0"))
			sbuf_addf(&sb, ru ? ", осадки %s%%" : ", %s%% chance of rain", a);
	}
	return sbuf_detach(&sb);
}

char *answer_result(const char *lang, const char *tool, const cJSON *result, time_t now,
		    struct tz *z)
{
	/* the calendar is the device's: its times are the local zone's */
	return answer_result_in(lang, tool, result, now, strncmp(tool, "calendar_", 9) ? z : NULL);
}

char *answer_result_in(const char *lang, const char *tool, const cJSON *result, time_t now,
		       struct tz *z)
{
	const char *err = str(result, "error");

	if (err)
		return RU(lang) ? xasprintf("Не получилось: %s", err)
				: xasprintf("Sorry, that failed: %s", err);
	if (!strcmp(tool, "day_brief") || !strcmp(tool, "task_recap") ||
	    !strncmp(tool, "routine_", 8))
		return answer_brief(lang, tool, result, now, z);
	if (!strcmp(tool, "task_list"))
		return listing(lang, tool, cJSON_GetObjectItemCaseSensitive(result, "tasks"), now,
			       z);
	if (!strcmp(tool, "reminder_list"))
		return listing(lang, tool, cJSON_GetObjectItemCaseSensitive(result, "reminders"),
			       now, z);
	if (!strcmp(tool, "calendar_search"))
		return listing(lang, tool, cJSON_GetObjectItemCaseSensitive(result, "events"), now,
			       z);
	if (!strcmp(tool, "calendar_agenda"))
		return agenda(lang, result, now, z);
	if (!strncmp(tool, "reminder_", 9))
		return reminder_reply(lang, tool, result, now, z);
	if (!strncmp(tool, "task_", 5))
		return task_reply(lang, tool, result, now, z);
	if (!strncmp(tool, "calendar_", 9))
		return event_reply(lang, tool, result, now, z);
	if (!strncmp(tool, "time_", 5))
		return time_reply(lang, tool, result);
	if (!strcmp(tool, "weather_forecast"))
		return weather_reply(lang, result, now, z);
	if (!strcmp(tool, "ask_assistant"))
		return xasprintf("%s: %s", str(result, "assistant"), str(result, "reply"));
	return cJSON_PrintUnformatted(result);
}
