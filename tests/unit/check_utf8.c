/* Text from outside made safe: invalid UTF-8 replaced, controls dropped,
 * characters split between pieces held back. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static char *clean(const char *s, size_t n, unsigned flags)
{
	struct sbuf sb = SBUF_INIT;

	utf8_clean(&sb, s, n, flags);
	return sbuf_detach(&sb);
}

START_TEST(test_invalid_sequences)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain Привет €𝄞", "plain Привет €𝄞" },
		{ "a\x80"
		  "b",
		  "a\xef\xbf\xbd"
		  "b" },				    /* stray continuation */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" }, /* overlong '/' */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x82x", "\xef\xbf\xbdx" }, /* one U+FFFD per broken start */
		{ "end \xf0\x9f\x98", "end \xef\xbf\xbd" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = clean(cases[i].in, strlen(cases[i].in), 0);

		ck_assert_msg(!strcmp(got, cases[i].out), "case %zu: [%s]", i, got);
		ck_assert(utf8_valid(got, strlen(got)));
		ck_assert_int_eq(utf8_valid(cases[i].in, strlen(cases[i].in)), i == 0);
		free(got);
	}
}
END_TEST

START_TEST(test_controls)
{
	const char in[] = "a\x1b[2Jb\tc\nd\re\x7f\xc2\x85"
			  "f\xc2\xa0g";
	char *got = clean(in, sizeof(in) - 1, UTF8_PRINTABLE);

	ck_assert_str_eq(got, "a[2Jb\tc\nde"
			      "f\xc2\xa0g");
	free(got);
	got = clean(in, sizeof(in) - 1, 0);
	ck_assert_str_eq(got, in);
	free(got);
	/* one line: a name from a server */
	got = clean(in, sizeof(in) - 1, UTF8_PRINTABLE | UTF8_ONE_LINE);
	ck_assert_str_eq(got, "a[2Jb c d e f\xc2\xa0g");
	free(got);
	/* a lone CR and NEL end a line as LF does; CR LF is one end */
	got = clean("a\rb\r\nc\xc2\x85"
		    "d",
		    9, UTF8_PRINTABLE | UTF8_ONE_LINE);
	ck_assert_str_eq(got, "a b c d");
	free(got);
	got = clean("x\n\ty\xff", 5, UTF8_ONE_LINE);
	ck_assert_str_eq(got, "x  y\xef\xbf\xbd");
	free(got);
	/* the line and paragraph separators end a line too */
	got = clean("a\u2028b\u2029c", 9, UTF8_PRINTABLE | UTF8_ONE_LINE);
	ck_assert_str_eq(got, "a b c");
	free(got);
	got = clean("a\u2028b", 5, UTF8_PRINTABLE);
	ck_assert_str_eq(got, "a\u2028b");
	free(got);
	/* to show: bidirectional overrides, embeddings and isolates go; marks stay */
	got = clean("a\u202eb\u202ac\u2066d\u2069e\u200ff\u061cg", 24,
		    UTF8_PRINTABLE | UTF8_NO_BIDI);
	ck_assert_str_eq(got, "abcde\u200ff\u061cg");
	free(got);
	/* to store: they stay (mixed-direction text needs them) */
	got = clean("a\u202eb\u202ac\u2066d\u2069e\x1b", 18, UTF8_PRINTABLE);
	ck_assert_str_eq(got, "a\u202eb\u202ac\u2066d\u2069e");
	free(got);
	got = clean("a\u202eb", 5, 0);
	ck_assert_str_eq(got, "a\u202eb");
	free(got);
}
END_TEST

START_TEST(test_split_pieces)
{
	const char *s = "ok Жж€𝄞";
	size_t n = strlen(s);

	ck_assert_uint_eq(utf8_partial_tail(s, n), 0);
	ck_assert_uint_eq(utf8_partial_tail(s, n - 1), 3); /* 𝄞 less its last byte */
	ck_assert_uint_eq(utf8_partial_tail(s, n - 3), 1);
	ck_assert_uint_eq(utf8_partial_tail(s, n - 4), 0); /* ends after € */
	ck_assert_uint_eq(utf8_partial_tail(s, 4), 1);	   /* "ok " and half of Ж */
	ck_assert_uint_eq(utf8_partial_tail("\x80\x80", 2), 0);
	ck_assert_uint_eq(utf8_cut(s, 5), 5);
	ck_assert_uint_eq(utf8_cut(s, 6), 5);
}
END_TEST

