/* Turns, slash commands and reminders for the TUI, on the worker thread. */
#include "tuicmd.h"
#include "log.h"
#include "wrap.h"
#include "xalloc.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Commands a slash line must not run: they take over the terminal or never return. */
static const char *const refused[] = { "tui", "chat", "ask", "daemon", NULL };
static const char *const own[] = { "/help", "/new", "/quit", NULL };

static bool is_refused(const char *name)
{
	for (int i = 0; refused[i]; i++)
		if (!strcmp(refused[i], name))
			return true;
	return false;
}

int tuicmd_open(struct tuicmd *c, struct ctx *ctx, struct chat *chat, struct worker *w,
		struct err *e)
{
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->chat = chat;
	c->worker = w;
	for (const struct cmd *k = cmd_table; k->name; k++)
		n++;
	c->names = xcalloc(n + 4, sizeof(char *));
	n = 0;
	for (int i = 0; own[i]; i++)
		c->names[n++] = xstrdup(own[i]);
	for (const struct cmd *k = cmd_table; k->name; k++)
		if (!is_refused(k->name) && strcmp(k->name, "help"))
			c->names[n++] = xasprintf("/%s", k->name);
	c->wstore = store_open(ctx->db_path, e);
	return c->wstore ? 0 : -1;
}

void tuicmd_close(struct tuicmd *c)
{
	for (size_t i = 0; c->names && c->names[i]; i++)
		free(c->names[i]);
	free(c->names);
	store_free(c->wstore);
	memset(c, 0, sizeof(*c));
}

struct command_job {
	struct tuicmd *c;
	char **argv;
};

/* Read back what a command wrote to fd (from the start). */
static char *slurp_fd(int fd)
{
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sbuf_add(&sb, buf, (size_t)n);
	return sbuf_detach(&sb);
}

/* On the worker: `nestor ARGV` with its stdout and stderr captured. */
static int run_command(struct worker *w, void *arg)
{
	struct command_job *j = arg;
	struct ctx x = *j->c->ctx;
	char *out = NULL, *errtext = NULL;
	size_t outlen = 0;
	int errfd, saved, rc;

	x.store = j->c->wstore;
	x.json = false;
	x.now = time(NULL);
	x.name[0] = '\0';
	err_clear(&x.err);
	x.out = open_memstream(&out, &outlen);
	/* the library never prints; the dispatcher's error line goes to stderr */
	errfd = memfd_create("nestor-stderr", MFD_CLOEXEC);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	rc = cmd_dispatch(&x, cmd_table, (int)g_strv_length(j->argv), j->argv);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	fclose(x.out);
	if (errfd >= 0) {
		errtext = slurp_fd(errfd);
		close(errfd);
	}
	if (out && out[0])
		worker_post(w, WORKER_OUTPUT, out, NULL);
	if (errtext && errtext[0])
		worker_post(w, WORKER_ERROR, errtext, NULL);
	free(out);
	free(errtext);
	g_strfreev(j->argv);
	free(j);
	return rc;
}

static bool is_quit(const char *name)
{
	return !strcmp(name, "quit") || !strcmp(name, "exit") || !strcmp(name, "q");
}

bool tuicmd_immediate(const char *line)
{
	char word[8];
	size_t n = strcspn(line + (line[0] == '/'), " ");

	if (line[0] != '/' || n >= sizeof(word))
		return false;
	memcpy(word, line + 1, n);
	word[n] = '\0';
	return is_quit(word) || (!strcmp(word, "help") && !line[1 + n]);
}

