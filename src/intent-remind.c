/* Intents for reminders and tasks. */
#include "intent-impl.h"
#include "reminder.h"
#include "sbuf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const reminder_words[] = { "reminder",    "reminders",   "напоминание",
					      "напоминания", "напоминаний", "напоминалку",
					      "напоминалка", NULL };
static const char *const task_words[] = { "task",   "tasks",  "todo",	"todos", "to-do",
					  "задачу", "задача", "задачи", "задач", NULL };
/* What a text does not start or end with once its date is gone. */
static const char *const text_lead[] = { "to",	  "that", "about", "of",  "for", "me", "что",
					 "чтобы", "о",	  "об",	   "про", "том", NULL };
static const char *const add_verbs[] = { "add",	   "adding",   "new",	 "create", "put",
					 "добавь", "добавить", "создай", "новая",  "новую",
					 "запиши", "внеси",    NULL };

/* The words left as the text; false (and a question) when nothing is left. */
static bool take_text(struct nlp *s, struct intent *in, const char *key)
{
	char *text;

	intent_trim(s, text_lead, nlp_connectors);
	if (intent_stray_date(s)) {
		/* "on 31.02": a date that was not understood is asked about */
		intent_clarify(in, NEED_WHEN);
		return false;
	}
	text = nlp_text(s, 0, s->n, true);
	if (!text) {
		intent_clarify(in, NEED_WHAT);
		return false;
	}
	cJSON_AddStringToObject(in->args, key, text);
	free(text);
	return true;
}

static bool said_today(const struct nlp *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->w[i].used && nlp_is(s, i, (const char *const[]){ "today", "сегодня", NULL }))
			return true;
	return false;
}

/* The lead phrase at the start, or after a date or a recurrence said first
 * ("every day at 8 remind me to..."): *at gets its index (0 at the start). */
static bool find_lead(struct nlp *s, const char *const *lead, size_t *at)
{
	*at = 0;
	if (intent_lead(s, lead))
		return true;
	for (size_t i = 1; i < s->n; i++)
		for (const char *const *p = lead; *p; p++)
			if (!s->w[i].used && nlp_phrase(s, i, *p, true, NULL)) {
				*at = i;
				return true;
			}
	return false;
}

/* "every hour from 9 to 17", "каждые 2 часа с 10": a repeat within a day
 * from a time (*start, minutes), and to one (*end, else -1): the hours of
 * such a window become the rule's BYHOUR.  1 when read (the words marked),
 * 0 when there is none, -1 when it cannot be (a step in minutes, or one
 * that does not divide the day, with an end). */
static int sub_day_window(struct nlp *s, char **rule, int *start, int *end)
{
	static const char *const from[] = { "from", "starting", "с", "со", NULL };
	static const char *const until[] = { "to", "till", "until", "до", "-", NULL };
	long step = intent_rule_step(*rule);
	struct sbuf sb = SBUF_INIT;

	*end = -1;
	if (step <= 0)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t l1, l2, j;

		if (s->w[i].used || !nlp_is(s, i, from) || !nlp_clock(s, i + 1, true, start, &l1))
			continue;
		j = i + 1 + l1;
		if (nlp_is(s, j, until) && nlp_clock(s, j + 1, true, end, &l2)) {
			nlp_use(s, i, j + 1 + l2);
		} else {
			nlp_use(s, i, j);
			return 1;
		}
		/* "from 9 to 5" ends at 17:00 */
		if (*end <= *start && *end < 720 && *end + 720 > *start)
			*end += 720;
		if (*end <= *start || step % 3600 || 86400 % step || *start % 60)
			return -1;
		sbuf_adds(&sb, *rule);
		sbuf_adds(&sb, ";BYHOUR=");
		for (int h = *start / 60; h * 60 <= *end; h += (int)(step / 3600))
			sbuf_addf(&sb, "%s%d", h == *start / 60 ? "" : ",", h);
		free(*rule);
		*rule = sbuf_detach(&sb);
		return 1;
	}
	return 0;
}

