/*
 * nestor chat: the readline REPL.  A poll() loop over the terminal and a
 * self-pipe for signals feeds readline's callback interface; the loop also
 * runs the scheduler (unless a daemon holds its lock), so a fired reminder
 * is printed above the prompt without breaking the line being typed.
 * Ctrl-C cancels the turn (or clears the line), Ctrl-D quits, and after
 * Ctrl-Z and fg the line is drawn again.  Slash commands run the same
 * command table as the CLI.  Without a terminal it reads lines from stdin,
 * one turn each.
 */
#include "answer.h"
#include "utf8.h"
#include "cmd.h"
#include "syncer.h"
#include "conversation.h"
#include "engine.h"
#include "notify.h"
#include "scheduler.h"
#include "routine.h"
#include "tool.h"
#include "slash.h"
#include "sbuf.h"
#include "wallclock.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HISTORY_MAX    1000
#define RESUME_SHOW    6  /* messages shown when resuming */
#define SCHED_WAKE_MAX 15 /* seconds: reminders added by other processes fire this late at most */

enum { OPT_RESUME = 256, OPT_ASSISTANT };

struct repl {
	struct ctx *ctx;
	struct engine *eng;
	long long conv;
	bool quit;
	bool tty;
	bool mid_line;	     /* the reply being printed has not ended its line */
	bool show_reasoning; /* llm.show_reasoning: print the model's thinking */
	bool thinking;	     /* that thinking is being printed */
	char *history;
	char prompt[80];
	int sched_lock; /* held while this REPL runs the scheduler, else -1 */
	struct sched_opts sched;
	struct notify_opts notify;
	struct syncer *sync; /* global channels, with a server */
};

static struct repl *the_repl; /* for readline's callbacks */
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_sigint;  /* Ctrl-C at the prompt */
static volatile sig_atomic_t got_sigcont; /* fg after Ctrl-Z */
static atomic_int *cancel_flag;
static volatile sig_atomic_t busy;

/* Wake the loop's poll() (from a signal handler). */
static void wake_loop(void)
{
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], "i", 1) < 0) {
		/* full: the loop wakes up anyway */
	}
}

/* Ctrl-C during a turn cancels it; at the prompt the loop clears the line. */
static void on_sigint(int sig)
{
	int saved = errno;

	(void)sig;
	if (busy && cancel_flag)
		atomic_store(cancel_flag, 1);
	else
		got_sigint = 1;
	wake_loop();
	errno = saved;
}

/* Back in the foreground after Ctrl-Z: the loop draws the line again. */
static void on_sigcont(int sig)
{
	int saved = errno;

	(void)sig;
	got_sigcont = 1;
	wake_loop();
	errno = saved;
}

/* The model's thinking ends: back to normal text, on a line of its own. */
static void end_thought(struct repl *r)
{
	if (!r->thinking)
		return;
	if (r->tty)
		fputs("\033[22m", stdout);
	if (r->mid_line)
		fputc('\n', stdout);
	r->thinking = r->mid_line = false;
	fflush(stdout);
}

/* With llm.show_reasoning, the model's thinking before its reply, dimmed
 * on a terminal; never part of the reply. */
static void sink_reasoning(void *arg, const char *delta)
{
	struct repl *r = arg;
	size_t len = strlen(delta);

	if (!r->show_reasoning || !len)
		return;
	if (!r->thinking) {
		if (r->mid_line)
			fputc('\n', stdout);
		if (r->tty)
			fputs("\033[2m", stdout);
		r->thinking = true;
	}
	fputs(delta, r->ctx->out);
	fflush(stdout);
	r->mid_line = delta[len - 1] != '\n';
}

/* An MCP server's tool, untrusted, or a built-in one that deletes, cancels
 * or schedules is called for the first time: ask the
 * user for one line (on a terminal read byte by byte, so readline's input
 * after it stays where it is; from a pipe the next line, as the loop reads). */
