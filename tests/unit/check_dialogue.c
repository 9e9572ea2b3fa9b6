/*
 * The offline assistant over several turns (tests/data/dialogues.tsv): a
 * question asked stays open in the conversation and the next message
 * answers it.  And two properties over the intent corpus: a request it
 * refuses or asks about changes no data, and an edit changes only what it
 * names.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-int.h"
#include "engine.h"
#include "event.h"
#include "intent.h"
#include "testutil.h"
#include "tool.h"
#include "sbuf.h"
#include "when.h"
#include "xalloc.h"

static char *dir;
static struct store *st;
static struct config *cfg;
static struct engine *eng;
static time_t now;

static void s_text(void *a, const char *d)
{
	sbuf_adds(a, d);
}

static void open_all(void)
{
	struct err e = { 0, "" };
	struct tm tm = { .tm_year = 126,
			 .tm_mon = 10,
			 .tm_mday = 25,
			 .tm_hour = 14,
			 .tm_min = 30,
			 .tm_isdst = -1 };

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	when_set_order(WHEN_DMY);
	now = mktime(&tm);
	dir = tu_tmpdir();
	st = tu_store_open(dir);
	cfg = tu_config_load(dir);
	eng = engine_new(st, cfg, &e);
	ck_assert_msg(eng != NULL, "%s", e.msg);
}

static void close_all(void)
{
	engine_free(eng);
	config_free(cfg);
	store_free(st);
	tu_rmrf(dir);
	free(dir);
}

/* One turn in conversation *conv; the reply (caller frees). */
static char *say(long long *conv, const char *text)
{
	struct sbuf out = SBUF_INIT;
	struct engine_sink sink = { &out, s_text, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	struct err e = { 0, "" };

	ck_assert_msg(engine_turn(eng, conv, text, now, &sink, &e) == 0, "%s: %s", text, e.msg);
	return out.buf ? sbuf_detach(&out) : xstrdup("");
}

START_TEST(test_dialogues)
{
	char *path = tu_src("tests/data/dialogues.tsv");
	char *text = tu_slurp(path, NULL), *line, *save = NULL, *reply = NULL;
	struct sbuf fails = SBUF_INIT;
	long long conv = 0;
	int dialogues = 0, turns = 0, bad = 0;
	bool open = false;

	ck_assert_msg(text != NULL, "cannot read %s", path);
	/* strtok_r would skip the blank lines that end a dialogue */
	for (line = text; line && *line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		if (line[0] == '#')
			continue;
		if (!*line) {
			if (open)
				close_all();
			open = false;
			continue;
		}
		if (!open) {
			open_all();
			open = true;
			conv = 0;
			dialogues++;
		}
		if (!strncmp(line, "> ", 2)) {
			free(reply);
			reply = say(&conv, line + 2);
			turns++;
		} else if (!strncmp(line, "< ", 2)) {
			regex_t re;
			char *pat = xstrdup(line + 2), *nl;

			/* "\n" in a pattern is a line break of the reply */
			while ((nl = strstr(pat, "\\n"))) {
				*nl = '\n';
				memmove(nl + 1, nl + 2, strlen(nl + 2) + 1);
			}
			ck_assert_msg(regcomp(&re, pat, REG_EXTENDED) == 0, "bad pattern: %s",
				      line);
			free(pat);
			if (!reply || regexec(&re, reply, 0, NULL, 0) != 0) {
				bad++;
				sbuf_addf(&fails, "\n  dialogue %d: want /%s/\n    got: %s",
					  dialogues, line + 2,
					  reply ? reply : "(nothing said yet)");
			}
			regfree(&re);
		} else {
			ck_abort_msg("dialogue line is neither > nor <: %s", line);
		}
	}
	if (open)
		close_all();
	ck_assert_msg(bad == 0, "%d replies not as expected:%s", bad, fails.buf ? fails.buf : "");
	ck_assert_int_ge(dialogues, 15);
	ck_assert_int_ge(turns, 40);
	free(reply);
	sbuf_release(&fails);
	free(text);
	free(path);
}
END_TEST

/* Some of everything, so a wrong change has something to change. */
static void seed(void)
{
	static const char *const lines[] = {
		"add task buy milk",
		"add task call the bank by friday",
		"remind me to call mom tomorrow at 5pm",
		"remind me every monday at 9 to water the plants",
		"add dentist on dec 3 at 9:30",
		"add weekly sync every friday at 10:00",
		"add Mom's birthday on dec 12",
	};
	long long conv = 0;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		free(say(&conv, lines[i]));
}

/* Every row of every table but the conversation log, as text. */
static char *data_dump(void)
{
	struct sbuf sb = SBUF_INIT;
	sqlite3_stmt *tables, *rows;

	ck_assert_int_eq(
		sqlite3_prepare_v2(st->db,
				   "SELECT name FROM sqlite_master WHERE type = 'table'"
				   " AND name NOT LIKE 'conversation%' AND name NOT LIKE"
				   " 'message%' AND name NOT LIKE 'sqlite_%' ORDER BY name",
				   -1, &tables, NULL),
		SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		char *sql = xasprintf("SELECT * FROM \"%s\"", name);

		sbuf_addf(&sb, "[%s]\n", name);
		ck_assert_int_eq(sqlite3_prepare_v2(st->db, sql, -1, &rows, NULL), SQLITE_OK);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				const unsigned char *v = sqlite3_column_text(rows, c);

				sbuf_addf(&sb, "%s|", v ? (const char *)v : "NULL");
			}
			sbuf_adds(&sb, "\n");
		}
		sqlite3_finalize(rows);
		free(sql);
	}
	sqlite3_finalize(tables);
	return sbuf_detach(&sb);
}