START_TEST(test_check_field)
{
	struct err e = { 0, "" };

	ck_assert_int_eq(utf8_check_field("title", "Привет\tмир\n", 0, &e), 0);
	/* control characters: C0 but tab and newline, DEL, C1 */
	ck_assert_int_eq(utf8_check_field("title", "Привет \x1b[1m", 0, &e), -1);
	ck_assert_str_eq(e.msg, "title: control character U+001B (byte 14)");
	ck_assert_int_eq(utf8_check_field("notes", "a\r\nb", 0, &e), -1);
	ck_assert_str_eq(e.msg, "notes: control character U+000D (byte 2)");
	ck_assert_int_eq(utf8_check_field("notes", "a\x7f", 0, &e), -1);
	ck_assert_str_eq(e.msg, "notes: control character U+007F (byte 2)");
	ck_assert_int_eq(utf8_check_field("notes", "a\xc2\x9b", 0, &e), -1);
	ck_assert_str_eq(e.msg, "notes: control character U+009B (byte 2)");
	ck_assert_int_eq(utf8_check_bytes("argument 1", "Привет \x1b[1m", 0, &e), 0);
	ck_assert_int_eq(utf8_check_bytes("argument 1", "\x1b\xc0", 0, &e), -1);
	ck_assert_str_eq(e.msg, "argument 1: not valid UTF-8 (byte 2)");
	ck_assert_int_eq(utf8_check_field("title", NULL, 1, &e), 0);
	ck_assert_int_eq(utf8_check_field("title",
					  "ab\xff"
					  "c",
					  0, &e),
			 -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
	ck_assert_str_eq(e.msg, "title: not valid UTF-8 (byte 3)");
	ck_assert_int_eq(utf8_check_field("title", "Жж", 4, &e), 0);
	ck_assert_int_eq(utf8_check_field("title", "Жжж", 4, &e), -1);
	ck_assert_str_eq(e.msg, "title: too long (6 bytes, at most 4)");
	ck_assert(utf8_blank(" \t\r\n"));
	ck_assert(utf8_blank(NULL));
	ck_assert(!utf8_blank(" x "));
}
END_TEST

/* A name for one line (a device's): checked without tab and newline, or
 * cleaned and cut between characters. */
START_TEST(test_names)
{
	struct err e = { 0, "" };
	char *n;

	ck_assert_int_eq(utf8_check_name("server.device", "Ноутбук Анны", 64, &e), 0);
	ck_assert_int_eq(utf8_check_name("server.device", "lap\ttop", 64, &e), -1);
	ck_assert_str_eq(e.msg, "server.device: control character U+0009 (byte 4)");
	ck_assert_int_eq(utf8_check_name("server.device", "Eve\xc2\x85", 64, &e), -1);
	ck_assert_str_eq(e.msg, "server.device: control character U+0085 (byte 4)");
	n = utf8_name("lap\ttop\xc2\x9b"
		      "31m\x1b[2J\xff",
		      64);
	ck_assert_str_eq(n, "lap top31m[2J\xef\xbf\xbd");
	free(n);
	/* 3 bytes and a 2-byte character in 4: the character goes whole */
	n = utf8_name("abc\xc3\xa9", 4);
	ck_assert_str_eq(n, "abc");
	free(n);
}
END_TEST

/* Text from Windows and from files: CR LF kept or made LF, stray controls
 * dropped while invalid UTF-8 stays for the check to refuse. */
START_TEST(test_lines_and_files)
{
	struct err e = { 0, "" };
	char crlf[] = "one\r\ntwo\r\r\n",
	     ctl[] = "Meet \x1b[2J\x1b]2;x\x07here\r\n\x7f\xc2\x9b\xff!";

	ck_assert_int_eq(utf8_check_lines("prompt", "Be brief.\r\nThanks.\r\n", 0, &e), 0);
	ck_assert_int_eq(utf8_check_lines("prompt", "a\rb", 0, &e), -1);
	ck_assert_str_eq(e.msg, "prompt: control character U+000D (byte 2)");
	ck_assert_int_eq(utf8_check_lines("prompt", "a\r", 0, &e), -1);
	ck_assert_int_eq(utf8_check_lines("prompt", "a\x1b\r\n", 0, &e), -1);
	ck_assert_str_eq(e.msg, "prompt: control character U+001B (byte 2)");
	ck_assert_uint_eq(utf8_crlf_to_lf(crlf, strlen(crlf)), 9);
	ck_assert_str_eq(crlf, "one\ntwo\r\n");
	utf8_drop_controls(ctl);
	ck_assert_str_eq(ctl, "Meet [2J]2;xhere\n\xff!");
	utf8_drop_controls(NULL);
}
END_TEST

/* An echoed argument is one line whatever it holds, and reads back as it
 * was; an error message too. */
START_TEST(test_quote)
{
	char q[32];
	struct err e;

	ck_assert_str_eq(utf8_quote(q, sizeof(q), "1\nSorry: x"), "\"1\\nSorry: x\"");
	ck_assert_str_eq(utf8_quote(q, sizeof(q), "a\tb\rc\x1b[2J\x7f"),
			 "\"a\\tb\\rc\\x1b[2J\\x7f\"");
	ck_assert_str_eq(utf8_quote(q, sizeof(q), "\xc2\x85 \\ \" \xff é"),
			 "\"\\u0085 \\\\ \\\" \\xff é\"");
	ck_assert_str_eq(utf8_quote(q, sizeof(q), NULL), "\"\"");
	/* cut between escapes and characters */
	ck_assert_str_eq(utf8_quote(q, sizeof(q), "abcdefghijklmnopqrstuvwxyz\n."),
			 "\"abcdefghijklmnopqrstuvwxyz...\"");
	ck_assert_str_eq(utf8_quote(q, sizeof(q), "éééééééééééééééé"), "\"ééééééééééééé...\"");
	err_set(&e, ERR_USAGE, "bad value %s: %s", "x\ny", "tab\there\\");
	ck_assert_str_eq(e.msg, "bad value x\\ny: tab\\there\\");
}
END_TEST

/* An error message quoting outside data is UTF-8: bytes that are not as
 * U+FFFD, a message too long for its buffer cut between characters. */
START_TEST(test_err_utf8)
{
	char big[1200], q[16];
	struct err e;
	size_t n;

	err_set(&e, ERR_FAIL, "redis: %s", "bad\xff \xe2\x82 end");
	ck_assert_str_eq(e.msg, "redis: bad\xef\xbf\xbd \xef\xbf\xbd end");
	/* 2-byte letters: the buffer's end (byte 512 with its NUL) falls inside one */
	for (n = 0; n + 2 < sizeof(big); n += 2)
		memcpy(big + n, "\xd0\x96", 2);
	big[n] = '\0';
	err_set(&e, ERR_FAIL, "%s", big);
	n = strlen(e.msg);
	ck_assert(utf8_valid(e.msg, n));
	ck_assert_uint_eq(n, sizeof(e.msg) - 2);
	/* a prefix put in front cuts the old message between characters too */
	err_set(&e, ERR_FAIL, "%s", big);
	err_prefix(&e, "calendar \"%s\"", "a");
	ck_assert(utf8_valid(e.msg, strlen(e.msg)));
	err_set(&e, ERR_FAIL, "boom");
	err_prefix(&e, "calendar \"%s\"", "a\xc3");
	ck_assert_str_eq(e.msg, "calendar \"a\xef\xbf\xbd\": boom");
	/* utf8_prec: at most max bytes, whole characters */
	ck_assert_int_eq(utf8_prec("a\xd0\x96\xd0\x96", 4), 3);
	ck_assert_int_eq(utf8_prec("a\xd0\x96", 40), 3);
	memcpy(q, "abc\xe2\x82", 6); /* what snprintf() leaves of "abc€" in 6 bytes */
	utf8_fit(q, 6);
	ck_assert_str_eq(q, "abc");
}
END_TEST

Suite *utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, test_invalid_sequences);
	tcase_add_test(tc, test_controls);
	tcase_add_test(tc, test_split_pieces);
	tcase_add_test(tc, test_check_field);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_lines_and_files);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_err_utf8);
	suite_add_tcase(s, tc);
	return s;
}
