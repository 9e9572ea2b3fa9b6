/* nestor telegram run|status|link|unlink: the Telegram relay (src/telegram.h). */
#include "cmd.h"
#include "utf8.h"
#include "render.h"
#include "telegram.h"
#include "user.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static atomic_int run_stop;

static void on_stop(int sig)
{
	(void)sig;
	atomic_store(&run_stop, 1);
}

static void on_ready(void *arg, const char *username)
{
	struct ctx *ctx = arg;

	fprintf(ctx->errout, "nestor: telegram: relaying as @%s (Ctrl-C stops)\n", username);
	fflush(ctx->errout);
}

/* Parse a command whose one option is --NAME (with a value when
 * has_arg): *set says whether it was given, *value its value.  SIGINT and
 * SIGTERM then ask the loop to stop; SIGPIPE is ignored. */
static int one_option(struct ctx *ctx, int argc, char **argv, const char *name, int has_arg,
		      bool *set, const char **value)
{
	const struct option opts[] = { { name, has_arg, NULL, 256 }, { NULL, 0, NULL, 0 } };
	struct sigaction sa;
	int c;

	*set = false;
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == '?')
			return -1;
		*set = true;
		if (value)
			*value = optarg;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Redis gone mid-command (hiredis writes with plain write()) fails the
	 * write with EPIPE, then reconnects, rather than end the process; until
	 * now only the Secret Service's GLib set this, as a side effect */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int telegram_run_cmd(struct ctx *ctx, int argc, char **argv)
{
	struct telegram_opts o = { .store = ctx->store,
				   .cfg = ctx->cfg,
				   .stop = &run_stop,
				   .ready = on_ready,
				   .arg = ctx };

	if (one_option(ctx, argc, argv, "delete-webhook", no_argument, &o.delete_webhook, NULL) < 0)
		return -1;
	return telegram_run(&o, &ctx->err);
}

static void on_worker_ready(void *arg, const char *name)
{
	struct ctx *ctx = arg;

	fputs("nestor: worker ", ctx->errout);
	cmd_put_safe(ctx->errout, name);
	fputs(": reading Telegram updates from Redis (Ctrl-C stops)\n", ctx->errout);
	fflush(ctx->errout);
}

int cmd_worker(struct ctx *ctx, int argc, char **argv)
{
	struct telegram_worker_opts o = { .store = ctx->store,
					  .cfg = ctx->cfg,
					  .stop = &run_stop,
					  .ready = on_worker_ready,
					  .arg = ctx };
	bool named;

	if (one_option(ctx, argc, argv, "name", required_argument, &named, &o.name) < 0)
		return -1;
	return telegram_worker(&o, &ctx->err);
}

static char *iso(time_t t, char *buf, size_t len)
{
	return t ? render_time(t, buf, len) : NULL;
}

static void add_time(cJSON *o, const char *name, time_t t)
{
	char buf[64];

	if (t)
		cJSON_AddStringToObject(o, name, iso(t, buf, sizeof(buf)));
	else
		cJSON_AddNullToObject(o, name);
}

static void add_str(cJSON *o, const char *name, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}

