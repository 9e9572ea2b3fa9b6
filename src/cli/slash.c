/* The slash commands shared by the REPL and the TUI. */
#include "slash.h"
#include "cmd.h"
#include "xalloc.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

const struct slash slash_table[] = {
	{ "/agenda", "agenda", "the calendar for the coming days" },
	{ "/tasks", "task list", "open tasks" },
	{ "/reminders", "remind list", "pending reminders" },
	{ "/new", NULL, "start a new conversation" },
	{ "/history", NULL, "past conversations; /history ID shows one, search TEXT finds" },
	{ "/assistant", NULL, "/assistant NAME talks to another assistant" },
	{ "/tools", "tools", "what the assistant can call" },
	{ "/help", NULL, "this help and examples" },
	{ "/quit", NULL, "leave (Ctrl-D works too)" },
	{ NULL, NULL, NULL },
};

const struct slash *slash_find(const char *line, const char **rest)
{
	size_t len = strcspn(line, " \t");

	for (const struct slash *s = slash_table; s->name; s++) {
		if (strlen(s->name) != len || strncmp(s->name, line, len))
			continue;
		line += len;
		while (*line == ' ' || *line == '\t')
			line++;
		if (rest)
			*rest = line;
		return s;
	}
	return NULL;
}

int slash_split(const char *line, int *argc, char ***argv, struct err *e)
{
	GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
	const char *p = line;

	*argc = 0;
	*argv = NULL;
	for (;;) {
		GString *w;
		bool quoted = false; /* what came last was a quoted part */

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		w = g_string_new(NULL);
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			/* A quote opens a quoted part only at the start of a word or
			 * right after another quoted part: don't and it''s each stay
			 * one word (a literal quote opens nothing after it). */
			if ((*p == '"' || *p == '\'') && (w->len == 0 || quoted)) {
				const char *end = strchr(p + 1, *p);

				if (!end) {
					g_string_free(w, TRUE);
					g_ptr_array_free(words, TRUE);
					return err_set(e, ERR_USAGE, "unmatched quote in '%s'",
						       line);
				}
				g_string_append_len(w, p + 1, end - p - 1);
				p = end + 1;
				quoted = true;
				continue;
			}
			quoted = false;
			if (*p == '\\' && p[1]) {
				g_string_append_c(w, p[1]);
				p += 2;
			} else {
				g_string_append_c(w, *p++);
			}
		}
		g_ptr_array_add(words, g_string_free(w, FALSE));
	}
	if (words->len == 0) {
		g_ptr_array_free(words, TRUE);
		return err_set(e, ERR_USAGE, "empty command");
	}
	*argc = (int)words->len;
	g_ptr_array_add(words, NULL);
	*argv = (char **)g_ptr_array_free(words, FALSE);
	return 0;
}

void slash_free(char **argv)
{
	g_strfreev(argv);
}

int slash_dispatch(struct ctx *ctx, int argc, char **argv)
{
	char **words = g_new0(char *, (size_t)argc + 1);
	bool after_dashes = false;
	int n = 0, rc;

	ctx->json = false;
	ctx->json_done = false;
	for (int i = 0; i < argc; i++) {
		if (!after_dashes && !strcmp(argv[i], "--json")) {
			ctx->json = true;
			continue;
		}
		after_dashes = after_dashes || !strcmp(argv[i], "--");
		words[n++] = argv[i];
	}
	if (n == 0) {
		ctx->name[0] = '\0';
		rc = cmd_usage(ctx, "empty command");
	} else {
		rc = cmd_dispatch(ctx, cmd_table, n, words);
	}
	ctx->json = false;
	g_free(words);
	return rc;
}

char *slash_history(const char *rest)
{
	static const char *const verbs[] = { "list", "show", "search", "rm" };
	const char *p = rest;
	size_t n = 0;

	/* the first word other than --json */
	while (*p) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n && (n != 6 || strncmp(p, "--json", 6)))
			break;
		p += n;
		n = 0;
	}
	if (!n)
		return xasprintf("history list%s%s", *rest ? " " : "", rest);
	/* the verbs of cmd_history_verbs (not linked with this file) */
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i]) == n && !strncmp(verbs[i], p, n))
			return xasprintf("history %s", rest);
	return xasprintf("history show %s", rest);
}

const char *slash_command(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--json"))
			return argv[i];
	return NULL;
}

bool slash_refused(const char *name)
{
	static const char *const refused[] = { "tui",	"chat",	  "ask", "daemon",
					       "serve", "worker", NULL };

	for (size_t i = 0; refused[i]; i++)
		if (!strcmp(refused[i], name))
			return true;
	return false;
}

