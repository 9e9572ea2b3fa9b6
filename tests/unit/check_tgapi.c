/* The Telegram wire format (sync/tgapi.h): HTML escaping, splitting long
 * replies, reading updates; and the store's nested transactions the relay
 * relies on to keep an update's effects and its offset together. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store-int.h"
#include "task.h"
#include "testutil.h"
#include "tgapi.h"
#include "tgstore.h"
#include "xalloc.h"

START_TEST(test_escape)
{
	char *s = tg_html_escape("a<b && c>d <b>x</b>");

	ck_assert_str_eq(s, "a&lt;b &amp;&amp; c&gt;d &lt;b&gt;x&lt;/b&gt;");
	free(s);
}
END_TEST

START_TEST(test_split)
{
	char **p;
	size_t n;
	char *text;

	n = tg_split("short", 4096, &p);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p[0], "short");
	tg_pieces_free(p, n);
	/* a paragraph break in the second half wins over a later line break */
	n = tg_split("aaaaaaaaa\n\nbbb\ncc", 16, &p);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(p[0], "aaaaaaaaa");
	ck_assert_str_eq(p[1], "bbb\ncc");
	tg_pieces_free(p, n);
	/* Cyrillic counts characters, not bytes; no word is cut */
	n = tg_split("привет мир привет", 10, &p);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(p[0], "привет мир");
	ck_assert_str_eq(p[1], "привет");
	tg_pieces_free(p, n);
	/* an astral character counts two (UTF-16), and is never cut */
	n = tg_split("😀😀😀", 4, &p);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(p[0], "😀😀");
	tg_pieces_free(p, n);
	/* 10,000 characters without a break: pieces of 4096 */
	text = xmalloc(10001);
	memset(text, 'x', 10000);
	text[10000] = '\0';
	n = tg_split(text, 4096, &p);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(strlen(p[0]), 4096);
	ck_assert_uint_eq(strlen(p[2]), 10000 - 2 * 4096);
	tg_pieces_free(p, n);
	free(text);
}
END_TEST

START_TEST(test_update_parse)
{
	cJSON *u = cJSON_Parse(
		"{\"update_id\": 7, \"callback_query\": {\"id\": \"q1\", \"from\": {\"id\": 5,"
		" \"language_code\": \"ru\"}, \"message\": {\"message_id\": 42, \"chat\": {\"id\":"
		" 5}}, \"chat_instance\": \"x\", \"data\": \"d:1.2\"}}");
	struct tg_update t;

	ck_assert_int_eq(tg_update_parse(u, &t), 0);
	ck_assert_int_eq(t.kind, TG_UPDATE_CALLBACK);
	ck_assert_int_eq(t.update_id, 7);
	ck_assert_int_eq(t.chat_id, 5);
	ck_assert_int_eq(t.message_id, 42);
	ck_assert_str_eq(t.text, "d:1.2");
	ck_assert_str_eq(t.lang, "ru");
	cJSON_Delete(u);
	u = cJSON_Parse("{\"update_id\": 8, \"message\": {\"message_id\": 1, \"chat\": {\"id\":"
			" -9}, \"voice\": {\"file_id\": \"f\"}}}");
	ck_assert_int_eq(tg_update_parse(u, &t), 0);
	ck_assert_int_eq(t.kind, TG_UPDATE_MEDIA);
	ck_assert_str_eq(t.media, "voice");
	ck_assert_int_eq(t.chat_id, -9);
	ck_assert(!t.group); /* no type: taken for a private chat */
	cJSON_Delete(u);
	/* Chat.type: "private", "group", "supergroup" or "channel" */
	u = cJSON_Parse("{\"update_id\": 10, \"message\": {\"message_id\": 1, \"chat\": {\"id\":"
			" -10, \"type\": \"supergroup\"}, \"text\": \"hi\"}}");
	ck_assert_int_eq(tg_update_parse(u, &t), 0);
	ck_assert(t.group);
	cJSON_Delete(u);
	u = cJSON_Parse("{\"update_id\": 11, \"message\": {\"message_id\": 1, \"chat\": {\"id\":"
			" 10, \"type\": \"private\"}, \"text\": \"hi\"}}");
	ck_assert_int_eq(tg_update_parse(u, &t), 0);
	ck_assert(!t.group);
	cJSON_Delete(u);
	u = cJSON_Parse("{\"message\": {}}");
	ck_assert_int_eq(tg_update_parse(u, &t), -1);
	cJSON_Delete(u);
	/* numbers no id can be (found by make fuzz): refused, never cast */
	u = cJSON_Parse("{\"update_id\": 33333333333333333333333333103.4}");
	ck_assert_int_eq(tg_update_parse(u, &t), -1);
	cJSON_Delete(u);
	u = cJSON_Parse("{\"update_id\": 9, \"message\": {\"message_id\": 1, \"chat\": {\"id\":"
			" 1e300}, \"text\": \"hi\"}}");
	ck_assert_int_eq(tg_update_parse(u, &t), 0);
	ck_assert_int_eq(t.chat_id, 0);
	cJSON_Delete(u);
}
END_TEST