static void status_json(struct ctx *ctx, const struct telegram_status *st)
{
	cJSON *o = cJSON_CreateObject(), *chats;

	add_str(o, "bot", st->bot);
	add_str(o, "bot_error", st->bot_error);
	cJSON_AddNumberToObject(o, "offset", (double)st->offset);
	add_time(o, "last_ok", st->last_ok);
	add_str(o, "last_error", st->last_error);
	add_time(o, "last_error_at", st->last_error_at);
	cJSON_AddNumberToObject(o, "outbox", (double)st->outbox);
	chats = cJSON_AddArrayToObject(o, "chats");
	for (size_t i = 0; i < st->nchats; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddNumberToObject(c, "chat", (double)st->chats[i].chat_id);
		add_str(c, "user", st->chats[i].user);
		add_time(c, "last_at", st->chats[i].last_at);
		cJSON_AddItemToArray(chats, c);
	}
	if (st->redis) {
		cJSON *r = cJSON_AddObjectToObject(o, "redis"), *dl;

		add_str(r, "error", st->redis_error);
		add_str(r, "poller", st->poller);
		cJSON_AddStringToObject(r, "stream", st->stream);
		cJSON_AddNumberToObject(r, "waiting", (double)st->waiting);
		cJSON_AddNumberToObject(r, "pending", (double)st->pending);
		cJSON_AddNumberToObject(r, "dead", (double)st->dead);
		dl = cJSON_AddArrayToObject(r, "dead_letters");
		for (size_t i = 0; i < st->ndead; i++) {
			cJSON *d = cJSON_CreateObject();

			cJSON_AddStringToObject(d, "entry", st->dead_letters[i].id);
			cJSON_AddNumberToObject(d, "update", (double)st->dead_letters[i].update_id);
			cJSON_AddNumberToObject(d, "chat", (double)st->dead_letters[i].chat_id);
			cJSON_AddStringToObject(d, "why", st->dead_letters[i].why);
			cJSON_AddItemToArray(dl, d);
		}
	} else {
		cJSON_AddNullToObject(o, "redis");
	}
	cmd_print_json(ctx, o);
}

static int telegram_status_cmd(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct telegram_status st;
	char buf[64];

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (telegram_status(ctx->store, ctx->cfg, true, &st, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		status_json(ctx, &st);
		telegram_status_release(&st);
		return 0;
	}
	if (st.bot) {
		fprintf(ctx->out, "bot: @%s\n", st.bot);
	} else {
		fputs("bot: unknown (", ctx->out);
		cmd_put_text(ctx->out, st.bot_error ? st.bot_error : "?");
		fputs(")\n", ctx->out);
	}
	if (st.last_ok)
		fprintf(ctx->out, "last poll: %s (offset %lld)\n",
			iso(st.last_ok, buf, sizeof(buf)), st.offset);
	else
		fputs("last poll: never\n", ctx->out);
	if (st.last_error) {
		fprintf(ctx->out, "last error: %s: ", iso(st.last_error_at, buf, sizeof(buf)));
		cmd_put_text(ctx->out, st.last_error);
		fputc('\n', ctx->out);
	}
	fprintf(ctx->out, "outbox: %ld waiting\n", st.outbox);
	fprintf(ctx->out, "chats: %zu linked\n", st.nchats);
	for (size_t i = 0; i < st.nchats; i++) {
		fprintf(ctx->out, "  %lld  ", st.chats[i].chat_id);
		cmd_put_safe(ctx->out, st.chats[i].user ? st.chats[i].user : "?");
		if (st.chats[i].last_at)
			fprintf(ctx->out, "  last message %s",
				iso(st.chats[i].last_at, buf, sizeof(buf)));
		fputc('\n', ctx->out);
	}
	if (st.redis && st.redis_error) {
		fputs("redis: ", ctx->out);
		cmd_put_safe(ctx->out, st.redis_error);
		fputc('\n', ctx->out);
	} else if (st.redis) {
		fputs("redis: poller ", ctx->out);
		cmd_put_safe(ctx->out, st.poller ? st.poller : "none");
		fprintf(ctx->out,
			"; this store's stream %s: %lld waiting, %lld with workers; %lld dead "
			"letters\n",
			st.stream, st.waiting, st.pending, st.dead);
		for (size_t i = 0; i < st.ndead; i++) {
			fprintf(ctx->out, "  dead %s  update %lld  chat %lld  ",
				st.dead_letters[i].id, st.dead_letters[i].update_id,
				st.dead_letters[i].chat_id);
			cmd_put_safe(ctx->out, st.dead_letters[i].why);
			fputc('\n', ctx->out);
		}
	}
	telegram_status_release(&st);
	return 0;
}

static int telegram_link(struct ctx *ctx, int argc, char **argv)
{
	enum { OPT_USER = 256, OPT_GROUP };
	static const struct option opts[] = { { "user", required_argument, NULL, OPT_USER },
					      { "group", no_argument, NULL, OPT_GROUP },
					      { NULL, 0, NULL, 0 } };
	const char *name = NULL;
	long long uid = store_user(ctx->store);
	char code[TELEGRAM_CODE_SIZE], buf[64], *who;
	bool group = false;
	time_t expires;
	int c;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == OPT_GROUP)
			group = true;
		else
			name = optarg;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (name && user_find(ctx->store, name, &uid, &ctx->err) < 0)
		return -1;
	if (telegram_link_code(ctx->store, uid, group, ctx->now, code, &expires, &ctx->err) < 0)
		return -1;
	if (telegram_redis_code(ctx->cfg, ctx->store, code, group, &ctx->err) < 0) {
		err_prefix(&ctx->err, "the code is not usable: server.redis must know which "
				      "store made it");
		return -1;
	}
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "code", code);
		cJSON_AddStringToObject(o, "expires", render_time(expires, buf, sizeof(buf)));
		cJSON_AddBoolToObject(o, "group", group);
		cmd_print_json(ctx, o);
		return 0;
	}
	if (!group) {
		fprintf(ctx->out,
			"Send this to the bot in a private chat within 10 minutes (until %s):\n"
			"  /start %s\n",
			render_time(expires, buf, sizeof(buf)), code);
		return 0;
	}
	who = user_name(ctx->store, uid);
	fprintf(ctx->out,
		"Send this in the group within 10 minutes (until %s); every member will "
		"read and change ",
		render_time(expires, buf, sizeof(buf)));
	cmd_put_safe(ctx->out, who ? who : "?");
	fprintf(ctx->out, "'s tasks, calendar and reminders:\n  /start %s\n", code);
	free(who);
	return 0;
}