bool slash_refused_verb(const char *name, const char *verb)
{
	if (!strcmp(name, "telegram"))
		return verb && !strcmp(verb, "run");
	if (!strcmp(name, "mcp")) /* nestor's own MCP server, on the front's stdin */
		return !verb || (*verb == '-' && strcmp(verb, "--help") && strcmp(verb, "-h"));
	return slash_refused(name);
}

int slash_refuse(int argc, char **argv, const char *front, struct err *e)
{
	const char *name = slash_command(argc, argv);
	const char *verb = NULL;

	if (!name)
		return 0;
	for (int i = 0; i < argc; i++)
		if (argv[i] == name) {
			for (int j = i + 1; j < argc && !verb; j++)
				if (strcmp(argv[j], "--json"))
					verb = argv[j];
			break;
		}
	if (slash_refused(name))
		return err_set(e, ERR_USAGE, "'/%s' does not run inside the %s", name, front);
	if (slash_refused_verb(name, verb)) {
		bool word = verb && *verb != '-';

		return err_set(e, ERR_USAGE, "'/%s%s%s' does not run inside the %s", name,
			       word ? " " : "", word ? verb : "", front);
	}
	return 0;
}

static const struct cmd *find_cmd(const struct cmd *table, const char *name, size_t len)
{
	for (const struct cmd *k = table; k && k->name; k++)
		if (strlen(k->name) == len && !strncmp(k->name, name, len))
			return k;
	return NULL;
}

/* The options a usage string names: "[--due WHEN|--no-due]" gives --due
 * and --no-due; --json and --help go with every command. */
static void usage_options(GPtrArray *out, const char *usage)
{
	for (const char *p = usage ? usage : ""; (p = strstr(p, "--"));) {
		size_t n = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

		if (n > 2 && (p == usage || strchr(" [|(", p[-1]))) {
			char *o = g_strndup(p, n);

			if (!g_ptr_array_find_with_equal_func(out, o, g_str_equal, NULL))
				g_ptr_array_add(out, o);
			else
				g_free(o);
		}
		p += n;
	}
	for (int k = 0; k < 2; k++) {
		const char *o = k ? "--help" : "--json";

		if (!g_ptr_array_find_with_equal_func(out, o, g_str_equal, NULL))
			g_ptr_array_add(out, g_strdup(o));
	}
}

char **slash_completions(const char *before)
{
	GPtrArray *out = g_ptr_array_new();
	const char *first_end = before + strcspn(before, " \t");
	const struct slash *s;
	const struct cmd *top = NULL, *verb = NULL;
	gchar **words = NULL;
	size_t nwords, at = 0;
	GString *line;

	if (before[0] != '/') {
		g_ptr_array_free(out, TRUE);
		return NULL; /* a sentence: nothing to complete */
	}
	if (!*first_end) {
		for (s = slash_table; s->name; s++)
			g_ptr_array_add(out, g_strdup(s->name));
		for (const struct cmd *k = cmd_table; k->name; k++)
			if (!(k->flags & CMD_HIDDEN) && !slash_refused(k->name) &&
			    strcmp(k->name, "help")) {
				char *name = g_strdup_printf("/%s", k->name);

				if (g_ptr_array_find_with_equal_func(out, name, g_str_equal, NULL))
					g_free(name); /* "/agenda" is a slash command too */
				else
					g_ptr_array_add(out, name);
			}
		g_ptr_array_add(out, NULL);
		return (char **)g_ptr_array_free(out, FALSE);
	}
	/* the command line the slash line stands for: "/tasks --a" is
	 * "task list --a" */
	line = g_string_new(NULL);
	s = slash_find(before, &(const char *){ NULL });
	if (s && s->args)
		g_string_append_printf(line, "%s%s", s->args, first_end);
	else if (!s)
		g_string_append(line, before + 1);
	words = g_strsplit_set(line->str, " \t", -1);
	g_string_free(line, TRUE);
	/* the words before the one being completed, empty ones dropped */
	nwords = g_strv_length(words);
	for (size_t i = 0; i + 1 < nwords; i++) {
		if (!*words[i])
			continue;
		if (at == 0)
			top = find_cmd(cmd_table, words[i], strlen(words[i]));
		else if (at == 1 && top && top->sub)
			verb = find_cmd(top->sub, words[i], strlen(words[i]));
		at++;
	}
	if (top && !slash_refused(top->name)) {
		if (at == 1 && top->sub) {
			for (const struct cmd *v = top->sub; v->name; v++)
				if (!slash_refused_verb(top->name, v->name))
					g_ptr_array_add(out, g_strdup(v->name));
		} else if (verb || (top->exec && at >= 1)) {
			usage_options(out, verb ? verb->usage : top->usage);
		}
	}
	g_strfreev(words);
	if (out->len == 0) {
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}
