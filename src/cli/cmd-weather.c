/* nestor weather [PLACE] [--days N] [--date DATE] */
#include "cmd.h"
#include "utf8.h"
#include "place.h"
#include "render.h"
#include "when.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_DAYS = 256, OPT_DATE };

int cmd_weather(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "date", required_argument, NULL, OPT_DATE },
		{ NULL, 0, NULL, 0 },
	};
	char date[16], *place;
	const char *lang = config_get(ctx->cfg, "general.language");
	bool has_date = false;
	struct weather w;
	struct when wh;
	long long days = 0;
	int c, rc;

	if (!lang || strcmp(lang, "ru"))
		lang = "en";
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == OPT_DAYS) {
			if (cmd_parse_int(ctx, "--days", optarg, 1, WEATHER_MAX_DAYS, &days) < 0)
				return -1;
		} else if (c == OPT_DATE) {
			if (when_parse(optarg, ctx->now, &wh, &ctx->err) < 0) {
				err_prefix(&ctx->err, "--date");
				return -1;
			}
			render_date(wh.at, date, sizeof(date));
			has_date = true;
		} else {
			return -1;
		}
	}
	place = cmd_join_args(argc, argv, optind);
	rc = place_weather(ctx->store, ctx->cfg, place, (int)days, has_date ? date : NULL, lang,
			   ctx->now, NULL, &w, &ctx->err);
	free(place);
	if (rc == 0) {
		if (ctx->json) {
			cmd_print_json(ctx, weather_to_json(&w, lang));
		} else {
			char *text = weather_format(&w, lang);

			fputs(text, ctx->out);
			free(text);
		}
	}
	weather_release(&w);
	/* the command's name already says "weather: " */
	if (rc < 0 && !strncmp(ctx->err.msg, "weather: ", 9))
		memmove(ctx->err.msg, ctx->err.msg + 9, strlen(ctx->err.msg + 9) + 1);
	return rc;
}