/* The corpus lines whose expected result starts with one of the prefixes. */
static char **corpus(const char *const *prefixes, size_t *n)
{
	static const char *const files[] = { "tests/data/intents.tsv",
					     "tests/data/intents-heldout.tsv" };
	char **out = NULL;

	*n = 0;
	for (size_t f = 0; f < 2; f++) {
		char *path = tu_src(files[f]), *text = tu_slurp(path, NULL), *save = NULL;

		ck_assert_msg(text != NULL, "cannot read %s", path);
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *tab = strchr(l, '\t');

			if (l[0] == '#' || !tab)
				continue;
			for (const char *const *p = prefixes; *p; p++)
				if (!strncmp(tab + 1, *p, strlen(*p))) {
					out = xrealloc(out, (*n + 1) * sizeof(*out));
					out[(*n)++] = xstrndup(l, (size_t)(tab - l));
					break;
				}
		}
		free(text);
		free(path);
	}
	return out;
}

/* A request refused, or one that needs a time or a text first, changes no
 * data: every table but the conversation log is the same afterwards. */
START_TEST(test_refusals_change_nothing)
{
	static const char *const kinds[] = { "unknown", "clarify:when", "clarify:what", NULL };
	size_t n;
	char **lines = corpus(kinds, &n), *before;

	open_all();
	seed();
	before = data_dump();
	ck_assert_uint_ge(n, 30);
	for (size_t i = 0; i < n; i++) {
		long long conv = 0;
		char *after;

		free(say(&conv, lines[i]));
		after = data_dump();
		ck_assert_msg(!strcmp(before, after), "\"%s\" changed data", lines[i]);
		free(after);
		free(lines[i]);
	}
	free(lines);
	free(before);
	close_all();
}
END_TEST

