/* Slash-command lines split into words the same way in the REPL and the TUI. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "slash.h"

static const struct {
	const char *line;
	const char *words; /* the words joined by '|', or NULL for an error */
	const char *error;
} rows[] = {
	{ "task list", "task|list", NULL },
	{ "  task   add  buy   milk ", "task|add|buy|milk", NULL },
	{ "task add \"buy milk\" --notes \"two litres\"", "task|add|buy milk|--notes|two litres",
	  NULL },
	{ "task add 'buy milk'", "task|add|buy milk", NULL },
	{ "task add don't forget", "task|add|don't|forget", NULL },
	{ "task add fix #42", "task|add|fix|#42", NULL },
	{ "remind add x --at \"in 3 seconds\"", "remind|add|x|--at|in 3 seconds", NULL },
	{ "task add a\\ b", "task|add|a b", NULL },
	{ "task add \"say \"'hi'", "task|add|say hi", NULL },
	/* a literal quote, or an escaped one, opens nothing after it */
	{ "task add it''s fine", "task|add|it''s|fine", NULL },
	{ "task add a\"'b c'", "task|add|a\"'b|c'", NULL },
	{ "task add 5\\\"'", "task|add|5\"'", NULL },
	{ "task add позвонить \"маме завтра\"", "task|add|позвонить|маме завтра", NULL },
	{ "task add \"unbalanced", NULL, "unmatched quote in 'task add \"unbalanced'" },
	{ "   ", NULL, "empty command" },
};

START_TEST(test_split)
{
	struct err e = { 0, "" };
	char joined[256] = "", **argv;
	int argc;

	if (!rows[_i].words) {
		ck_assert_int_eq(slash_split(rows[_i].line, &argc, &argv, &e), -1);
		ck_assert_int_eq(e.code, ERR_USAGE);
		ck_assert_str_eq(e.msg, rows[_i].error);
		ck_assert_ptr_null(argv);
		return;
	}
	ck_assert_msg(slash_split(rows[_i].line, &argc, &argv, &e) == 0, "%s: %s", rows[_i].line,
		      e.msg);
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(joined, "|");
		strcat(joined, argv[i]);
	}
	ck_assert_ptr_null(argv[argc]);
	ck_assert_str_eq(joined, rows[_i].words);
	slash_free(argv);
}
END_TEST

/* Both fronts refuse the same commands, named as slash_dispatch reads the
 * words, and Tab offers none of them. */
START_TEST(test_refuse)
{
	static const struct {
		const char *line, *msg; /* msg NULL: runs */
	} cases[] = {
		{ "daemon", "'/daemon' does not run inside the REPL" },
		{ "--json daemon --foreground", "'/daemon' does not run inside the REPL" },
		{ "tui", "'/tui' does not run inside the REPL" },
		{ "chat --resume", "'/chat' does not run inside the REPL" },
		{ "ask hello", "'/ask' does not run inside the REPL" },
		{ "serve --listen 127.0.0.1:0", "'/serve' does not run inside the REPL" },
		{ "worker", "'/worker' does not run inside the REPL" },
		{ "telegram run", "'/telegram run' does not run inside the REPL" },
		{ "--json telegram --json run", "'/telegram run' does not run inside the REPL" },
		{ "mcp", "'/mcp' does not run inside the REPL" },
		{ "mcp --assistant a", "'/mcp' does not run inside the REPL" },
		{ "telegram status", NULL },
		{ "mcp list", NULL },
		{ "mcp --help", NULL },
		{ "task add daemon", NULL },
		{ "--json status", NULL },
	};
	char **c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e = { 0, "" };
		char **argv;
		int argc;

		ck_assert_int_eq(slash_split(cases[i].line, &argc, &argv, &e), 0);
		ck_assert_int_eq(slash_refuse(argc, argv, "REPL", &e), cases[i].msg ? -1 : 0);
		if (cases[i].msg)
			ck_assert_str_eq(e.msg, cases[i].msg);
		slash_free(argv);
	}
	c = slash_completions("/");
	ck_assert_ptr_nonnull(c);
	for (char **p = c; *p; p++)
		ck_assert_msg(!slash_refused(*p + 1), "Tab offers %s", *p);
	slash_free(c);
	ck_assert_ptr_null(slash_completions("/daemon --f"));
}
END_TEST

/* What /history REST runs, in the REPL and the TUI alike: a verb of
 * history runs that verb, an ID shows one, nothing lists. */
START_TEST(test_history)
{
	static const char *const cases[][2] = {
		{ "", "history list" },
		{ "--json", "history list --json" },
		{ "3", "history show 3" },
		{ "--json 3", "history show --json 3" },
		{ "search tasks", "history search tasks" },
		{ "--json search milk", "history --json search milk" },
		{ "rm 1", "history rm 1" },
		{ "list", "history list" },
		{ "show 2", "history show 2" },
		{ "searching", "history show searching" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = slash_history(cases[i][0]);

		ck_assert_str_eq(got, cases[i][1]);
		free(got);
	}
}
END_TEST

Suite *slash_suite(void)
{
	Suite *s = suite_create("slash");
	TCase *tc = tcase_create("split");

	tcase_add_loop_test(tc, test_split, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_refuse);
	tcase_add_test(tc, test_history);
	suite_add_tcase(s, tc);
	return s;
}
