/* nestor config get|set|list */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <string.h>

static int config_cmd_get(struct ctx *ctx, int argc, char **argv)
{
	const char *v;

	if (argc != 2)
		return cmd_usage(ctx, argc < 2 ? "missing KEY" : "too many arguments");
	if (!config_lookup(argv[1]) && !config_is_set(ctx->cfg, argv[1]))
		return cmd_usage(ctx, "unknown key '%s' (see nestor config list)", argv[1]);
	v = config_get(ctx->cfg, argv[1]);
	if (!v)
		return err_set(&ctx->err, ERR_FAIL, "'%s' is not set", argv[1]);
	fprintf(ctx->out, "%s\n", v);
	return 0;
}

static int config_cmd_set(struct ctx *ctx, int argc, char **argv)
{
	struct err e = { 0, "" };

	/* "--" ends the options there are none of: a VALUE may be "-h" */
	if (argc > 1 && !strcmp(argv[1], "--")) {
		argc--;
		argv++;
	}
	if (argc != 3)
		return cmd_usage(ctx,
				 argc < 3 ? "usage: config set KEY VALUE" : "too many arguments");
	if (config_set(ctx->cfg, argv[1], argv[2], &ctx->err) < 0)
		return -1;
	if (paths_mkdir(ctx->paths.config_dir, &e) < 0 &&
	    !strcmp(ctx->config_path, ctx->paths.config)) {
		ctx->err = e;
		return -1;
	}
	if (config_save(ctx->cfg, &ctx->err) < 0)
		return -1;
	if (ctx->json) /* silent otherwise, as a setter is */
		cmd_changed_name(ctx, argv[1], "%s", argv[1]);
	return 0;
}

static int config_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	cJSON *arr = ctx->json ? cJSON_CreateArray() : NULL;

	(void)argv;
	if (argc > 1)
		return cmd_usage(ctx, "too many arguments");
	for (const struct config_key *k = config_keys; k->key; k++) {
		const char *v = config_get(ctx->cfg, k->key);
		bool set = config_is_set(ctx->cfg, k->key);

		if (arr) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "key", k->key);
			if (v)
				cJSON_AddStringToObject(o, "value", v);
			else
				cJSON_AddNullToObject(o, "value");
			cJSON_AddBoolToObject(o, "set", set);
			cJSON_AddStringToObject(o, "help", k->help);
			cJSON_AddItemToArray(arr, o);
		} else {
			fprintf(ctx->out, "%-24s %-20s %s%s\n", k->key, v ? v : "-",
				set ? "" : "(default) ", k->help);
		}
	}
	if (arr)
		cmd_print_json(ctx, arr);
	return 0;
}

const struct cmd cmd_config_verbs[] = {
	{ "get", "KEY", "print the value of section.name", 0, config_cmd_get, NULL },
	{ "set", "KEY VALUE", "set a key, keeping comments and other keys", CMD_RAW, config_cmd_set,
	  NULL },
	{ "list", "[--json]", "every known key with its value and meaning", 0, config_cmd_list,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
