/* The store: file mode, migrations, refusing a newer database. */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assistant.h"
#include "conversation.h"
#include "event.h"
#include "job.h"
#include "mcpserver.h"
#include "recur.h"
#include "schema.h"
#include "sqlmem.h"
#include "store-int.h"
#include "store.h"
#include "task.h"
#include "testutil.h"
#include "user.h"
#include "xalloc.h"

static char *dir, *path;

static void setup(void)
{
	dir = tu_tmpdir();
	path = xasprintf("%s/nestor.db", dir);
}

static void teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	free(path);
}

START_TEST(test_created_private)
{
	struct err e = { 0, "" };
	struct store *s;
	struct stat st;
	mode_t old = umask(022);

	s = store_open(path, &e);
	umask(old);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	store_free(s);
}
END_TEST

static int count(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_prepare(s, sql, NULL);
	int n;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

START_TEST(test_migrations)
{
	static const char *const tables[] = { "users",	   "assistants",   "conversations",
					      "messages",  "messages_fts", "calendars",
					      "events",	   "tasks",	   "jobs",
					      "job_runs",  "tool_cache",   "outbox",
					      "sync_state" };
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(count(s, "PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(count(s, "PRAGMA foreign_keys"), 1);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *q = xasprintf("SELECT count(*) FROM sqlite_master WHERE name = '%s'",
				    tables[i]);

		ck_assert_msg(count(s, q) == 1, "table %s missing", tables[i]);
		free(q);
	}
	/* the defaults every other module relies on */
	ck_assert_int_eq(count(s, "SELECT count(*) FROM assistants WHERE is_default"), 1);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM calendars"), 1);
	store_free(s);
	/* opening again migrates nothing and keeps the data */
	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM users"), 1);
	store_free(s);
}
END_TEST

START_TEST(test_newer_refused_untouched)
{
	struct err e = { 0, "" };
	sqlite3 *db;
	char *before, *after, *out = NULL, *errs = NULL;
	size_t n1, n2;
	int rc;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
				      "CREATE TABLE future(x); INSERT INTO future VALUES (42);"
				      "PRAGMA user_version = 999;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	before = tu_slurp(path, &n1);
	ck_assert_ptr_null(store_open(path, &e));
	ck_assert_msg(strstr(e.msg, "newer") != NULL, "message: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "999") != NULL, "message: %s", e.msg);
	/* and through the CLI: exit 1, one line, file byte-identical */
	rc = tu_nestor(dir, &out, &errs, "--db '%s' task list", path);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(errs, "newer than this nestor") != NULL, "stderr: %s", errs);
	after = tu_slurp(path, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_msg(memcmp(before, after, n1) == 0, "database changed");
	free(before);
	free(after);
	free(out);
	free(errs);
}
END_TEST

START_TEST(test_rollback)
{
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_begin(s, &e), 0);
	ck_assert_int_eq(store_exec(s, "INSERT INTO tasks(title, created_at) VALUES ('x', 0)", &e),
			 0);
	store_rollback(s);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM tasks"), 0);
	ck_assert_int_eq(store_exec(s, "INSERT INTO nowhere VALUES (1)", &e), -1);
	ck_assert_msg(strstr(e.msg, "nowhere") != NULL, "%s", e.msg);
	store_free(s);
}
END_TEST

/* A write refused by a trigger (here one a user added with sqlite3, as
 * could be a CHECK or a foreign key) says why, not that the name exists;
 * a name taken still says it is. */
START_TEST(test_refusal_is_not_a_duplicate)
{
	static const char *const tables[] = { "tasks", "users", "assistants", "mcp_servers" };
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);
	struct task t = { .title = "milk" };
	struct user u = { .name = "bob" };
	struct assistant a = { .name = "local",
			       .backend = ASSISTANT_LLM,
			       .base_url = "http://127.0.0.1:11434/v1" };
	struct mcp_server m = { .name = "files", .url = "http://127.0.0.1:9/mcp" };

	ck_assert_msg(s != NULL, "%s", e.msg);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *sql = xasprintf("CREATE TRIGGER frozen_%s BEFORE INSERT ON %s"
				      " BEGIN SELECT RAISE(ABORT, '%s are frozen'); END",
				      tables[i], tables[i], tables[i]);

		ck_assert_msg(store_exec(s, sql, &e) == 0, "%s", e.msg);
		free(sql);
	}
	ck_assert_int_eq(task_add(s, &t, 1000, &e), -1);
	ck_assert_str_eq(e.msg, "task add: tasks are frozen");
	ck_assert_int_eq(user_add(s, &u, &e), -1);
	ck_assert_str_eq(e.msg, "user: users are frozen");
	ck_assert_int_eq(assistant_add(s, &a, 1000, &e), -1);
	ck_assert_str_eq(e.msg, "assistant: assistants are frozen");
	ck_assert_int_eq(mcp_server_add(s, &m, 1000, &e), -1);
	ck_assert_str_eq(e.msg, "mcp add: mcp_servers are frozen");
	ck_assert_int_eq(e.code, ERR_FAIL);
	/* a duplicate is still one */
	ck_assert_int_eq(store_exec(s, "DROP TRIGGER frozen_users", &e), 0);
	u.name = "me";
	ck_assert_int_eq(user_add(s, &u, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "a user named 'me' exists");
	store_free(s);
}
END_TEST

