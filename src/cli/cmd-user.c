/* nestor user add|list|show|edit|rm: the people this store holds data for.
 * With a server, `user add` also makes the user's PostgreSQL role. */
#include "cmd.h"
#include "utf8.h"
#include "render.h"
#include "secret.h"
#include "syncer.h"
#include "user.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_NAME = 256, OPT_TZ, OPT_LOCALE, OPT_CHAT, OPT_SETTING, OPT_PWSTDIN };

static const struct option user_opts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "locale", required_argument, NULL, OPT_LOCALE },
	{ "telegram-chat", required_argument, NULL, OPT_CHAT },
	{ "setting", required_argument, NULL, OPT_SETTING },
	{ "password-stdin", no_argument, NULL, OPT_PWSTDIN },
	{ NULL, 0, NULL, 0 },
};

/* The options each verb takes. */
#define ADD_OPTS (CMD_OPT(OPT_TZ) | CMD_OPT(OPT_LOCALE) | CMD_OPT(OPT_PWSTDIN))
#define EDIT_OPTS                                                                                  \
	(CMD_OPT(OPT_NAME) | CMD_OPT(OPT_TZ) | CMD_OPT(OPT_LOCALE) | CMD_OPT(OPT_CHAT) |           \
	 CMD_OPT(OPT_SETTING))

static int set_setting(struct ctx *ctx, struct user *u, const char *kv)
{
	const char *eq = strchr(kv, '=');
	cJSON *o = u->settings ? cJSON_Parse(u->settings) : NULL;
	char *key;

	if (utf8_check_field("setting", kv, 0, &ctx->err) < 0) {
		cJSON_Delete(o);
		return -1;
	}
	if (!eq || eq == kv) {
		cJSON_Delete(o);
		return cmd_usage(ctx, "--setting wants KEY=VALUE (got %s)", utf8_q(kv));
	}
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	key = xstrndup(kv, (size_t)(eq - kv));
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (eq[1])
		cJSON_AddStringToObject(o, key, eq + 1);
	free(key);
	free(u->settings);
	u->settings = cJSON_GetArraySize(o) ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	return 0;
}

/* Apply the options of a verb (allow) to u; *password_stdin for user add. */
static int user_options(struct ctx *ctx, int argc, char **argv, unsigned long long allow,
			struct user *u, bool *password_stdin)
{
	int c;

	while ((c = cmd_getopt_some(ctx, argc, argv, "", user_opts, allow)) != -1) {
		switch (c) {
		case OPT_NAME:
			if (syncer_check_user(optarg, &ctx->err) < 0)
				return -1;
			free(u->name);
			u->name = xstrdup(optarg);
			break;
		case OPT_TZ:
			if (*optarg && user_check_tz(optarg, &ctx->err) < 0)
				return -1;
			free(u->tz);
			u->tz = *optarg ? xstrdup(optarg) : NULL;
			break;
		case OPT_LOCALE:
			if (*optarg && user_check_locale(optarg, &ctx->err) < 0)
				return -1;
			free(u->locale);
			u->locale = *optarg ? xstrdup(optarg) : NULL;
			break;
		case OPT_CHAT: {
			long long id = 0;

			/* a group's chat id is negative */
			if (strcmp(optarg, "none") && (!cmd_parse_whole(optarg, &id) || !id))
				return cmd_usage(ctx,
						 "--telegram-chat wants a chat id or none (got %s)",
						 utf8_q(optarg));
			u->telegram_chat_id = id;
			break;
		}
		case OPT_SETTING:
			if (set_setting(ctx, u, optarg) < 0)
				return -1;
			break;
		case OPT_PWSTDIN: *password_stdin = true; break;
		default: return -1;
		}
	}
	return 0;
}

/* One line of stdin without its newline, newly allocated (a secret). */
static int read_password(struct ctx *ctx, char **pw)
{
	char buf[1024];
	size_t n;

	*pw = NULL;
	if (cmd_stdin_free(ctx) < 0)
		return -1;
	if (!fgets(buf, sizeof(buf), stdin) || !(n = strcspn(buf, "\r\n")))
		return cmd_usage(ctx, "--password-stdin: no password on standard input");
	*pw = xstrndup(buf, n);
	memset(buf, 0, sizeof(buf));
	return 0;
}

static int user_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	const char *uri = config_get(ctx->cfg, "server.postgres");
	struct user u;
	bool pw_stdin = false;
	char *pw = NULL;
	int rc = -1;

	memset(&u, 0, sizeof(u));
	if (user_options(ctx, argc, argv, ADD_OPTS, &u, &pw_stdin) < 0)
		goto out;
	if (optind != argc - 1) {
		cmd_usage(ctx, "usage: nestor user add NAME [--tz ZONE] [--locale en|ru] "
			       "[--password-stdin]");
		goto out;
	}
	if (syncer_check_user(argv[optind], &ctx->err) < 0)
		goto out;
	u.name = xstrdup(argv[optind]);
	if (pw_stdin && read_password(ctx, &pw) < 0)
		goto out;
	if (uri && *uri && syncer_role_add(ctx->cfg, u.name, pw, &ctx->err) < 0)
		goto out;
	if (user_add(ctx->store, &u, &ctx->err) < 0)
		goto out;
	if (ctx->json)
		cmd_print_json(ctx, json_user(&u));
	else
		fprintf(ctx->out, "user %s added%s\n", u.name,
			uri && *uri ? " (and its role on the server)" : "");
	rc = 0;
out:
	secret_free(pw);
	user_release(&u);
	return rc;
}

