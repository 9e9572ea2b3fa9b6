/*
 * The engine: one turn through the offline backend and the tool registry,
 * every step stored and reported; conversations, search, delegation.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-int.h"
#include "conversation.h"
#include "engine.h"
#include "task.h"
#include "testutil.h"
#include "tool.h"
#include "utf8.h"
#include "sbuf.h"
#include "xalloc.h"

static char *dir;
static struct store *st;
static struct config *cfg;
static struct engine *eng;
static time_t now;

/* What the sink saw. */
struct seen {
	struct sbuf text;
	int calls;
	char last_call[256];
	char last_result[1024];
	char *reply;
	char err[512];
};

static void s_text(void *a, const char *d)
{
	sbuf_adds(&((struct seen *)a)->text, d);
}

static void s_call(void *a, const char *name, const char *args)
{
	struct seen *s = a;

	s->calls++;
	snprintf(s->last_call, sizeof(s->last_call), "%s %s", name, args);
}

static void s_result(void *a, const char *name, const char *res)
{
	(void)name;
	snprintf(((struct seen *)a)->last_result, sizeof(((struct seen *)a)->last_result), "%s",
		 res);
}

static void s_done(void *a, const char *reply)
{
	struct seen *s = a;

	free(s->reply);
	s->reply = xstrdup(reply);
}

static void s_error(void *a, const struct err *e)
{
	snprintf(((struct seen *)a)->err, sizeof(((struct seen *)a)->err), "%s", e->msg);
}

static void seen_release(struct seen *s)
{
	sbuf_release(&s->text);
	free(s->reply);
	memset(s, 0, sizeof(*s));
}

/* One turn; the reply (also checked against what was streamed). */
static const char *say(struct seen *s, long long *conv, const char *text)
{
	struct engine_sink sink = {
		s, s_text, s_call, s_result, s_done, s_error, NULL, NULL, NULL
	};
	struct err e = { 0, "" };

	seen_release(s);
	sbuf_init(&s->text);
	ck_assert_msg(engine_turn(eng, conv, text, now, &sink, &e) == 0, "%s: %s", text, e.msg);
	ck_assert_str_eq(s->reply, s->text.buf ? s->text.buf : "");
	return s->reply;
}

static void setup(void)
{
	struct err e = { 0, "" };
	struct tm tm = { 0 };

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	tm.tm_year = 126;
	tm.tm_mon = 10;
	tm.tm_mday = 25;
	tm.tm_hour = 14;
	tm.tm_min = 30;
	tm.tm_isdst = -1;
	now = mktime(&tm);
	dir = tu_tmpdir();
	st = tu_store_open(dir);
	cfg = tu_config_load(dir);
	eng = engine_new(st, cfg, &e);
	ck_assert_msg(eng != NULL, "%s", e.msg);
}