/* A failed call's answer: retry_after within 1..TG_RETRY_MAX whatever the
 * server says (1e300 is no long); message_id as an id (2^53 at most). */
START_TEST(test_status_parse)
{
	static const struct {
		const char *ra;
		long want;
	} cases[] = { { "1e300", TG_RETRY_MAX },
		      { "3601", TG_RETRY_MAX },
		      { "3600", 3600 },
		      { "7", 7 },
		      { "0.2", 1 },
		      { "0", 0 },
		      { "-1e300", 0 },
		      { "\"5\"", 0 } };
	struct tg_status st;
	cJSON *o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *json =
			xasprintf("{\"ok\": false, \"error_code\": 429, \"description\": "
				  "\"Too Many Requests\", \"parameters\": {\"retry_after\": %s}}",
				  cases[i].ra);

		o = cJSON_Parse(json);
		tg_status_parse(o, 200, &st);
		ck_assert_int_eq(st.code, 429);
		ck_assert_msg(st.retry_after == cases[i].want, "retry_after %s: %ld, want %ld",
			      cases[i].ra, st.retry_after, cases[i].want);
		ck_assert_str_eq(st.description, "Too Many Requests");
		cJSON_Delete(o);
		free(json);
	}
	o = cJSON_Parse("{\"message_id\": 1e300}");
	ck_assert_int_eq(tg_id(o, "message_id"), 0);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"message_id\": 9007199254740992}");
	ck_assert_int_eq(tg_id(o, "message_id"), 9007199254740992LL);
	cJSON_Delete(o);
}
END_TEST

/* A rolled-back outer transaction takes the committed inner one with it:
 * an update's effects go with its offset. */