static void print_user(struct ctx *ctx, const struct user *u, bool full)
{
	fprintf(ctx->out, "%-16s %-20s %s", u->name, u->tz ? u->tz : "-",
		u->locale ? u->locale : "-");
	if (u->telegram_chat_id)
		fprintf(ctx->out, "  telegram %lld", u->telegram_chat_id);
	fputc('\n', ctx->out);
	if (full) {
		fprintf(ctx->out, "settings: ");
		cmd_put_safe(ctx->out, u->settings ? u->settings : "-");
		fprintf(ctx->out, "\nglobal id: %s\n", u->gid ? u->gid : "- (not synced yet)");
	}
}

static int user_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct user *us;
	size_t n;

	if (cmd_getopt(ctx, argc, argv, "", user_opts + 6) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (user_list(ctx->store, &us, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_user(&us[i]));
		cmd_print_json(ctx, arr);
	} else {
		for (size_t i = 0; i < n; i++)
			print_user(ctx, &us[i], false);
	}
	user_list_free(us, n);
	return 0;
}

static int one_name(struct ctx *ctx, int argc, char **argv, struct user *u)
{
	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage(ctx, "which user? (nestor user list)");
	return user_get(ctx->store, argv[1], u, &ctx->err);
}

static int user_cmd_show(struct ctx *ctx, int argc, char **argv)
{
	struct user u = { 0 };
	struct user_data d;

	if (cmd_getopt(ctx, argc, argv, "", user_opts + 6) == '?')
		return -1;
	if (optind != argc - 1)
		return cmd_usage(ctx, "usage: nestor user show NAME");
	argv[1] = argv[optind];
	if (one_name(ctx, 2, argv, &u) < 0)
		return -1;
	if (user_count_data(ctx->store, u.id, &d, &ctx->err) < 0) {
		user_release(&u);
		return -1;
	}
	if (ctx->json) {
		cJSON *o = json_user(&u);

		cJSON_AddNumberToObject(o, "tasks", (double)d.tasks);
		cJSON_AddNumberToObject(o, "jobs", (double)d.jobs);
		cJSON_AddNumberToObject(o, "conversations", (double)d.conversations);
		cmd_print_json(ctx, o);
	} else {
		print_user(ctx, &u, true);
		fprintf(ctx->out, "tasks: %ld, reminders and jobs: %ld, conversations: %ld\n",
			d.tasks, d.jobs, d.conversations);
	}
	user_release(&u);
	return 0;
}

/* user edit's options (argv[2..]) on the user read (user_modify: in its
 * write transaction). */
struct user_edit {
	struct ctx *ctx;
	int argc;
	char **argv;
};

static int apply_edit(void *arg, struct user *u)
{
	struct user_edit *a = arg;

	if (a->argc <= 2)
		return cmd_usage(a->ctx, "nothing to change (see nestor help user edit)");
	a->argv[1] = a->argv[0];
	if (user_options(a->ctx, a->argc - 1, a->argv + 1, EDIT_OPTS, u, NULL) < 0)
		return -1;
	if (optind < a->argc - 1)
		return cmd_usage(a->ctx, "unexpected argument %s", utf8_q(a->argv[optind + 1]));
	return 0;
}

static int user_cmd_edit(struct ctx *ctx, int argc, char **argv)
{
	struct user_edit a = { ctx, argc, argv };
	struct user u;

	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage(ctx, "which user? (nestor user list)");
	if (user_modify(ctx->store, argv[1], apply_edit, &a, &u, &ctx->err) < 0)
		return -1;
	if (ctx->json)
		cmd_print_json(ctx, json_user(&u));
	else
		fprintf(ctx->out, "user %s updated\n", u.name);
	user_release(&u);
	return 0;
}

static int user_cmd_rm(struct ctx *ctx, int argc, char **argv)
{
	const char *uri = config_get(ctx->cfg, "server.postgres");

	if (cmd_getopt(ctx, argc, argv, "", user_opts + 6) == '?')
		return -1;
	if (optind != argc - 1)
		return cmd_usage(ctx, "usage: nestor user rm NAME");
	if (user_rm(ctx->store, argv[optind], &ctx->err) < 0)
		return -1;
	if (uri && *uri && syncer_role_disable(ctx->cfg, argv[optind], &ctx->err) < 0) {
		err_prefix(&ctx->err, "user %s removed here, but its role stays", argv[optind]);
		return -1;
	}
	cmd_changed_name(
		ctx, argv[optind], "user %s removed%s", argv[optind],
		uri && *uri ? " (its role can no longer log in; its rows stay on the server)" : "");
	return 0;
}

const struct cmd cmd_user_verbs[] = {
	{ "add", "NAME [--tz ZONE] [--locale en|ru] [--password-stdin]",
	  "add a user (with a server: its PostgreSQL role, password from stdin)", CMD_NEEDS_DB,
	  user_cmd_add, NULL },
	{ "list", "[--json]", "the users of this store", CMD_NEEDS_DB, user_cmd_list, NULL },
	{ "show", "NAME [--json]", "one user and how much data it has", CMD_NEEDS_DB, user_cmd_show,
	  NULL },
	{ "edit",
	  "NAME [--name NEW] [--tz ZONE] [--locale en|ru] [--telegram-chat ID|none]"
	  " [--setting KEY=VALUE]",
	  "change a user", CMD_NEEDS_DB, user_cmd_edit, NULL },
	{ "rm", "NAME", "remove a user without data (with a server: disable its role)",
	  CMD_NEEDS_DB, user_cmd_rm, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