/* The CHAT of `telegram unlink`: one whole number, negative for a group's
 * chat, read before getopt would take "-5" for an option; "--" before or
 * after it ends the options. */
static int unlink_chat(struct ctx *ctx, int argc, char **argv, long long *chat)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int i = argc > 1 && !strcmp(argv[1], "--") ? 2 : 1;

	if (i < argc && !cmd_parse_whole(argv[i], chat)) {
		if (i == 1 && argv[i][0] == '-' && cmd_getopt(ctx, argc, argv, "", none) == '?')
			return -1;
		return cmd_usage(ctx, "expected a chat id, a whole number (got %s)",
				 utf8_q(argv[i]));
	}
	if (i >= argc)
		return cmd_usage(ctx, "missing CHAT");
	/* "--" may end the options after the chat too, as getopt allows */
	if (i == 1 && i + 1 < argc && !strcmp(argv[i + 1], "--"))
		i++;
	if (i + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[i + 1]));
	if (*chat == 0)
		return cmd_usage(ctx, "no chat has the id 0 (a group's is negative)");
	return 0;
}

static int telegram_unlink(struct ctx *ctx, int argc, char **argv)
{
	long long chat = 0;

	if (unlink_chat(ctx, argc, argv, &chat) < 0 ||
	    telegram_unlink_chat(ctx->store, chat, &ctx->err) < 0)
		return -1;
	telegram_redis_unhome(ctx->cfg, ctx->store, chat);
	cmd_changed_id(ctx, chat, "unlinked chat %lld", chat);
	return 0;
}

const struct cmd cmd_telegram_verbs[] = {
	{ "run", "[--delete-webhook]", "relay the bot in the foreground until Ctrl-C", CMD_NEEDS_DB,
	  telegram_run_cmd, NULL },
	{ "status", "[--json]", "the bot, the last poll, linked chats, what waits", CMD_NEEDS_DB,
	  telegram_status_cmd, NULL },
	{ "link", "[--user NAME] [--group] [--json]",
	  "a one-time code that links a private chat (--group: a group) to a user (/start CODE)",
	  CMD_NEEDS_DB, telegram_link, NULL },
	{ "unlink", "CHAT", "unlink a chat from its user", CMD_NEEDS_DB, telegram_unlink, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