static enum engine_approval sink_approve(void *arg, const char *tool, const char *server,
					 const char *what)
{
	char line[64];
	size_t n = 0;
	char ch;

	end_thought(arg);
	if (((struct repl *)arg)->mid_line)
		fputc('\n', stdout);
	((struct repl *)arg)->mid_line = false;
	(void)server;
	fputs("the assistant wants to ", stdout);
	cmd_put_safe(stdout, what);
	printf(" (%s)\nallow it? [o]nce, [a]lways, [n]ever (else: not now) ", tool);
	fflush(stdout);
	if (((struct repl *)arg)->tty) {
		while (read(STDIN_FILENO, &ch, 1) == 1 && ch != '\n')
			if (n + 1 < sizeof(line))
				line[n++] = ch;
		line[n] = '\0';
	} else if (!fgets(line, sizeof(line), stdin)) {
		line[0] = '\0';
	}
	if (!((struct repl *)arg)->tty)
		fputc('\n', stdout);
	switch (line[strspn(line, " ")]) {
	case 'o':
	case 'y': return ENGINE_ONCE;
	case 'a': return ENGINE_ALWAYS;
	case 'n': return ENGINE_NEVER;
	default: return ENGINE_DENY;
	}
}

/* A tool runs: the thinking before it is over.  On a terminal the call is
 * shown, dim, in the form every front uses (tool.h). */
static void sink_tool_call(void *arg, const char *name, const char *args_json)
{
	struct repl *r = arg;
	char *line;

	end_thought(r);
	if (!r->tty)
		return;
	if (r->mid_line)
		fputc('\n', stdout);
	line = tool_call_text(name, args_json);
	fputs("\033[2m  -> ", stdout);
	cmd_put_safe(stdout, line);
	fputs("\033[0m\n", stdout);
	fflush(stdout);
	free(line);
	r->mid_line = false;
}

static void sink_text(void *arg, const char *delta)
{
	struct repl *r = arg;
	size_t len = strlen(delta);

	end_thought(r);
	fputs(delta, r->ctx->out);
	fflush(stdout);
	if (len)
		r->mid_line = delta[len - 1] != '\n';
}

static void sink_done(void *arg, const char *reply)
{
	struct repl *r = arg;

	end_thought(r);
	if (*reply)
		fputc('\n', stdout);
	r->mid_line = false;
	fflush(stdout);
}

/* After a partial reply (a cut stream, Ctrl-C), the message on a line of its own. */
static void sink_error(void *arg, const struct err *e)
{
	struct repl *r = arg;

	end_thought(r);
	if (r->mid_line)
		fputc('\n', stdout);
	r->mid_line = false;
	fflush(stdout);
	fprintf(r->ctx->errout, "nestor: %s\n", e->msg);
}

static void set_prompt(struct repl *r)
{
	snprintf(r->prompt, sizeof(r->prompt), "%s> ", engine_assistant(r->eng));
}

/* Run a line of the command table ("task add \"buy milk\"") as the CLI would. */
static void run_command(struct repl *r, const char *line)
{
	struct err e;
	char **argv;
	int argc;

	if (slash_split(line, &argc, &argv, &e) < 0 || slash_refuse(argc, argv, "REPL", &e) < 0) {
		fprintf(r->ctx->errout, "nestor: %s\n", e.msg);
		slash_free(argv);
		return;
	}
	r->ctx->now = wallclock_now();
	if (slash_dispatch(r->ctx, argc, argv) < 0) {
		char *msg = cmd_error_text(r->ctx);

		fflush(stdout);
		if (msg)
			fprintf(r->ctx->errout, "%s\n", msg);
		free(msg);
	}
	fflush(stdout);
	slash_free(argv);
}

/* text, line by line, wrapped to the terminal's width. */
static void put_wrapped(const struct repl *r, const char *text)
{
	int rows = 0, cols = 0;

	if (r->tty)
		rl_get_screen_size(&rows, &cols);
	cmd_put_wrapped(stdout, text, cols > 1 ? cols - 1 : 0);
}

