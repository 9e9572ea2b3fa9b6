/*
 * The store's side of sync: the outbox written with each change, and the
 * rule that merges changes from other devices.  The rule's promise: two
 * devices that saw the same changes hold the same rows, whatever the order
 * they saw them in (every order that respects causality is tried).
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant.h"
#include "conversation.h"
#include "event.h"
#include "ical.h"
#include "job.h"
#include "replica-int.h"
#include "schema-sync.h"
#include "sbuf.h"
#include "store-int.h"
#include "task.h"
#include "testutil.h"
#include "xalloc.h"

#define ME "00000000-0000-4000-8000-000000000001"
#define T1 "11111111-1111-4111-8111-111111111111"
#define T2 "22222222-2222-4222-8222-222222222222"

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

/* "%016llx@dev": a version at clock h of device dev. */
static char *ver(unsigned long long h, const char *dev)
{
	return xasprintf("%016llx@%s", h, dev);
}

/* A change as the server hands it out; fields is "k=JSON;k=JSON", every
 * field stamped with version (h, dev); base (may be NULL) "k=VERSION;..." */
static cJSON *change(const char *entity, const char *gid, const char *dev, bool del,
		     unsigned long long h, const char *fields, const char *base)
{
	cJSON *c = cJSON_CreateObject(), *data, *vers, *b;
	char *v = ver(h, dev), *f = xstrdup(fields ? fields : ""), *save = NULL;

	cJSON_AddStringToObject(c, "entity", entity);
	cJSON_AddStringToObject(c, "gid", gid);
	cJSON_AddStringToObject(c, "device", dev);
	cJSON_AddStringToObject(c, "device_name", dev);
	cJSON_AddBoolToObject(c, "deleted", del);
	data = cJSON_AddObjectToObject(c, "data");
	vers = cJSON_AddObjectToObject(c, "vers");
	b = cJSON_AddObjectToObject(c, "base");
	for (char *kv = strtok_r(f, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		*eq = '\0';
		cJSON_AddItemToObject(data, kv, cJSON_Parse(eq + 1));
		cJSON_AddStringToObject(vers, kv, v);
	}
	free(f);
	f = xstrdup(base ? base : "");
	for (char *kv = strtok_r(f, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		*eq = '\0';
		cJSON_AddStringToObject(b, kv, eq + 1);
	}
	free(f);
	free(v);
	return c;
}

/* Apply one change (alone, as if it came in a pull of its own). */
static void apply1(const cJSON *c, struct replica_stats *rs)
{
	cJSON *arr = cJSON_CreateArray();
	struct err e = { 0, "" };
	struct replica_stats tmp;

	cJSON_AddItemReferenceToArray(arr, (cJSON *)c);
	ck_assert_msg(replica_apply(st, arr, "postgres:t", 1, 1000, rs ? rs : &tmp, NULL, &e) == 0,
		      "%s", e.msg);
	cJSON_Delete(arr);
}

/* Everything the rule decides, as text. */
static char *dump(void)
{
	static const char *const q[] = {
		"SELECT gid || '|' || title || '|' || coalesce(notes, '-') || '|' || priority ||"
		" '|' || status FROM tasks ORDER BY gid",
		"SELECT gid || '|' || name FROM calendars ORDER BY gid",
		"SELECT coalesce(e.gid, '-') || '|' || e.summary || '|' || c.name FROM events e"
		" JOIN calendars c ON c.id = e.calendar_id ORDER BY e.gid",
		"SELECT gid || '|' || vers || '|' || deleted FROM sync_obj ORDER BY gid",
	};
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		sqlite3_stmt *s = store_prepare(st, q[i], NULL);

		while (sqlite3_step(s) == SQLITE_ROW) {
			sbuf_adds(&sb, (const char *)sqlite3_column_text(s, 0));
			sbuf_adds(&sb, "\n");
		}
		sqlite3_finalize(s);
		sbuf_adds(&sb, "--\n");
	}
	return sbuf_detach(&sb);
}

static void reset(void)
{
	struct err e = { 0, "" };

	ck_assert_int_eq(store_exec(st,
				    "DELETE FROM jobs; DELETE FROM events; DELETE FROM tasks;"
				    " DELETE FROM calendars WHERE id > 1; DELETE FROM sync_obj;"
				    " DELETE FROM sync_alias; DELETE FROM sync_conflicts;"
				    " DELETE FROM sync_state",
				    &e),
			 0);
}

#define NCH 8
static cJSON *chs[NCH];
/* after[i]: the change that must come before i (causality), or -1 */
static const int after[NCH] = { -1, 0, 0, -1, -1, 4, -1, 6 };
static char *first_state;
static int orders;

static void permute(int *perm, int k, bool *used)
{
	if (k == NCH) {
		char *d;

		cJSON *arr = cJSON_CreateArray();
		struct replica_stats rs;
		struct err e = { 0, "" };

		reset();
		for (int i = 0; i < NCH; i++)
			cJSON_AddItemReferenceToArray(arr, chs[perm[i]]);
		ck_assert_msg(replica_apply(st, arr, "postgres:t", 1, 1000, &rs, NULL, &e) == 0,
			      "%s", e.msg);
		ck_assert_int_eq(rs.rejected, 0);
		cJSON_Delete(arr);
		d = dump();
		if (!first_state)
			first_state = d;
		else {
			ck_assert_str_eq(d, first_state);
			free(d);
		}
		orders++;
		return;
	}
	for (int i = 0; i < NCH; i++) {
		if (used[i] || (after[i] >= 0 && !used[after[i]]))
			continue;
		used[i] = true;
		perm[k] = i;
		permute(perm, k + 1, used);
		used[i] = false;
	}
}

START_TEST(test_every_order_same_state)
{
	int perm[NCH];
	bool used[NCH] = { false };
	char *b = ver(10, "0a");
	char *base = xasprintf("title=%s", b);

	/* task 1: made on a; b and c both retitle it at the same clock (device
	 * id breaks the tie), and c changes its priority too */
	chs[0] = change("task", T1, "0a", false, 10,
			"user_id=\"" ME "\";title=\"a\";priority=1;status=\"todo\";created_at=5",
			NULL);
	chs[1] = change("task", T1, "0b", false, 20, "title=\"b\"", base);
	chs[2] = change("task", T1, "0c", false, 20, "title=\"c\";priority=5", base);
	/* a calendar "work" made apart on b and on a (below): one calendar in
	 * the end, named by the smaller gid, and a's event lands in it */
	chs[3] = change("calendar", "c0000000-0000-4000-8000-000000000000", "0b", false, 9,
			"name=\"work\";source=\"local\"", NULL);
	/* task 2: made on b, deleted on c (a tombstone beats the later edit) */
	chs[4] = change("task", T2, "0b", false, 11,
			"user_id=\"" ME "\";title=\"two\";status=\"todo\";created_at=6", NULL);
	chs[5] = change("task", T2, "0c", true, 12, NULL, NULL);
	chs[6] = change("calendar", "cc000000-0000-4000-8000-000000000000", "0a", false, 13,
			"name=\"work\";source=\"local\"", NULL);
	chs[7] = change("event", "ee000000-0000-4000-8000-000000000000", "0a", false, 14,
			"calendar_id=\"cc000000-0000-4000-8000-000000000000\";uid=\"u1\";"
			"summary=\"review\";start=100;end=200;all_day=0;updated_at=1",
			NULL);
	permute(perm, 0, used);
	ck_assert_int_gt(orders, 100);
	ck_assert_msg(strstr(first_state, T1 "|c|-|5|todo\n") != NULL, "%s", first_state);
	ck_assert_msg(strstr(first_state, T2) == NULL || strstr(first_state, T2 "|{") != NULL, "%s",
		      first_state);
	ck_assert_msg(strstr(first_state, "|review|work\n") != NULL, "%s", first_state);
	ck_assert_msg(strstr(first_state, "c0000000-0000-4000-8000-000000000000|work\n") != NULL,
		      "%s", first_state);
	ck_assert_msg(strstr(first_state, "cc000000-0000-4000-8000-000000000000|work") == NULL,
		      "%s", first_state);
	/* the same changes twice: nothing more */
	for (int i = 0; i < NCH; i++)
		apply1(chs[i], NULL);
	{
		char *d = dump();

		ck_assert_str_eq(d, first_state);
		free(d);
	}
	for (int i = 0; i < NCH; i++)
		cJSON_Delete(chs[i]);
	free(first_state);
	first_state = NULL;
	free(b);
	free(base);
}
END_TEST

START_TEST(test_natural_key_merge)
{
	char *d;
	cJSON *mine = change("calendar", "c2000000-0000-4000-8000-000000000000", "0a", false, 10,
			     "name=\"work\";source=\"local\"", NULL);
	cJSON *theirs = change("calendar", "c1000000-0000-4000-8000-000000000000", "0b", false, 11,
			       "name=\"work\";source=\"local\"", NULL);

	/* either order: one "work", named by the smaller gid */
	apply1(mine, NULL);
	apply1(theirs, NULL);
	d = dump();
	ck_assert_msg(strstr(d, "c1000000-0000-4000-8000-000000000000|work\n") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "c2000000") == NULL ||
			      strstr(d, "c2000000-0000-4000-8000-000000000000|work") == NULL,
		      "%s", d);
	free(d);
	reset();
	apply1(theirs, NULL);
	apply1(mine, NULL);
	d = dump();
	ck_assert_msg(strstr(d, "c1000000-0000-4000-8000-000000000000|work\n") != NULL, "%s", d);
	free(d);
	cJSON_Delete(mine);
	cJSON_Delete(theirs);
}
END_TEST

