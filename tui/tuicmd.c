/* Turns and slash commands for the TUI, on the worker thread, and the
 * conversation paged in from the database. */
#include "tuicmd.h"
#include "tool.h"
#include "answer.h"
#include "assistant.h"
#include "conversation.h"
#include "engine.h"
#include "log.h"
#include "slash.h"
#include "wrap.h"
#include "sbuf.h"
#include "wallclock.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 100 /* messages paged in at a time */
#define BUSY "still answering: wait, or Esc cancels"

static const char *welcome =
	"Ask in plain words: \"remind me to call mom tomorrow at 5pm\", \"what do I have "
	"on friday?\", \"напомни позвонить маме завтра в 17:00\".  /help lists the "
	"commands, F1 the keys.";

/* One stored message as chat entries, put on top (the loader goes back in time). */
static void prepend_message(struct chat *chat, const struct message *m)
{
	if (!strcmp(m->role, "user")) {
		chat_prepend(chat, CHAT_USER, m->content ? m->content : "");
	} else if (!strcmp(m->role, "assistant")) {
		cJSON *calls = m->tool_calls ? cJSON_Parse(m->tool_calls) : NULL;

		for (int i = cJSON_GetArraySize(calls) - 1; i >= 0; i--) {
			const cJSON *fn =
				cJSON_GetObjectItem(cJSON_GetArrayItem(calls, i), "function");
			const cJSON *name = cJSON_GetObjectItem(fn, "name");
			const cJSON *args = cJSON_GetObjectItem(fn, "arguments");
			char *line =
				tool_call_text(cJSON_IsString(name) ? name->valuestring : "?",
					       cJSON_IsString(args) ? args->valuestring : NULL);

			chat_prepend(chat, CHAT_TOOL, line);
			free(line);
		}
		cJSON_Delete(calls);
		if (m->content && m->content[0])
			chat_prepend(chat, CHAT_ASSISTANT, m->content);
	} else if (!strcmp(m->role, "tool")) {
		char *msg = tool_error_text(NULL, m->content);

		if (msg)
			chat_prepend(chat, CHAT_ERROR, msg);
		free(msg);
	}
}