static void teardown(void)
{
	engine_free(eng);
	config_free(cfg);
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

static size_t count_messages(long long conv)
{
	struct message *ms;
	size_t n;
	struct err e;

	ck_assert_int_eq(conversation_messages(st, conv, &ms, &n, &e), 0);
	message_list_free(ms, n);
	return n;
}

START_TEST(test_turn_is_stored)
{
	struct seen s = { 0 };
	long long conv = 0;
	struct message *ms;
	struct conversation c;
	size_t n;
	struct err e;

	ck_assert_str_eq(say(&s, &conv, "add task buy milk by friday"),
			 "Task 1 added: buy milk (due Fri 27 Nov)");
	ck_assert_int_eq(s.calls, 1);
	ck_assert_str_eq(s.last_call, "task_add {\"due\":\"2026-11-27\",\"title\":\"buy milk\"}");
	ck_assert(conv > 0);
	ck_assert_int_eq(conversation_messages(st, conv, &ms, &n, &e), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(ms[0].role, "user");
	ck_assert_str_eq(ms[0].content, "add task buy milk by friday");
	ck_assert_str_eq(ms[1].role, "assistant");
	ck_assert_ptr_null(ms[1].content);
	ck_assert(strstr(ms[1].tool_calls, "\"name\":\"task_add\"") != NULL);
	ck_assert(strstr(ms[1].tool_calls, "\"id\":\"call_1\"") != NULL);
	ck_assert_str_eq(ms[2].role, "tool");
	ck_assert_str_eq(ms[2].tool_call_id, "call_1");
	ck_assert(strstr(ms[2].content, "\"title\":\"buy milk\"") != NULL);
	ck_assert_str_eq(ms[3].role, "assistant");
	ck_assert_str_eq(ms[3].content, "Task 1 added: buy milk (due Fri 27 Nov)");
	message_list_free(ms, n);
	ck_assert_int_eq(conversation_get(st, conv, &c, &e), 0);
	ck_assert_str_eq(c.title, "add task buy milk by friday");
	ck_assert_str_eq(conversation_channel_name(c.channel), "cli");
	ck_assert_str_eq(c.assistant, "nestor");
	conversation_release(&c);
	/* the same conversation goes on */
	ck_assert_str_eq(say(&s, &conv, "мои задачи"), "Задачи:\n  1  buy milk (до пт, 27 ноября)");
	ck_assert_uint_eq(count_messages(conv), 8);
	seen_release(&s);
}
END_TEST

/* A tool's result over what a message holds (every task with 64 KiB of
 * notes) is cut to whole tasks, still JSON and saying so, and the turn
 * goes on: the answer is given and the result stored. */
START_TEST(test_big_result_is_cut)
{
	struct seen s = { 0 };
	long long conv = 0;
	struct message *ms;
	char *notes = xmalloc(65001), *title;
	const char *r;
	const cJSON *tasks, *note;
	cJSON *cut;
	size_t n, len;
	struct err e;

	for (size_t i = 0; i < 65000; i += 2)
		memcpy(notes + i, "\xc3\xa9", 2); /* é */
	notes[65000] = '\0';
	for (int i = 0; i < 260; i++) {
		struct task t = { 0 };

		title = xasprintf("task %d", i + 1);
		t.title = title;
		t.notes = notes;
		ck_assert_msg(task_add(st, &t, now, &e) == 0, "%s", e.msg);
		free(title);
	}
	free(notes);
	r = say(&s, &conv, "my tasks");
	ck_assert_msg(!strncmp(r, "Tasks:\n", 7) && strstr(r, "task 260") != NULL, "%.200s", r);
	ck_assert_int_eq(conversation_messages(st, conv, &ms, &n, &e), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(ms[2].role, "tool");
	len = strlen(ms[2].content);
	ck_assert_uint_le(len, MESSAGE_TEXT_MAX);
	ck_assert_uint_gt(len, MESSAGE_TEXT_MAX - 70000);
	ck_assert(utf8_valid(ms[2].content, len));
	cut = cJSON_Parse(ms[2].content);
	ck_assert_msg(cut != NULL, "not JSON: ...%s", ms[2].content + len - 100);
	tasks = cJSON_GetObjectItemCaseSensitive(cut, "tasks");
	note = cJSON_GetObjectItemCaseSensitive(cut, "truncated");
	ck_assert_int_eq(cJSON_GetArraySize(tasks), 257);
	ck_assert(cJSON_IsString(note));
	ck_assert_msg(!strncmp(note->valuestring, "257 of 260 tasks shown: the result is ", 38) &&
			      strstr(note->valuestring, " bytes, more than 16777216"),
		      "%s", note->valuestring);
	cJSON_Delete(cut);
	message_list_free(ms, n);
	seen_release(&s);
}
END_TEST

START_TEST(test_unknown_calls_nothing)
{
	struct seen s = { 0 };
	long long conv = 0;
	const char *r = say(&s, &conv, "blorp the frobnicator");

	ck_assert_msg(!strncmp(r, "I didn't understand \"blorp the frobnicator\".", 44), "%s", r);
	ck_assert(strstr(r, "remind me to call mom tomorrow at 5pm") != NULL);
	ck_assert_int_eq(s.calls, 0);
	r = say(&s, &conv, "спой песню");
	ck_assert_msg(!strncmp(r, "Я не понял «спой песню».", strlen("Я не понял «спой песню».")),
		      "%s", r);
	ck_assert(strstr(r, "напомни завтра в 9 позвонить маме") != NULL);
	ck_assert_int_eq(s.calls, 0);
	r = say(&s, &conv, "remind me to call mom");
	ck_assert_str_eq(r, "When? Give a time, for example: \"remind me to call mom tomorrow at"
			    " 5pm\".");
	ck_assert_int_eq(s.calls, 0);
	seen_release(&s);
}
END_TEST

START_TEST(test_ambiguous_asks_which)
{
	struct seen s = { 0 };
	long long conv = 0;
	struct task t;
	struct err e;
	const char *r;

	say(&s, &conv, "add task call mom");
	say(&s, &conv, "add task call mom about the trip");
	say(&s, &conv, "add task buy milk");
	r = say(&s, &conv, "mark call mom as done");
	ck_assert_str_eq(r, "Several tasks match \"call mom\" — which one?\n"
			    "  1  call mom\n"
			    "  2  call mom about the trip\n"
			    "Say it with the number, for example: \"done 1\".");
	ck_assert_int_eq(s.calls, 0);
	ck_assert_int_eq(task_get(st, 1, &t, &e), 0);
	ck_assert_str_eq(task_status_name(t.status), "todo");
	task_release(&t);
	/* a word only one has picks it */
	r = say(&s, &conv, "mark call mom about the trip as done");
	ck_assert_str_eq(r, "Task 2 done: call mom about the trip");
	r = say(&s, &conv, "задача молоко выполнена");
	ck_assert_str_eq(r, "Не нашёл: «молоко» (задача).");
	r = say(&s, &conv, "mark milk as done");
	ck_assert_str_eq(r, "Task 3 done: buy milk");
	r = say(&s, &conv, "done 99");
	ck_assert_str_eq(r, "Sorry, that failed: no task with id 99");
	ck_assert_int_eq(s.calls, 1);
	ck_assert_str_eq(s.last_result, "{\"error\":\"no task with id 99\"}");
	seen_release(&s);
}
END_TEST

/* Something due yesterday is "yesterday" in answers, not "today". */
START_TEST(test_overdue_says_yesterday)
{
	struct seen s = { 0 };
	long long conv = 0;
	struct tool_ctx ctx = { st, cfg, 0, "en", 0, NULL, NULL, NULL, NULL };
	cJSON *args, *res = NULL;
	struct err e;

	say(&s, &conv, "add task pay rent yesterday");
	say(&s, &conv, "add task call the bank yesterday at 10:00");
	say(&s, &conv, "add task buy milk today");
	ck_assert_str_eq(say(&s, &conv, "my tasks"), "Tasks:\n"
						     "  2  call the bank (due yesterday 10:00)\n"
						     "  1  pay rent (due yesterday)\n"
						     "  3  buy milk (due today)");
	ck_assert_str_eq(say(&s, &conv, "мои задачи"), "Задачи:\n"
						       "  2  call the bank (до вчера в 10:00)\n"
						       "  1  pay rent (до вчера)\n"
						       "  3  buy milk (до сегодня)");
	seen_release(&s);
	/* and yesterday's weather is not today's forecast */
	ctx.now = now;
	args = cJSON_Parse("{\"place\":\"Berlin\",\"date\":\"2026-11-24\"}");
	ck_assert_int_eq(tool_call(&ctx, "weather_forecast", args, &res, &e), -1);
	ck_assert_str_eq(e.msg, "no forecast for 2026-11-24 (only the next 16 days)");
	cJSON_Delete(args);
}
END_TEST

/* A date alone: a task is due that day, a reminder rings at 09:00, whether
 * the tools are called or the words are parsed. */
START_TEST(test_date_alone)
{
	struct seen s = { 0 };
	long long conv = 0;
	struct tool_ctx ctx = { st, cfg, 0, "en", 0, NULL, NULL, NULL, NULL };
	cJSON *args, *res;
	const cJSON *item;
	struct err e;

	ctx.now = now;
	args = cJSON_Parse("{\"title\":\"rent\",\"due\":\"2026-11-27\"}");
	ck_assert_int_eq(tool_call(&ctx, "task_add", args, &res, &e), 0);
	item = cJSON_GetObjectItem(res, "task");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(item, "due")),
			 "2026-11-27T23:59:59+01:00");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(item, "due_date_only")));
	cJSON_Delete(res);
	cJSON_Delete(args);
	args = cJSON_Parse("{\"text\":\"water\",\"at\":\"2026-11-27\"}");
	ck_assert_int_eq(tool_call(&ctx, "reminder_add", args, &res, &e), 0);
	item = cJSON_GetObjectItem(res, "reminder");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(item, "at")),
			 "2026-11-27T09:00:00+01:00");
	cJSON_Delete(res);
	cJSON_Delete(args);
	ck_assert_str_eq(say(&s, &conv, "add task file taxes on friday"),
			 "Task 2 added: file taxes (due Fri 27 Nov)");
	ck_assert_str_eq(say(&s, &conv, "remind me on friday to call the bank"),
			 "Reminder 2 set for Fri 27 Nov 2026 09:00: call the bank");
	seen_release(&s);
}
END_TEST

