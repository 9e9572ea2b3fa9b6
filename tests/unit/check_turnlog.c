/* engine_turn_journal against tests/fake/openai.py: a turn in short
 * transactions, one resumed from what a dead process left (the missing
 * tool call runs, the user's message is not stored again), one that
 * another process took over (it stops, nothing finished twice). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "assistant.h"
#include "config.h"
#include "conversation.h"
#include "engine.h"
#include "fake.h"
#include "store-int.h"
#include "store.h"
#include "task.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir;
static struct store *st;
static struct fake srv;
static struct engine *eng;

static void setup(void)
{
	struct assistant a = { 0 };
	struct err e = { 0, "" };
	char *url;

	dir = tu_tmpdir();
	st = tu_store_open(dir);
	ck_assert_int_eq(fake_start("openai.py", &srv), 0);
	url = fake_url(&srv, "/v1");
	a.name = "gpt";
	a.backend = ASSISTANT_LLM;
	a.base_url = url;
	a.model = "fake-model";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	ck_assert_int_eq(assistant_set_default(st, "gpt", &e), 0);
	free(url);
	eng = engine_new(st, NULL, &e);
	ck_assert_ptr_nonnull(eng);
}

static void teardown(void)
{
	engine_free(eng);
	fake_stop(&srv);
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

static void script(const char *json)
{
	char *body = xasprintf("{\"responses\": %s}", json);

	ck_assert_int_eq(fake_post(&srv, "/_script", body, NULL), 200);
	free(body);
}

struct finished {
	int n;
	char *reply;
	bool failed;
};

static int finish(void *arg, long long conv, const char *reply, const struct err *failed,
		  struct err *e)
{
	struct finished *f = arg;

	(void)conv;
	(void)e;
	f->n++;
	free(f->reply);
	f->reply = xstrdup(reply ? reply : "");
	f->failed = failed != NULL;
	return 0;
}

/* The titles of the tasks, comma-separated (caller frees). */
static char *titles(void)
{
	struct task *ts;
	struct err e = { 0, "" };
	size_t n;
	char *out = xstrdup("");

	ck_assert_int_eq(task_list(st, true, &ts, &n, &e), 0);
	for (size_t i = 0; i < n; i++) {
		char *s = xasprintf("%s%s%s", out, i ? "," : "", ts[i].title);

		free(out);
		out = s;
	}
	task_list_free(ts, n);
	return out;
}

/* The roles of conv's messages, as "user,assistant+calls,tool,assistant". */
static char *roles(long long conv)
{
	struct message *ms;
	struct err e = { 0, "" };
	size_t n;
	char *out = xstrdup("");

	ck_assert_int_eq(conversation_messages(st, conv, &ms, &n, &e), 0);
	for (size_t i = 0; i < n; i++) {
		char *s = xasprintf("%s%s%s%s", out, i ? "," : "", ms[i].role,
				    ms[i].tool_calls ? "+calls" : "");

		free(out);
		out = s;
	}
	message_list_free(ms, n);
	return out;
}

/* The model's two replies to "add bread": the call, then the answer. */
#define ADD_BREAD                                                                                  \
	"[{\"calls\": [{\"name\": \"task_add\", \"arguments\": {\"title\": \"bread\"}}]},"         \
	" {\"say\": \"Added.\"}]"

START_TEST(test_fresh_turn)
{
	struct finished f = { 0 };
	struct engine_journal j = { "k1", &f, NULL, finish };
	struct turn_journal row;
	struct err e = { 0, "" };
	long long conv = 0;
	char *s;

	script(ADD_BREAD);
	ck_assert_int_eq(engine_turn_journal(eng, &j, &conv, "add bread", 1000, NULL, &e), 0);
	ck_assert_int_eq(f.n, 1);
	ck_assert_str_eq(f.reply, "Added.");
	ck_assert(!f.failed);
	ck_assert_str_eq(s = roles(conv), "user,assistant+calls,tool,assistant");
	free(s);
	ck_assert_str_eq(s = titles(), "bread");
	free(s);
	ck_assert_int_eq(turn_journal_get(st, "k1", &row, &e), 0);
	free(f.reply);
}
END_TEST