START_TEST(test_nested_rollback)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/n.db", dir);
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);
	struct task t = { 0 };
	struct task *ts;
	size_t n;
	long long off;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_begin(s, &e), 0);
	t.title = "inside";
	ck_assert_int_eq(task_add(s, &t, 0, &e), 0); /* its own begin/commit: a savepoint */
	ck_assert_int_eq(tgstore_set_offset(s, 101, &e), 0);
	ck_assert(store_in_transaction(s));
	store_rollback(s);
	ck_assert(!store_in_transaction(s));
	ck_assert_int_eq(task_list(s, true, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tgstore_offset(s, &off, &e), 0);
	ck_assert_int_eq(off, 0);
	/* and a committed one keeps both */
	ck_assert_int_eq(store_begin(s, &e), 0);
	ck_assert_int_eq(task_add(s, &t, 0, &e), 0);
	ck_assert_int_eq(tgstore_set_offset(s, 102, &e), 0);
	ck_assert_int_eq(store_commit(s, &e), 0);
	ck_assert_int_eq(task_list(s, true, &ts, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	task_list_free(ts, n);
	ck_assert_int_eq(tgstore_offset(s, &off, &e), 0);
	ck_assert_int_eq(off, 102);
	store_free(s);
	tu_rmrf(dir);
	free(dir);
	free(path);
}
END_TEST

/* The updates processed are forgotten after a while: older rows go, the
 * rest stay. */
START_TEST(test_seen_prune)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/n.db", dir);
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);
	bool fresh, seen;
	long n;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tgstore_seen(s, 1, 1000, 1000, &fresh, &e), 0);
	ck_assert_int_eq(tgstore_seen(s, 2, 2000, 2000, &fresh, &e), 0);
	ck_assert_int_eq(tgstore_seen(s, 3, 3000, 3000, &fresh, &e), 0);
	ck_assert_int_eq(tgstore_seen_prune(s, 2000, &n, &e), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(tgstore_seen_has(s, 1, 0, &seen, &e), 0);
	ck_assert(!seen);
	ck_assert_int_eq(tgstore_seen_has(s, 2, 0, &seen, &e), 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen_prune(s, 2000, &n, &e), 0);
	ck_assert_int_eq(n, 0);
	store_free(s);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

/* An update whose message is dated over TGSTORE_SEEN_NEW after the one
 * done under its id is another update of that id (numbered anew): not
 * seen, and recorded anew; a repeat is seen, and not recorded again.  Only
 * the updates' dates count, not when they were done (now). */
START_TEST(test_seen_renumbered)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/n.db", dir);
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);
	long long week = 7 * 86400;
	bool fresh, seen;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tgstore_seen(s, 5, 1000000, 1000000, &fresh, &e), 0);
	ck_assert(fresh);
	ck_assert_int_eq(tgstore_seen_has(s, 5, 999990, &seen, &e), 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen_has(s, 5, 1000000 + TGSTORE_SEEN_NEW, &seen, &e), 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen_has(s, 5, 0, &seen, &e), 0);
	ck_assert(seen);
	/* as a chat's previous update: done when dated less than a week
	 * before the update that names it */
	ck_assert_int_eq(
		tgstore_seen_within(s, 5, 1000000 + 3 * 86400, TGSTORE_PREV_NEW, &seen, &e), 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen_within(s, 5, 1000000 + week - 1, TGSTORE_PREV_NEW, &seen, &e),
			 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen_within(s, 5, 1000000 + week, TGSTORE_PREV_NEW, &seen, &e), 0);
	ck_assert(!seen);
	ck_assert_int_eq(tgstore_seen_within(s, 5, 0, TGSTORE_PREV_NEW, &seen, &e), 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen(s, 5, 1000000 + week, 1000060, &fresh, &e), 0);
	ck_assert(!fresh);
	ck_assert_int_eq(tgstore_seen(s, 5, 1000000 + week, 0, &fresh, &e), 0);
	ck_assert(!fresh);
	ck_assert_int_eq(tgstore_seen_has(s, 5, 1000000 + week, &seen, &e), 0);
	ck_assert(!seen);
	ck_assert_int_eq(tgstore_seen(s, 5, 1000000, 1000000 + week, &fresh, &e), 0);
	ck_assert(fresh);
	ck_assert_int_eq(tgstore_seen_has(s, 5, 1000000 + week, &seen, &e), 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen(s, 5, 1000000 + week, 1000000 + week, &fresh, &e), 0);
	ck_assert(!fresh);
	store_free(s);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

/* This machine's clock two days behind Telegram's (a board without a
 * clock of its own, before NTP): a repeat of an update done (same id, same
 * date) is still done, and not recorded anew.  A row an older nestor wrote
 * (no date) is done whatever the date. */
START_TEST(test_seen_clock_behind)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/n.db", dir);
	struct err e = { 0, "" };
	struct store *s = store_open(path, &e);
	time_t date = 1780000000, now = date - 2 * 86400;
	bool fresh, seen;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tgstore_seen_has(s, 7, date, &seen, &e), 0);
	ck_assert(!seen);
	ck_assert_int_eq(tgstore_seen(s, 7, now, date, &fresh, &e), 0);
	ck_assert(fresh);
	ck_assert_int_eq(tgstore_seen_has(s, 7, date, &seen, &e), 0);
	ck_assert_msg(seen, "a repeat of update 7 taken as a new update");
	ck_assert_int_eq(tgstore_seen(s, 7, now + 60, date, &fresh, &e), 0);
	ck_assert(!fresh);
	ck_assert_int_eq(
		store_exec(s, "INSERT INTO telegram_seen(update_id, at) VALUES (8, 1000)", &e), 0);
	ck_assert_int_eq(tgstore_seen_has(s, 8, date, &seen, &e), 0);
	ck_assert(seen);
	ck_assert_int_eq(tgstore_seen(s, 8, date, date, &fresh, &e), 0);
	ck_assert(!fresh);
	store_free(s);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

Suite *tgapi_suite(void)
{
	Suite *s = suite_create("tgapi");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_update_parse);
	tcase_add_test(tc, test_status_parse);
	tcase_add_test(tc, test_nested_rollback);
	tcase_add_test(tc, test_seen_prune);
	tcase_add_test(tc, test_seen_renumbered);
	tcase_add_test(tc, test_seen_clock_behind);
	suite_add_tcase(s, tc);
	return s;
}