/* An id no integer is (from a model's JSON) is refused, not cast: under
 * make asan the cast itself is the failure. */
START_TEST(test_id_out_of_range)
{
	struct tool_ctx ctx = { st, cfg, 0, "en", 0, NULL, NULL, NULL, NULL };
	cJSON *args, *res = NULL;
	struct err e = { 0, "" };

	/* what a double cannot hold exactly, or is no integer, or a string
	 * that is not exactly one in decimal: refused naming the argument, never
	 * read as another id (9223372036854775808 was task 0, 2^53+1 was 2^53) */
	static const char *const refused[] = {
		"{\"id\":1e300}",
		"{\"id\":9223372036854775808}",
		"{\"id\":1e999}",
		"{\"id\":9007199254740993}",
		"{\"id\":1.5}",
		"{\"id\":\" 1\"}",
		"{\"id\":\"+1\"}",
		"{\"id\":\"1.0\"}",
		"{\"id\":\"9007199254740993\"}",
	};

	ctx.now = now;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		args = cJSON_Parse(refused[i]);
		ck_assert_int_eq(tool_call(&ctx, "task_done", args, &res, &e), -1);
		ck_assert_msg(!strcmp(e.msg, "task_done: argument \"id\" must be an integer"),
			      "%s: %s", refused[i], e.msg);
		cJSON_Delete(args);
		cJSON_Delete(res);
		res = NULL;
	}
	/* a priority as a string is held to the schema's range too */
	args = cJSON_Parse("{\"title\":\"x\",\"priority\":\"10\"}");
	ck_assert_int_eq(tool_call(&ctx, "task_add", args, &res, &e), -1);
	ck_assert_str_eq(e.msg, "task_add: argument \"priority\" must be at most 9");
	cJSON_Delete(args);
	cJSON_Delete(res);
}
END_TEST