bool intent_reminder_add(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = {
		"remind me",	       "remind",
		"set a reminder",      "set reminder",
		"set up a reminder",   "create a reminder",
		"create reminder",     "add a reminder",
		"add reminder",	       "new reminder",
		"make a reminder",     "reminder",
		"don't let me forget", "dont let me forget",
		"напомни мне",	       "напомни",
		"напомните мне",       "напомните",
		"напомнить мне",       "напомнить",
		"напоминай мне",       "напоминай",
		"поставь напоминание", "создай напоминание",
		"добавь напоминание",  "новое напоминание",
		"сделай напоминание",  "напоминание",
		"не дай мне забыть",   NULL,
	};
	static const char *const alarm[] = {
		"set an alarm for",  "set an alarm",	 "set alarm for",
		"set alarm",	     "set my alarm for", "alarm",
		"wake me up",	     "wake me",		 "поставь будильник на",
		"поставь будильник", "будильник на",	 "будильник",
		"разбуди меня",	     "разбуди",		 NULL,
	};
	struct when w;
	char *rule;
	bool found, is_alarm = false;
	int excepted, window, start = 0, end = -1;
	size_t at_lead;
	time_t at;

	if (!find_lead(s, lead, &at_lead)) {
		if (!intent_lead(s, alarm))
			return false;
		is_alarm = true;
	}
	intent_tool(in, "reminder_add");
	intent_priority(s); /* a reminder has none: the words only leave the text */
	rule = intent_recur(s);
	if (!rule && intent_daily_part(s))
		rule = xstrdup("FREQ=DAILY");
	excepted = intent_except(s, &rule);
	window = rule ? sub_day_window(s, &rule, &start, &end) : 0;
	found = nlp_when(s, 0, s->n, now, &w);
	if (excepted < 0 || window < 0 || intent_stray_repeat(s)) {
		/* "every third thursday", "every day except every day" */
		free(rule);
		intent_clarify(in, NEED_WHEN);
		return true;
	}
	if (is_alarm && found && w.other_half < 0) {
		/* "wake me at 6", "разбуди в 6:30": an alarm's hour is the morning */
		w.at = intent_day(s->zone, w.at, 0, when_written_minutes(s->zone, &w) - 720);
		w.wall -= 43200;
	}
	if (is_alarm)
		w.other_half = 0;
	for (size_t k = 0; k < at_lead; k++)
		if (!s->w[k].used) {
			/* words before the lead that are not a date: not a request */
			free(rule);
			intent_release(in);
			return false;
		}
	if (is_alarm && !nlp_left(s) && !intent_stray_date(s))
		cJSON_AddStringToObject(in->args, "text",
					strcmp(in->lang, "ru") ? "alarm" : "будильник");
	else if (!take_text(s, in, "text")) {
		free(rule);
		return true;
	}
	if (rule) {
		int minutes = found && !w.date_only ? when_written_minutes(s->zone, &w)
						    : REMINDER_DAY_MINUTES;

		if (window > 0) {
			/* "every 2 hours from 10 (to 18)": steps from 10:00, in
			 * the window */
			int m;

			at = intent_first(s->zone, rule, found ? w.at : now, start, now);
			m = when_minutes(s->zone, at);
			if (end >= 0 && (m > end || m < start))
				at = intent_day(s->zone, at, m < start ? 0 : 1, start);
			intent_arg_wall(in, "at", at, when_minutes(s->zone, at));
			cJSON_AddStringToObject(in->args, "every", rule);
			free(rule);
			return true;
		}
		/* "every hour" with no time said: an hour from now, not tomorrow 09:00 */
		if (intent_rule_step(rule) > 0 && !found) {
			found = true;
			w.at = now;
			minutes = when_minutes(s->zone, now);
		}

		/* 02:30 on a day the clock skips it kept for the others */
		at = intent_first(s->zone, rule, found ? w.at : now, minutes, now);
		if (intent_rule_step(rule) > 0)
			minutes = when_minutes(s->zone, at);
		intent_arg_wall(in, "at", at, minutes);
		cJSON_AddStringToObject(in->args, "every", rule);
		free(rule);
		return true;
	}
	if (!found) {
		intent_clarify(in, NEED_WHEN);
		return true;
	}
	at = reminder_when_at(s->zone, &w);
	/* "at 8" said at 18:30 means 20:00; "at 7" said at 19:30 tomorrow's 7:00 */
	if (intent_evening(s, &w, at, now))
		at = intent_day(s->zone, at, 0, when_written_minutes(s->zone, &w) + 720);
	if (at <= now && !w.date_only && !said_today(s) && at > now - 86400)
		at = intent_day(s->zone, at, 1, when_minutes(s->zone, at));
	if (at <= now && !w.date_only && at >= intent_day(s->zone, now, 0, 0)) {
		/* "today at 8" said at 20:30: not a time to ask for again */
		intent_clarify_past(in, s->zone, at, now);
		return true;
	}
	if (at <= now) {
		intent_clarify(in, NEED_WHEN);
		return true;
	}
	intent_arg_time(in, "at", at);
	return true;
}

