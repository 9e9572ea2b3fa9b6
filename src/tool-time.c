/* The time tools: the time now in a place, and converting a time between places. */
#include "place.h"
#include "render.h"
#include "tool-impl.h"
#include "tz.h"
#include "tzplace.h"

#include <stdio.h>

/* {"place","zone","time"} for instant t in the zone of place (the user's,
 * else the local one, when NULL). */
static int zone_time(struct tool_ctx *ctx, const char *place, time_t t, cJSON **out, struct err *e)
{
	char tz[128], iso[40];

	if (place) {
		if (place_zone(ctx->store, ctx->cfg, place, ctx->now, ctx->cancel, tz, sizeof(tz),
			       e) < 0)
			return -1;
	} else if (ctx->tzid && tz_is_system(ctx->tzid)) {
		snprintf(tz, sizeof(tz), "%s", ctx->tzid);
	} else {
		place_local_zone(tz, sizeof(tz));
	}
	if (tzplace_iso(tz, t, iso, sizeof(iso), e) < 0)
		return -1;
	*out = cJSON_CreateObject();
	render_add_str(*out, "place", place);
	cJSON_AddStringToObject(*out, "zone", tz);
	cJSON_AddStringToObject(*out, "time", iso);
	return 0;
}

static int run_time_now(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	return zone_time(ctx, tool_arg_str(args, "place"), ctx->now, result, e);
}

static int run_time_convert(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	const char *from = tool_arg_str(args, "from"), *to = tool_arg_str(args, "to");
	const char *when = tool_arg_str(args, "time");
	char ftz[128], ttz[128];
	cJSON *a = NULL, *b = NULL;
	time_t t;

	if (place_zone(ctx->store, ctx->cfg, from, ctx->now, ctx->cancel, ftz, sizeof(ftz), e) <
		    0 ||
	    place_zone(ctx->store, ctx->cfg, to, ctx->now, ctx->cancel, ttz, sizeof(ttz), e) < 0 ||
	    tzplace_convert(when, ftz, ttz, ctx->now, &t, e) < 0)
		return -1;
	if (zone_time(ctx, from, t, &a, e) < 0 || zone_time(ctx, to, t, &b, e) < 0) {
		cJSON_Delete(a);
		return -1;
	}
	*result = cJSON_CreateObject();
	cJSON_AddStringToObject(*result, "time", when);
	cJSON_AddItemToObject(*result, "from", a);
	cJSON_AddItemToObject(*result, "to", b);
	return 0;
}

const struct tool tool_time_now = {
	"time_now",
	"The current date and time in a place (a city, a country or an IANA zone like"
	" Asia/Tokyo); the local time without one.",
	"{\"type\":\"object\",\"properties\":{"
	"\"place\":{\"type\":\"string\",\"description\":\"a city or an IANA zone\"}},"
	"\"additionalProperties\":false}",
	run_time_now,
	true,
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
	run_time_convert,
	true,
	NULL,
};