START_TEST(test_reminders)
{
	struct seen s = { 0 };
	long long conv = 0;
	const char *r;

	ck_assert_str_eq(say(&s, &conv, "remind me to call mom tomorrow at 5pm"),
			 "Reminder 1 set for Thu 26 Nov 2026 17:00 (tomorrow): call mom");
	ck_assert_str_eq(s.last_call, "reminder_add {\"text\":\"call mom\","
				      "\"at\":\"2026-11-26T17:00:00+01:00\"}");
	ck_assert_str_eq(say(&s, &conv, "напомни в пятницу в 10 купить цветы маме"),
			 "Напоминание 2: пт, 27 ноября 2026, в 10:00 — купить цветы маме");
	ck_assert_str_eq(say(&s, &conv, "remind me every monday at 9 to water the plants"),
			 "Reminder 3 set for Mon 30 Nov 2026 09:00: water the plants (every Monday "
			 "at 09:00)");
	ck_assert_str_eq(say(&s, &conv, "my reminders"),
			 "Reminders:\n"
			 "  1  tomorrow 17:00  call mom\n"
			 "  2  Fri 27 Nov 10:00  купить цветы маме\n"
			 "  3  Mon 30 Nov 09:00  water the plants (every Monday)");
	/* "маму" finds "маме" and "mom" finds "mom": one each, no question */
	r = say(&s, &conv, "отмени напоминание про маму");
	ck_assert_str_eq(r, "Напоминание 2 отменено: купить цветы маме");
	say(&s, &conv, "remind me to buy a gift for mom on friday at 10");
	r = say(&s, &conv, "cancel the reminder about mom");
	ck_assert_str_eq(r, "Several reminders match \"mom\" — which one?\n"
			    "  1  tomorrow 17:00  call mom\n"
			    "  4  Fri 27 Nov 10:00  buy a gift for mom\n"
			    "Say it with the number, for example: \"cancel reminder 1\".");
	ck_assert_int_eq(s.calls, 0);
	ck_assert_str_eq(say(&s, &conv, "cancel reminder 4"),
			 "Reminder 4 cancelled: buy a gift for mom");
	ck_assert_str_eq(say(&s, &conv, "snooze reminder 1 for 10 minutes"),
			 "Reminder 1 snoozed until Wed 25 Nov 2026 14:40 (today): call mom");
	ck_assert_str_eq(say(&s, &conv, "cancel the reminder about the dentist"),
			 "No reminder matches \"dentist\".");
	seen_release(&s);
}
END_TEST