int tuicmd_slash(struct tuicmd *c, const char *line, struct err *e)
{
	struct command_job *j;
	GError *gerr = NULL;
	char **argv = NULL;
	int argc;

	if (!g_shell_parse_argv(line + 1, &argc, &argv, &gerr)) {
		err_set(e, ERR_USAGE, "%s", gerr ? gerr->message : "empty command");
		g_clear_error(&gerr);
		return -1;
	}
	if (is_quit(argv[0])) {
		g_strfreev(argv);
		return 1;
	}
	if (!strcmp(argv[0], "help") && argc == 1) {
		g_strfreev(argv);
		return 2;
	}
	if (!strcmp(argv[0], "new")) {
		g_strfreev(argv);
		if (worker_busy(c->worker))
			return err_set(e, ERR_USAGE, "still answering: wait, or Esc cancels");
		c->conv = 0;
		chat_clear(c->chat);
		chat_add(c->chat, CHAT_INFO, "new conversation");
		return 0;
	}
	if (is_refused(argv[0])) {
		err_set(e, ERR_USAGE, "'/%s' does not run inside the TUI", argv[0]);
		g_strfreev(argv);
		return -1;
	}
	if (worker_busy(c->worker)) {
		g_strfreev(argv);
		return err_set(e, ERR_USAGE, "still answering: wait, or Esc cancels");
	}
	chat_add(c->chat, CHAT_USER, line);
	j = xcalloc(1, sizeof(*j));
	j->c = c;
	j->argv = argv;
	if (worker_run(c->worker, run_command, j) < 0) {
		g_strfreev(argv);
		free(j);
		return err_set(e, ERR_USAGE, "still answering: wait, or Esc cancels");
	}
	return 0;
}

bool tuicmd_event(struct tuicmd *c, const struct worker_event *ev)
{
	switch (ev->kind) {
	case WORKER_TEXT:
		chat_stream(c->chat, ev->a);
		c->got_text = true;
		break;
	case WORKER_TOOL_CALL: {
		char *line = chat_tool_line(ev->a, ev->b);

		chat_end_stream(c->chat);
		chat_add(c->chat, CHAT_TOOL, line);
		free(line);
		break;
	}
	case WORKER_TOOL_RESULT: {
		char *msg = chat_tool_error(ev->a, ev->b);

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
	case WORKER_ERROR:
		chat_add(c->chat, CHAT_ERROR, ev->a);
		break;
	case WORKER_OUTPUT:
		chat_add(c->chat, CHAT_INFO, ev->a);
		break;
	case WORKER_FIRED:
		break;
	case WORKER_FINISHED:
		chat_end_stream(c->chat);
		c->got_text = false;
		return true;
	}
	return false;
}

const char **tuicmd_completions(struct tuicmd *c, const char *before)
{
	const char *sp = strchr(before, ' '), **out;
	const struct cmd *group = NULL;
	size_t n = 0;

	if (before[0] != '/')
		return NULL;
	if (!sp) {
		for (n = 0; c->names[n]; n++)
			;
		out = xcalloc(n + 1, sizeof(*out));
		for (size_t i = 0; i < n; i++)
			out[i] = c->names[i];
		return out;
	}
	if (strchr(sp + 1, ' '))
		return NULL;
	for (const struct cmd *k = cmd_table; k->name; k++)
		if (strlen(k->name) == (size_t)(sp - before - 1) &&
		    !strncmp(k->name, before + 1, (size_t)(sp - before - 1)))
			group = k;
	if (!group || !group->sub)
		return NULL;
	for (const struct cmd *v = group->sub; v->name; v++)
		n++;
	out = xcalloc(n + 1, sizeof(*out));
	n = 0;
	for (const struct cmd *v = group->sub; v->name; v++)
		out[n++] = v->name;
	return out;
}

int tuicmd_turn(struct tuicmd *c, const char *text, struct err *e)
{
	(void)c;
	(void)text;
	return err_set(e, ERR_FAIL, "no assistant in this build yet: try /task list");
}

void tuicmd_cancel(struct tuicmd *c)
{
	(void)c;
}

void tuicmd_status(struct tuicmd *c, struct status_info *si)
{
	si->assistant = "nestor";
	si->backend = "offline";
	si->conversation = c->conv;
}