static long outbox_rows(void)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM outbox", NULL);
	long n = 0;

	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

START_TEST(test_outbox_in_the_same_transaction)
{
	struct err e = { 0, "" };
	struct task t = { 0 };
	struct replica_batch b;
	long snap;
	const cJSON *c;

	/* before the first sync nothing is captured */
	t.title = "before";
	ck_assert_int_eq(task_add(st, &t, 1000, &e), 0);
	ck_assert_int_eq(outbox_rows(), 0);
	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	ck_assert_int_ge(snap, 4); /* the task, and the seeded user, calendar, assistant */
	ck_assert_int_eq(outbox_rows(), snap);
	ck_assert_int_eq(replica_next(st, NULL, 0, 1000, &b, &e), 0);
	ck_assert_int_eq(replica_pushed(st, &b, &e), 0);
	replica_batch_release(&b);
	ck_assert_int_eq(outbox_rows(), 0);

	/* a change rolled back leaves no outbox row; a committed one does */
	ck_assert_int_eq(store_begin(st, &e), 0);
	t.title = "rolled back";
	ck_assert_int_eq(task_add(st, &t, 1000, &e), 0);
	ck_assert_int_eq(outbox_rows(), 1);
	store_rollback(st);
	ck_assert_int_eq(outbox_rows(), 0);
	t.title = "kept";
	ck_assert_int_eq(task_add(st, &t, 1000, &e), 0);
	ck_assert_int_eq(task_done(st, t.id, 2000, &e), 0);
	ck_assert_int_eq(outbox_rows(), 2);

	/* one change for the row, with the fields of both edits */
	ck_assert_int_eq(replica_next(st, "me", 0, 1000, &b, &e), 0);
	ck_assert_int_eq(cJSON_GetArraySize(b.changes), 1);
	c = cJSON_GetArrayItem(b.changes, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(c, "entity")->valuestring, "task");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "data"), "title")->valuestring,
			 "kept");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "data"), "status")->valuestring,
			 "done");
	ck_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(c, "data"), "user_id")->valuestring, ME);
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "vers"), "status")));
	replica_batch_release(&b);

	/* another local user's rows wait */
	ck_assert_int_eq(replica_next(st, "bob", 0, 1000, &b, &e), 0);
	ck_assert_int_eq(cJSON_GetArraySize(b.changes), 0);
	ck_assert_int_eq(b.nids, 0);
	replica_batch_release(&b);
}
END_TEST

START_TEST(test_claim_is_not_a_change)
{
	struct err e = { 0, "" };
	struct job j, got;
	long snap;

	memset(&j, 0, sizeof(j));
	snprintf(j.kind, sizeof(j.kind), "reminder");
	snprintf(j.schedule, sizeof(j.schedule), "at");
	j.payload = "{\"text\":\"x\"}";
	j.has_next = true;
	j.next_run = j.dtstart = 500;
	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	ck_assert_int_eq(job_add(st, &j, 100, &e), 0);
	ck_assert_int_eq(store_exec(st, "DELETE FROM outbox", &e), 0);
	ck_assert_int_eq(job_claim(st, 600, 660, "tok", &got, &e), 1);
	job_release(&got);
	ck_assert_int_eq(outbox_rows(), 0);
}
END_TEST

/* Fold the versions of the outbox into sync_obj (as a push does first). */
static void fold(void)
{
	struct replica_batch b;
	struct err e = { 0, "" };

	ck_assert_int_eq(replica_next(st, NULL, 0, 1, &b, &e), 0);
	replica_batch_release(&b);
}

