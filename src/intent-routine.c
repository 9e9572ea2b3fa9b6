/* Intents for routines and what they ask: "my day", the recap of the tasks
 * not finished, and a routine said in a sentence ("every weekday at 8 tell
 * me my day"). */
#include "intent-impl.h"
#include "recur.h"
#include "routine.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Verbs and words around a request that do not change it. */
static const char *const fillers[] = {
	"tell",	    "show",	   "give",   "me",	  "list",      "what",	   "what's", "is",
	"are",	    "the",	   "a",	     "of",	  "for",       "about",	   "my",     "walk",
	"through",  "how",	   "does",   "look",	  "like",      "please",   "and",    "all",
	"расскажи", "рассказывай", "покажи", "показывай", "перечисли", "дай",	   "мне",    "мой",
	"мои",	    "про",	   "о",	     "обо",	  "как",       "выглядит", "какой",  "у",
	"меня",	    "все",	   "список", "что",	  "за",	       NULL,
};

/* Whether every unused word is a filler or part of a date (which *w gets,
 * when there is one and w is not NULL). */
static bool only_fillers(struct nlp *s, time_t now, struct when *w, bool *dated)
{
	*dated = w && nlp_when(s, 0, s->n, now, w);
	for (size_t i = 0; i < s->n; i++)
		if (!s->w[i].used && !nlp_is(s, i, fillers))
			return false;
	return true;
}

bool intent_day_brief(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const core[] = {
		"my day",	  "day brief",	      "daily brief",
		"daily briefing", "morning briefing", "briefing",
		"brief me",	  "plan for the day", "day plan",
		"мой день",	  "моём дне",	      "моем дне",
		"моего дня",	  "сводка дня",	      "сводку дня",
		"сводка на день", "сводку на день",   "брифинг",
		"план на день",	  "день у меня",      NULL,
	};
	struct when w;
	bool dated;

	if (!intent_anywhere(s, core) || !only_fillers(s, now, &w, &dated))
		return false;
	intent_tool(in, "day_brief");
	if (dated)
		intent_arg_date(in, "date", w.at);
	return true;
}

bool intent_task_recap(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const core[] = {
		"tasks i did not finish",
		"tasks i didn't finish",
		"tasks i didnt finish",
		"tasks i have not finished",
		"tasks i haven't finished",
		"did i not finish",
		"didn't i finish",
		"unfinished tasks",
		"unfinished",
		"undone tasks",
		"incomplete tasks",
		"task recap",
		"tasks recap",
		"recap of my tasks",
		"recap",
		"незаконченные задачи",
		"незавершенные задачи",
		"невыполненные задачи",
		"несделанные задачи",
		"недоделанные задачи",
		"я не доделал",
		"я не сделал",
		"не доделал",
		"не сделано",
		"итоги по задачам",
		"сводка по задачам",
		"сводку по задачам",
		NULL,
	};
	bool dated;

	(void)now;
	if (!intent_anywhere(s, core) || !only_fillers(s, now, NULL, &dated))
		return false;
	intent_tool(in, "task_recap");
	return true;
}

bool intent_routine_list(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const core[] = {
		"routines",	      "my routines",	     "scheduled requests",
		"регулярные запросы", "регулярных запросов", NULL
	};
	bool dated;

	if (!intent_anywhere(s, core) || !only_fillers(s, now, NULL, &dated))
		return false;
	intent_tool(in, "routine_list");
	return true;
}

/* The tools a routine may run: they read, never change anything. */
static bool read_only(const char *tool)
{
	static const char *const ok[] = { "day_brief",	      "task_recap",
					  "task_list",	      "reminder_list",
					  "calendar_agenda",  "calendar_search",
					  "weather_forecast", "time_now",
					  "routine_list",     NULL };

	for (const char *const *t = ok; *t; t++)
		if (!strcmp(tool, *t))
			return true;
	return false;
}

/* Drop "and", "to" and connectors left at either end of the request. */
static void trim_joints(struct nlp *s)
{
	static const char *const joints[] = { "and", "then", "to", "и", "затем", NULL };
	size_t i;

	while ((i = nlp_next(s, 0)) < s->n &&
	       (nlp_is(s, i, joints) || nlp_is(s, i, nlp_connectors)))
		s->w[i].used = true;
	for (;;) {
		size_t last = s->n;

		for (i = 0; i < s->n; i++)
			if (!s->w[i].used)
				last = i;
		if (last == s->n || !(nlp_is(s, last, joints) || nlp_is(s, last, nlp_connectors)))
			break;
		s->w[last].used = true;
	}
}

bool intent_routine_add(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const remind[] = { "remind*", "reminder*", "напомни*", "напоминан*",
					      NULL };
	struct intent sub;
	struct when w;
	char *rule, *request;
	bool ok;

	if (nlp_find(s, 0, remind) >= 0)
		return false;
	rule = intent_recur(s);
	if (!rule && intent_daily_part(s))
		rule = xstrdup("FREQ=DAILY");
	if (!rule)
		return false;
	if (!nlp_when(s, 0, s->n, now, &w) || w.date_only) {
		free(rule);
		return false;
	}
	trim_joints(s);
	request = nlp_text(s, 0, s->n, true);
	if (!request) {
		free(rule);
		return false;
	}
	intent_parse(request, now, NULL, &sub);
	ok = sub.kind == INTENT_TOOL && read_only(sub.tool);
	intent_release(&sub);
	if (ok && recur_min_gap("rrule", rule, NULL) < ROUTINE_MINUTES_MIN) {
		/* said before the user says yes, not after (routine_add) */
		intent_clarify(in, NEED_OFTEN);
	} else if (ok) {
		int minutes = when_written_minutes(s->zone, &w);

		intent_tool(in, "routine_add");
		cJSON_AddStringToObject(in->args, "request", request);
		cJSON_AddStringToObject(in->args, "every", rule);
		/* 02:30 written on a gap day stays 02:30 the other days */
		intent_arg_wall(in, "at", intent_first(s->zone, rule, w.at, minutes, now), minutes);
	}
	free(request);
	free(rule);
	return ok;
}
