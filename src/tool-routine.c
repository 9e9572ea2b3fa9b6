/* The routine tools: routine_add, routine_list over src/routine.h. */
#include "render.h"
#include "routine.h"
#include "sbuf.h"
#include "tool-impl.h"

#include <stdlib.h>

static int run_routine_add(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct routine_def d = { 0 };
	struct routine r;
	struct when w;
	char *channels = NULL;
	long long id;
	int rc;

	if (tool_arg_when(ctx, args, "at", &w, e) < 0)
		return -1;
	if (tool_arg_list(args, "channels", &channels, e) < 0) {
		err_prefix(e, "routine_add");
		return -1;
	}
	d.request = tool_arg_str(args, "request");
	d.every = tool_arg_str(args, "every");
	d.at = tool_arg_str(args, "at") ? w.at : 0;
	d.has_wall = d.at && w.has_wall;
	d.wall = d.has_wall ? w.wall : 0;
	d.assistant = tool_arg_str(args, "assistant");
	d.channels = channels;
	rc = routine_add(ctx->store, &d, ctx->now, &id, e);
	free(channels);
	if (rc < 0 || routine_get(ctx->store, id, ctx->now, &r, e) < 0)
		return -1;
	*result = tool_result_id(id);
	cJSON_AddItemToObject(*result, "routine", json_routine(&r));
	routine_release(&r);
	return 0;
}

static int run_routine_list(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	struct routine *rs;
	size_t n;
	cJSON *arr;

	if (routine_list(ctx->store, tool_arg_bool(args, "all", false), ctx->now, &rs, &n, e) < 0)
		return -1;
	*result = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(*result, "routines");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, json_routine(&rs[i]));
	routine_list_free(rs, n);
	return 0;
}

/* Nothing stored yet: the question says what the arguments ask for. */
static char *approve_add(struct tool_ctx *ctx, const cJSON *args)
{
	static const char *const parts[][2] = { { "every", " every" },
						{ "at", " at" },
						{ "assistant", " by the assistant" } };
	const char *request = tool_arg_str(args, "request");
	struct sbuf sb = SBUF_INIT;

	(void)ctx;
	sbuf_addf(&sb, "schedule the routine \"%s\"", request ? request : "");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (tool_arg_str(args, parts[i][0]))
			sbuf_addf(&sb, "%s \"%s\"", parts[i][1], tool_arg_str(args, parts[i][0]));
	return sbuf_detach(&sb);
}

const struct tool tool_routine_add = {
	"routine_add",
	"Schedule a routine: a request the assistant answers on its own at the given times"
	" (\"my day\" every weekday at 8:00), the answer sent to the user's channels. Ask"
	" the user to confirm before calling this.",
	"{\"type\":\"object\",\"properties\":{"
	"\"request\":{\"type\":\"string\",\"description\":\"what to ask each time, as the"
	" user would say it\"},"
	"\"every\":{\"type\":\"string\",\"description\":\"repeat: a cron expression"
	" ('0 8 * * 1-5'), an RRULE or a phrase like 'every weekday'; runs at least 5"
	" minutes apart\"},"
	"\"at\":{\"type\":\"string\",\"description\":\"the first run and its time of day:"
	" ISO 8601 with offset or a phrase like 'tomorrow 08:00' (default 09:00)\"},"
	"\"assistant\":{\"type\":\"string\",\"description\":\"the assistant that answers"
	" (default: the default assistant)\"},"
	"\"channels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"where to deliver (default: the configured channels)\"}},"
	"\"required\":[\"request\",\"every\"],\"additionalProperties\":false}",
	run_routine_add,
	false,
	approve_add,
};

const struct tool tool_routine_list = {
	"routine_list",
	"List the scheduled routines by next run (all: include finished ones).",
	"{\"type\":\"object\",\"properties\":{"
	"\"all\":{\"type\":\"boolean\"}},"
	"\"additionalProperties\":false}",
	run_routine_list,
	false,
	NULL,
};
