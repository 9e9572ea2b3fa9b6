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
	GError *gerr = NULL;

	*argc = 0;
	*argv = NULL;
	if (g_shell_parse_argv(line, argc, argv, &gerr))
		return 0;
	if (g_error_matches(gerr, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
		err_set(e, ERR_USAGE, "empty command");
	else if (g_error_matches(gerr, G_SHELL_ERROR, G_SHELL_ERROR_BAD_QUOTING))
		err_set(e, ERR_USAGE, "unmatched quote in '%s'", line);
	else
		err_set(e, ERR_USAGE, "cannot split \"%s\" into words: %s", line,
			gerr ? gerr->message : "unknown error");
	g_clear_error(&gerr);
	*argc = 0;
	*argv = NULL;
	return -1;
}

void slash_free(char **argv)
{
	g_strfreev(argv);
}