/* "show my reminders", "мои задачи": the list words and nothing else. */
static bool only_list_words(struct nlp *s, const char *const *nouns, bool need_noun, bool *all)
{
	static const char *const fillers[] = {
		"show",	   "list",    "my",   "me",    "what",	 "what's",   "which",
		"are",	   "do",      "i",    "have",  "any",	 "pending",  "upcoming",
		"active",  "open",    "set",  "the",   "of",	 "get",	     "display",
		"view",	   "current", "is",   "there", "on",	 "покажи",   "мои",
		"какие",   "у",	      "меня", "есть",  "список", "активные", "открытые",
		"текущие", "выведи",  "все",  "all",   NULL,
	};
	bool noun = false;

	*all = false;
	for (size_t i = 0; i < s->n; i++) {
		if (s->w[i].used)
			continue;
		if (nlp_is(s, i, nouns))
			noun = true;
		else if (nlp_is(s, i, (const char *const[]){ "all", "все", "всё", NULL }))
			*all = true;
		else if (!nlp_is(s, i, fillers))
			return false;
	}
	return noun || !need_noun;
}

bool intent_reminder_list(struct nlp *s, struct intent *in, time_t now)
{
	bool all;

	(void)now;
	if (!only_list_words(s, reminder_words, true, &all))
		return false;
	intent_tool(in, "reminder_list");
	if (all)
		cJSON_AddTrueToObject(in->args, "all");
	return true;
}

bool intent_task_list(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const nouns[] = { "tasks",  "todos", "to-dos", "todo", "to-do",
					     "задачи", "задач", "дела",	  "дел",  NULL };
	static const char *const phrases[] = {
		"what do i have to do",
		"what do i need to do",
		"what should i do",
		"what's left to do",
		"todo list",
		"to-do list",
		"to do list",
		"task list",
		"что мне нужно сделать",
		"что мне надо сделать",
		"что нужно сделать",
		"что надо сделать",
		"список дел",
		"список задач",
		NULL,
	};
	bool all;

	(void)now;
	if (!only_list_words(s, nouns, !intent_anywhere(s, phrases), &all))
		return false;
	intent_tool(in, "task_list");
	if (all)
		cJSON_AddTrueToObject(in->args, "all");
	return true;
}

bool intent_task_add(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = {
		"add a new task",
		"add new task",
		"add a task",
		"add an task",
		"add task",
		"add a todo",
		"add todo",
		"add a to-do",
		"add to-do",
		"create a task",
		"create task",
		"new task",
		"new todo",
		"task",
		"todo",
		"to-do",
		"добавь задачу",
		"добавить задачу",
		"создай задачу",
		"новая задача",
		"запиши задачу",
		"добавь новую задачу",
		"задача",
		"добавь дело",
		"добавь в задачи",
		"добавь в список дел",
		"добавь в список задач",
		NULL,
	};
	static const char *const to_list[] = {
		"to my todo list", "to my to-do list", "to the todo list", "to my task list",
		"to my tasks",	   "to my todos",      "to my list",	   "to the list",
		"to tasks",	   "on my todo list",  "on my to-do list", "в задачи",
		"в список дел",	   "в список задач",   "в мой список дел", NULL,
	};
	struct when w;
	size_t i;
	/* "add an urgent task ...", "..., high priority" */
	int level = intent_priority(s);

	if (!intent_lead(s, lead)) {
		/* "add buy milk to my todo list" */
		i = nlp_next(s, 0);
		if (!nlp_is(s, i, add_verbs) || !intent_anywhere(s, to_list))
			return false;
		s->w[i].used = true;
	}
	intent_tool(in, "task_add");
	for (i = 0; i < s->n; i++) {
		long long p;

		if (!s->w[i].used &&
		    nlp_is(s, i, (const char *const[]){ "priority", "приоритет", NULL }) &&
		    intent_number(s, i + 1, &p) && p <= 9) {
			cJSON_AddNumberToObject(in->args, "priority", (double)p);
			nlp_use(s, i, i + 2);
			break;
		}
	}
	if (!cJSON_HasObjectItem(in->args, "priority") && level)
		cJSON_AddNumberToObject(in->args, "priority", level);
	if (nlp_when(s, 0, s->n, now, &w)) {
		if (w.date_only)
			intent_arg_date(in, "due", w.at);
		else /* "at 9" said at 14:30 is due 21:00, as an event's time */
			intent_arg_time(in, "due", intent_upcoming(s, &w, w.at, now));
	}
	intent_called(s);
	take_text(s, in, "title");
	return true;
}