/* Set by SQLite's error log once the switch to WAL met the other's lock. */
static atomic_int wal_busy;

static void busy_log(void *arg, int code, const char *msg)
{
	(void)arg;
	if ((code & 0xff) == SQLITE_BUSY && msg && strstr(msg, "journal_mode"))
		atomic_store(&wal_busy, 1);
}

struct opener {
	const char *path;
	struct store *s;
	struct err e;
};

static void *open_store(void *arg)
{
	struct opener *o = arg;

	o->s = store_open(o->path, &o->e);
	return NULL;
}

/* Two first opens of a new file at once: one migrates (holds the write
 * lock) while the other, having read the file, switches it to WAL.  SQLite
 * answers that switch "database is locked" at once, not after the busy
 * timeout (waiting while holding a read could deadlock).  The open tries
 * again until the write ends, then opens the store; it used to fail, and so
 * did one of two commands run together in a new home. */
START_TEST(test_first_open_waits_for_writer)
{
	struct opener o = { .path = path };
	sqlite3 *x;
	pthread_t th;

	sqlite3_shutdown();
	ck_assert_int_eq(sqlite3_config(SQLITE_CONFIG_LOG, busy_log, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_initialize(), SQLITE_OK);
	/* The other process, in its migration's transaction. */
	ck_assert_int_eq(
		sqlite3_open_v2(path, &x, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
		SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(x, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(pthread_create(&th, NULL, open_store, &o), 0);
	while (!atomic_load(&wal_busy))
		sched_yield();
	ck_assert_int_eq(sqlite3_exec(x, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(o.s != NULL, "%s", o.e.msg);
	ck_assert_int_eq(count(o.s, "SELECT count(*) FROM pragma_journal_mode WHERE "
				    "journal_mode = 'wal'"),
			 1);
	store_free(o.s);
	sqlite3_close(x);
}
END_TEST

/* Every state has one word for SQL and JSON, and each word one state. */
START_TEST(test_state_words)
{
	static const char *const words[] = { "todo",	 "done",	"cancelled", "pending",
					     "running",	 "done",	"cancelled", "failed",
					     "ok",	 "skipped",	"failed",    "missed",
					     "tui",	 "repl",	"cli",	     "telegram",
					     "complete", "interrupted", "offline",   "llm" };
	const char *back[20];
	size_t k = 0;
	int v;

/* each value's word, and back */
#define ROUND_TRIP(type, first, last, name, parse)                                                 \
	for (v = first; v <= last; v++) {                                                          \
		type x;                                                                            \
                                                                                                   \
		back[k++] = name((type)v);                                                         \
		ck_assert_int_eq(parse(back[k - 1], &x), 0);                                       \
		ck_assert_int_eq(x, v);                                                            \
	}
	ROUND_TRIP(enum task_status, TASK_TODO, TASK_CANCELLED, task_status_name,
		   task_status_parse);
	ROUND_TRIP(enum job_state, JOB_PENDING, JOB_FAILED, job_state_name, job_state_parse);
	ROUND_TRIP(enum job_result, JOB_RUN_OK, JOB_RUN_MISSED, job_result_name, job_result_parse);
	ROUND_TRIP(enum conversation_channel, CONV_TUI, CONV_TELEGRAM, conversation_channel_name,
		   conversation_channel_parse);
	ROUND_TRIP(enum message_state, MESSAGE_COMPLETE, MESSAGE_INTERRUPTED, message_state_name,
		   message_state_parse);
	ROUND_TRIP(enum assistant_backend, ASSISTANT_OFFLINE, ASSISTANT_LLM, assistant_backend_name,
		   assistant_backend_parse);
#undef ROUND_TRIP
	ck_assert_uint_eq(k, sizeof(words) / sizeof(words[0]));
	for (size_t i = 0; i < k; i++)
		ck_assert_str_eq(back[i], words[i]);
	/* what is not a word of an enum is refused, not guessed */
	{
		enum job_state s = JOB_DONE;

		ck_assert_int_eq(job_state_parse("Pending", &s), -1);
		ck_assert_int_eq(job_state_parse(NULL, &s), -1);
		ck_assert_int_eq(s, JOB_DONE);
		ck_assert_str_eq(job_state_name((enum job_state)42), "?");
	}
}
END_TEST

/* The TUI refreshes when another connection commits, and only then. */
START_TEST(test_data_version)
{
	struct err e = { 0, "" };
	struct store *a = store_open(path, &e), *b = store_open(path, &e);
	long long v0, v1, v2;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(store_data_version(a, &v0, &e), 0);
	ck_assert_int_eq(store_exec(a, "CREATE TABLE own(x)", &e), 0);
	ck_assert_int_eq(store_data_version(a, &v1, &e), 0);
	ck_assert_int_eq(v1, v0);
	ck_assert_int_eq(store_exec(b, "INSERT INTO own VALUES (1)", &e), 0);
	ck_assert_int_eq(store_data_version(a, &v2, &e), 0);
	ck_assert_int_ne(v2, v1);
	store_free(a);
	store_free(b);
}
END_TEST

/* A raw connection to a new database made by migrations 1 to version. */
static sqlite3 *raw_at(int version)
{
	char pragma[48];
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(schema_functions(db), 0);
	/* a test's file: no wait for the disk after each migration */
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < version; i++)
		ck_assert_msg(sqlite3_exec(db, schema_migrations[i], NULL, NULL, NULL) == SQLITE_OK,
			      "migration %d: %s", i + 1, sqlite3_errmsg(db));
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", version);
	ck_assert_int_eq(sqlite3_exec(db, pragma, NULL, NULL, NULL), SQLITE_OK);
	return db;
}

/* Before migration 5 a VALARM's reminder kept the occurrences it skips
 * and its TRIGGER as lines after the RRULE; they become columns, and the
 * reminder runs as it did. */
START_TEST(test_migration_5_alarm_rule)
{
	struct err e = { 0, "" };
	struct recur_rule r;
	struct store *s;
	struct job j;
	sqlite3 *db;
	time_t next;
	bool has;

	setenv("TZ", "Europe/Berlin", 1);
	db = raw_at(4);
	ck_assert_int_eq(
		sqlite3_exec(
			db,
			"INSERT INTO jobs(kind, payload, schedule, rule, tzid, dtstart, next_run,"
			" occurrence, created_at) VALUES"
			" ('reminder', '{\"text\":\"Standup\"}', 'rrule',"
			"  'FREQ=WEEKLY;BYDAY=MO' || char(10) ||"
			"  'EXDATE:20270322T080000Z,20270405T070000Z' || char(10) || "
			"'TRIGGER:-PT10M',"
			"  'Europe/Berlin', 1805097600, 1805097000, 1805097000, 0),"
			" ('reminder', '{\"text\":\"Stretch\"}', 'rrule', 'FREQ=DAILY',"
			"  'Europe/Berlin', 1805097600, 1805097600, 1805097600, 0);",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);

	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(job_get(s, 1, &j, &e), 0);
	ck_assert_str_eq(j.rule, "FREQ=WEEKLY;BYDAY=MO");
	ck_assert_int_eq(j.run_offset, -600);
	ck_assert_uint_eq(j.nexdates, 2);
	ck_assert_int_eq(j.exdates[0], 1805702400); /* 22 March 09:00 CET */
	ck_assert_int_eq(j.exdates[1], 1806908400); /* 5 April 09:00 CEST */
	ck_assert_int_eq(j.next_run, 1805097000);
	/* 15 March 08:50 CET, then 29 March 08:50 CEST, then 12 April */
	job_recur(&j, &r);
	ck_assert_int_eq(recur_next(&r, 1805097000, &next, &has, &e), 0);
	ck_assert(has);
	ck_assert_int_eq(next, 1806303000);
	ck_assert_int_eq(recur_next(&r, next, &next, &has, &e), 0);
	ck_assert_int_eq(next, 1807512600);
	job_release(&j);
	/* a rule of one line is left as it was */
	ck_assert_int_eq(job_get(s, 2, &j, &e), 0);
	ck_assert_str_eq(j.rule, "FREQ=DAILY");
	ck_assert_int_eq(j.run_offset, 0);
	ck_assert_uint_eq(j.nexdates, 0);
	job_release(&j);
	store_free(s);
}
END_TEST

/* Migration 24 makes reach a column of its own: a database of 23 keeps
 * its series where the agenda finds them (each class of events_reach,
 * its edges too), and the agenda's series come from the index alone. */
START_TEST(test_migration_24_reach)
{
	struct err e = { 0, "" };
	struct event_list l;
	struct store *s;
	sqlite3_stmt *st;
	sqlite3 *db;
	/* Monday 2027-06-07 00:00 UTC, a week's window */
	const long long week = 1812326400LL;
	char sql[256];
	int found = 0;

	setenv("TZ", "UTC", 1);
	db = raw_at(23);
	/* every class, at its edge and one second past it */
	for (int k = 0; k < 15; k++)
		for (int past = 0; past < 2; past++) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO events(uid, summary, start, \"end\", tzid, rrule,"
				 " until, updated_at) VALUES ('k%d-%d', 'edge', 0, 3600, 'UTC',"
				 " 'FREQ=DAILY', %lld, 0)",
				 k, past, (86400LL << k) + past);
			ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		}
	/* in the window: a single event, a series of 2000-2100 (class 15),
	 * one of 2023-2028 (class 11) and one from 2027-05-31 that never ends;
	 * not in it: a deleted series */
	ck_assert_int_eq(
		sqlite3_exec(db,
			     "INSERT INTO events(uid, summary, start, \"end\", tzid, rrule, until,"
			     " deleted, updated_at) VALUES"
			     " ('one', 'one', 1812366000, 1812369600, 'UTC', NULL, NULL, 0, 0),"
			     " ('long', 'long', 946890000, 946893600, 'UTC', 'FREQ=WEEKLY',"
			     "  4102531200, 0, 0),"
			     " ('mid', 'mid', 1685955600, 1685959200, 'UTC', 'FREQ=WEEKLY',"
			     "  1830297600, 0, 0),"
			     " ('open', 'open', 1811754000, 1811757600, 'UTC', 'FREQ=WEEKLY',"
			     "  NULL, 0, 0),"
			     " ('gone', 'gone', 1685955600, 1685959200, 'UTC', 'FREQ=WEEKLY',"
			     "  1830297600, 1, 0)",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);

	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(tu_reach_wrong(s), 0);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM events WHERE reach IS NOT NULL"), 33);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM events WHERE reach = 15"), 2);
	ck_assert_int_eq(count(s, "SELECT reach FROM events WHERE uid = 'mid'"), 11);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM pragma_integrity_check"
				  " WHERE integrity_check = 'ok'"),
			 1);
	ck_assert_msg(event_agenda(s, (time_t)week, (time_t)(week + 7 * 86400), NULL, &l, &e) == 0,
		      "%s", e.msg);
	ck_assert_uint_eq(l.nocc, 4);
	for (size_t i = 0; i < l.nocc; i++)
		found |= !strcmp(l.occ[i].summary, "long") << 0 |
			 !strcmp(l.occ[i].summary, "mid") << 1 |
			 !strcmp(l.occ[i].summary, "one") << 2 |
			 !strcmp(l.occ[i].summary, "open") << 3;
	ck_assert_int_eq(found, 15);
	event_list_release(&l);
	/* a window's series read from events_reach alone, no row of the table */
	st = store_prepare(
		s,
		"EXPLAIN QUERY PLAN SELECT e.id, e.summary, e.location, e.start, e.\"end\","
		" e.tzid, e.all_day, e.rrule, e.exdates FROM events e WHERE e.reach = 9"
		" AND e.start > 0 AND e.start < 10 AND e.until > 0 AND e.rrule IS NOT NULL"
		" AND e.deleted = 0 AND e.until IS NOT NULL",
		&e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_msg(strstr((const char *)sqlite3_column_text(st, 3),
			     "COVERING INDEX events_reach") != NULL,
		      "%s", sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	store_free(s);
}
END_TEST

/* Rows an older nestor writes (it knows no reach): migration 25 gives the
 * ones written since 24 their class, and its triggers keep the agenda
 * finding those written after. */
static void raw_exec(sqlite3 *db, const char *sql)
{
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
}

static int count_raw(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

START_TEST(test_reach_by_older_writer)
{
	struct err e = { 0, "" };
	struct event_list l;
	struct store *s;
	sqlite3 *db;
	/* Monday 2027-06-07 00:00 UTC, a week's window */
	const long long week = 1812326400LL;
	char sql[512];
	int found = 0;

	setenv("TZ", "UTC", 1);
	db = raw_at(24);
	/* at 24, by an older nestor: a series with no reach, one whose until
	 * moved 400 days on (class 7 -> 9) */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO events(uid, summary, start, \"end\", tzid, rrule, until, updated_at)"
		 " VALUES ('a', 'a', %lld, %lld, 'UTC', 'FREQ=WEEKLY', %lld, 0),"
		 " ('b', 'b', %lld, %lld, 'UTC', 'FREQ=WEEKLY', %lld, 0);"
		 "UPDATE events SET reach = 7 WHERE uid = 'b';"
		 "UPDATE events SET until = until + 400 * 86400 WHERE uid = 'b'",
		 week - 30 * 86400LL + 36000, week - 30 * 86400LL + 39600, week + 30 * 86400LL,
		 week - 400 * 86400LL + 36000, week - 400 * 86400LL + 39600,
		 week - 300 * 86400LL + 39600);
	raw_exec(db, sql);
	sqlite3_close(db);

	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(tu_reach_wrong(s), 0);

	/* after 25, by an older nestor still running: a new series, a moved
	 * until, a reach that is no class */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO events(uid, summary, start, \"end\", tzid, rrule, until, updated_at)"
		 " VALUES ('c', 'c', %lld, %lld, 'UTC', 'FREQ=WEEKLY', %lld, 0),"
		 " ('d', 'd', %lld, %lld, 'UTC', 'FREQ=WEEKLY', %lld, 0),"
		 " ('f', 'f', %lld, %lld, 'UTC', 'FREQ=WEEKLY', %lld, 0);"
		 "UPDATE events SET reach = 7 WHERE uid = 'd';"
		 "UPDATE events SET until = until + 400 * 86400 WHERE uid = 'd';"
		 "UPDATE events SET reach = 20 WHERE uid = 'f'",
		 week - 30 * 86400LL + 43200, week - 30 * 86400LL + 46800, week + 30 * 86400LL,
		 week - 400 * 86400LL + 43200, week - 400 * 86400LL + 46800,
		 week - 300 * 86400LL + 46800, week - 2 * 86400LL + 50400,
		 week - 2 * 86400LL + 54000, week + 2 * 86400LL);
	raw_exec(db, sql);
	sqlite3_close(db);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM events WHERE reach = 15"), 3);

	ck_assert_msg(event_agenda(s, (time_t)week, (time_t)(week + 7 * 86400), NULL, &l, &e) == 0,
		      "%s", e.msg);
	for (size_t i = 0; i < l.nocc; i++)
		found |= 1 << (l.occ[i].summary[0] - 'a');
	ck_assert_uint_eq(l.nocc, 5);
	ck_assert_int_eq(found, 0x2f); /* a, b, c, d, f */
	event_list_release(&l);
	store_free(s);
}
END_TEST

/* The one text value of query sql on db. */
static char *query_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	char *text;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	text = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return text;
}

/* What the triggers on events did to the outbox and the rows, as text. */
static char *triggers_effect(sqlite3 *db)
{
	static const char *const script =
		"INSERT INTO calendars(id, name, source, remote_id) VALUES"
		" (2, 'work', 'google', 'w@g'), (3, 'home', 'google', 'h@g'), (4, 'mine', 'local', "
		"NULL);"
		"INSERT INTO events(id, calendar_id, uid, summary, start, \"end\", updated_at)"
		" VALUES (10, 2, 'u10', 'a', 0, 3600, 0), (11, 1, 'u11', 'a', 0, 3600, 0);"
		"INSERT INTO events(id, calendar_id, uid, summary, start, \"end\", remote_id, "
		"updated_at)"
		" VALUES (12, 2, 'u12', 'a', 0, 3600, 'kept', 0);"
		"UPDATE events SET etag = 'e1' WHERE id IN (10, 12);"
		"UPDATE events SET summary = 'b' WHERE id IN (10, 11);"
		"UPDATE events SET calendar_id = 3 WHERE id = 10;"
		"UPDATE events SET etag = 'e2' WHERE id = 10;"
		"UPDATE events SET calendar_id = 4 WHERE id = 10;"
		"UPDATE events SET calendar_id = 2 WHERE id = 10;"
		"UPDATE events SET calendar_id = 2 WHERE id = 11;"
		"UPDATE google_state SET applying = 1;"
		"INSERT INTO events(id, calendar_id, uid, summary, start, \"end\", remote_id, "
		"updated_at)"
		" VALUES (13, 2, 'u13', 'a', 0, 3600, 'pulled', 0);"
		"UPDATE events SET summary = 'c', calendar_id = 3 WHERE id = 13;"
		"DELETE FROM events WHERE id = 13;"
		"UPDATE google_state SET applying = 0;"
		"DELETE FROM events WHERE id IN (10, 12);"
		"UPDATE events SET calendar_id = 1 WHERE id = 11;"
		"DELETE FROM events WHERE id = 11;"
		/* series: no reach, no class, too small a class, a good one, an
		 * until moved past its class, a start moved back */
		"INSERT INTO events(id, uid, summary, start, \"end\", rrule, until, reach, "
		"updated_at)"
		" VALUES (20, 's20', 's', 0, 60, 'FREQ=DAILY', 864000, NULL, 0),"
		" (21, 's21', 's', 0, 60, 'FREQ=DAILY', 864000, 20, 0),"
		" (22, 's22', 's', 0, 60, 'FREQ=DAILY', 864000, 2, 0),"
		" (23, 's23', 's', 0, 60, 'FREQ=DAILY', 864000, 4, 0),"
		" (24, 's24', 's', 0, 60, 'FREQ=DAILY', 86400, 0, 0),"
		" (25, 's25', 's', 100, 160, 'FREQ=DAILY', 86500, 0, 0),"
		" (26, 's26', 's', 0, 60, NULL, 864000, NULL, 0),"
		" (27, 's27', 's', 0, 60, 'FREQ=DAILY', NULL, NULL, 0),"
		" (28, 's28', 's', 0, 60, 'FREQ=DAILY', 864000, 'x', 0);"
		"UPDATE events SET until = 864000 WHERE id = 24;"
		"UPDATE events SET start = 0 WHERE id = 25;"
		"UPDATE events SET reach = -1 WHERE id = 23;";

	raw_exec(db, script);
	return query_text(db, "SELECT (SELECT group_concat(printf('%s %s %s %d %s %d %s',"
			      " target, op, entity, entity_id, json_remove(payload, '$.remote_id'),"
			      " json_extract(payload, '$.remote_id') IS NULL, typeof(created_at)),"
			      " '; ') FROM outbox) || ' | ' || (SELECT group_concat(printf("
			      "'%d %d %d %d %s %s', id, calendar_id, remote_id IS NULL,"
			      " remote_id = 'kept', etag, reach), '; ') FROM events) || ' | ' ||"
			      " (SELECT count(*) FROM outbox WHERE created_at"
			      " BETWEEN CAST(strftime('%s', 'now') AS INTEGER) - 60"
			      " AND CAST(strftime('%s', 'now') AS INTEGER))");
}

/* The schema's objects as text, in the order SQLite reads them. */
static char *schema_text(sqlite3 *db)
{
	return query_text(db, "SELECT group_concat(type || ' ' || name || ' ' || ifnull(sql, ''),"
			      " char(10)) FROM (SELECT * FROM sqlite_schema ORDER BY rowid)");
}

/* Migration 26 writes the triggers on events shorter, for the parse at
 * every open: they do what those of 25 did, a database of 25 with data
 * comes out of it whole and with the schema of a new one. */
START_TEST(test_migration_26_triggers)
{
	static const char *const trigger_sql =
		"SELECT sum(length(sql)) FROM sqlite_schema WHERE type = 'trigger'"
		" AND tbl_name = 'events'";
	struct err e = { 0, "" };
	char *before, *after, *fresh;
	int len25;
	struct store *s;
	sqlite3 *db;

	setenv("TZ", "UTC", 1);
	db = raw_at(25);
	before = triggers_effect(db);
	sqlite3_close(db);
	db = NULL;
	tu_rmrf(dir);
	free(dir);
	free(path);
	setup();

	db = raw_at(store_schema_version());
	after = triggers_effect(db);
	ck_assert_str_eq(after, before);
	fresh = schema_text(db);
	sqlite3_close(db);
	free(after);
	tu_rmrf(dir);
	free(dir);
	free(path);
	setup();

	/* a database of 25 with its rows, migrated by an open */
	db = raw_at(25);
	after = triggers_effect(db);
	ck_assert_str_eq(after, before);
	free(after);
	len25 = count_raw(db, trigger_sql);
	sqlite3_close(db);
	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM pragma_integrity_check"
				  " WHERE integrity_check = 'ok'"),
			 1);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM outbox"), 11);
	ck_assert_int_lt(count(s, trigger_sql), len25);
	store_free(s);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	after = schema_text(db);
	ck_assert_str_eq(after, fresh);
	sqlite3_close(db);
	free(after);
	free(fresh);
	free(before);
}
END_TEST

/* Blocks of every size from several threads at once, each written whole,
 * grown and shrunk, keep what was written in them. */
static void *blocks_worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	unsigned char *live[64] = { 0 };
	int size[64] = { 0 };
	long bad = 0;

	for (int i = 0; i < 20000; i++) {
		int k = (int)(rand_r(&seed) % 64);
		int n = (int)(rand_r(&seed) % (3 * SQLMEM_SMALL)) + 1;

		for (int j = 0; live[k] && j < size[k]; j++)
			bad += live[k][j] != (unsigned char)(k + size[k]);
		if (live[k] && i % 3 == 0) {
			unsigned char *p = sqlite3_realloc(live[k], n);

			ck_assert_ptr_nonnull(p);
			for (int j = 0; j < (n < size[k] ? n : size[k]); j++)
				bad += p[j] != (unsigned char)(k + size[k]);
			live[k] = p;
		} else {
			sqlite3_free(live[k]);
			live[k] = sqlite3_malloc(n);
			ck_assert_ptr_nonnull(live[k]);
		}
		ck_assert_int_ge(sqlite3_msize(live[k]), n);
		ck_assert_int_eq((uintptr_t)live[k] % 8, 0);
		size[k] = n;
		memset(live[k], k + n, (size_t)n);
	}
	for (int k = 0; k < 64; k++)
		sqlite3_free(live[k]);
	return (void *)(uintptr_t)bad;
}

START_TEST(test_small_blocks)
{
	struct err e = { 0, "" };
	pthread_t t[4];
	struct store *s;

#ifndef __SANITIZE_ADDRESS__
	ck_assert_int_eq(sqlmem_install(), 0);
#endif
	for (uintptr_t i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, blocks_worker, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++) {
		void *bad;

		ck_assert_int_eq(pthread_join(t[i], &bad), 0);
		ck_assert_ptr_null(bad);
	}
	/* a store on it: made, written, read again */
	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(store_exec(s, "INSERT INTO tasks(title, created_at) VALUES ('a', 0)", &e),
			 0);
	store_free(s);
	s = store_open(path, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM tasks WHERE title = 'a'"), 1);
	store_free(s);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_created_private);
	tcase_add_test(tc, test_first_open_waits_for_writer);
	tcase_add_test(tc, test_migrations);
	tcase_add_test(tc, test_state_words);
	tcase_add_test(tc, test_newer_refused_untouched);
	tcase_add_test(tc, test_rollback);
	tcase_add_test(tc, test_refusal_is_not_a_duplicate);
	tcase_add_test(tc, test_data_version);
	tcase_add_test(tc, test_migration_5_alarm_rule);
	tcase_add_test(tc, test_migration_24_reach);
	tcase_add_test(tc, test_reach_by_older_writer);
	tcase_add_test(tc, test_migration_26_triggers);
	tcase_add_test(tc, test_small_blocks);
	suite_add_tcase(s, tc);
	return s;
}