static void show_help(struct repl *r)
{
	char *help = answer_help("en");
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, "Type a request, or a slash command:\n");
	for (const struct slash *s = slash_table; s->name; s++)
		sbuf_addf(&sb, "  %-11s %s\n", s->name, s->help);
	sbuf_addf(&sb,
		  "  /COMMAND    any nestor command but the servers and fronts, e.g. /task add buy "
		  "milk; Tab"
		  " completes commands and their options\n\n%s\n",
		  help);
	put_wrapped(r, sb.buf);
	sbuf_release(&sb);
	free(help);
}

static void slash_assistant(struct repl *r, const char *name)
{
	struct err e;

	if (!name || !*name) {
		fprintf(r->ctx->out, "talking to %s\n", engine_assistant(r->eng));
		return;
	}
	if (engine_set_assistant(r->eng, name, &e) < 0) {
		fprintf(r->ctx->errout, "nestor: %s\n", e.msg);
		return;
	}
	r->conv = 0;
	set_prompt(r);
	fprintf(r->ctx->out, "talking to %s (new conversation)\n", engine_assistant(r->eng));
}

static void slash(struct repl *r, const char *line)
{
	const char *arg = "";
	const struct slash *s = slash_find(line, &arg);
	char *cmd;

	if (s) {
		if (s->args) {
			cmd = *arg ? xasprintf("%s %s", s->args, arg) : xstrdup(s->args);
			run_command(r, cmd);
			free(cmd);
		} else if (!strcmp(s->name, "/quit")) {
			r->quit = true;
		} else if (!strcmp(s->name, "/new")) {
			r->conv = 0;
			fprintf(r->ctx->out, "new conversation\n");
		} else if (!strcmp(s->name, "/history")) {
			cmd = slash_history(arg);
			run_command(r, cmd);
			free(cmd);
		} else if (!strcmp(s->name, "/assistant")) {
			slash_assistant(r, arg);
		} else {
			show_help(r);
		}
		return;
	}
	if (!strcmp(line, "/exit")) {
		r->quit = true;
		return;
	}
	run_command(r, line + 1);
}

static void handle_line(struct repl *r, char *line)
{
	struct engine_sink sink = {
		.arg = r,
		.text = sink_text,
		.tool_call = sink_tool_call,
		.done = sink_done,
		.error = sink_error,
		.reasoning = sink_reasoning,
		.approve = sink_approve,
	};
	struct err e;
	char *p = line;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return;
	if (r->tty)
		add_history(p);
	if (*p == '/') {
		slash(r, p);
		return;
	}
	r->mid_line = false;
	if (engine_conversation_gone(r->eng, &r->conv))
		fprintf(r->ctx->out, "the conversation was removed; a new one begins\n");
	busy = 1;
	engine_turn(r->eng, &r->conv, p, wallclock_now(), &sink, &e);
	busy = 0;
}

static void on_line(char *line)
{
	struct repl *r = the_repl;

	if (!line) {
		/* Ctrl-D on an empty line: no prompt after it */
		r->quit = true;
		rl_callback_handler_remove();
		putchar('\n');
		return;
	}
	handle_line(r, line);
	free(line);
	if (r->quit)
		rl_callback_handler_remove();
	else
		rl_set_prompt(r->prompt);
}

/* The candidates of this Tab press (slash.h), offered one by one. */
static char **cands;

static char *complete_word(const char *text, int state)
{
	static size_t i, len;

	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (cands && cands[i])
		if (!strncmp(cands[i++], text, len))
			return xstrdup(cands[i - 1]);
	return NULL;
}

/* Tab knows where it is: a slash command's name, then its verbs and
 * options, as the command table says; nothing for a sentence. */
static char **complete(const char *text, int start, int end)
{
	char *before = xstrndup(rl_line_buffer, (size_t)end);
	char **matches;

	(void)start;
	rl_attempted_completion_over = 1; /* no file names */
	cands = slash_completions(before);
	free(before);
	matches = cands ? rl_completion_matches(text, complete_word) : NULL;
	slash_free(cands);
	cands = NULL;
	return matches;
}