bool intent_task_done(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const done[] = { "done",    "complete",  "completed", "finished",
					    "finish",  "выполнен*", "выполни*",	 "сделан*",
					    "сделал*", "готово",    "готова",	 "закрой",
					    "закрыть", "заверши*",  "заверш*",	 NULL };
	static const char *const mark[] = { "mark", "check", "tick", "отметь", "отметить", NULL };
	static const char *const filler[] = { "as",   "off", "with", "is",  "i",
					      "have", "как", "я",    "уже", NULL };
	static const char *const tick[] = { "check off", "tick off", "cross off", NULL };
	size_t b = nlp_next(s, 0);
	bool has_done = nlp_find(s, 0, done) >= 0, has_task = nlp_find(s, 0, task_words) >= 0;

	if (intent_lead(s, tick))
		has_done = has_task = true;
	long long id;

	(void)now;
	if (b >= s->n || nlp_is(s, b, add_verbs) || nlp_is(s, b, reminder_words) ||
	    nlp_find(s, 0, reminder_words) >= 0)
		return false;
	if (!(has_done && (has_task || nlp_is(s, b, mark) ||
			   (nlp_is(s, b, done) && intent_number(s, nlp_next(s, b + 1), &id)))) &&
	    !(nlp_is(s, b, mark) && has_task))
		return false;
	intent_tool(in, "task_done");
	intent_drop(s, done);
	intent_drop(s, mark);
	intent_drop(s, task_words);
	intent_drop(s, filler);
	if (intent_take_id(s, in))
		return true;
	intent_trim(s, text_lead, nlp_connectors);
	if (!intent_take_match(s, in))
		intent_clarify(in, NEED_WHAT);
	return true;
}

/* Remove the verb and the kind word, then an id or the words naming it. */
static void target(struct nlp *s, struct intent *in)
{
	if (intent_take_id(s, in))
		return;
	intent_trim(s, text_lead, nlp_connectors);
	if (!intent_take_match(s, in))
		intent_clarify(in, NEED_WHICH);
}

bool intent_reminder_snooze(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = { "snooze", "отложи", "отложить", NULL };
	char buf[32], *huge = NULL;
	long secs = 600;

	(void)now;
	if (!intent_lead(s, lead))
		return false;
	intent_tool(in, "reminder_snooze");
	intent_drop(s, reminder_words);
	for (size_t i = 0; i < s->n; i++) {
		size_t len;
		int rc;

		if (s->w[i].used || !(rc = nlp_duration(s, i, &secs, &len)))
			continue;
		if (rc < 0) /* too long: the tool says so */
			huge = nlp_text(s, i, i + len, true);
		nlp_use(s, i, i + len);
		if (i > 0 && nlp_is(s, i - 1, nlp_connectors))
			s->w[i - 1].used = true;
		break;
	}
	nlp_duration_text(secs, buf, sizeof(buf));
	cJSON_AddStringToObject(in->args, "duration", huge ? huge : buf);
	free(huge);
	target(s, in);
	return true;
}

bool intent_cancel(struct nlp *s, struct intent *in, time_t now)
{
	static const char *const lead[] = { "cancel",  "delete", "remove", "stop",     "drop",
					    "clear",   "kill",	 "отмени", "отменить", "удали",
					    "удалить", "убери",	 "убрать", "сотри",    NULL };
	static const char *const event_words[] = { "event", "events", "событие", "мероприятие",
						   NULL };
	static const char *const event_nouns[] = {
		"meeting",   "appointment", "lunch", "dinner", "breakfast", "call",
		"party",     "встреч*",	    "обед",  "ужин",   "завтрак",   "созвон",
		"вечеринку", "приём",	    "прием", NULL,
	};

	(void)now;
	if (!intent_lead(s, lead))
		return false;
	if (nlp_find(s, 0, reminder_words) >= 0) {
		intent_tool(in, "reminder_cancel");
		intent_drop(s, reminder_words);
		target(s, in);
		return true;
	}
	if (nlp_find(s, 0, task_words) >= 0 && nlp_find(s, 0, event_words) < 0) {
		intent_tool(in, "task_delete");
		intent_drop(s, task_words);
		target(s, in);
		return true;
	}
	if (nlp_find(s, 0, event_words) >= 0 || nlp_find(s, 0, event_nouns) >= 0) {
		intent_tool(in, "calendar_delete");
		intent_drop(s, event_words);
		target(s, in);
		return true;
	}
	if (nlp_find(s, 0, task_words) >= 0) {
		intent_tool(in, "task_delete");
		intent_drop(s, task_words);
		target(s, in);
		return true;
	}
	/* neither kind said: the backend looks for the words in both */
	intent_clarify(in, NEED_WHICH);
	intent_drop(s,
		    (const char *const[]){ "it", "this", "that", "это", "его", "её", "ее", NULL });
	if (!intent_number(s, nlp_next(s, 0), &(long long){ 0 })) {
		intent_trim(s, text_lead, nlp_connectors);
		intent_take_match(s, in);
	}
	return true;
}
