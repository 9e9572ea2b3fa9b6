/* Assistants in the store: the default, tool lists, renames. */
#include <check.h>
#include <strings.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-int.h"
#include "api.h"
#include "assistant.h"
#include "httpd.h"
#include "store.h"
#include "testutil.h"
#include "xalloc.h"

static char *dir;
static struct store *st;

static void setup(void)
{
	dir = tu_tmpdir();
	st = tu_store_open(dir);
}

static void teardown(void)
{
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

START_TEST(test_default_moves)
{
	struct assistant a = { 0 }, d;
	struct err e = { 0, "" };

	ck_assert_int_eq(assistant_get_default(st, &d, &e), 0);
	ck_assert_str_eq(d.name, "nestor");
	ck_assert_str_eq(assistant_backend_name(d.backend), "offline");
	ck_assert_int_eq(d.token_budget, ASSISTANT_DEFAULT_BUDGET);
	assistant_release(&d);

	a.name = "local";
	a.backend = ASSISTANT_LLM;
	a.base_url = "http://127.0.0.1:11434/v1";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	ck_assert_int_eq(a.token_budget, ASSISTANT_DEFAULT_BUDGET);
	ck_assert_int_eq(assistant_set_default(st, "local", &e), 0);
	ck_assert_int_eq(assistant_get_default(st, &d, &e), 0);
	ck_assert_str_eq(d.name, "local");
	ck_assert_ptr_null(d.key_secret);
	assistant_release(&d);
	ck_assert_int_eq(assistant_get_by_name(st, "nestor", &d, &e), 0);
	ck_assert(!d.is_default); /* exactly one default */
	assistant_release(&d);
	{
		char **names = assistant_names(st, &e);

		ck_assert_str_eq(names[0], "nestor");
		ck_assert_str_eq(names[1], "local");
		ck_assert_ptr_null(names[2]);
		assistant_names_free(names);
	}
	ck_assert_int_eq(assistant_rm(st, "local", &e), -1);
	ck_assert_int_eq(assistant_rm(st, "nestor", &e), 0);
	ck_assert_int_eq(assistant_set_default(st, "nestor", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
}
END_TEST

START_TEST(test_allows)
{
	struct assistant a = { 0 };

	ck_assert(assistant_allows(&a, "task_add"));
	a.tools = "task_add, calendar_agenda";
	ck_assert(assistant_allows(&a, "task_add"));
	ck_assert(assistant_allows(&a, "calendar_agenda"));
	ck_assert(!assistant_allows(&a, "task"));
	ck_assert(!assistant_allows(&a, "ask_assistant"));
}
END_TEST

/* Another process (the store other) steps in once, when a statement of
 * this one beginning with at starts: meddler() is the statement trace hook
 * with a struct meddling as its argument; rc is -1 until then, then what
 * act returned. */
static struct store *other;

struct meddling {
	const char *at;
	int (*act)(void);
	int rc;
};

static int meddler(unsigned type, void *arg, void *stmt, void *sql)
{
	struct meddling *m = arg;

	(void)type;
	(void)stmt;
	if (m->rc == -1 && !strncmp(sql, m->at, strlen(m->at)))
		m->rc = m->act();
	return 0;
}

/* Another process makes 'local' the default just as rm starts deleting it. */
static int move_default(void)
{
	struct err e = { 0, "" };

	return assistant_set_default(other, "local", &e);
}

START_TEST(test_rm_default_race)
{
	struct meddling m = { "DELETE FROM assistants", move_default, -1 };
	struct assistant a = { 0 }, d;
	struct err e = { 0, "" };
	char *path = xasprintf("%s/nestor.db", dir);

	a.name = "local";
	a.backend = ASSISTANT_LLM;
	a.base_url = "http://127.0.0.1:11434/v1";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	other = store_open(path, &e);
	ck_assert_msg(other != NULL, "%s", e.msg);
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, meddler, &m);
	ck_assert_int_eq(assistant_rm(st, "local", &e), -1);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	ck_assert_int_eq(m.rc, 0);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "'local' is the default assistant; make another one the default "
				"first (nestor assistant default NAME)");
	ck_assert_int_eq(assistant_get_default(st, &d, &e), 0);
	ck_assert_str_eq(d.name, "local");
	assistant_release(&d);
	/* an unknown name is still not found */
	ck_assert_int_eq(assistant_rm(st, "nobody", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	store_free(other);
	free(path);
}
END_TEST

/* The default's name, and how many assistants are the default. */
static char *default_name(int *ndefaults)
{
	struct err e = { 0, "" };
	sqlite3_stmt *q;
	struct assistant d;
	char *name;

	ck_assert_int_eq(sqlite3_prepare_v2(st->db,
					    "SELECT count(*) FROM assistants WHERE is_default", -1,
					    &q, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	*ndefaults = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	ck_assert_int_eq(assistant_get_default(st, &d, &e), 0);
	name = xstrdup(d.name);
	assistant_release(&d);
	return name;
}

/* add/edit with --default is one write: when making it the default fails
 * (here a trigger refuses it), the assistant is not added, nor changed. */
START_TEST(test_add_default_atomic)
{
	struct assistant a = { 0 }, got;
	struct err e = { 0, "" };
	char *name;
	int n;

	ck_assert_int_eq(sqlite3_exec(st->db,
				      "CREATE TEMP TRIGGER no_default BEFORE UPDATE OF is_default"
				      " ON assistants BEGIN SELECT RAISE(ABORT, 'no default'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	a.name = "gem";
	a.backend = ASSISTANT_LLM;
	a.base_url = "http://127.0.0.1:9/v1";
	a.is_default = true;
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), -1);
	ck_assert_int_eq(assistant_get_by_name(st, "gem", &got, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	/* once it can be, it is added as the default */
	ck_assert_int_eq(sqlite3_exec(st->db, "DROP TRIGGER no_default", NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_msg(assistant_add(st, &a, 1000, &e) == 0, "%s", e.msg);
	name = default_name(&n);
	ck_assert_str_eq(name, "gem");
	ck_assert_int_eq(n, 1);
	free(name);

	/* edit: a new model and the default back to 'nestor', or neither */
	ck_assert_int_eq(assistant_get_by_name(st, "nestor", &got, &e), 0);
	free(got.model);
	got.model = xstrdup("m2");
	ck_assert_int_eq(sqlite3_exec(st->db,
				      "CREATE TEMP TRIGGER no_default BEFORE UPDATE OF is_default"
				      " ON assistants BEGIN SELECT RAISE(ABORT, 'no default'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(assistant_update(st, &got, true, &e), -1);
	assistant_release(&got);
	ck_assert_int_eq(assistant_get_by_name(st, "nestor", &got, &e), 0);
	ck_assert_ptr_null(got.model);
	name = default_name(&n);
	ck_assert_str_eq(name, "gem");
	free(name);
	ck_assert_int_eq(sqlite3_exec(st->db, "DROP TRIGGER no_default", NULL, NULL, NULL),
			 SQLITE_OK);
	free(got.model);
	got.model = xstrdup("m2");
	ck_assert_msg(assistant_update(st, &got, true, &e) == 0, "%s", e.msg);
	assistant_release(&got);
	name = default_name(&n);
	ck_assert_str_eq(name, "nestor");
	ck_assert_int_eq(n, 1);
	free(name);
	ck_assert_int_eq(assistant_get_by_name(st, "nestor", &got, &e), 0);
	ck_assert_str_eq(got.model, "m2");
	assistant_release(&got);
}
END_TEST

/* Another process removes 'local' just as it is being made the default:
 * either it is the default or the call fails, never no default at all. */
static int remove_local(void)
{
	struct err e = { 0, "" };

	return assistant_rm(other, "local", &e);
}

START_TEST(test_set_default_race)
{
	struct meddling m = { "BEGIN", remove_local, -1 };
	struct assistant a = { 0 };
	struct err e = { 0, "" };
	char *path = xasprintf("%s/nestor.db", dir), *name;
	int n;

	a.name = "local";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	other = store_open(path, &e);
	ck_assert_msg(other != NULL, "%s", e.msg);
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, meddler, &m);
	ck_assert_int_eq(assistant_set_default(st, "local", &e), -1);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	ck_assert_int_eq(m.rc, 0);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	name = default_name(&n);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(name, "nestor");
	free(name);
	store_free(other);
	free(path);
}
END_TEST

/* The HTTP API's PATCH and DELETE of an assistant, in this process. */
static const char *auth, *if_match;

static const char *rq_header(const struct httpd_req *rq, const char *name)
{
	(void)rq;
	if (!strcasecmp(name, "Authorization"))
		return auth;
	if (!strcasecmp(name, "If-Match"))
		return if_match;
	return NULL;
}

static const char *rq_query(const struct httpd_req *rq, const char *name)
{
	(void)rq;
	(void)name;
	return NULL;
}

/* Answer method path body; the status, and the ETag into etag (if any). */
static int api_call(struct api *api, const char *method, const char *path, const char *body,
		    char *etag, size_t etag_size)
{
	struct httpd_req rq = { .method = method,
				.path = path,
				.body = body,
				.body_len = strlen(body),
				.header = rq_header,
				.query = rq_query };
	struct httpd_resp rs;
	int status;

	httpd_resp_init(&rs);
	api_handle(api, &rq, &rs);
	status = rs.status ? rs.status : 200;
	for (int i = 0; etag && i < rs.nheaders; i++)
		if (!strcasecmp(rs.names[i], "ETag"))
			snprintf(etag, etag_size, "%s", rs.values[i]);
	httpd_resp_release(&rs);
	return status;
}

/* The other request's write, made when this one's write starts: SQLITE_OK
 * when it got in between the If-Match check and the write. */
static const char *meddle_sql = "UPDATE assistants SET model = 'theirs' WHERE name = 'gem'";

static int meddle(void)
{
	return sqlite3_exec(other->db, meddle_sql, NULL, NULL, NULL);
}

/*
 * If-Match is checked in the write's transaction: another request that
 * changes the assistant after this one read it cannot slip in before its
 * write (two PATCHes with the same If-Match would both succeed, the first
 * one's change lost).  A second connection tries to write just as the
 * request's own write starts; it must find the database locked.
 */
START_TEST(test_api_match_in_write)
{
	struct meddling m;
	struct assistant a = { 0 };
	struct err e = { 0, "" };
	char *path = xasprintf("%s/nestor.db", dir), *token, *bearer, etag[64] = "";
	struct api *api = api_new(st, NULL, &(struct api_opts){ 0 });
	long long tid;

	a.name = "gem";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	ck_assert_msg(api_token_issue(st, 1, NULL, false, 1000, &token, &tid, &e) == 0, "%s",
		      e.msg);
	bearer = xasprintf("Bearer %s", token);
	auth = bearer;
	if_match = NULL;
	other = store_open(path, &e);
	ck_assert_msg(other != NULL, "%s", e.msg);
	sqlite3_busy_timeout(other->db, 0);

	ck_assert_int_eq(api_call(api, "GET", "/v1/assistants/gem", "", etag, sizeof(etag)), 200);
	ck_assert(etag[0]);
	if_match = "\"0000\"";
	ck_assert_int_eq(api_call(api, "PATCH", "/v1/assistants/gem", "{\"model\":\"x\"}", NULL, 0),
			 412);
	ck_assert_int_eq(api_call(api, "DELETE", "/v1/assistants/gem", "", NULL, 0), 412);
	if_match = etag;
	ck_assert_int_eq(
		api_call(api, "PATCH", "/v1/assistants/gem", "{\"temperature\":\"x\"}", NULL, 0),
		400);
	ck_assert_int_eq(assistant_get_by_name(st, "gem", &a, &e), 0);
	ck_assert_ptr_null(a.model);
	assistant_release(&a);

	m = (struct meddling){ "UPDATE assistants SET name", meddle, -1 };
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, meddler, &m);
	ck_assert_int_eq(api_call(api, "PATCH", "/v1/assistants/gem", "{\"model\":\"mine\"}", etag,
				  sizeof(etag)),
			 200);
	ck_assert_int_eq(m.rc, SQLITE_BUSY);
	ck_assert_int_eq(assistant_get_by_name(st, "gem", &a, &e), 0);
	ck_assert_str_eq(a.model, "mine");
	assistant_release(&a);

	m = (struct meddling){ "DELETE FROM assistants", meddle, -1 };
	ck_assert_int_eq(api_call(api, "DELETE", "/v1/assistants/gem", "", NULL, 0), 204);
	ck_assert_int_eq(m.rc, SQLITE_BUSY);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	ck_assert_int_eq(assistant_get_by_name(st, "gem", &a, &e), -1);

	api_free(api);
	store_free(other);
	free(bearer);
	free(token);
	free(path);
}
END_TEST

/*
 * The same for the DELETE of a task, an event or a reminder: the read,
 * If-Match and the removal are one transaction.
 */
START_TEST(test_api_delete_match_in_write)
{
	struct meddling m;
	struct err e = { 0, "" };
	char *path = xasprintf("%s/nestor.db", dir), *token, *bearer, etag[64] = "";
	struct api *api = api_new(st, NULL, &(struct api_opts){ 0 });
	long long tid;

	ck_assert_msg(api_token_issue(st, 1, NULL, false, 1000, &token, &tid, &e) == 0, "%s",
		      e.msg);
	bearer = xasprintf("Bearer %s", token);
	auth = bearer;
	if_match = NULL;
	other = store_open(path, &e);
	ck_assert_msg(other != NULL, "%s", e.msg);
	sqlite3_busy_timeout(other->db, 0);

	ck_assert_int_eq(api_call(api, "POST", "/v1/tasks", "{\"title\":\"pay rent\"}", NULL, 0),
			 201);
	ck_assert_int_eq(api_call(api, "GET", "/v1/tasks/1", "", etag, sizeof(etag)), 200);
	ck_assert(etag[0]);
	if_match = "\"0000\"";
	ck_assert_int_eq(api_call(api, "DELETE", "/v1/tasks/1", "", NULL, 0), 412);
	if_match = etag;
	meddle_sql = "UPDATE tasks SET title = 'pay rent twice' WHERE id = 1";
	m = (struct meddling){ "DELETE FROM tasks", meddle, -1 };
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, meddler, &m);
	ck_assert_int_eq(api_call(api, "DELETE", "/v1/tasks/1", "", NULL, 0), 204);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	ck_assert_int_eq(m.rc, SQLITE_BUSY);
	ck_assert_int_eq(api_call(api, "GET", "/v1/tasks/1", "", NULL, 0), 404);

	api_free(api);
	store_free(other);
	free(bearer);
	free(token);
	free(path);
}
END_TEST

/* An edit's change: the model arg, or a failure when arg is NULL. */
static int set_model(struct assistant *a, void *arg, struct err *e)
{
	if (!arg)
		return err_set(e, ERR_USAGE, "no model");
	free(a->model);
	a->model = xstrdup(arg);
	return 0;
}

/*
 * `assistant edit` reads the assistant, changes it and writes it back in
 * one transaction: another connection's write, tried between the edit's
 * read and its write, finds the database locked, so it is not overwritten
 * with what the edit read.
 */
START_TEST(test_edit_one_transaction)
{
	struct assistant a = { 0 };
	struct err e = { 0, "" };
	struct meddling m = { "UPDATE assistants SET name", meddle, -1 };
	char *path = xasprintf("%s/nestor.db", dir);

	a.name = "gem";
	a.system_prompt = "be brief";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	other = store_open(path, &e);
	ck_assert_msg(other != NULL, "%s", e.msg);
	sqlite3_busy_timeout(other->db, 0);

	/* the other write comes at the edit's write, after its read */
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, meddler, &m);
	meddle_sql = "UPDATE assistants SET system_prompt = 'theirs' WHERE name = 'gem'";
	ck_assert_msg(assistant_edit(st, "gem", set_model, "mine", false, &a, &e) == 0, "%s",
		      e.msg);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	assistant_release(&a);
	ck_assert_int_eq(assistant_get_by_name(st, "gem", &a, &e), 0);
	ck_assert_str_eq(a.model, "mine");
	/* the other write was refused, not overwritten */
	ck_assert_msg(m.rc == SQLITE_BUSY, "the other write: %d, the prompt now \"%s\"", m.rc,
		      a.system_prompt);
	ck_assert_str_eq(a.system_prompt, "be brief");
	assistant_release(&a);
	/* another's write after the edit is kept, and the next edit sees it */
	ck_assert_int_eq(sqlite3_exec(other->db, meddle_sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(assistant_edit(st, "gem", set_model, "m2", true, &a, &e), 0);
	ck_assert_str_eq(a.system_prompt, "theirs");
	assistant_release(&a);
	ck_assert_int_eq(assistant_get_default(st, &a, &e), 0);
	ck_assert_str_eq(a.name, "gem");
	assistant_release(&a);

	/* a failed change, a missing name: nothing written, the lock let go */
	ck_assert_int_eq(assistant_edit(st, "gem", set_model, NULL, false, &a, &e), -1);
	ck_assert_str_eq(e.msg, "no model");
	assistant_release(&a);
	ck_assert_int_eq(assistant_edit(st, "nope", set_model, "x", false, &a, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOTFOUND);
	assistant_release(&a);
	ck_assert_int_eq(
		sqlite3_exec(other->db, "UPDATE assistants SET model = 'later'", NULL, NULL, NULL),
		SQLITE_OK);
	ck_assert_int_eq(assistant_get_by_name(st, "gem", &a, &e), 0);
	ck_assert_str_eq(a.model, "later");
	assistant_release(&a);
	store_free(other);
	free(path);
}
END_TEST

/* a with one field changed is refused, e.msg starting with want, and
 * nothing is stored. */
static void refused(const struct assistant *a, const char *want)
{
	struct err e = { 0, "" };
	struct assistant copy = *a;

	ck_assert_int_eq(assistant_add(st, &copy, 1000, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_msg(!strncmp(e.msg, want, strlen(want)), "got \"%s\", want \"%s...\"", e.msg,
		      want);
}

/* What the HTTP API (and any other caller) may put in an assistant: the
 * store checks it, not only the command line. */
START_TEST(test_fields_checked)
{
	struct assistant a = { 0 };
	struct err e = { 0, "" };
	char *big = xmalloc(ASSISTANT_PROMPT_MAX + 2);

	memset(big, 'a', ASSISTANT_PROMPT_MAX + 1);
	big[ASSISTANT_PROMPT_MAX + 1] = '\0';
	a.name = "x";
	a.backend = ASSISTANT_LLM;
	a.base_url = "http://127.0.0.1:9/v1";
	a.token_budget = ASSISTANT_DEFAULT_BUDGET;
	a.model = "gpt\xff";
	refused(&a, "model: not valid UTF-8 (byte 4)");
	a.model = "gpt\r\nX-Injected: 1";
	refused(&a, "model: control character U+000D (byte 4)");
	a.model = NULL;
	a.base_url = "http://127.0.0.1:9/v1\n";
	refused(&a, "base URL: control character");
	a.base_url = "https://bob:sk-key@127.0.0.1:9/v1";
	refused(&a, "base URL holds a password");
	a.base_url = "http://127.0.0.1:9/v1";
	a.tools = "task_add,\x1b[2J";
	refused(&a, "tools: control character U+001B (byte 10)");
	a.tools = NULL;
	a.key_secret = "key\x1b]0;x";
	refused(&a, "key secret: control character U+001B (byte 4)");
	a.key_secret = NULL;
	a.system_prompt = "Be\x9b brief";
	refused(&a, "prompt: not valid UTF-8 (byte 3)");
	a.system_prompt = "Be \xc2\x9b brief";
	refused(&a, "prompt: control character U+009B (byte 4)");
	a.system_prompt = "caf\xe9";
	refused(&a, "prompt: not valid UTF-8 (byte 4)");
	a.system_prompt = big;
	refused(&a, "prompt: too long (65537 bytes, at most 65536)");
	big[ASSISTANT_PROMPT_MAX] = '\0';
	ck_assert_msg(assistant_add(st, &a, 1000, &e) == 0, "%s", e.msg);
	free(big);
}
END_TEST

Suite *assistant_suite(void)
{
	Suite *s = suite_create("assistant");
	TCase *tc = tcase_create("assistant");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_default_moves);
	tcase_add_test(tc, test_allows);
	tcase_add_test(tc, test_rm_default_race);
	tcase_add_test(tc, test_fields_checked);
	tcase_add_test(tc, test_add_default_atomic);
	tcase_add_test(tc, test_set_default_race);
	tcase_add_test(tc, test_api_match_in_write);
	tcase_add_test(tc, test_api_delete_match_in_write);
	tcase_add_test(tc, test_edit_one_transaction);
	suite_add_tcase(s, tc);
	return s;
}