/* What a process killed after the model asked for a call left. */
static long long half_done(const char *key)
{
	struct err e = { 0, "" };
	long long conv, last;

	ck_assert_int_eq(conversation_new(st, 0, CONV_TELEGRAM, 1000, &conv, &e), 0);
	ck_assert_int_eq(
		conversation_add(st, conv, "user", "add bread", NULL, NULL, 1000, NULL, &e), 0);
	ck_assert_int_eq(turn_journal_add(st, key, conv, 1000, &last, &e), 0);
	ck_assert_int_eq(conversation_add(st, conv, "assistant", NULL,
					  "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":"
					  "{\"name\":\"task_add\",\"arguments\":\"{\\\"title\\\":"
					  "\\\"bread\\\"}\"}}]",
					  NULL, 1000, NULL, &e),
			 0);
	ck_assert_int_eq(turn_journal_advance(st, key, &last, &e), 0);
	return conv;
}

START_TEST(test_resume_runs_the_missing_call)
{
	struct finished f = { 0 };
	struct engine_journal j = { "k2", &f, NULL, finish };
	struct turn_journal row;
	struct err e = { 0, "" };
	long long conv = 0, made = half_done("k2");
	cJSON *req;
	char *s;

	script("[{\"say\": \"Added.\"}]");
	ck_assert_int_eq(engine_turn_journal(eng, &j, &conv, "add bread", 1000, NULL, &e), 0);
	ck_assert_int_eq(conv, made);
	ck_assert_int_eq(f.n, 1);
	ck_assert_str_eq(f.reply, "Added.");
	/* No second user message; the call ran once, its result went back. */
	ck_assert_str_eq(s = roles(conv), "user,assistant+calls,tool,assistant");
	free(s);
	ck_assert_str_eq(s = titles(), "bread");
	free(s);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 1);
	req = fake_request_json(&srv, "/v1/", 0, NULL);
	s = cJSON_PrintUnformatted(cJSON_GetObjectItem(req, "messages"));
	ck_assert_ptr_nonnull(strstr(s, "\"tool_call_id\":\"call_1\""));
	free(s);
	cJSON_Delete(req);
	ck_assert_int_eq(turn_journal_get(st, "k2", &row, &e), 0);
	free(f.reply);
}
END_TEST

/* While the model answers, another process stores a step of the turn. */
static void take_over(void *arg, const char *delta)
{
	struct store *other;
	struct err e = { 0, "" };
	long long conv = *(long long *)arg, last;
	char *path = xasprintf("%s/nestor.db", dir);

	(void)delta;
	other = store_open(path, &e);
	free(path);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(
		conversation_add(other, conv, "assistant", "theirs", NULL, NULL, 1000, NULL, &e),
		0);
	ck_assert_int_eq(turn_journal_advance(other, "k3", &last, &e), 0);
	store_free(other);
}

START_TEST(test_taken_over_stops)
{
	struct finished f = { 0 };
	struct engine_journal j = { "k3", &f, NULL, finish };
	long long conv = 0, made = half_done("k3");
	struct engine_sink sink = { &made, take_over, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	struct turn_journal row;
	struct err e = { 0, "" };
	char *s;

	/* The missing call runs (a step), then the model is asked: meanwhile
	 * the other process moves the turn on, so this run's answer is
	 * refused. */
	script("[{\"say\": \"Mine.\"}]");
	ck_assert_int_eq(engine_turn_journal(eng, &j, &conv, "add bread", 1000, &sink, &e), 1);
	ck_assert_int_eq(f.n, 0);
	ck_assert_str_eq(s = roles(conv), "user,assistant+calls,tool,assistant");
	free(s);
	ck_assert_int_eq(turn_journal_get(st, "k3", &row, &e), 1);
}
END_TEST

static int no(void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	return 1;
}

START_TEST(test_check_leaves_it)
{
	struct finished f = { 0 };
	struct engine_journal j = { "k4", &f, NULL, finish };
	struct turn_journal row;
	struct err e = { 0, "" };
	long long conv = 0;
	j.check = no;
	ck_assert_int_eq(engine_turn_journal(eng, &j, &conv, "hello", 1000, NULL, &e), 1);
	ck_assert_int_eq(conv, 0);
	ck_assert_int_eq(f.n, 0);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 0);
	ck_assert_int_eq(turn_journal_get(st, "k4", &row, &e), 0);
}
END_TEST

/* A step the store refuses (busy past its timeout, full) is no failure of
 * the turn: nothing is answered, the journal keeps the turn, and the next
 * run resumes it: the call's effect once, the answer once. */
