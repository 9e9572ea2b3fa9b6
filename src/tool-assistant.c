/* ask_assistant: delegate a question to another assistant, bounded in depth. */
#include "engine.h"
#include "tool-impl.h"

#include <stdlib.h>

static int run_ask(struct tool_ctx *ctx, const cJSON *args, cJSON **result, struct err *e)
{
	const char *name = tool_arg_str(args, "assistant");
	char *reply;
	long long conv;

	if (!ctx->engine)
		return err_set(e, ERR_FAIL, "ask_assistant: no engine to ask through");
	if (engine_ask(ctx->engine, name, tool_arg_str(args, "question"), ctx->depth + 1, ctx->now,
		       &reply, &conv, e) < 0)
		return -1;
	*result = cJSON_CreateObject();
	cJSON_AddStringToObject(*result, "assistant", name);
	cJSON_AddNumberToObject(*result, "conversation", (double)conv);
	cJSON_AddStringToObject(*result, "reply", reply);
	free(reply);
	return 0;
}

const struct tool tool_ask_assistant = {
	"ask_assistant",
	"Ask another assistant (by name) a question and return its answer.",
	"{\"type\":\"object\",\"properties\":{"
	"\"assistant\":{\"type\":\"string\",\"description\":\"the assistant's name\"},"
	"\"question\":{\"type\":\"string\",\"description\":\"what to ask, in full\"}},"
	"\"required\":[\"assistant\",\"question\"],\"additionalProperties\":false}",
	run_ask,
	false,
	NULL,
};
