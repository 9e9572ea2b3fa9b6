/* What the offline assistant says for a day's brief, a recap of the tasks
 * and the routines, in English and Russian. */
#include "answer.h"
#include "every.h"
#include "when.h"
#include "sbuf.h"
#include "reltime.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RU(lang) ((lang) && !strcmp((lang), "ru"))

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The lines of a listing answer_result() makes for tool from {key: items},
 * under a heading of our own (its own first line is left out), on a new
 * line unless it is the first. */
static void items(struct sbuf *sb, const char *lang, const char *tool, const char *key,
		  const cJSON *list, const char *heading, time_t now, struct tz *z)
{
	cJSON *o = cJSON_CreateObject();
	char *text, *rest;

	cJSON_AddItemReferenceToObject(o, key, (cJSON *)list);
	text = answer_result_in(lang, tool, o, now, z); /* the user's day, their times */
	rest = strchr(text, '\n');
	sbuf_addf(sb, "%s%s%s", sb->len ? "\n" : "", heading, rest ? rest : "");
	free(text);
	cJSON_Delete(o);
}

/* "today", "Fri 27 Nov" for a YYYY-MM-DD date. */
static void day_name(const char *lang, const char *date, time_t now, struct tz *z, char *buf,
		     size_t len)
{
	struct when w;
	struct err e;

	if (date && when_parse_in(date, now, z, &w, &e) == 0)
		reltime_format_in(z, RELTIME_PROSE, lang, w.at, true, now, buf, len);
	else
		snprintf(buf, len, "%s", date ? date : "?");
}

/* "weather" -> "погода" for the parts a brief names. */
static const char *part_name(const char *lang, const char *what)
{
	static const char *const names[][3] = {
		{ "events", "the calendar", "календарь" },
		{ "tasks", "the tasks", "задачи" },
		{ "reminders", "the reminders", "напоминания" },
		{ "weather", "the weather", "погода" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(what, names[i][0]))
			return names[i][RU(lang) ? 2 : 1];
	return what;
}

static void missing(struct sbuf *sb, const char *lang, const cJSON *result)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(result, "missing")) {
		const char *what = part_name(lang, str(m, "what") ? str(m, "what") : "?");
		const char *why = str(m, "error") ? str(m, "error") : "?";

		if (RU(lang))
			sbuf_addf(sb, "\nНе удалось узнать: %s (%s).", what, why);
		else
			sbuf_addf(sb, "\nCould not get %s: %s.", what, why);
	}
}

static char *day(const char *lang, const cJSON *r, time_t now, struct tz *z)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(r, "events");
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(r, "tasks");
	const cJSON *rems = cJSON_GetObjectItemCaseSensitive(r, "reminders");
	const cJSON *weather = cJSON_GetObjectItemCaseSensitive(r, "weather");
	const cJSON *open = cJSON_GetObjectItemCaseSensitive(r, "open_tasks");
	struct sbuf sb = SBUF_INIT;
	bool ru = RU(lang);
	char when[64];
	int more;

	day_name(lang, str(r, "date"), now, z, when, sizeof(when));
	sbuf_addf(&sb, ru ? "Ваш день, %s." : "Your day, %s.", when);
	if (cJSON_GetArraySize(events) > 0)
		items(&sb, lang, "calendar_agenda", "events", events,
		      ru ? "В календаре:" : "Calendar:", now, z);
	else if (events)
		sbuf_adds(&sb, ru ? "\nВ календаре ничего нет." : "\nNothing on the calendar.");
	if (cJSON_GetArraySize(tasks) > 0)
		items(&sb, lang, "task_list", "tasks", tasks,
		      ru ? "Задачи к сроку:" : "Tasks due:", now, z);
	else if (tasks)
		sbuf_adds(&sb, ru ? "\nЗадач к сроку нет." : "\nNo tasks due.");
	more = cJSON_IsNumber(open) ? (int)open->valuedouble - cJSON_GetArraySize(tasks) : 0;
	if (more > 0)
		sbuf_addf(&sb,
			  ru ? "\nЕщё открытых задач без срока или на потом: %d."
			     : "\nOpen tasks due later or without a date: %d.",
			  more);
	if (cJSON_GetArraySize(rems) > 0)
		items(&sb, lang, "reminder_list", "reminders", rems,
		      ru ? "Напоминания:" : "Reminders:", now, z);
	if (weather) {
		char *w = answer_result(lang, "weather_forecast", weather, now, z);

		sbuf_addf(&sb, "\n%s%s", ru ? "Погода: " : "Weather: ", w);
		free(w);
	}
	missing(&sb, lang, r);
	return sbuf_detach(&sb);
}