START_TEST(test_store_failure_resumes)
{
	struct finished f = { 0 };
	struct engine_journal j = { "k5", &f, NULL, finish };
	struct turn_journal row;
	struct err e = { 0, "" };
	long long conv = 0;
	char *s;

	script(ADD_BREAD);
	ck_assert_int_eq(
		store_exec(st,
			   "CREATE TEMP TRIGGER full BEFORE INSERT ON messages"
			   " WHEN NEW.role = 'tool' BEGIN SELECT RAISE(ABORT, 'disk full'); END",
			   &e),
		0);
	ck_assert_int_eq(engine_turn_journal(eng, &j, &conv, "add bread", 1000, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "disk full"));
	ck_assert_int_eq(f.n, 0);
	/* The tool's effect went with its refused step. */
	ck_assert_str_eq(s = titles(), "");
	free(s);
	ck_assert_int_eq(turn_journal_get(st, "k5", &row, &e), 1);
	ck_assert_int_eq(store_exec(st, "DROP TRIGGER full", &e), 0);
	err_clear(&e);
	conv = 0;
	ck_assert_int_eq(engine_turn_journal(eng, &j, &conv, "add bread", 1000, NULL, &e), 0);
	ck_assert_int_eq(f.n, 1);
	ck_assert(!f.failed);
	ck_assert_str_eq(f.reply, "Added.");
	ck_assert_str_eq(s = titles(), "bread");
	free(s);
	ck_assert_str_eq(s = roles(conv), "user,assistant+calls,tool,assistant");
	free(s);
	/* Asked twice for the call (the first reply's step was kept), once
	 * for the answer. */
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 2);
	free(f.reply);
}
END_TEST

/* A resumed turn counts the model's replies it already had towards
 * llm.max_steps: a turn that dies at every step does not ask forever. */
START_TEST(test_resume_counts_steps)
{
	struct finished f = { 0 };
	struct engine_journal j = { "k6", &f, NULL, finish };
	struct err e = { 0, "" };
	char *path = xasprintf("%s/nestor.conf", dir);
	struct config *cfg = config_load(path, NULL, &e);
	struct engine *e2;
	long long conv = 0;

	free(path);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(config_set(cfg, "llm.max_steps", "1", &e), 0);
	e2 = engine_new(st, cfg, &e);
	ck_assert_ptr_nonnull(e2);
	half_done("k6");
	script("[{\"say\": \"Added.\"}]");
	ck_assert_int_eq(engine_turn_journal(e2, &j, &conv, "add bread", 1000, NULL, &e), 0);
	ck_assert_int_eq(f.n, 1);
	ck_assert(f.failed);
	ck_assert_int_eq(fake_requests(&srv, "/v1/"), 0);
	engine_free(e2);
	config_free(cfg);
	free(f.reply);
}
END_TEST

/* Turns never finished are forgotten after the time given, others kept. */
START_TEST(test_prune)
{
	struct turn_journal row;
	struct err e = { 0, "" };
	long long conv, last;
	long n;

	ck_assert_int_eq(conversation_new(st, 0, CONV_TELEGRAM, 1000, &conv, &e), 0);
	ck_assert_int_eq(turn_journal_add(st, "tg:1:1", conv, 1000, &last, &e), 0);
	ck_assert_int_eq(turn_journal_add(st, "tg:1:2", conv, 5000, &last, &e), 0);
	ck_assert_int_eq(turn_journal_add(st, "other", conv, 1000, &last, &e), 0);
	ck_assert_int_eq(turn_journal_prune(st, "tg:", 2000, &n, &e), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(turn_journal_get(st, "tg:1:1", &row, &e), 0);
	ck_assert_int_eq(turn_journal_get(st, "tg:1:2", &row, &e), 1);
	ck_assert_int_eq(turn_journal_get(st, "other", &row, &e), 1);
}
END_TEST

Suite *turnlog_suite(void)
{
	Suite *s = suite_create("turnlog");
	TCase *tc = tcase_create("journal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fresh_turn);
	tcase_add_test(tc, test_resume_runs_the_missing_call);
	tcase_add_test(tc, test_taken_over_stops);
	tcase_add_test(tc, test_check_leaves_it);
	tcase_add_test(tc, test_store_failure_resumes);
	tcase_add_test(tc, test_resume_counts_steps);
	tcase_add_test(tc, test_prune);
	suite_add_tcase(s, tc);
	return s;
}
