/* The reminder tools: add, list, cancel, snooze. */
#include "tool-impl.h"

const struct tool tool_reminder_add = {
	"reminder_add",
	"Set a reminder: at the given time the user is told the text.",
	"{\"type\":\"object\",\"properties\":{"
	"\"text\":{\"type\":\"string\",\"description\":\"what to remind of\"},"
	"\"at\":{\"type\":\"string\",\"description\":\"when: ISO 8601 with offset"
	" (2026-12-01T17:00:00+01:00) or a phrase like 'tomorrow 17:00' or 'in 2 hours'\"},"
	"\"every\":{\"type\":\"string\",\"description\":\"repeat: an RRULE (FREQ=DAILY) or a"
	" phrase like 'every monday'\"},"
	"\"channels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"where to deliver (default: the configured channels)\"}},"
	"\"required\":[\"text\",\"at\"],\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_reminder_list = {
	"reminder_list",
	"List pending reminders by due time (all: include fired and cancelled ones).",
	"{\"type\":\"object\",\"properties\":{"
	"\"all\":{\"type\":\"boolean\"}},"
	"\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_reminder_cancel = {
	"reminder_cancel",
	"Cancel a reminder by id (reminder_list gives the ids).",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_reminder_snooze = {
	"reminder_snooze",
	"Move a reminder later by a duration from now.",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1},"
	"\"duration\":{\"type\":\"string\",\"description\":\"like '10m', '1h', '1 day'\"}},"
	"\"required\":[\"id\",\"duration\"],\"additionalProperties\":false}",
	NULL,
};
