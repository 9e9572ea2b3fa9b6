/* The time tools: the time now in a place, and converting a time between places. */
#include "tool-impl.h"

const struct tool tool_time_now = {
	"time_now",
	"The current date and time in a place (a city, a country or an IANA zone like"
	" Asia/Tokyo); the local time without one.",
	"{\"type\":\"object\",\"properties\":{"
	"\"place\":{\"type\":\"string\",\"description\":\"a city or an IANA zone\"}},"
	"\"additionalProperties\":false}",
	NULL,
};

const struct tool tool_time_convert = {
	"time_convert",
	"Convert a time of day (or a date and time) from one place's zone to another's.",
	"{\"type\":\"object\",\"properties\":{"
	"\"time\":{\"type\":\"string\",\"description\":\"like '15:00', '3pm' or"
	" '2026-12-01 15:00', in the zone of from\"},"
	"\"from\":{\"type\":\"string\",\"description\":\"a city or an IANA zone\"},"
	"\"to\":{\"type\":\"string\",\"description\":\"a city or an IANA zone\"}},"
	"\"required\":[\"time\",\"from\",\"to\"],\"additionalProperties\":false}",
	NULL,
};