START_TEST(test_calendar)
{
	struct seen s = { 0 };
	long long conv = 0;
	const char *r;

	ck_assert_str_eq(say(&s, &conv, "add lunch with Anna on monday 13:00 for 1h"),
			 "Event 1 added: lunch with Anna, Mon 30 Nov 2026 13:00–14:00");
	ck_assert_str_eq(s.last_call,
			 "calendar_add {\"summary\":\"lunch with Anna\","
			 "\"start\":\"2026-11-30T13:00:00+01:00\",\"duration\":\"1h\"}");
	ck_assert_str_eq(say(&s, &conv, "добавь обед с Борисом в пятницу в 13:00"),
			 "Событие 2 добавлено: обед с Борисом, пт, 27 ноября 2026, в 13:00–14:00");
	ck_assert_str_eq(say(&s, &conv, "create event Mom's birthday on dec 12"),
			 "Event 3 added: Mom's birthday, Sat 12 Dec 2026, all day");
	ck_assert_str_eq(say(&s, &conv, "add standup every weekday at 9:30 for 15m"),
			 "Event 4 added: standup, Thu 26 Nov 2026 09:30–09:45 (tomorrow), every "
			 "weekday at 09:30");
	ck_assert_str_eq(say(&s, &conv, "what's on friday?"), "Fri 27 Nov:\n"
							      "  4  09:30–09:45  standup\n"
							      "  2  13:00–14:00  обед с Борисом");
	ck_assert_str_eq(say(&s, &conv, "что у меня на выходных"),
			 "В календаре ничего нет на это время.");
	/* a date alone keeps the time of day */
	ck_assert_str_eq(say(&s, &conv, "move lunch with Anna to tuesday"),
			 "Event 1 changed: lunch with Anna, Tue 1 Dec 2026 13:00–14:00");
	/* two lunches: which one? */
	say(&s, &conv, "add lunch with Bob on wednesday 12:00");
	r = say(&s, &conv, "cancel lunch");
	ck_assert_str_eq(r, "Several events match \"lunch\" — which one?\n"
			    "  1  Tue 1 Dec 13:00  lunch with Anna\n"
			    "  5  Wed 2 Dec 12:00  lunch with Bob\n"
			    "Say it with the number, for example: \"delete event 1\".");
	ck_assert_int_eq(s.calls, 0);
	/* "Борисом" and "борис": case and endings do not matter */
	ck_assert_str_eq(say(&s, &conv, "отмени встречу с борисом"),
			 "Событие 2 удалено: обед с Борисом, пт, 27 ноября 2026, в 13:00–14:00");
	/* neither a reminder nor an event said: the one that matches */
	ck_assert_str_eq(say(&s, &conv, "cancel standup"),
			 "Event 4 deleted: standup, Thu 26 Nov 2026 09:30–09:45 (tomorrow)");
	ck_assert_str_eq(say(&s, &conv, "find birthday"),
			 "Found:\n  3  Sat 12 Dec all day  Mom's birthday");
	seen_release(&s);
}
END_TEST