/* The chat's loader: the page of messages before the oldest shown. */
static int load_older(void *arg, struct chat *chat)
{
	struct tuicmd *c = arg;
	struct err e = { 0, "" };
	struct message *ms;
	size_t n;

	if (!c->conv)
		return 0;
	if (conversation_messages_before(c->ctx->store, c->conv, c->oldest, PAGE, &ms, &n, &e) <
	    0) {
		log_error("tui: history: %s", e.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		prepend_message(chat, &ms[i]);
		c->oldest = ms[i].id;
	}
	message_list_free(ms, n);
	return (int)n;
}

/* The assistant's name and backend for the status line and the chat. */
static void learn_assistant(struct tuicmd *c)
{
	struct assistant a;
	struct err e = { 0, "" };

	snprintf(c->assistant, sizeof(c->assistant), "%s", engine_assistant(c->engine));
	snprintf(c->backend, sizeof(c->backend), "?");
	if (assistant_get_by_name(c->ctx->store, c->assistant, &a, &e) == 0) {
		snprintf(c->backend, sizeof(c->backend), "%s", assistant_backend_name(a.backend));
		assistant_release(&a);
	}
	chat_set_assistant(c->chat, c->assistant);
}

/* Show conversation conv (0: a new one) from its newest message. */
static void show(struct tuicmd *c, long long conv)
{
	c->conv = c->turn_conv = conv;
	c->oldest = 0;
	chat_clear(c->chat);
	if (!conv)
		chat_add(c->chat, CHAT_INFO, welcome);
}

/* The latest conversation of the tui channel, and its assistant. */
static void resume(struct tuicmd *c)
{
	struct conversation *cs;
	struct err e = { 0, "" };
	size_t n;

	if (conversation_list(c->ctx->store, CONV_TUI, 1, &cs, &n, &e) < 0) {
		log_error("tui: conversations: %s", e.msg);
		show(c, 0);
		return;
	}
	if (n && cs[0].assistant)
		engine_set_assistant(c->engine, cs[0].assistant, &e);
	show(c, n ? cs[0].id : 0);
	conversation_list_free(cs, n);
}

int tuicmd_open(struct tuicmd *c, struct ctx *ctx, struct chat *chat, struct worker *w,
		struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->chat = chat;
	c->worker = w;
	c->wstore = store_open(ctx->db_path, e);
	if (!c->wstore)
		return -1;
	/* the worker acts as the TUI's user (--user), as ctx->store does */
	store_set_user(c->wstore, store_user(ctx->store));
	c->engine = engine_new(c->wstore, ctx->cfg, e);
	if (!c->engine)
		return -1;
	engine_set_channel(c->engine, CONV_TUI);
	chat_set_loader(chat, load_older, c);
	resume(c);
	learn_assistant(c);
	return 0;
}

void tuicmd_close(struct tuicmd *c)
{
	engine_free(c->engine);
	store_free(c->wstore);
	memset(c, 0, sizeof(*c));
}

struct turn_job {
	struct tuicmd *c;
	char *text;
};

/* On the worker: one turn; the sink posts each step to the UI. */
static int run_turn(struct worker *w, void *arg)
{
	struct turn_job *j = arg;
	struct err e = { 0, "" };
	int rc;

	/* removed (history rm): this turn starts a new one */
	engine_conversation_gone(j->c->engine, &j->c->turn_conv);
	rc = engine_turn(j->c->engine, &j->c->turn_conv, j->text, wallclock_now(), worker_sink(w),
			 &e);

	free(j->text);
	free(j);
	return rc;
}

int tuicmd_turn(struct tuicmd *c, const char *text, struct err *e)
{
	struct turn_job *j;

	if (worker_busy(c->worker))
		return err_set(e, ERR_USAGE, BUSY);
	j = xcalloc(1, sizeof(*j));
	j->c = c;
	j->text = xstrdup(text);
	c->got_text = c->cancelled = false;
	c->turn = true;
	c->turn_conv = c->conv;
	if (worker_run(c->worker, run_turn, j) < 0) {
		c->turn = false;
		free(j->text);
		free(j);
		return err_set(e, ERR_USAGE, BUSY);
	}
	chat_add(c->chat, CHAT_USER, text);
	return 0;
}

void tuicmd_cancel(struct tuicmd *c)
{
	if (!c->turn)
		return;
	atomic_store(engine_cancel_flag(c->engine), 1);
	c->cancelled = true;
}

struct command_job {
	struct tuicmd *c;
	int argc;
	char **argv;
};

/* On the worker: `nestor ARGV`, what it prints and its error kept for the chat.
 * The process's stdout and stderr stay as they are: they belong to the screen. */
static int run_command(struct worker *w, void *arg)
{
	struct command_job *j = arg;
	struct ctx x = *j->c->ctx;
	char *out = NULL, *warn = NULL, *line;
	size_t outlen = 0, warnlen = 0;
	struct sbuf msg = SBUF_INIT;
	int rc;

	x.store = j->c->wstore;
	x.tty = true; /* the chat pane is read by a person */
	x.now = wallclock_now();
	x.name[0] = '\0';
	x.stdin_owner = "TUI"; /* the UI thread reads the keys */
	err_clear(&x.err);
	x.out = open_memstream(&out, &outlen);
	x.errout = open_memstream(&warn, &warnlen);
	rc = slash_dispatch(&x, j->argc, j->argv);
	fclose(x.out);
	fclose(x.errout);
	if (out && out[0])
		worker_post(w, WORKER_OUTPUT, out, NULL);
	/* warnings first, then the error, as one entry */
	sbuf_adds(&msg, warn ? warn : "");
	if (rc < 0 && (line = cmd_error_text(&x))) {
		sbuf_adds(&msg, line);
		free(line);
	}
	if (msg.len)
		worker_post(w, WORKER_ERROR, msg.buf, NULL);
	sbuf_release(&msg);
	free(out);
	free(warn);
	slash_free(j->argv);
	free(j);
	return rc;
}

/* Start `nestor TEXT` (shell words) on the worker; line is what was typed. */
static int command(struct tuicmd *c, const char *line, const char *text, struct err *e)
{
	struct command_job *j;
	char **argv = NULL;
	int argc;

	if (slash_split(text, &argc, &argv, e) < 0)
		return -1;
	if (slash_refuse(argc, argv, "TUI", e) < 0) {
		slash_free(argv);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->c = c;
	j->argc = argc;
	j->argv = argv;
	if (worker_run(c->worker, run_command, j) < 0) {
		slash_free(argv);
		free(j);
		return err_set(e, ERR_USAGE, BUSY);
	}
	chat_add(c->chat, CHAT_USER, line);
	return 0;
}

static void help(struct tuicmd *c)
{
	struct sbuf sb = SBUF_INIT;
	char *examples = answer_help("en");

	sbuf_adds(&sb, "Type a request, or a slash command:");
	for (const struct slash *s = slash_table; s->name; s++)
		sbuf_addf(&sb, "\n  %-11s %s", s->name, s->help);
	sbuf_addf(&sb,
		  "\n  /COMMAND    any nestor command but the servers and fronts,\n              "
		  "e.g. /task add buy milk\n\n%s",
		  examples);
	chat_add(c->chat, CHAT_INFO, sb.buf);
	sbuf_release(&sb);
	free(examples);
}

static int assistant(struct tuicmd *c, const char *name, struct err *e)
{
	char *msg;

	if (!*name) {
		msg = xasprintf("talking to %s", c->assistant);
		chat_add(c->chat, CHAT_INFO, msg);
		free(msg);
		return 0;
	}
	if (engine_set_assistant(c->engine, name, e) < 0)
		return -1;
	learn_assistant(c);
	show(c, 0);
	msg = xasprintf("talking to %s (new conversation)", c->assistant);
	chat_add(c->chat, CHAT_INFO, msg);
	free(msg);
	return 0;
}

static bool is_quit(const char *line)
{
	return !strcmp(line, "/quit") || !strcmp(line, "/exit") || !strcmp(line, "/q");
}

bool tuicmd_immediate(const char *line)
{
	return is_quit(line) || !strcmp(line, "/help");
}

int tuicmd_slash(struct tuicmd *c, const char *line, struct err *e)
{
	const char *rest = "";
	const struct slash *s = slash_find(line, &rest);
	char *text;
	int rc;

	if (is_quit(line))
		return 1;
	if (s && !strcmp(s->name, "/help")) {
		help(c);
		return 0;
	}
	if (worker_busy(c->worker))
		return err_set(e, ERR_USAGE, BUSY);
	if (s && !strcmp(s->name, "/new")) {
		show(c, 0);
		return 0;
	}
	if (s && !strcmp(s->name, "/assistant"))
		return assistant(c, rest, e);
	if (s && !strcmp(s->name, "/history"))
		text = slash_history(rest);
	else if (s && s->args)
		text = *rest ? xasprintf("%s %s", s->args, rest) : xstrdup(s->args);
	else if (s)
		return err_set(e, ERR_USAGE, "'%s' is not available in the TUI", s->name);
	else
		text = xstrdup(line + 1);
	rc = command(c, line, text, e);
	free(text);
	return rc;
}

bool tuicmd_event(struct tuicmd *c, const struct worker_event *ev)
{
	switch (ev->kind) {
	case WORKER_TEXT:
		chat_stream(c->chat, ev->a);
		c->got_text = true;
		break;
	case WORKER_TOOL_CALL: {
		char *line = tool_call_text(ev->a, ev->b);

		chat_end_stream(c->chat);
		chat_add(c->chat, CHAT_TOOL, line);
		free(line);
		break;
	}
	case WORKER_TOOL_RESULT: {
		char *msg = tool_error_text(ev->a, ev->b);

		if (msg)
			chat_add(c->chat, CHAT_ERROR, msg);
		free(msg);
		break;
	}
	case WORKER_REPLY:
		if (!c->got_text && ev->a && ev->a[0])
			chat_add(c->chat, CHAT_ASSISTANT, ev->a);
		chat_end_stream(c->chat);
		break;
	case WORKER_ERROR: chat_add(c->chat, c->cancelled ? CHAT_INFO : CHAT_ERROR, ev->a); break;
	case WORKER_OUTPUT: chat_add(c->chat, CHAT_INFO, ev->a); break;
	case WORKER_FIRED:
	case WORKER_APPROVE: break; /* popups: the TUI's own */
	case WORKER_FINISHED:
		chat_end_stream(c->chat);
		c->turn = c->got_text = c->cancelled = false;
		c->conv = c->turn_conv;
		return true;
	}
	return false;
}

char **tuicmd_completions(struct tuicmd *c, const char *before)
{
	(void)c;
	return slash_completions(before);
}

void tuicmd_status(struct tuicmd *c, struct status_info *si)
{
	si->assistant = c->assistant;
	si->backend = c->backend;
	si->conversation = c->conv;
}
