/* The weather tool: Open-Meteo's forecast for a place, cached. */
#include "place.h"
#include "tool-impl.h"

static int run_weather(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	const char *date = tool_arg_str(args, "date");
	struct weather w;
	int rc;

	rc = place_weather(ctx->store, ctx->cfg, tool_arg_str(args, "place"),
			   (int)tool_arg_int(args, "days", 0), date, ctx->lang, ctx->now,
			   ctx->cancel, &w, e);
	if (rc == 0) {
		*result = weather_to_json(&w, ctx->lang);
		if (date)
			cJSON_AddStringToObject(*result, "date", date);
	}
	weather_release(&w);
	return rc;
}

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
	run_weather,
	true,
	NULL,
};