/* The conversation to resume: id, or the latest REPL one when id is 0. */
static int resume(struct repl *r, long long id)
{
	struct conversation c;
	struct message *ms;
	size_t n, from;
	char *name;

	if (!id) {
		struct conversation *cs;

		if (conversation_list(r->ctx->store, CONV_REPL, 1, &cs, &n, &r->ctx->err) < 0)
			return -1;
		if (n == 0) {
			fprintf(r->ctx->out, "no conversation to resume; starting a new one\n");
			return 0;
		}
		id = cs[0].id;
		conversation_list_free(cs, n);
	}
	if (conversation_get(r->ctx->store, id, &c, &r->ctx->err) < 0)
		return -1;
	if (c.assistant && engine_set_assistant(r->eng, c.assistant, &r->ctx->err) < 0) {
		conversation_release(&c);
		return -1;
	}
	fprintf(r->ctx->out, "resuming conversation %lld: ", c.id);
	cmd_put_text(r->ctx->out, c.title);
	fputc('\n', r->ctx->out);
	name = xstrdup(c.assistant ? c.assistant : "assistant");
	conversation_release(&c);
	if (conversation_messages(r->ctx->store, id, &ms, &n, &r->ctx->err) < 0) {
		free(name);
		return -1;
	}
	/* the last few things said, not the tool traffic */
	from = n;
	for (size_t shown = 0; from > 0 && shown < RESUME_SHOW; from--)
		if (ms[from - 1].content && strcmp(ms[from - 1].role, "tool"))
			shown++;
	for (size_t i = from; i < n; i++) {
		if (!ms[i].content || !strcmp(ms[i].role, "tool"))
			continue;
		cmd_put_message(r->ctx->out, &ms[i], name);
	}
	message_list_free(ms, n);
	free(name);
	r->conv = id;
	return 0;
}

static int notify_channel(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct repl *r = arg;

	return notify_deliver(&r->notify, f, channel, e);
}

/* A fired reminder, above the prompt: the line being typed is kept. */
static int repl_deliver(void *arg, const struct sched_fire *f, const char *channel, struct err *e)
{
	struct repl *r = arg;
	struct syncer_gate g = { r->sync, r->ctx->cfg, r->sched.lease, notify_channel, r };
	char *line;

	if (strcmp(channel, "stdout"))
		return syncer_gate_deliver(&g, f, channel, e);
	line = sched_fire_line(f);
	rl_clear_visible_line();
	fprintf(r->ctx->out, "%s\n", line);
	fflush(stdout);
	rl_forced_update_display();
	free(line);
	return 0;
}

/* Fire what is due; the milliseconds poll() may sleep. */
static int run_scheduler(struct repl *r)
{
	struct sched_deliver d = { repl_deliver, NULL, r };
	long delay = -1;
	struct err e;

	if (r->sched_lock < 0)
		return -1;
	if (sched_run_due(r->ctx->store, &r->sched, wallclock_now(), &d, &delay, NULL, &e) < 0) {
		rl_clear_visible_line();
		fprintf(r->ctx->errout, "nestor: scheduler: %s\n", e.msg);
		rl_forced_update_display();
	}
	if (delay < 0 || delay > SCHED_WAKE_MAX)
		delay = SCHED_WAKE_MAX;
	return (int)delay * 1000;
}

static void loop_tty(struct repl *r)
{
	struct pollfd fds[2];
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigcont;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCONT, &sa, &old);
	rl_catch_signals = 0;
	rl_attempted_completion_function = complete;
	rl_readline_name = "nestor";
	rl_callback_handler_install(r->prompt, on_line);
	fds[0].fd = STDIN_FILENO;
	fds[0].events = POLLIN;
	fds[1].fd = sig_pipe[0];
	fds[1].events = POLLIN;
	while (!r->quit) {
		int n = poll(fds, 2, run_scheduler(r));

		if (n < 0 && errno != EINTR)
			break;
		if (fds[1].revents & POLLIN) {
			char buf[16];

			while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
				;
		}
		if (got_sigint) {
			got_sigint = 0;
			/* Ctrl-C at the prompt: drop the line, keep going */
			rl_replace_line("", 0);
			rl_crlf();
			rl_on_new_line();
			rl_redisplay();
		}
		if (got_sigcont) {
			got_sigcont = 0;
			/* the shell had the terminal (its modes, its lines): ours
			 * again, the prompt and what was typed drawn anew */
			rl_deprep_terminal();
			rl_prep_terminal(1);
			rl_forced_update_display();
		}
		if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP)))
			rl_callback_read_char();
	}
	rl_callback_handler_remove();
	sigaction(SIGCONT, &old, NULL);
}