static long long event_id(const char *summary)
{
	sqlite3_stmt *q;
	long long id = 0;

	sqlite3_prepare_v2(st->db, "SELECT id FROM events WHERE summary = ?", -1, &q, NULL);
	sqlite3_bind_text(q, 1, summary, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return id;
}

static void local(time_t t, struct tm *tm)
{
	localtime_r(&t, tm);
}

/* Every calendar_edit of the corpus, applied to a single event and to a
 * weekly series: what the request did not name stays as it was. */
START_TEST(test_edits_keep_the_rest)
{
	static const char *const kinds[] = { "calendar_edit", NULL };
	struct tool_ctx ctx = { 0 };
	size_t n;
	char **lines;
	int edits = 0;
	long long ids[2];

	open_all();
	seed();
	ctx.store = st;
	ctx.cfg = cfg;
	ctx.now = now;
	ctx.lang = "en";
	lines = corpus(kinds, &n);
	ck_assert_uint_ge(n, 20);
	ids[0] = event_id("dentist");
	ids[1] = event_id("weekly sync");
	ck_assert(ids[0] > 0 && ids[1] > 0);
	for (size_t i = 0; i < n; i++) {
		struct intent in;

		intent_parse(lines[i], now, NULL, &in);
		for (int series = 0; in.kind == INTENT_TOOL && series < 2; series++) {
			long long id = ids[series];
			cJSON *args = cJSON_Duplicate(in.args, true), *res = NULL;
			const char *scope =
				cJSON_GetStringValue(cJSON_GetObjectItem(args, "scope"));
			struct event a, b;
			struct err e = { 0, "" };
			struct tm ta, tb;

			cJSON_DeleteItemFromObject(args, "id");
			cJSON_AddNumberToObject(args, "id", (double)id);
			if (series && !scope)
				cJSON_AddStringToObject(args, "scope", scope = "all");
			ck_assert_int_eq(event_get(st, id, &a, &e), 0);
			ck_assert_msg(tool_call(&ctx, "calendar_edit", args, &res, &e) == 0,
				      "%s: %s", lines[i], e.msg);
			ck_assert_int_eq(event_get(st, id, &b, &e), 0);
			if (!cJSON_HasObjectItem(args, "summary"))
				ck_assert_str_eq(a.summary, b.summary);
			ck_assert_int_eq(a.all_day, b.all_day);
			if (series && scope && !strcmp(scope, "this")) {
				/* one occurrence: the series itself is as it was */
				ck_assert_int_eq(a.start, b.start);
				ck_assert_str_eq(a.rrule, b.rrule);
				ck_assert(b.noverrides >= 1 && b.noverrides <= a.noverrides + 1);
			} else {
				ck_assert_msg(b.end - b.start == a.end - a.start,
					      "%s: the length changed", lines[i]);
				local(a.start, &ta);
				local(b.start, &tb);
				if (cJSON_HasObjectItem(args, "time"))
					ck_assert_msg(ta.tm_yday == tb.tm_yday,
						      "%s: a time alone moved the day", lines[i]);
				if (cJSON_HasObjectItem(args, "start") &&
				    strlen(cJSON_GetStringValue(
					    cJSON_GetObjectItem(args, "start"))) == 10)
					ck_assert_msg(ta.tm_hour == tb.tm_hour &&
							      ta.tm_min == tb.tm_min,
						      "%s: a date alone moved the time", lines[i]);
				if (series) {
					ck_assert_ptr_nonnull(b.rrule);
					ck_assert_msg(!strncmp(a.rrule, b.rrule, 11),
						      "%s: the frequency changed", lines[i]);
				}
			}
			edits++;
			event_release(&a);
			event_release(&b);
			cJSON_Delete(res);
			cJSON_Delete(args);
		}
		intent_release(&in);
		free(lines[i]);
	}
	free(lines);
	ck_assert_int_ge(edits, 20);
	close_all();
}
END_TEST

Suite *dialogue_suite(void)
{
	Suite *s = suite_create("dialogue");
	TCase *tc = tcase_create("dialogue");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dialogues);
	tcase_add_test(tc, test_refusals_change_nothing);
	tcase_add_test(tc, test_edits_keep_the_rest);
	suite_add_tcase(s, tc);
	return s;
}
