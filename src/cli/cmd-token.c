/* nestor token add|list|rm: the bearer tokens of `nestor serve`.  A token
 * is printed once, by `token add`; the store keeps only its hash. */
#include "api.h"
#include "utf8.h"
#include "cmd.h"
#include "render.h"
#include "token.h"
#include "user.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_LABEL = 256, OPT_READ_ONLY };

static int token_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction ign = { .sa_handler = SIG_IGN }, pipe_was;
	const char *label = NULL;
	bool ro = false, lost;
	char *token;
	long long id;
	int c;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == OPT_LABEL)
			label = optarg;
		else if (c == OPT_READ_ONLY)
			ro = true;
		else
			return -1;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (api_token_issue(ctx->store, store_user(ctx->store), label, ro, ctx->now, &token, &id,
			    &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "id", (double)id);
		cJSON_AddStringToObject(o, "token", token);
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "%s\n", token);
	}
	free(token);
	/* a token whose secret never reached the user is of no use to them:
	 * revoke it rather than leave it stored (a reader gone, `| true`,
	 * fails the flush with EPIPE rather than ending nestor before) */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &pipe_was);
	lost = cmd_out_flush(ctx->out, &ctx->err) < 0;
	sigaction(SIGPIPE, &pipe_was, NULL);
	if (lost) {
		struct err ignored;

		if (token_rm(ctx->store, id, &ignored) == 0)
			err_prefix(&ctx->err, "token %lld revoked", id);
		else
			err_prefix(&ctx->err,
				   "token %lld is stored, revoke it (nestor token rm %lld)", id,
				   id);
		clearerr(ctx->out);
		if (cmd_tty_raw(ctx->out))
			clearerr(cmd_tty_raw(ctx->out));
		/* the output that failed gets no --json error too: one line */
		ctx->json_done = true;
		return -1;
	}
	if (!ctx->json)
		fprintf(ctx->errout, "token %lld: shown once, only its hash is kept\n", id);
	return 0;
}

static cJSON *json_token(const struct api_token *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "user", t->user ? t->user : "");
	render_add_str(o, "label", t->label);
	cJSON_AddBoolToObject(o, "read_only", t->read_only);
	render_add_time(o, "created", 1, t->created_at);
	render_add_time(o, "last_used", t->last_used != 0, t->last_used);
	return o;
}

static int token_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct api_token *ts;
	size_t n;

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (token_list(ctx->store, &ts, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_token(&ts[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0) {
		fprintf(ctx->out, "no tokens (nestor token add)\n");
	} else {
		fprintf(ctx->out, "%4s  %-12s  %-4s  %-16s  %s\n", "ID", "USER", "MODE",
			"LAST USED", "LABEL");
		for (size_t i = 0; i < n; i++) {
			char used[32] = "never";

			if (ts[i].last_used)
				render_time(ts[i].last_used, used, sizeof(used));
			used[16] = '\0';
			fprintf(ctx->out, "%4lld  %-12s  %-4s  %-16s  ", ts[i].id, ts[i].user,
				ts[i].read_only ? "ro" : "rw", used);
			cmd_put_safe(ctx->out, ts[i].label ? ts[i].label : "-");
			fputc('\n', ctx->out);
		}
	}
	token_list_free(ts, n);
	return 0;
}

static int token_cmd_rm(struct ctx *ctx, int argc, char **argv)
{
	long long id = 0;

	if (cmd_one_id(ctx, argc, argv, &id) < 0 || token_rm(ctx->store, id, &ctx->err) < 0)
		return -1;
	cmd_changed_id(ctx, id, "token %lld removed", id);
	return 0;
}

const struct cmd cmd_token_verbs[] = {
	{ "add", "[--user NAME] [--label L] [--read-only]",
	  "make a bearer token for nestor serve and print it once", CMD_NEEDS_DB, token_cmd_add,
	  NULL },
	{ "list", "[--json]", "the tokens: user, mode, last use (never the secret)", CMD_NEEDS_DB,
	  token_cmd_list, NULL },
	{ "rm", "ID", "revoke a token", CMD_NEEDS_DB, token_cmd_rm, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
