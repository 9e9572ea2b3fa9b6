/* nestor status: is everything all right?  Exit 0 healthy, 1 not. */
#include "cmd.h"
#include "utf8.h"
#include "health.h"

#include <getopt.h>
#include <stdlib.h>

int cmd_status(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct health h;
	int rc;

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (health_collect(ctx->store, ctx->cfg, ctx->db_path, ctx->paths.log, ctx->now, &h,
			   &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cmd_print_json(ctx, health_json(&h));
	} else {
		char *text = health_text(&h, ctx->now);

		fputs(text, ctx->out);
		free(text);
	}
	rc = h.healthy ? 0 : 1;
	health_release(&h);
	return rc;
}