/* The clock of the device of store on. */
static unsigned long long hlc_of(struct store *on)
{
	sqlite3_stmt *s = store_prepare(on, "SELECT hlc FROM sync_self", NULL);
	unsigned long long h;

	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	h = (unsigned long long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return h;
}

/* This device's clock: a version past it is later than its edits. */
static unsigned long long hlc(void)
{
	return hlc_of(st);
}

/* The capture triggers name the fields replica.c knows, in its order. */
START_TEST(test_triggers_match_the_descriptors)
{
	struct err e = { 0, "" };
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	for (size_t i = 0; i < replica_nentities; i++) {
		const struct rentity *r = &replica_entities[i];
		char *name = xasprintf("%s_sync_ai", r->table), *want = xstrdup("");
		sqlite3_stmt *s =
			store_prepare(st, "SELECT sql FROM sqlite_master WHERE name = ?", NULL);
		const char *sql, *p;

		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
		sql = (const char *)sqlite3_column_text(s, 0);
		for (size_t k = 0; k < r->nfields; k++) {
			char *more = xasprintf("%s%s'%s'", want, k ? ", " : "", r->fields[k].name);

			free(want);
			want = more;
		}
		p = strstr(sql, "'f', json_array(");
		ck_assert_msg(p && !strncmp(p + 16, want, strlen(want)) &&
				      p[16 + strlen(want)] == ')',
			      "%s: %s", name, sql);
		sqlite3_finalize(s);
		free(name);
		free(want);
	}
}
END_TEST

START_TEST(test_conflict_only_when_unseen)
{
	struct err e = { 0, "" };
	struct task t = { 0 };
	struct replica_conflict *cs;
	struct replica_stats rs;
	char dev[40], *mine, *base, *gid = NULL;
	sqlite3_stmt *s;
	cJSON *c;
	size_t n;
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	ck_assert_int_eq(replica_device(st, dev, sizeof(dev), &e), 0);
	t.title = "shared";
	ck_assert_int_eq(task_add(st, &t, 1000, &e), 0);
	t.title = "my edit";
	ck_assert_int_eq(task_update(st, &t, &e), 0);
	ck_assert_int_eq(replica_gid(st, "task", t.id, &gid, &e), 0);
	fold();
	s = store_prepare(st, "SELECT json_extract(vers, '$.title') FROM sync_obj WHERE gid = ?",
			  &e);
	sqlite3_bind_text(s, 1, gid, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	mine = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);

	/* a later edit by a device that had seen mine: no conflict */
	base = xasprintf("title=%s", mine);
	c = change("task", gid, "0f", false, hlc() + 1, "title=\"seen\"", base);
	apply1(c, &rs);
	cJSON_Delete(c);
	ck_assert_int_eq(rs.applied, 1);
	ck_assert_int_eq(rs.conflicts, 0);
	/* my next edit, then a later one that had not seen it: recorded */
	t.title = "mine again";
	ck_assert_int_eq(task_update(st, &t, &e), 0);
	c = change("task", gid, "0f", false, hlc() + 1, "title=\"theirs\"", base);
	apply1(c, &rs);
	cJSON_Delete(c);
	ck_assert_int_eq(rs.conflicts, 1);
	ck_assert_int_eq(replica_conflicts(st, 0, &cs, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(cs[0].field, "title");
	ck_assert_str_eq(cs[0].mine, "\"mine again\"");
	ck_assert_str_eq(cs[0].theirs, "\"theirs\"");
	ck_assert_int_eq(cs[0].local_id, t.id);
	replica_conflicts_free(cs, n);
	ck_assert_int_eq(task_get(st, t.id, &t, &e), 0);
	ck_assert_str_eq(t.title, "theirs");
	task_release(&t);
	free(mine);
	free(base);
	free(gid);
}
END_TEST

START_TEST(test_bad_changes_refused)
{
	struct replica_stats rs;
	struct err e = { 0, "" };
	cJSON *arr = cJSON_CreateArray();
	char *why = NULL, *d;

	cJSON_AddItemToArray(arr,
			     change("task", T1, "0a", false, 10,
				    "user_id=\"" ME "\";title=\"\\u001b[2Jgotcha\";status=\"todo\";"
				    "created_at=1",
				    NULL));
	cJSON_AddItemToArray(arr,
			     change("job", T2, "0a", false, 10,
				    "user_id=\"" ME "\";kind=\"reminder\";payload=\"{\\\"text\\\":"
				    "\\\"\\\\u009b31m\\\"}\";state=\"pending\";created_at=1",
				    NULL));
	cJSON_AddItemToArray(arr, change("spaceship", T2, "0a", false, 10, "x=1", NULL));
	cJSON_AddItemToArray(arr,
			     change("task", "not a gid!", "0a", false, 10, "title=\"x\"", NULL));
	cJSON_AddItemToArray(arr, change("task", T2, "0a", false, 10, "priority=\"high\"", NULL));
	cJSON_AddItemToArray(arr,
			     change("task", "33333333-3333-4333-8333-333333333333", "0a", false, 10,
				    "user_id=\"" ME "\";title=\"fine\\ttabbed\";status=\"todo\";"
				    "created_at=1",
				    NULL));
	ck_assert_int_eq(replica_apply(st, arr, "postgres:t", 7, 1000, &rs, &why, &e), 0);
	ck_assert_int_eq(rs.rejected, 5);
	ck_assert_int_eq(rs.applied, 1);
	ck_assert_msg(why && strstr(why, "control characters"), "%s", why ? why : "");
	d = dump();
	ck_assert_msg(strstr(d, "fine\ttabbed") && !strstr(d, "gotcha"), "%s", d);
	free(d);
	{
		long long cur;

		ck_assert_int_eq(replica_cursor(st, "postgres:t", &cur, &e), 0);
		ck_assert_int_eq(cur, 7);
	}
	free(why);
	cJSON_Delete(arr);
}
END_TEST

/* Why a change was refused quotes its entity or field name cut to 40
 * bytes between characters, not inside one (a U+FFFD in the message). */
START_TEST(test_refusal_cut_between_characters)
{
	static const char x39[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	char name[64], want[128];
	struct replica_stats rs;
	struct err e = { 0, "" };
	cJSON *arr = cJSON_CreateArray(), *c;
	char *why = NULL;

	snprintf(name, sizeof(name), "%s\xd0\xb6tail", x39);
	cJSON_AddItemToArray(arr, change(name, T1, "0a", false, 10, "x=1", NULL));
	ck_assert_int_eq(replica_apply(st, arr, "postgres:t", 7, 1000, &rs, &why, &e), 0);
	snprintf(want, sizeof(want), "unknown entity \"%s\"", x39);
	ck_assert_str_eq(why, want);
	free(why);
	cJSON_Delete(arr);

	arr = cJSON_CreateArray();
	c = change("task", T1, "0a", false, 10, "user_id=\"" ME "\";title=\"t\"", NULL);
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(c, "vers"), name, "bad");
	cJSON_AddItemToArray(arr, c);
	ck_assert_int_eq(replica_apply(st, arr, "postgres:t", 8, 1000, &rs, &why, &e), 0);
	snprintf(want, sizeof(want), "field '%s' has a bad version", x39);
	ck_assert_str_eq(why, want);
	free(why);
	cJSON_Delete(arr);
}
END_TEST

/* Text from outside loses what a pull refuses: raw control characters,
 * and those of JSON strings and keys (the text after the JSON kept). */
START_TEST(test_clean_text)
{
	static const char *const cases[][2] = {
		{ "plain\ttext\nline", "plain\ttext\nline" },
		{ "a\x1b[2Jb\r\n\x7f\xc2\x9b"
		  "c",
		  "a[2Jb\nc" },
		{ "{\"k\\u001b\":\"v\\u0007w\"} and after", "{\"k\":\"vw\"} and after" },
		{ "[\"\\u009b31m\", {\"x\": [\"\\r\"]}]", "[\"31m\",{\"x\":[\"\"]}]" },
		{ "{\"fine\": \"\\u001b\" but not JSON", "{\"fine\": \"\\u001b\" but not JSON" },
		{ "{\"kept\": \"as written\"}", "{\"kept\": \"as written\"}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = replica_clean_text(cases[i][0]);

		ck_assert_str_eq(got, cases[i][1]);
		free(got);
	}
	ck_assert_ptr_null(replica_clean_text(NULL));
}
END_TEST

/* What is written here with control characters from outside (a prompt's
 * CR LF, a model's tool call and answer, a tool's result) is taken by
 * another device's pull: the local rule is the pull's. */
START_TEST(test_local_text_is_pulled)
{
	struct err e = { 0, "" };
	struct assistant a = { 0 };
	struct answer_meta meta = ANSWER_META_NONE;
	struct replica_batch b;
	struct replica_stats rs;
	struct store *other;
	char *odir = tu_tmpdir(), *why = NULL;
	long long conv;
	long snap;
	cJSON *c;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	a.name = "crlf";
	a.system_prompt = "Be brief.\r\nThanks.";
	ck_assert_int_eq(assistant_add(st, &a, 1000, &e), 0);
	ck_assert_int_eq(conversation_new(st, a.id, CONV_CLI, 1000, &conv, &e), 0);
	ck_assert_int_eq(conversation_add(st, conv, "user", "[\"\\u001b[2J\"] is JSON", NULL, NULL,
					  1000, NULL, &e),
			 0);
	ck_assert_int_eq(conversation_add_answer(
				 st, conv, NULL,
				 "[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":"
				 "\"no\\u001b]0;x\\u0007tool\",\"arguments\":\"{}\"}}]",
				 NULL, 1000, NULL, &e),
			 0);
	ck_assert_int_eq(conversation_add(st, conv, "tool",
					  "{\"error\":\"unknown tool \\\"no\\u001b]0;x\\\"\"}",
					  NULL, "c1", 1000, NULL, &e),
			 0);
	meta.reasoning = "Thought\x1b[31m.";
	ck_assert_int_eq(conversation_add_answer(st, conv, "Done\x1b]0;owned\x07 here.", NULL,
						 &meta, 1000, NULL, &e),
			 0);
	ck_assert_int_eq(replica_next(st, NULL, 0, 1000, &b, &e), 0);
	ck_assert_int_ge(cJSON_GetArraySize(b.changes), 7);
	cJSON_ArrayForEach(c, b.changes) /* as the server hands them out */
		cJSON_AddStringToObject(c, "device", "0b");
	other = tu_store_open(odir);
	ck_assert_int_eq(replica_apply(other, b.changes, "postgres:t", 1, 1000, &rs, &why, &e), 0);
	ck_assert_msg(rs.rejected == 0, "%ld refused: %s", rs.rejected, why ? why : "");
	ck_assert_int_ge(rs.applied, 7);
	replica_batch_release(&b);
	store_free(other);
	tu_rmrf(odir);
	free(odir);
	free(why);
}
END_TEST

/* An integer field with a number no 64-bit integer holds is refused, and
 * the largest one that fits is taken. */
START_TEST(test_huge_integers_refused)
{
	static const char *const huge[] = { "1e300", "-1e300", "9223372036854775808",
					    "-9223372036854777856" };
	struct replica_stats rs;
	struct err e = { 0, "" };
	cJSON *arr = cJSON_CreateArray();
	char *why = NULL, *fields;

	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		fields = xasprintf("user_id=\"" ME "\";title=\"big\";status=\"todo\";created_at=%s",
				   huge[i]);
		cJSON_AddItemToArray(arr, change("task", T1, "0a", false, 10 + i, fields, NULL));
		free(fields);
	}
	cJSON_AddItemToArray(arr, change("task", T2, "0a", false, 10,
					 "user_id=\"" ME "\";title=\"fits\";status=\"todo\";"
					 "created_at=-9223372036854775808",
					 NULL));
	ck_assert_int_eq(replica_apply(st, arr, "postgres:t", 3, 1000, &rs, &why, &e), 0);
	ck_assert_int_eq(rs.rejected, 4);
	ck_assert_int_eq(rs.applied, 1);
	ck_assert_msg(why && strstr(why, "wrong type"), "%s", why ? why : "");
	free(why);
	cJSON_Delete(arr);
}
END_TEST

/* An event whose override lacks its times is refused alone: the rest of
 * the pull applies, and the next pull is not stuck on it. */
START_TEST(test_bad_override_refused_alone)
{
	struct replica_stats rs;
	struct err e = { 0, "" };
	cJSON *arr = cJSON_CreateArray();
	char *why = NULL;

	cJSON_AddItemToArray(
		arr, change("event", "ee000000-0000-4000-8000-000000000000", "0a", false, 10,
			    "uid=\"u1\";summary=\"review\";start=100;end=200;"
			    "rrule=\"FREQ=DAILY\";"
			    "overrides=[{\"recurrence_id\":86500,\"summary\":\"moved\"}]",
			    NULL));
	cJSON_AddItemToArray(
		arr, change("event", "ef000000-0000-4000-8000-000000000000", "0a", false, 11,
			    "uid=\"u2\";summary=\"x\";start=100;end=200;"
			    "overrides=[{\"recurrence_id\":1e300,\"start\":1,\"end\":2}]",
			    NULL));
	cJSON_AddItemToArray(arr,
			     change("task", T1, "0a", false, 12,
				    "user_id=\"" ME "\";title=\"after\";status=\"todo\"", NULL));
	ck_assert_msg(replica_apply(st, arr, "postgres:t", 4, 1000, &rs, &why, &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(rs.rejected, 2);
	ck_assert_int_eq(rs.applied, 1);
	ck_assert_msg(why && strstr(why, "override lacks its times"), "%s", why ? why : "");
	free(why);
	cJSON_Delete(arr);
}
END_TEST

/* A pulled change may bring an event's until alone (the other device
 * made a series of two weeks last to 2028): the series moves to the class
 * of events_reach it now reaches, and a window of 2027 finds it. */
START_TEST(test_pulled_until_moves_reach)
{
	static const char gid[] = "e1000000-0000-4000-8000-000000000000";
	struct event_list l;
	struct err e = { 0, "" };
	const time_t week = 1812326400; /* Monday 2027-06-07 00:00 UTC */
	cJSON *c;

	/* Monday 2026-01-05 09:00 UTC, weekly, until 8 days and 1 hour later */
	c = change("event", gid, "0a", false, 10,
		   "uid=\"u1\";summary=\"standup\";start=1767603600;end=1767607200;"
		   "tzid=\"UTC\";rrule=\"FREQ=WEEKLY\";until=1768298400",
		   NULL);
	apply1(c, NULL);
	cJSON_Delete(c);
	ck_assert_int_eq(tu_reach_wrong(st), 0);
	ck_assert_msg(event_agenda(st, week, week + 7 * 86400, NULL, &l, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(l.nocc, 0);
	event_list_release(&l);
	/* until 2028-12-31 */
	c = change("event", gid, "0a", false, 11, "until=1861833600", NULL);
	apply1(c, NULL);
	cJSON_Delete(c);
	ck_assert_int_eq(tu_reach_wrong(st), 0);
	ck_assert_msg(event_agenda(st, week, week + 7 * 86400, NULL, &l, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(l.nocc, 1);
	ck_assert_int_eq(l.occ[0].start, week + 9 * 3600);
	event_list_release(&l);
	/* and a start moved alone (a year on, 2027-05-31): still found */
	c = change("event", gid, "0a", false, 12, "start=1811754000;end=1811757600", NULL);
	apply1(c, NULL);
	cJSON_Delete(c);
	ck_assert_int_eq(tu_reach_wrong(st), 0);
}
END_TEST

/* The clock a version may move this device's to, a day past its time. */
static unsigned long long clock_limit(struct store *on)
{
	sqlite3_stmt *s = store_prepare(on, "SELECT " SQ_HLC_LIMIT, NULL);
	unsigned long long h;

	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	h = (unsigned long long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return h;
}

/* The version of field f of the row gid. */
static char *field_version(struct store *on, const char *gid, const char *f)
{
	sqlite3_stmt *s = store_prepare(
		on, "SELECT json_extract(vers, '$.' || ?2) FROM sync_obj WHERE gid = ?1", NULL);
	char *v;

	sqlite3_bind_text(s, 1, gid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, f, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

/* What from has not pushed yet applied to to (as the server hands the
 * changes out: with the writer's device); the count refused. */
static long pass_on(struct store *from, struct store *to)
{
	struct replica_batch b;
	struct replica_stats rs;
	struct err e = { 0, "" };
	char *why = NULL, dev[40];
	cJSON *c;

	ck_assert_int_eq(replica_device(from, dev, sizeof(dev), &e), 0);
	ck_assert_int_eq(replica_next(from, NULL, 0, 1000, &b, &e), 0);
	cJSON_ArrayForEach(c, b.changes)
		cJSON_AddStringToObject(c, "device", dev);
	ck_assert_int_eq(replica_apply(to, b.changes, "postgres:t", b.last, 1000, &rs, &why, &e),
			 0);
	ck_assert_int_eq(replica_pushed(from, &b, &e), 0);
	replica_batch_release(&b);
	free(why);
	return rs.rejected;
}

static long pull_from(struct store *other)
{
	return pass_on(other, st);
}

/* A version whose clock is far ahead is taken like any other (a device
 * whose clock an older version moved ahead is honest), but this device's
 * clock does not follow it: an edit here still wins over it.  A clock
 * moved ahead heals at the next sync, and still wins over its own
 * edits of then; a clock at its end still ticks as an integer. */
#define FAR 0x1000000000000000ULL
START_TEST(test_clock_far_ahead_merged_not_followed)
{
	struct replica_stats rs;
	struct err e = { 0, "" };
	struct task t = { 0 }, got;
	struct store *other;
	char *odir = tu_tmpdir(), *forged, *v, *gid = NULL;
	unsigned long long before;
	long long id;
	sqlite3_stmt *s;
	cJSON *c;
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	before = hlc();
	/* a clock no honest device reaches is refused, as any bad version */
	for (int i = 0; i < 3; i++) {
		const unsigned long long huge[] = { 0x4000000000000000ULL, 0x7fffffffffffffffULL,
						    0xffffffffffffffffULL };

		c = change("task", T1, "0a", false, huge[i],
			   "user_id=\"" ME "\";title=\"forged\";status=\"todo\";created_at=1",
			   NULL);
		apply1(c, &rs);
		cJSON_Delete(c);
		ck_assert_int_eq(rs.rejected, 1);
		ck_assert_int_eq(rs.applied, 0);
	}
	/* a clock far ahead (past the year 2500) is merged */
	c = change("task", T1, "0a", false, FAR,
		   "user_id=\"" ME "\";title=\"forged\";status=\"todo\";created_at=1", NULL);
	apply1(c, &rs);
	cJSON_Delete(c);
	ck_assert_int_eq(rs.rejected, 0);
	ck_assert_int_eq(rs.applied, 1);
	ck_assert_uint_eq(hlc(), before);
	/* an edit here of that field wins over it, and the clock stays */
	ck_assert_int_eq(replica_local_id(st, replica_entity("task"), T1, &id, &e), 0);
	ck_assert_int_eq(task_get(st, id, &got, &e), 0);
	free(got.title);
	got.title = xstrdup("mine");
	ck_assert_int_eq(task_update(st, &got, &e), 0);
	task_release(&got);
	fold();
	forged = ver(FAR, "0a");
	v = field_version(st, T1, "title");
	ck_assert_msg(strcmp(v, forged) > 0, "%s", v);
	free(v);
	free(forged);
	ck_assert_uint_le(hlc(), clock_limit(st));

	/* a device whose clock an older version moved two days ahead */
	other = tu_store_open(odir);
	ck_assert_int_eq(replica_enable(other, &snap, &e), 0);
	ck_assert_int_eq(
		store_exec(other, "UPDATE sync_self SET hlc = (" SQ_NOW_MS " + 2 * 86400000) << 16",
			   &e),
		0);
	t.title = "from ahead";
	ck_assert_int_eq(task_add(other, &t, 1000, &e), 0);
	ck_assert_int_eq(replica_gid(other, "task", t.id, &gid, &e), 0);
	ck_assert_int_eq(pull_from(other), 0);
	ck_assert_int_eq(replica_local_id(st, replica_entity("task"), gid, &id, &e), 0);
	ck_assert_int_ne(id, 0);
	ck_assert_uint_le(hlc(), clock_limit(st));
	/* that sync brought its clock back; its next edit still wins */
	ck_assert_uint_le(hlc_of(other), clock_limit(other));
	t.title = "edited after";
	ck_assert_int_eq(task_update(other, &t, &e), 0);
	ck_assert_int_eq(pull_from(other), 0);
	ck_assert_int_eq(task_get(st, id, &got, &e), 0);
	ck_assert_str_eq(got.title, "edited after");
	task_release(&got);
	store_free(other);
	tu_rmrf(odir);
	free(odir);
	free(gid);

	/* a clock at its end ticks as an integer, and comes back at a sync */
	ck_assert_int_eq(store_exec(st, "UPDATE sync_self SET hlc = 9223372036854775807", &e), 0);
	t.id = 0;
	t.title = "after the end";
	ck_assert_int_eq(task_add(st, &t, 1000, &e), 0);
	s = store_prepare(st, "SELECT typeof(hlc) FROM sync_self", &e);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "integer");
	sqlite3_finalize(s);
	fold();
	ck_assert_uint_le(hlc(), clock_limit(st));
}
END_TEST

/* An event's end moved on one device and the whole event moved on the
 * other: merged field by field, it would end before it starts, and each
 * device refused the other's change for ever.  The later edit keeps start
 * and end both, on both devices. */
START_TEST(test_start_and_end_merge_together)
{
	struct err e = { 0, "" };
	struct event ev = { 0 }, got;
	struct store *other;
	char *odir = tu_tmpdir(), *gid = NULL;
	const time_t at = 1780390800; /* 2026-06-02 09:00 UTC */
	long long oid;
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	other = tu_store_open(odir);
	ck_assert_int_eq(replica_enable(other, &snap, &e), 0);
	ev.summary = "review";
	ev.start = at;
	ev.end = at + 3600;
	ev.tzid = "UTC";
	ck_assert_msg(event_add(st, &ev, 1000, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(replica_gid(st, "event", ev.id, &gid, &e), 0);
	ck_assert_int_eq(pass_on(st, other), 0);
	ck_assert_int_eq(replica_local_id(other, replica_entity("event"), gid, &oid, &e), 0);

	/* on the other device, three hours later as a whole */
	ck_assert_int_eq(event_get(other, oid, &got, &e), 0);
	got.start += 3 * 3600;
	got.end += 3 * 3600;
	ck_assert_msg(event_update(other, &got, 1000, &e) == 0, "%s", e.msg);
	event_release(&got);
	/* here, half an hour longer, the later edit */
	ck_assert_int_eq(store_exec(st, "UPDATE sync_self SET hlc = hlc + (1000 << 16)", &e), 0);
	ck_assert_int_eq(event_get(st, ev.id, &got, &e), 0);
	got.end += 1800;
	ck_assert_msg(event_update(st, &got, 1000, &e) == 0, "%s", e.msg);
	event_release(&got);

	ck_assert_int_eq(pass_on(other, st), 0);
	ck_assert_int_eq(pass_on(st, other), 0);
	ck_assert_int_eq(event_get(st, ev.id, &got, &e), 0);
	ck_assert_int_eq(got.start, at);
	ck_assert_int_eq(got.end, at + 5400);
	event_release(&got);
	ck_assert_int_eq(event_get(other, oid, &got, &e), 0);
	ck_assert_int_eq(got.start, at);
	ck_assert_int_eq(got.end, at + 5400);
	event_release(&got);
	store_free(other);
	tu_rmrf(odir);
	free(odir);
	free(gid);
	free(ev.uid); /* made by event_add */
	free(ev.calendar);
}
END_TEST

/* A series written inside a spring-forward gap (02:30 on 2026-03-29 in
 * Berlin: its first occurrence at 03:30) reaches the other device with the
 * time written: there too it repeats at 02:30 on the other days. */
START_TEST(test_gap_wall_replicated)
{
	const time_t first = 1774747800; /* 2026-03-29 01:30 UTC, 03:30 CEST */
	struct event ev = { .summary = "night",
			    .start = first,
			    .end = first + 3600,
			    .tzid = "Europe/Berlin",
			    .rrule = "FREQ=DAILY",
			    .has_wall = true,
			    .wall_start = 1774751400 }; /* 2026-03-29T02:30 */
	struct err e = { 0, "" };
	char *odir = tu_tmpdir();
	struct store *other = tu_store_open(odir);
	struct event_list l;
	char *text;
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	ck_assert_int_eq(replica_enable(other, &snap, &e), 0);
	ck_assert_msg(event_add(st, &ev, 1000, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(pass_on(st, other), 0);
	ck_assert_msg(event_agenda(other, first - 3600, first + 86400, NULL, &l, &e) == 0, "%s",
		      e.msg);
	ck_assert_uint_eq(l.nocc, 2);
	ck_assert_int_eq(l.occ[0].start, first);
	ck_assert_int_eq(l.occ[1].start, first + 86400 - 3600); /* 02:30 CEST */
	event_list_release(&l);
	/* a change that carries the start alone (another device moved the
	 * series to 10:00) leaves a written time that no longer names it: the
	 * agenda and the export follow the start */
	ck_assert_int_eq(
		store_exec(other, "UPDATE events SET start = 1774771200, end = 1774774800", &e),
		0); /* 2026-03-29 10:00 CEST */
	ck_assert_msg(event_agenda(other, first - 3600, first + 86400 + 9 * 3600, NULL, &l, &e) ==
			      0,
		      "%s", e.msg);
	ck_assert_uint_eq(l.nocc, 2);
	ck_assert_int_eq(l.occ[0].start, 1774771200);
	ck_assert_int_eq(l.occ[1].start, 1774771200 + 86400);
	event_list_release(&l);
	ck_assert_int_eq(ical_export(other, NULL, NULL, NULL, &text, &e), 0);
	ck_assert_msg(strstr(text, "DTSTART;TZID=Europe/Berlin:20260329T100000"), "%s", text);
	ck_assert_ptr_null(strstr(text, "T023000"));
	free(text);
	/* a store that captured with the triggers of before (3) sends the
	 * written wall times once when it upgrades */
	ck_assert_int_eq(store_exec(st, "UPDATE sync_self SET capture = 3", &e), 0);
	ck_assert_msg(replica_enable(st, &snap, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(outbox_rows(), 1);
	ck_assert_int_eq(pass_on(st, other), 0);
	store_free(other);
	tu_rmrf(odir);
	free(odir);
	free(ev.uid); /* made by event_add */
	free(ev.calendar);
}
END_TEST

/* An occurrence declined alone stays declined on the other device. */
START_TEST(test_declined_occurrence_replicated)
{
	struct event_override ov = { .recurrence_id = 86400 * 30 + 36000,
				     .start = 86400 * 30 + 36000,
				     .end = 86400 * 30 + 39600,
				     .declined = true };
	struct event ev = { .summary = "weekly",
			    .start = 86400 * 23 + 36000,
			    .end = 86400 * 23 + 39600,
			    .tzid = "UTC",
			    .rrule = "FREQ=WEEKLY",
			    .overrides = &ov,
			    .noverrides = 1 };
	struct err e = { 0, "" };
	char *odir = tu_tmpdir();
	struct store *other = tu_store_open(odir);
	struct event got;
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	ck_assert_int_eq(replica_enable(other, &snap, &e), 0);
	ck_assert_msg(event_add(st, &ev, 1000, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(pass_on(st, other), 0);
	ck_assert_msg(event_get_uid(other, ev.uid, &got, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(got.noverrides, 1);
	ck_assert(got.overrides[0].declined);
	event_release(&got);
	store_free(other);
	tu_rmrf(odir);
	free(odir);
	free(ev.uid);
	free(ev.calendar);
}
END_TEST

/* A change that moves an assistant's address clears its key; when the
 * change is then rolled back (here a trigger stops its versions), the key
 * is still there and the pull does not say it was dropped. */
START_TEST(test_key_dropped_only_when_kept)
{
	struct replica_stats rs;
	struct err e = { 0, "" };
	struct assistant as = { 0 }, got;
	char *gid = NULL;
	cJSON *c;
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	as.name = "coder";
	as.backend = ASSISTANT_LLM;
	as.base_url = "http://127.0.0.1:9/v1";
	as.key_secret = "openai";
	as.token_budget = 4000;
	ck_assert_msg(assistant_add(st, &as, 1000, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(replica_gid(st, "assistant", as.id, &gid, &e), 0);
	fold();
	ck_assert_int_eq(store_exec(st,
				    "CREATE TRIGGER stop BEFORE UPDATE ON sync_obj"
				    " WHEN (SELECT applying FROM sync_self) BEGIN"
				    " SELECT RAISE(ABORT, 'stopped'); END",
				    &e),
			 0);
	/* the trigger stops the first; without it the second applies */
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			ck_assert_int_eq(store_exec(st, "DROP TRIGGER stop", &e), 0);
		c = change("assistant", gid, "0a", false, hlc() + 1,
			   "base_url=\"http://127.0.0.1:10/v1\"", NULL);
		apply1(c, &rs);
		cJSON_Delete(c);
		ck_assert_int_eq(rs.rejected, !pass);
		ck_assert_int_eq(rs.keys_dropped, pass);
		ck_assert_str_eq(rs.keyless, pass ? "coder" : "");
		ck_assert_int_eq(assistant_get(st, as.id, &got, &e), 0);
		if (pass)
			ck_assert_ptr_null(got.key_secret);
		else
			ck_assert_str_eq(got.key_secret, "openai");
		assistant_release(&got);
	}
	free(gid);
}
END_TEST

/* A pulled job is held to what a write here makes (a schedule's rule
 * parses, a known state, times within the years, a reminder's payload an
 * object with a text); a task's priority past 2^32 is refused (the table's
 * CHECK), not wrapped into 0-9 as an int would read it. */
START_TEST(test_pulled_jobs_checked)
{
	static const char *const bad[] = {
		"schedule=\"cron\";rule=\"not a cron\"",
		"schedule=\"at\";payload=\"[]\"",
		"schedule=\"at\";next_run=1000000000000000",
		"schedule=\"at\";state=\"exploded\"",
		"schedule=\"rrule\";rule=\"FREQ=DAILY\";run_offset=9000000000000000",
		"schedule=\"at\";kind=\"Rem inder\"",
	};
	struct replica_stats rs;
	struct err e = { 0, "" };
	cJSON *arr = cJSON_CreateArray();
	char *why = NULL, gid[40];
	size_t n = sizeof(bad) / sizeof(bad[0]);

	for (size_t i = 0; i <= n; i++) {
		/* each field given once: the bad one replaces the good */
		char *f = xasprintf("user_id=\"" ME "\";created_at=1;dtstart=1780390800;%s%s%s%s%s",
				    i < n && strstr(bad[i], "kind=") ? "" : "kind=\"reminder\";",
				    i < n && strstr(bad[i], "payload=")
					    ? ""
					    : "payload=\"{\\\"text\\\":\\\"tea\\\"}\";",
				    i < n && strstr(bad[i], "next_run=") ? ""
									 : "next_run=1780390800;",
				    i < n && strstr(bad[i], "state=") ? "" : "state=\"pending\";",
				    i < n ? bad[i] : "schedule=\"at\"");

		snprintf(gid, sizeof(gid), "90000000-0000-4000-8000-%012zu", i);
		cJSON_AddItemToArray(arr, change("job", gid, "0a", false, 10, f, NULL));
		free(f);
	}
	cJSON_AddItemToArray(arr, change("task", T1, "0a", false, 10,
					 "user_id=\"" ME "\";title=\"wrapped\";status=\"todo\";"
					 "created_at=1;priority=4294967301",
					 NULL));
	ck_assert_int_eq(replica_apply(st, arr, "postgres:t", 3, 1000, &rs, &why, &e), 0);
	ck_assert_msg(rs.rejected == 7 && rs.applied == 1, "%ld refused, %ld applied: %s",
		      rs.rejected, rs.applied, why ? why : "");
	ck_assert_msg(why && strstr(why, "job"), "%s", why ? why : "");
	{
		sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM jobs", &e);

		ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int(s, 0), 1);
		sqlite3_finalize(s);
	}
	free(why);
	cJSON_Delete(arr);
}
END_TEST

/* A routine whose request is the longest a write here takes, its every
 * byte escaped as \u00XX in the payload's JSON, is pulled. */
START_TEST(test_pulled_routine_at_the_limit)
{
	struct replica_stats rs;
	cJSON *c = change("job", "90000000-0000-4000-8000-00000000000f", "0a", false, 10,
			  "user_id=\"" ME "\";created_at=1;dtstart=1780390800;kind=\"routine\";"
			  "next_run=1780390800;state=\"pending\";schedule=\"cron\";"
			  "rule=\"0 8 * * *\";payload=\"{}\"",
			  NULL);
	size_t n = 6 * STORE_REQUEST_MAX + 64;
	char *payload = xmalloc(n), *p = payload;

	p += sprintf(p, "{\"request\":\"");
	for (int i = 0; i < STORE_REQUEST_MAX; i++)
		p += sprintf(p, "\\u0078");
	sprintf(p, "\",\"assistant\":\"coder\"}");
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "data"),
					       "payload", cJSON_CreateString(payload));
	free(payload);
	apply1(c, &rs);
	cJSON_Delete(c);
	ck_assert_int_eq(rs.rejected, 0);
	ck_assert_int_eq(rs.applied, 1);
}
END_TEST

static void apply_to(struct store *on, const cJSON *c)
{
	cJSON *arr = cJSON_CreateArray();
	struct err e = { 0, "" };
	struct replica_stats rs;

	cJSON_AddItemReferenceToArray(arr, (cJSON *)c);
	ck_assert_msg(replica_apply(on, arr, "postgres:t", 1, 1000, &rs, NULL, &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(rs.rejected, 0);
	cJSON_Delete(arr);
}

/* A change of an event's start and end; one it did not move keeps its
 * version hs or he of device 0a. */
static cJSON *ev_change(const char *dev, unsigned long long h, long long s, unsigned long long hs,
			long long en, unsigned long long he)
{
	char *f = xasprintf("start=%lld;end=%lld", s, en), *vs = ver(hs, hs == h ? dev : "0a"),
	     *ve = ver(he, he == h ? dev : "0a");
	cJSON *c = change("event", "e7000000-0000-4000-8000-000000000000", dev, false, h, f, NULL),
	      *vers = cJSON_GetObjectItemCaseSensitive(c, "vers");

	cJSON_ReplaceItemInObjectCaseSensitive(vers, "start", cJSON_CreateString(vs));
	cJSON_ReplaceItemInObjectCaseSensitive(vers, "end", cJSON_CreateString(ve));
	free(f);
	free(vs);
	free(ve);
	return c;
}

static char *ev_state(struct store *on)
{
	sqlite3_stmt *s = store_prepare(
		on,
		"SELECT e.start || '/' || e.end || ' ' || json_extract(o.vers, '$.start') || ' ' ||"
		" json_extract(o.vers, '$.end') FROM events e JOIN sync_obj o ON o.gid = e.gid",
		NULL);
	char *r;

	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	r = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return r;
}

/* An event's start and end are one value: the latest change of them
 * wins, with its versions, on every device whatever the order. */
START_TEST(test_start_and_end_in_any_order)
{
	const long long S = 1780390800, H = 3600;
	cJSON *base = change(
		"event", "e7000000-0000-4000-8000-000000000000", "0a", false, 0xa,
		"uid=\"u7\";summary=\"x\";tzid=\"UTC\";start=1780390800;end=1780408800", NULL);
	cJSON *ch[3] = {
		ev_change("0a", 0x14, S + 10 * H, 0x14, S + 11 * H, 0x14), /* the whole event */
		ev_change("0b", 0x1e, S, 0xa, S + 2 * H, 0x1e),		   /* its end, later */
		ev_change("0d", 0xf, S - H, 0xf, S + 5 * H, 0xa),	   /* its start, earlier */
	};
	const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
				   { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	char *first = NULL;

	for (int k = 0; k < 6; k++) {
		char *dir = tu_tmpdir(), *got;
		struct store *on = tu_store_open(dir);

		apply_to(on, base);
		for (int i = 0; i < 3; i++)
			apply_to(on, ch[orders[k][i]]);
		got = ev_state(on);
		if (!first)
			first = got;
		else {
			ck_assert_str_eq(got, first);
			free(got);
		}
		store_free(on);
		tu_rmrf(dir);
		free(dir);
	}
	/* B's change is the latest: its start (at its version) and end */
	ck_assert_str_eq(first, "1780390800/1780398000 000000000000000a@0a 000000000000001e@0b");
	free(first);
	cJSON_Delete(base);
	for (int i = 0; i < 3; i++)
		cJSON_Delete(ch[i]);
}
END_TEST

/* A start moved alone here wins on a peer over an end whose version is
 * far ahead (a clock a day or more fast): the edit steps past the later
 * of the two, as the pair is compared by it. */
START_TEST(test_start_alone_wins_over_end_far_ahead)
{
	const long long S = 1780390800, H = 3600;
	cJSON *base = change(
		"event", "e7000000-0000-4000-8000-000000000000", "0a", false, 0xa,
		"uid=\"u7\";summary=\"x\";tzid=\"UTC\";start=1780390800;end=1780408800", NULL);
	cJSON *far = ev_change("0b", FAR, S, 0xa, S + 2 * H, FAR);
	struct err e = { 0, "" };
	char *odir = tu_tmpdir(), *here, *there;
	struct store *other = tu_store_open(odir);
	long snap;

	ck_assert_int_eq(replica_enable(st, &snap, &e), 0);
	ck_assert_int_eq(replica_enable(other, &snap, &e), 0);
	apply_to(st, base);
	apply_to(other, base);
	apply_to(st, far);
	apply_to(other, far);
	ck_assert_int_eq(
		sqlite3_exec(st->db, "UPDATE events SET start = start - 3600", NULL, NULL, NULL),
		SQLITE_OK);
	ck_assert_int_eq(pass_on(st, other), 0);
	here = ev_state(st);
	there = ev_state(other);
	ck_assert_str_eq(there, here);
	ck_assert_msg(!strncmp(here, "1780387200/1780398000 ", 22), "%s", here);
	free(here);
	free(there);
	store_free(other);
	tu_rmrf(odir);
	free(odir);
	cJSON_Delete(base);
	cJSON_Delete(far);
}
END_TEST

/* A message's text is held to one limit, written here or pulled: one of
 * MESSAGE_TEXT_MAX bytes is taken both ways, one byte more refused both
 * ways (naming the field), and the row pulled before stays as it was. */
START_TEST(test_message_text_limit)
{
	static const char gc[] = "c0000000-0000-4000-8000-000000000000";
	static const char gm[] = "d0000000-0000-4000-8000-000000000000";
	struct replica_stats rs;
	struct err e = { 0, "" };
	char *big = xmalloc(MESSAGE_TEXT_MAX + 2), *fields, *why = NULL, *got;
	long long conv;
	sqlite3_stmt *q;
	cJSON *arr;

	memset(big, 'x', MESSAGE_TEXT_MAX + 1);
	big[MESSAGE_TEXT_MAX + 1] = '\0';
	ck_assert_int_eq(conversation_new(st, 1, CONV_CLI, 1000, &conv, &e), 0);
	ck_assert_int_eq(conversation_add(st, conv, "tool", big, NULL, "c1", 1000, NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "message: content: too long (16777217 bytes, at most 16777216)");
	err_clear(&e);
	big[MESSAGE_TEXT_MAX] = '\0';
	ck_assert_int_eq(conversation_add(st, conv, "tool", big, NULL, "c1", 1000, NULL, &e), 0);

	arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, change("conversation", gc, "0a", false, 10,
					 "user_id=\"" ME "\";title=\"hi\"", NULL));
	cJSON_AddItemToArray(arr, change("message", gm, "0a", false, 10,
					 "conversation_id=\"c0000000-0000-4000-8000-000000000000\";"
					 "role=\"user\";content=\"hi\"",
					 NULL));
	ck_assert_int_eq(replica_apply(st, arr, "postgres:t", 1, 1000, &rs, &why, &e), 0);
	ck_assert_msg(rs.applied == 2 && rs.rejected == 0, "%s", why ? why : "");
	cJSON_Delete(arr);
	arr = cJSON_CreateArray();
	big[MESSAGE_TEXT_MAX] = 'x';
	fields = xasprintf("content=\"%s\"", big);
	cJSON_AddItemToArray(arr, change("message", gm, "0a", false, 11, fields, NULL));
	free(fields);
	big[MESSAGE_TEXT_MAX] = '\0';
	fields = xasprintf("reasoning=\"%s\"", big);
	cJSON_AddItemToArray(arr, change("message", gm, "0a", false, 12, fields, NULL));
	free(fields);
	ck_assert_int_eq(replica_apply(st, arr, "postgres:t", 2, 1000, &rs, &why, &e), 0);
	ck_assert_int_eq(rs.rejected, 1);
	ck_assert_int_eq(rs.applied, 1);
	ck_assert_str_eq(why, "message: content: too long (16777217 bytes, at most 16777216)");
	q = store_prepare(st, "SELECT content, length(reasoning) FROM messages WHERE gid = ?", &e);
	ck_assert_ptr_nonnull(q);
	sqlite3_bind_text(q, 1, gm, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	got = store_col_text(q, 0);
	ck_assert_str_eq(got, "hi");
	ck_assert_int_eq(sqlite3_column_int64(q, 1), MESSAGE_TEXT_MAX);
	sqlite3_finalize(q);
	free(got);
	free(why);
	free(big);
	cJSON_Delete(arr);
}
END_TEST

Suite *replica_suite(void)
{
	Suite *s = suite_create("replica");
	TCase *tc = tcase_create("replica");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_order_same_state);
	tcase_add_test(tc, test_natural_key_merge);
	tcase_add_test(tc, test_outbox_in_the_same_transaction);
	tcase_add_test(tc, test_claim_is_not_a_change);
	tcase_add_test(tc, test_triggers_match_the_descriptors);
	tcase_add_test(tc, test_conflict_only_when_unseen);
	tcase_add_test(tc, test_bad_changes_refused);
	tcase_add_test(tc, test_refusal_cut_between_characters);
	tcase_add_test(tc, test_clean_text);
	tcase_add_test(tc, test_local_text_is_pulled);
	tcase_add_test(tc, test_huge_integers_refused);
	tcase_add_test(tc, test_bad_override_refused_alone);
	tcase_add_test(tc, test_pulled_until_moves_reach);
	tcase_add_test(tc, test_clock_far_ahead_merged_not_followed);
	tcase_add_test(tc, test_start_and_end_merge_together);
	tcase_add_test(tc, test_gap_wall_replicated);
	tcase_add_test(tc, test_declined_occurrence_replicated);
	tcase_add_test(tc, test_key_dropped_only_when_kept);
	tcase_add_test(tc, test_pulled_jobs_checked);
	tcase_add_test(tc, test_start_and_end_in_any_order);
	tcase_add_test(tc, test_start_alone_wins_over_end_far_ahead);
	tcase_add_test(tc, test_pulled_routine_at_the_limit);
	tcase_add_test(tc, test_message_text_limit);
	suite_add_tcase(s, tc);
	return s;
}