static void loop_pipe(struct repl *r)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while (!r->quit && (len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		handle_line(r, line);
	}
	free(line);
}

static int setup_signals(struct sigaction *old)
{
	struct sigaction sa;

	if (pipe(sig_pipe) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGINT, &sa, old);
}

int cmd_chat(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "resume", optional_argument, NULL, OPT_RESUME },
		{ "assistant", required_argument, NULL, OPT_ASSISTANT },
		{ NULL, 0, NULL, 0 },
	};
	struct repl r;
	struct sigaction old;
	const char *assistant = NULL;
	long long resume_id = -1;
	int c, rc = -1;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.sched_lock = -1;
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == OPT_RESUME) {
			resume_id = 0;
			if (optarg && cmd_parse_id(ctx, optarg, &resume_id) < 0)
				return -1;
		} else if (c == OPT_ASSISTANT) {
			assistant = optarg;
		} else {
			return -1;
		}
	}
	/* "--resume 4" as two words */
	if (resume_id == 0 && optind < argc && cmd_parse_id(ctx, argv[optind++], &resume_id) < 0)
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	r.eng = engine_new(ctx->store, ctx->cfg, &ctx->err);
	if (!r.eng)
		goto out;
	engine_set_channel(r.eng, CONV_REPL);
	if (assistant && engine_set_assistant(r.eng, assistant, &ctx->err) < 0)
		goto out;
	if (resume_id >= 0 && resume(&r, resume_id) < 0)
		goto out;
	set_prompt(&r);
	the_repl = &r;
	cancel_flag = engine_cancel_flag(r.eng);
	r.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	r.show_reasoning = config_get_bool(ctx->cfg, "llm.show_reasoning");
	if (setup_signals(&old) < 0) {
		err_set(&ctx->err, ERR_FAIL, "cannot set up signals: %s", strerror(errno));
		goto out;
	}
	/* the lines come on stdin, typed or piped: a command reading it would
	 * eat them */
	ctx->stdin_owner = "chat";
	if (r.tty) {
		/* fire reminders here unless a daemon does */
		r.sched_lock = sched_lock_try(ctx->db_path);
		sched_opts_init(&r.sched, ctx->cfg, notify_telegram_linked(ctx->store));
		routine_sched(&r.sched, ctx->cfg);
		r.notify.command = config_get(ctx->cfg, "notify.command");
		r.notify.timeout = r.sched.lease / 2;
		r.notify.db_path = ctx->db_path;
		if (r.sched_lock >= 0)
			r.sync = syncer_open(ctx->cfg, ctx->store, ctx->user);
		r.history = xasprintf("%s/history", ctx->paths.state_dir);
		if (paths_mkdir(ctx->paths.state_dir, &ctx->err) == 0) {
			stifle_history(HISTORY_MAX);
			read_history(r.history);
		}
		fprintf(ctx->out, "nestor %s — type /help for help, Ctrl-D to leave\n",
			NESTOR_VERSION);
		loop_tty(&r);
		if (write_history(r.history) == 0)
			chmod(r.history, 0600);
		syncer_free(r.sync);
		sched_opts_release(&r.sched);
		if (r.sched_lock >= 0)
			close(r.sched_lock);
	} else {
		loop_pipe(&r);
	}
	ctx->stdin_owner = NULL;
	sigaction(SIGINT, &old, NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	rc = 0;
out:
	the_repl = NULL;
	cancel_flag = NULL;
	free(r.history);
	engine_free(r.eng);
	return rc;
}
