/* The slash commands shared by the REPL and the TUI. */
#include "slash.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

const struct slash slash_table[] = {
	{ "/agenda", "agenda", "the calendar for the coming days" },
	{ "/tasks", "task list", "open tasks" },
	{ "/reminders", "remind list", "pending reminders" },
	{ "/new", NULL, "start a new conversation" },
	{ "/history", NULL, "past conversations; /history ID shows one" },
	{ "/assistant", NULL, "/assistant NAME talks to another assistant" },
	{ "/tools", "tools", "what the assistant can call" },
	{ "/help", NULL, "this help and examples" },
	{ "/quit", NULL, "leave (Ctrl-D works too)" },
	{ NULL, NULL, NULL },
};

const struct slash *slash_find(const char *line, const char **rest)
{
	size_t len = strcspn(line, " \t");

	for (const struct slash *s = slash_table; s->name; s++) {
		if (strlen(s->name) != len || strncmp(s->name, line, len))
			continue;
		line += len;
		while (*line == ' ' || *line == '\t')
			line++;
		if (rest)
			*rest = line;
		return s;
	}
	return NULL;
}

int slash_split(const char *line, int *argc, char ***argv, struct err *e)
{
	GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
	const char *p = line;

	*argc = 0;
	*argv = NULL;
	for (;;) {
		GString *w;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		w = g_string_new(NULL);
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			/* A quote opens a quoted part only at the start of a word or
			 * right after another quoted part: "don't" stays one word. */
			if ((*p == '"' || *p == '\'') &&
			    (w->len == 0 || p[-1] == '"' || p[-1] == '\'')) {
				const char *end = strchr(p + 1, *p);

				if (!end) {
					g_string_free(w, TRUE);
					g_ptr_array_free(words, TRUE);
					return err_set(e, ERR_USAGE, "unmatched quote in '%s'",
						       line);
				}
				g_string_append_len(w, p + 1, end - p - 1);
				p = end + 1;
			} else if (*p == '\\' && p[1]) {
				g_string_append_c(w, p[1]);
				p += 2;
			} else {
				g_string_append_c(w, *p++);
			}
		}
		g_ptr_array_add(words, g_string_free(w, FALSE));
	}
	if (words->len == 0) {
		g_ptr_array_free(words, TRUE);
		return err_set(e, ERR_USAGE, "empty command");
	}
	*argc = (int)words->len;
	g_ptr_array_add(words, NULL);
	*argv = (char **)g_ptr_array_free(words, FALSE);
	return 0;
}

void slash_free(char **argv)
{
	g_strfreev(argv);
}