START_TEST(test_search_and_rm)
{
	struct seen s = { 0 };
	long long a = 0, b = 0;
	struct message *ms;
	size_t n;
	struct err e;

	say(&s, &a, "add task buy oat milk");
	say(&s, &b, "add task call the plumber");
	ck_assert_int_eq(conversation_search(st, "plumb", 0, &ms, &n, &e), 0);
	ck_assert_uint_eq(n, 2); /* the request and the reply, not the tool traffic */
	ck_assert_int_eq(ms[0].conversation_id, b);
	message_list_free(ms, n);
	ck_assert_int_eq(conversation_rm(st, b, &e), 0);
	ck_assert_int_eq(conversation_search(st, "plumber", 0, &ms, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(conversation_rm(st, b, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	ck_assert_int_eq(conversation_search(st, "oat milk", 0, &ms, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	message_list_free(ms, n);
	seen_release(&s);
}
END_TEST

START_TEST(test_delegation)
{
	struct seen s = { 0 };
	long long conv = 0;
	struct err e;
	const char *r;

	ck_assert_int_eq(store_exec(st,
				    "INSERT INTO assistants(name, backend, created_at)"
				    " VALUES ('helper', 'offline', 0)",
				    &e),
			 0);
	r = say(&s, &conv, "ask helper add task water the plants");
	ck_assert_str_eq(r, "helper: Task 1 added: water the plants");
	/* the sink sees the helper's own call, named as its */
	ck_assert_str_eq(s.last_call, "helper -> task_add {\"title\":\"water the plants\"}");
	/* an assistant already in the chain is not asked again */
	r = say(&s, &conv, "ask helper ask nestor add task x");
	ck_assert_msg(strstr(r, "assistant 'nestor' is already in this delegation "
				"(nestor -> helper)") != NULL,
		      "%s", r);
	/* each level delegates again until the depth limit answers */
	ck_assert_int_eq(store_exec(st,
				    "INSERT INTO assistants(name, backend, created_at)"
				    " VALUES ('h2', 'offline', 0), ('h3', 'offline', 0)",
				    &e),
			 0);
	r = say(&s, &conv, "ask helper ask h2 ask h3 add task x");
	ck_assert_msg(strstr(r, "delegation deeper than 2") != NULL, "%s", r);
	/* a sub-assistant calls only what its callers may */
	ck_assert_int_eq(store_exec(st,
				    "INSERT INTO assistants(name, backend, tools, created_at)"
				    " VALUES ('ro', 'offline', 'task_list,ask_assistant', 0)",
				    &e),
			 0);
	ck_assert_int_eq(engine_set_assistant(eng, "ro", &e), 0);
	conv = 0;
	r = say(&s, &conv, "ask helper add task sneaky");
	ck_assert_msg(strstr(s.last_result, "asked by 'ro', which may not call it") != NULL, "%s",
		      s.last_result);
	ck_assert_int_eq(engine_set_assistant(eng, NULL, &e), 0);
	seen_release(&s);
}
END_TEST

START_TEST(test_registry)
{
	cJSON *all = tool_schemas(NULL), *t, *some;
	regex_t re;
	int n = 0;
	struct tool_ctx ctx = { st, cfg, 0, "en", 0, NULL, NULL, NULL, NULL };
	cJSON *args, *res;
	struct err e;

	ctx.now = now;
	ck_assert_int_eq(regcomp(&re, "^[a-z0-9_]+$", REG_EXTENDED | REG_NOSUB), 0);
	cJSON_ArrayForEach(t, all) {
		const cJSON *fn = cJSON_GetObjectItem(t, "function");
		const cJSON *p = cJSON_GetObjectItem(fn, "parameters"), *r;
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(fn, "name"));

		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "type")), "function");
		ck_assert_msg(regexec(&re, name, 0, NULL, 0) == 0, "%s", name);
		ck_assert_msg(p && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(p, "type")),
					   "object"),
			      "%s: parameters", name);
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(p, "required"))
			ck_assert_msg(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "properties"),
							  r->valuestring),
				      "%s: required %s is not a property", name, r->valuestring);
		ck_assert_ptr_nonnull(tool_find(name));
		n++;
	}
	regfree(&re);
	ck_assert_int_eq(n, 21);
	cJSON_Delete(all);
	some = tool_schemas("task_add, time_now");
	ck_assert_int_eq(cJSON_GetArraySize(some), 2);
	cJSON_Delete(some);
	ck_assert_int_eq(tool_call(&ctx, "rm_rf", NULL, &res, &e), -1);
	ck_assert_str_eq(e.msg, "unknown tool \"rm_rf\"");
	args = cJSON_Parse("{\"due\":\"tomorrow\"}");
	ck_assert_int_eq(tool_call(&ctx, "task_add", args, &res, &e), -1);
	ck_assert_str_eq(e.msg, "task_add: missing argument \"title\"");
	cJSON_Delete(args);
	args = cJSON_Parse("{\"title\":\"x\",\"priority\":\"high\"}");
	ck_assert_int_eq(tool_call(&ctx, "task_add", args, &res, &e), -1);
	ck_assert_str_eq(e.msg, "task_add: argument \"priority\" must be an integer");
	cJSON_Delete(args);
	args = cJSON_Parse("{\"title\":\"x\",\"colour\":\"red\"}");
	ck_assert_int_eq(tool_call(&ctx, "task_add", args, &res, &e), -1);
	ck_assert_str_eq(e.msg, "task_add: unknown argument \"colour\"");
	cJSON_Delete(args);
	args = cJSON_Parse("{\"title\":\"x\",\"due\":\"tomorrow 17:00\",\"priority\":3}");
	ck_assert_int_eq(tool_call(&ctx, "task_add", args, &res, &e), 0);
	ck_assert_str_eq(
		cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "task"), "due")),
		"2026-11-26T17:00:00+01:00");
	cJSON_Delete(res);
	cJSON_Delete(args);
	args = cJSON_Parse("{\"id\":\"1\"}");
	ck_assert_int_eq(tool_call(&ctx, "task_done", args, &res, &e), 0);
	cJSON_Delete(res);
	cJSON_Delete(args);
}
END_TEST

Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	/* big results and bulk imports take seconds under the sanitizers */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_turn_is_stored);
	tcase_add_test(tc, test_big_result_is_cut);
	tcase_add_test(tc, test_unknown_calls_nothing);
	tcase_add_test(tc, test_ambiguous_asks_which);
	tcase_add_test(tc, test_reminders);
	tcase_add_test(tc, test_overdue_says_yesterday);
	tcase_add_test(tc, test_date_alone);
	tcase_add_test(tc, test_id_out_of_range);
	tcase_add_test(tc, test_calendar);
	tcase_add_test(tc, test_search_and_rm);
	tcase_add_test(tc, test_delegation);
	tcase_add_test(tc, test_registry);
	suite_add_tcase(s, tc);
	return s;
}
