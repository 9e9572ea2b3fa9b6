/* nestor time [PLACE] and nestor time convert TIME FROM TO: through the
 * same tools the assistant calls. */
#include "cmd.h"
#include "tool.h"
#include "tzplace.h"
#include "when.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };

static int call(struct ctx *ctx, const char *tool, cJSON *args, cJSON **result)
{
	struct tool_ctx tc = { ctx->store, ctx->cfg, ctx->now, "en", 0, NULL, NULL, NULL, NULL };
	int rc = tool_call(&tc, tool, args, result, &ctx->err);

	cJSON_Delete(args);
	return rc;
}

static const char *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* "2026-11-26 00:15 JST (UTC+09:00)  Asia/Tokyo" */
static void print_zone_time(struct ctx *ctx, const cJSON *o)
{
	struct when w;
	struct err e;
	char buf[96] = "";

	if (when_parse(field(o, "time"), ctx->now, &w, &e) == 0)
		tzplace_now(field(o, "zone"), w.at, buf, sizeof(buf), &e);
	fprintf(ctx->out, "%s  %s\n", buf, field(o, "zone"));
}

static int time_now_cmd(struct ctx *ctx, int argc, char **argv)
{
	cJSON *args = cJSON_CreateObject(), *res;
	char *place;

	if (cmd_getopt(ctx, argc, argv, "", no_opts) == '?') {
		cJSON_Delete(args);
		return -1;
	}
	place = cmd_join_args(argc, argv, optind);
	if (place)
		cJSON_AddStringToObject(args, "place", place);
	free(place);
	if (call(ctx, "time_now", args, &res) < 0)
		return -1;
	if (ctx->json)
		cmd_print_json(ctx, res);
	else {
		print_zone_time(ctx, res);
		cJSON_Delete(res);
	}
	return 0;
}

static int time_convert_cmd(struct ctx *ctx, int argc, char **argv)
{
	cJSON *args, *res;
	int n;

	if (cmd_getopt(ctx, argc, argv, "", no_opts) == '?')
		return -1;
	n = argc - optind;
	/* "15:00 Berlin to Tokyo" reads as well as "15:00 Berlin Tokyo" */
	if (n == 4 && (!strcmp(argv[optind + 2], "to") || !strcmp(argv[optind + 2], "in"))) {
		argv[optind + 2] = argv[optind + 3];
		n = 3;
	}
	if (n != 3)
		return cmd_usage(ctx, "expected TIME FROM TO (got %d argument%s)", n,
				 n == 1 ? "" : "s");
	args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, "time", argv[optind]);
	cJSON_AddStringToObject(args, "from", argv[optind + 1]);
	cJSON_AddStringToObject(args, "to", argv[optind + 2]);
	if (call(ctx, "time_convert", args, &res) < 0)
		return -1;
	if (ctx->json) {
		cmd_print_json(ctx, res);
		return 0;
	}
	print_zone_time(ctx, cJSON_GetObjectItemCaseSensitive(res, "from"));
	print_zone_time(ctx, cJSON_GetObjectItemCaseSensitive(res, "to"));
	cJSON_Delete(res);
	return 0;
}

const struct cmd cmd_time_verbs[] = {
	{ "convert", "TIME FROM TO [--json]",
	  "a time of day in one place's zone, in another's (15:00 Berlin Tokyo)", 0,
	  time_convert_cmd, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

/* `nestor time [PLACE]`: the group's own handler. */
int cmd_time(struct ctx *ctx, int argc, char **argv)
{
	return time_now_cmd(ctx, argc, argv);
}
