/*
 * main.c - the nestor command: global options, set-up, and the table of
 * every command.  Each group's verbs live in src/cmd-<group>.c.
 */
#include "cmd.h"
#include "log.h"
#include "sbuf.h"
#include "secret.h"
#include "store.h"
#include "task.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* `nestor version`: no option, no argument. */
static int cmd_version(struct ctx *ctx, int argc, char **argv)
{
	if (cmd_no_args(ctx, argc, argv) < 0)
		return -1;
	fprintf(ctx->out, "nestor %s\n", NESTOR_VERSION);
	return 0;
}

const struct cmd cmd_table[] = {
	{ "task", NULL, "manage tasks (add, list, done, edit, rm)", 0, NULL, cmd_task_verbs },
	{ "ask", "TEXT... [--assistant NAME] [--conversation ID] [--yes] [--json]",
	  "ask the assistant once (the text may come on stdin; --yes: approve tool calls)",
	  CMD_NEEDS_DB, cmd_ask, NULL },
	{ "chat", "[--resume [ID]] [--assistant NAME]",
	  "talk with the assistant (readline, slash commands)", CMD_NEEDS_DB, cmd_chat, NULL },
	{ "history", NULL, "past conversations (list, show, search, rm)", 0, NULL,
	  cmd_history_verbs },
	{ "tools", "[--json]", "list the assistant's tools and their argument schemas", 0,
	  cmd_tools, NULL },
	{ "time", "[PLACE|TZID] [--json]", "the time now here or in a place; time convert",
	  CMD_NEEDS_DB, cmd_time, cmd_time_verbs },
	{ "weather", "[PLACE] [--days N] [--date WHEN] [--json]",
	  "current weather and forecast (Open-Meteo, cached)", CMD_NEEDS_DB, cmd_weather, NULL },
	{ "event", NULL, "manage calendar events (add, show, edit, rm, search)", CMD_CALENDAR, NULL,
	  cmd_event_verbs },
	{ "agenda", "[--from WHEN] [--to WHEN] [--calendar NAME] [--json]",
	  "events of today and the 6 days after (or a window), by day", CMD_NEEDS_DB | CMD_CALENDAR,
	  cmd_agenda, NULL },
	{ "import", "FILE.ics|- [--calendar NAME] [--json]",
	  "import events and tasks from an iCalendar file", CMD_NEEDS_DB | CMD_CALENDAR, cmd_import,
	  NULL },
	{ "export", "[--from WHEN] [--to WHEN] [--calendar NAME] [-o|--output FILE]",
	  "export events and tasks as iCalendar", CMD_NEEDS_DB | CMD_CALENDAR, cmd_export, NULL },
	{ "remind", NULL, "reminders (add, list, cancel, snooze, done, fire)", 0, NULL,
	  cmd_remind_verbs },
	{ "routine", NULL, "the assistant on a schedule (add, list, show, edit, rm, run)", 0, NULL,
	  cmd_routine_verbs },
	{ "jobs", "[--all] [--json]", "scheduled jobs, and their past runs (history)", CMD_NEEDS_DB,
	  cmd_jobs, cmd_jobs_verbs },
	{ "daemon", "[--foreground]", "run the scheduler in the background", CMD_NEEDS_DB,
	  cmd_daemon, NULL },
	{ "status", "[--json]",
	  "whether everything is healthy (exit 0) or needs attention (exit 1)", CMD_NEEDS_DB,
	  cmd_status, NULL },
	{ "serve", "[--listen ADDR:PORT] [--tls-cert F --tls-key F] [--insecure] [--rate-limit N]",
	  "the HTTP API for other programs (bearer tokens)", CMD_NEEDS_DB, cmd_serve, NULL },
	{ "token", NULL, "bearer tokens of nestor serve (add, list, rm)", 0, NULL,
	  cmd_token_verbs },
	{ "config", NULL, "read and change the configuration file", 0, NULL, cmd_config_verbs },
	{ "user", NULL, "the people this store holds data for (add, list, show, edit, rm)", 0, NULL,
	  cmd_user_verbs },
	{ "server", NULL, "the PostgreSQL server of several devices and users (init)", 0, NULL,
	  cmd_server_verbs },
	{ "sync", "[--json]", "one push and pull round with the server; sync status, conflicts",
	  CMD_NEEDS_DB, cmd_sync, cmd_sync_verbs },
	{ "telegram", NULL, "the Telegram bot: relay, status, link and unlink chats", 0, NULL,
	  cmd_telegram_verbs },
	{ "worker", "[--name NAME]",
	  "handle the Telegram updates of this store's chats from Redis (server.redis) until "
	  "Ctrl-C",
	  CMD_NEEDS_DB, cmd_worker, NULL },
	{ "google", NULL, "Google Calendar: sign in, sync both ways (login, logout, sync)",
	  CMD_CALENDAR, NULL, cmd_google_verbs },
	{ "calendar", NULL, "calendars, local and Google (list, add, sync)", CMD_CALENDAR, NULL,
	  cmd_calendar_verbs },
	{ "assistant", NULL, "the assistants that answer: LLM servers or offline (add, list, ...)",
	  0, NULL, cmd_assistant_verbs },
	{ "secret", NULL, "store API keys in the Secret Service (set, rm, list)", 0, NULL,
	  cmd_secret_verbs },
	{ "mcp", "[--assistant NAME]",
	  "nestor's tools over MCP on stdio; MCP servers for the assistants (add, list, rm)",
	  CMD_NEEDS_DB, cmd_mcp, cmd_mcp_verbs },
	{ "tui", NULL, "the full-screen chat, agenda and reminders (the default on a terminal)",
	  CMD_NEEDS_DB, tui_main, NULL },
	{ "completion", "bash|zsh|fish", "print the shell completion script", 0, cmd_completion,
	  NULL },
	{ "__complete", "KIND", "ids and names for the completion scripts", CMD_HIDDEN,
	  cmd_complete, NULL },
	{ "help", "[COMMAND [VERB]]", "show help for nestor or a command", 0, cmd_help, NULL },
	{ "version", NULL, "print the version", 0, cmd_version, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

/* Where messages go: stderr, cleaned when it is a terminal. */
static FILE *errout;

static void warn_line(const char *line)
{
	fprintf(errout, "nestor: warning: %s\n", line);
	log_warn("%s", line);
}

/* Set *slot to the value of global option name, refused when it has one
 * already (it takes one value) or when it is empty or not text. */
static int global_value(struct ctx *ctx, const char **slot, bool *given, const char *name,
			const char *value)
{
	if (*given)
		return cmd_usage(ctx, "option '%s' given twice: it takes one value", name);
	if (!*value) /* "$UNSET": not the default */
		return cmd_usage(ctx, "option '%s' needs a value, not an empty one", name);
	if (utf8_check_bytes(name, value, 0, &ctx->err) < 0)
		return -1;
	*given = true;
	*slot = value;
	return 0;
}

/* Pull the global options out of argv wherever they stand (before "--"). */
static int global_options(struct ctx *ctx, int *argc, char **argv)
{
	bool db = false, config = false, user = false;
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		char *a = argv[i];
		int rc = 0;

		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--json")) {
			ctx->json = true;
		} else if ((!strcmp(a, "--db") || !strcmp(a, "--config") || !strcmp(a, "--user")) &&
			   (out == 1 || a[2] == 'u')) {
			if (i + 1 >= *argc)
				return cmd_usage(ctx, "option '%s' needs a value", a);
			i++;
			if (a[2] == 'd')
				rc = global_value(ctx, &ctx->db_path, &db, "--db", argv[i]);
			else if (a[2] == 'c')
				rc = global_value(ctx, &ctx->config_path, &config, "--config",
						  argv[i]);
			else
				rc = global_value(ctx, &ctx->user, &user, "--user", argv[i]);
		} else if (!strncmp(a, "--db=", 5) && out == 1) {
			rc = global_value(ctx, &ctx->db_path, &db, "--db", a + 5);
		} else if (!strncmp(a, "--user=", 7)) {
			rc = global_value(ctx, &ctx->user, &user, "--user", a + 7);
		} else if (!strncmp(a, "--config=", 9) && out == 1) {
			rc = global_value(ctx, &ctx->config_path, &config, "--config", a + 9);
		} else if ((!strcmp(a, "--version") || !strcmp(a, "-V")) && out == 1) {
			argv[out++] = "version";
		} else if ((!strcmp(a, "--help") || !strcmp(a, "-h")) && out == 1) {
			argv[out++] = "help";
		} else {
			argv[out++] = a;
		}
		if (rc < 0) {
			/* the error is JSON too when --json comes after it */
			while (++i < *argc && strcmp(argv[i], "--"))
				ctx->json |= !strcmp(argv[i], "--json");
			return -1;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

static const struct cmd *table_find(const struct cmd *table, const char *name)
{
	for (const struct cmd *c = table; c && c->name && name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* Every argument is text: one that is not is named by its place after the
 * command and verb ("task add: argument 1: not valid UTF-8 (byte 2)"). */
static int args_utf8(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd *c = argc > 1 ? table_find(cmd_table, argv[1]) : NULL;
	const struct cmd *v = c && argc > 2 ? table_find(c->sub, argv[2]) : NULL;
	int words = c ? (v ? 3 : 2) : 1;

	for (int i = 1; i < argc; i++) {
		char what[32];

		if (i < words || (!c && i == 1))
			snprintf(what, sizeof(what), "command");
		else
			snprintf(what, sizeof(what), "argument %d", i - words + 1);
		if (utf8_check_bytes(what, argv[i], 0, &ctx->err) < 0) {
			if (c)
				snprintf(ctx->name, sizeof(ctx->name), "%s%s%s", c->name,
					 v ? " " : "", v ? v->name : "");
			return -1;
		}
	}
	return 0;
}

/* --config names a file that is not there: refused (a mistyped path would
 * run with the defaults unseen), but for `config set`, which writes it.
 * The default file may be missing: that is no configuration. */
static int config_named(struct ctx *ctx, int argc, char **argv)
{
	if (ctx->config_path == ctx->paths.config ||
	    (argc >= 3 && !strcmp(argv[1], "config") && !strcmp(argv[2], "set")))
		return 0;
	if (access(ctx->config_path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR))
		return 0; /* there, or not readable: config_load() says so */
	return cmd_usage(ctx,
			 "--config %s: no such file (`nestor --config PATH config set KEY VALUE` "
			 "creates it)",
			 utf8_q(ctx->config_path));
}

static int setup(struct ctx *ctx)
{
	const char *env = getenv("NESTOR_LOG");
	int level = log_level_parse(env && *env ? env : "info");

	/* Open the log first, so a broken config file is logged too. */
	if (level != LOG_OFF && level >= 0 && paths_mkdir(ctx->paths.state_dir, &ctx->err) == 0)
		log_open(ctx->paths.log, (enum log_level)level);
	ctx->cfg = config_load(ctx->config_path, warn_line, &ctx->err);
	if (!ctx->cfg) {
		log_msg(LOG_ERROR, "config", "%s", ctx->err.msg);
		snprintf(ctx->name, sizeof(ctx->name), "config");
		ctx->err.code = ERR_FAIL; /* a file to fix, not a command to retype */
		return -1;
	}
	config_apply_time(ctx->cfg);
	if (!(env && *env)) {
		level = log_level_parse(config_get(ctx->cfg, "general.log_level"));
		log_set_level(level < 0 ? LOG_INFO : (enum log_level)level);
	}
	return 0;
}

/* The CLI's one place for an error: the line on stderr, the JSON object on
 * stdout under --json; the exit status. */
static int report(struct ctx *ctx)
{
	char *line = cmd_error_text(ctx);

	if (line)
		fprintf(ctx->errout, "%s\n", line);
	free(line);
	if (ctx->json && !ctx->json_done && ctx->err.msg[0]) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "error", ctx->err.msg);
		cJSON_AddNumberToObject(o, "code", err_exit_status(&ctx->err));
		cmd_print_json(ctx, o);
	}
	return err_exit_status(&ctx->err);
}

/* Output that did not go out is a failure (`nestor export >/dev/full`), said
 * once on stderr; but a reader that went away (EPIPE, when SIGPIPE is
 * ignored) needs no line. */
static int out_check(struct ctx *ctx, int rc)
{
	struct err e;

	if (cmd_out_flush(ctx->out, &e) == 0)
		return rc;
	if (errno != EPIPE)
		fprintf(errout, "nestor: %s\n", e.msg);
	return rc ? rc : 1;
}

static int run(struct ctx *ctx, int argc, char **argv)
{
	int rc = cmd_dispatch(ctx, cmd_table, argc, argv);

	return rc < 0 ? report(ctx) : rc;
}

/* Whether standard input holds more than blank space.  The blank space
 * before the text is read into ctx->stdin_head, the rest stays on stdin:
 * `nestor ask` reads both, the bytes as sent (an error names a byte where
 * it is).  Blank space up to the limit of `nestor ask` and then the end is
 * no question; past the limit it is one, which `nestor ask` refuses as too
 * long, as it would any other bytes. */
static bool stdin_has_text(struct ctx *ctx)
{
	struct sbuf head = SBUF_INIT;
	bool text = false;
	int ch = EOF;

	for (long n = 0; n <= CMD_STDIN_MAX && (ch = getchar()) != EOF; n++) {
		if (!isspace(ch)) {
			text = ungetc(ch, stdin) != EOF;
			break;
		}
		sbuf_add(&head, &(char){ (char)ch }, 1);
	}
	if (!text)
		text = ch != EOF; /* over the limit: ask says so */
	ctx->stdin_head_len = head.len;
	ctx->stdin_head = sbuf_detach(&head);
	return text;
}

/* `nestor` with no command: the TUI on a terminal; with text on stdin,
 * `nestor ask` reading it; else (stdout not a terminal, or nothing but
 * blank space on stdin: `nestor </dev/null`) the help and the open tasks. */
static int overview(struct ctx *ctx)
{
	char *argv[] = { "task", "list", NULL };
	char *tui[] = { "tui", NULL };
	char *ask[] = { "ask", NULL };

	if (!isatty(STDIN_FILENO)) {
		bool text = stdin_has_text(ctx);
		int rc = text ? run(ctx, 1, ask) : 0;

		free(ctx->stdin_head);
		ctx->stdin_head = NULL;
		ctx->stdin_head_len = 0;
		if (text)
			return rc;
	} else if (isatty(STDOUT_FILENO)) {
		return run(ctx, 1, tui);
	}
	cmd_help_all(ctx->out);
	fprintf(ctx->out, "\nopen tasks:\n");
	return run(ctx, 2, argv);
}

int main(int argc, char **argv)
{
	struct ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	/* a file size limit (ulimit -f) fails the write (EFBIG), which is said
	 * and cleaned up after, rather than killing nestor mid-write */
	signal(SIGXFSZ, SIG_IGN);
	/* NESTOR_SECRET_* variables are in memory from the start (secret.h) */
	if (secret_in_env())
		secret_guard();
	/* text from files, servers and models reaches the terminal cleaned */
	ctx.out = cmd_tty_safe(stdout);
	ctx.errout = errout = cmd_tty_safe(stderr);
	store_set_warn(warn_line);
	ctx.tty = isatty(STDOUT_FILENO);
	paths_init(&ctx.paths);
	ctx.db_path = ctx.paths.db;
	ctx.config_path = ctx.paths.config;
	/* errors before the command are the command's: one line, and the
	 * JSON object under --json (report()) */
	if (global_options(&ctx, &argc, argv) < 0 || args_utf8(&ctx, argc, argv) < 0) {
		rc = report(&ctx);
		goto out;
	}
	/* The version needs no log, clock or config (nor a readable config). */
	if (argc == 2 && !strcmp(argv[1], "version")) {
		rc = cmd_version(&ctx, 1, argv + 1);
		goto out;
	}
	if (config_named(&ctx, argc, argv) < 0 || wallclock_init(&ctx.err) < 0) {
		rc = report(&ctx);
		goto out;
	}
	ctx.now = wallclock_now();
	if (setup(&ctx) < 0) {
		rc = report(&ctx);
	} else if (argc < 2) {
		rc = overview(&ctx);
	} else {
		rc = run(&ctx, argc - 1, argv + 1);
	}
	store_free(ctx.store);
	config_free(ctx.cfg);
	log_close();
out:
	paths_release(&ctx.paths);
	rc = out_check(&ctx, rc);
	if (ctx.out != stdout)
		fclose(ctx.out);
	if (errout != stderr)
		fclose(errout);
	return rc;
}
