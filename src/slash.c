/* The slash commands shared by the REPL and the TUI. */
#include "slash.h"

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
