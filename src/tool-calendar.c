/* The calendar tools: agenda, add, edit, delete, search. */
#include "tool-impl.h"

#define WHEN_DESC                                                                          \
	"ISO 8601 with offset (2026-12-01T17:00:00+01:00), a date (2026-12-01) or a"       \
	" phrase like 'friday 10:00'"

const struct tool tool_calendar_agenda = {
	"calendar_agenda",
	"List calendar events (recurring ones expanded) between from and to.",
	"{\"type\":\"object\",\"properties\":{"
	"\"from\":{\"type\":\"string\",\"description\":\"start of the range (default: the"
	" start of today): " WHEN_DESC "\"},"
	"\"to\":{\"type\":\"string\",\"description\":\"end of the range, exclusive (default:"
	" 7 days after from)\"},"
	"\"calendar\":{\"type\":\"string\",\"description\":\"only this calendar (by name)\"}},"
	"\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_calendar_add = {
	"calendar_add",
	"Add an event to the calendar and return it with its id.",
	"{\"type\":\"object\",\"properties\":{"
	"\"summary\":{\"type\":\"string\",\"description\":\"title of the event\"},"
	"\"start\":{\"type\":\"string\",\"description\":\"when it starts: " WHEN_DESC "\"},"
	"\"end\":{\"type\":\"string\",\"description\":\"when it ends (default: start plus"
	" duration)\"},"
	"\"duration\":{\"type\":\"string\",\"description\":\"length like '1h' or '90m'"
	" (default 1h; ignored with end)\"},"
	"\"all_day\":{\"type\":\"boolean\",\"description\":\"an all-day event on the date of"
	" start\"},"
	"\"location\":{\"type\":\"string\"},"
	"\"notes\":{\"type\":\"string\"},"
	"\"every\":{\"type\":\"string\",\"description\":\"repeat: an RRULE (FREQ=WEEKLY;BYDAY=MO)"
	" or a phrase like 'every monday'\"},"
	"\"calendar\":{\"type\":\"string\",\"description\":\"calendar name (default: the first"
	" one)\"},"
	"\"tz\":{\"type\":\"string\",\"description\":\"IANA zone of the event (default: the"
	" local zone)\"}},"
	"\"required\":[\"summary\",\"start\"],\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_calendar_edit = {
	"calendar_edit",
	"Change an event by id: rename, move (start keeps the duration unless end is given),"
	" change place or notes.",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1},"
	"\"summary\":{\"type\":\"string\"},"
	"\"start\":{\"type\":\"string\",\"description\":\"new start: " WHEN_DESC "\"},"
	"\"end\":{\"type\":\"string\",\"description\":\"new end\"},"
	"\"location\":{\"type\":\"string\"},"
	"\"notes\":{\"type\":\"string\"}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_calendar_delete = {
	"calendar_delete",
	"Delete an event by id, or only its occurrence on one date for a recurring event.",
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"integer\",\"minimum\":1},"
	"\"only_date\":{\"type\":\"string\",\"description\":\"YYYY-MM-DD: remove only the"
	" occurrence on that date\"}},"
	"\"required\":[\"id\"],\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_calendar_search = {
	"calendar_search",
	"Find events whose summary, location or notes contain the text.",
	"{\"type\":\"object\",\"properties\":{"
	"\"text\":{\"type\":\"string\",\"description\":\"words to look for\"}},"
	"\"required\":[\"text\"],\"additionalProperties\":false}",
	NULL,
};
