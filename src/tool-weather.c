/* The weather tool: Open-Meteo's forecast for a place, cached. */
#include "tool-impl.h"

const struct tool tool_weather_forecast = {
	"weather_forecast",
	"Current weather and the daily forecast for a place (default: the configured"
	" location).",
	"{\"type\":\"object\",\"properties\":{"
	"\"place\":{\"type\":\"string\",\"description\":\"a city, optionally with its"
	" country\"},"
	"\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":16,"
	"\"description\":\"how many days of forecast (default 3)\"},"
	"\"date\":{\"type\":\"string\",\"description\":\"YYYY-MM-DD: the forecast starts on"
	" that day (default today)\"}},"
	"\"additionalProperties\":false}",
	NULL,
};
