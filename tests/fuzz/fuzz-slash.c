/* slash_split() (src/cli/slash.h): a command line typed in the REPL or the
 * TUI ("/task add \"buy milk\"").  Only the local fronts reach it (the
 * Telegram relay and the HTTP API live below src/cli and cannot).  Each
 * input is one line; what it is split into is checked against the rules
 * slash.h states, read afresh here (blanks separate words; a quote at the
 * start of a word or right after a quoted part keeps text together up to
 * the same quote; a backslash keeps the next character; any other quote is
 * literal), and each split is joined again (every character escaped, or
 * every word in quotes) and split back to the same words.  A refused line
 * is a usage error naming why, with no words. */
#include "fuzz.h"
#include "cmd.h"
#include "slash.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* slash.c dispatches through the command table; none is run here. */
const struct cmd cmd_table[] = { { 0 } };

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The words of line by the rules above, as one buffer of NUL-terminated
 * words (*n of them); NULL for an unmatched quote. */
static char *reference(const char *line, int *n)
{
	char *out = malloc(strlen(line) * 2 + 2), *o = out;
	const char *p = line;

	if (!out)
		abort();
	*n = 0;
	for (;;) {
		char *start;
		bool quoted = false; /* the last thing read was a quoted part */

		while (blank(*p))
			p++;
		if (!*p)
			break;
		start = o;
		while (*p && !blank(*p)) {
			if ((*p == '"' || *p == '\'') && (o == start || quoted)) {
				const char *end = strchr(p + 1, *p);

				if (!end) {
					free(out);
					return NULL;
				}
				memcpy(o, p + 1, (size_t)(end - p - 1));
				o += end - p - 1;
				p = end + 1;
				quoted = true;
				continue;
			}
			quoted = false;
			if (*p == '\\' && p[1]) {
				*o++ = p[1];
				p += 2;
			} else {
				*o++ = *p++;
			}
		}
		*o++ = '\0';
		(*n)++;
	}
	return out;
}

static void fail(const char *what, const char *line)
{
	fprintf(stderr, "fuzz: slash: %s: [%s]\n", what, line);
	abort();
}

/* argv joined again: each word's characters backslashed (quoting 0), or
 * each word in single quotes (1: words without one) or double quotes (2:
 * words without one); NULL when a word cannot be put so. */
static char *join(int argc, char **argv, int quoting)
{
	size_t len = 1;
	char *s, *o;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 2 + 3;
	s = o = malloc(len);
	if (!s)
		abort();
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (i)
			*o++ = ' ';
		if (quoting == 0) {
			if (!*w) {
				*o++ = '\'';
				*o++ = '\'';
			}
			for (; *w; w++) {
				*o++ = '\\';
				*o++ = *w;
			}
		} else {
			char q = quoting == 1 ? '\'' : '"';

			if (strchr(w, q)) {
				free(s);
				return NULL;
			}
			*o++ = q;
			o = stpcpy(o, w);
			*o++ = q;
		}
	}
	*o = '\0';
	return s;
}

static void same(const char *line, int argc, char **argv, const char *words, int n)
{
	if (argc != n)
		fail("a word count other than the rules'", line);
	for (int i = 0; i < argc; i++, words += strlen(words) + 1)
		if (!argv[i] || strcmp(argv[i], words))
			fail("a word other than the rules'", line);
	if (argv[argc])
		fail("argv not NULL-terminated", line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_text(data, size), **argv = (char **)1, *words;
	struct err e = { 0, "" };
	int argc = -1, n, rc = slash_split(line, &argc, &argv, &e);
	size_t total = 0;

	words = reference(line, &n);
	if (rc < 0) {
		if (rc != -1 || e.code != ERR_USAGE || argv || argc != 0)
			fail("a refusal that is not a usage error", line);
		if (words && n)
			fail("refused, yet the rules split it", line);
		if (strncmp(e.msg, words ? "empty command" : "unmatched quote in ", 13))
			fail("a refusal that does not say why", line);
		free(words);
		free(line);
		return 0;
	}
	if (!words || !n)
		fail("split, yet the rules refuse it", line);
	same(line, argc, argv, words, n);
	for (int i = 0; i < argc; i++)
		total += strlen(argv[i]);
	if (total > strlen(line))
		fail("more text out than in", line);
	for (int quoting = 0; quoting < 3; quoting++) {
		char *again = join(argc, argv, quoting), **argv2;
		int argc2;

		if (!again)
			continue;
		if (slash_split(again, &argc2, &argv2, &e) != 0)
			fail("its words joined again are refused", again);
		same(again, argc2, argv2, words, n);
		slash_free(argv2);
		free(again);
	}
	slash_free(argv);
	free(words);
	free(line);
	return 0;
}