static char *recap(const char *lang, const cJSON *r, time_t now, struct tz *z)
{
	const cJSON *open = cJSON_GetObjectItemCaseSensitive(r, "open");
	const cJSON *done = cJSON_GetObjectItemCaseSensitive(r, "done");
	const cJSON *overdue = cJSON_GetObjectItemCaseSensitive(r, "overdue");
	int n = cJSON_GetArraySize(open), late = cJSON_IsNumber(overdue) ? overdue->valueint : 0;
	struct sbuf sb = SBUF_INIT;
	bool ru = RU(lang);
	char since[64], heading[96];

	day_name(lang, str(r, "since"), now, z, since, sizeof(since));
	if (n == 0) {
		sbuf_adds(&sb, ru ? "Незавершённых задач нет." : "Nothing left unfinished.");
	} else {
		if (ru)
			snprintf(heading, sizeof(heading), "Незавершённые задачи: %d%s", n,
				 late ? "" : ".");
		else
			snprintf(heading, sizeof(heading), "Unfinished tasks: %d%s", n,
				 late ? "" : ".");
		if (late)
			snprintf(heading + strlen(heading), sizeof(heading) - strlen(heading),
				 ru ? " (просрочено: %d)." : " (%d overdue).", late);
		items(&sb, lang, "task_list", "tasks", open, heading, now, z);
	}
	sbuf_addf(&sb, ru ? "\nСделано с %s: %d." : "\nDone since %s: %d.", since,
		  cJSON_GetArraySize(done));
	return sbuf_detach(&sb);
}

/* "every weekday, next tomorrow 08:00: my day" */
static void routine_line(struct sbuf *sb, const char *lang, const cJSON *ro, time_t now,
			 struct tz *z)
{
	char rule[128];
	const char *every = every_words(lang, str(ro, "every"), rule, sizeof(rule));
	char next[64];

	answer_when_iso(lang, str(ro, "next_run"), now, z, next, sizeof(next));
	if (RU(lang))
		sbuf_addf(sb, "%s, следующий раз %s — «%s»", every ? every : "?", next,
			  str(ro, "request") ? str(ro, "request") : "");
	else
		sbuf_addf(sb, "%s, next %s: \"%s\"", every ? every : "?", next,
			  str(ro, "request") ? str(ro, "request") : "");
}

static char *routines(const char *lang, const char *tool, const cJSON *r, time_t now, struct tz *z)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *ro;
	bool ru = RU(lang);

	if (!strcmp(tool, "routine_add")) {
		ro = cJSON_GetObjectItemCaseSensitive(r, "routine");
		sbuf_addf(&sb, ru ? "Регулярный запрос %.0f создан: " : "Routine %.0f created: ",
			  cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "id")));
		routine_line(&sb, lang, ro, now, z);
		return sbuf_detach(&sb);
	}
	ro = cJSON_GetObjectItemCaseSensitive(r, "routines");
	if (cJSON_GetArraySize(ro) == 0)
		return xstrdup(ru ? "Регулярных запросов нет." : "No routines.");
	sbuf_adds(&sb, ru ? "Регулярные запросы:" : "Routines:");
	cJSON_ArrayForEach(ro, ro) {
		sbuf_addf(&sb, "\n  %.0f  ",
			  cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ro, "id")));
		routine_line(&sb, lang, ro, now, z);
	}
	return sbuf_detach(&sb);
}

char *answer_brief(const char *lang, const char *tool, const cJSON *result, time_t now,
		   struct tz *z)
{
	if (!strcmp(tool, "day_brief"))
		return day(lang, result, now, z);
	if (!strcmp(tool, "task_recap"))
		return recap(lang, result, now, z);
	return routines(lang, tool, result, now, z);
}

char *answer_routine_confirm(const char *lang, const cJSON *args, time_t now, struct tz *z)
{
	char rule[128];
	const char *every = every_words(lang, str(args, "every"), rule, sizeof(rule));
	char first[64];

	answer_when_iso(lang, str(args, "at"), now, z, first, sizeof(first));
	if (RU(lang))
		return xasprintf("Создать регулярный запрос: %s, первый раз %s — «%s»?"
				 " Ответьте «да» или «нет».",
				 every ? every : "?", first, str(args, "request"));
	return xasprintf("Create a routine: %s, first %s: \"%s\"? Say yes or no.",
			 every ? every : "?", first, str(args, "request"));
}

char *answer_nothing_to_confirm(const char *lang)
{
	return xstrdup(RU(lang) ? "Мне нечего подтверждать." : "There is nothing to confirm.");
}

char *answer_declined(const char *lang)
{
	return xstrdup(RU(lang) ? "Хорошо, не создаю." : "OK, I did not create it.");
}
