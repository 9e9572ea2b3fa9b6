/* nestor assistant add|list|show|edit|rm|default|models|test */
#include "assistant.h"
#include "cmd.h"
#include "mcpserver.h"
#include "conversation.h"
#include "llm-probe.h"
#include "render.h"
#include "secret.h"
#include "tool.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_BACKEND = 256,
	OPT_BASE_URL,
	OPT_MODEL,
	OPT_KEY_SECRET,
	OPT_NO_KEY,
	OPT_PROMPT,
	OPT_PROMPT_FILE,
	OPT_TOOLS,
	OPT_ALL_TOOLS,
	OPT_TEMPERATURE,
	OPT_NO_TEMPERATURE,
	OPT_BUDGET,
	OPT_DEFAULT,
	OPT_NAME,
	OPT_MAX_TOKENS,
	OPT_NO_MAX_TOKENS,
};

static const struct option assistant_opts[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "key-secret", required_argument, NULL, OPT_KEY_SECRET },
	{ "no-key", no_argument, NULL, OPT_NO_KEY },
	{ "prompt", required_argument, NULL, OPT_PROMPT },
	{ "prompt-file", required_argument, NULL, OPT_PROMPT_FILE },
	{ "tools", required_argument, NULL, OPT_TOOLS },
	{ "all-tools", no_argument, NULL, OPT_ALL_TOOLS },
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE },
	{ "no-temperature", no_argument, NULL, OPT_NO_TEMPERATURE },
	{ "token-budget", required_argument, NULL, OPT_BUDGET },
	{ "default", no_argument, NULL, OPT_DEFAULT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "no-max-tokens", no_argument, NULL, OPT_NO_MAX_TOKENS },
	{ NULL, 0, NULL, 0 },
};

/* The options each verb takes: edit all, add those that set a value. */
#define EDIT_OPTS (~0ULL)
#define ADD_OPTS                                                                                   \
	(EDIT_OPTS & ~(CMD_OPT(OPT_NAME) | CMD_OPT(OPT_NO_KEY) | CMD_OPT(OPT_ALL_TOOLS) |          \
		       CMD_OPT(OPT_NO_TEMPERATURE) | CMD_OPT(OPT_NO_MAX_TOKENS)))
/* Options that undo or replace each other. */
static const int assistant_pairs[][2] = {
	{ OPT_KEY_SECRET, OPT_NO_KEY },	       { OPT_PROMPT, OPT_PROMPT_FILE },
	{ OPT_TOOLS, OPT_ALL_TOOLS },	       { OPT_TEMPERATURE, OPT_NO_TEMPERATURE },
	{ OPT_MAX_TOKENS, OPT_NO_MAX_TOKENS }, { 0, 0 },
};

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v && *v ? xstrdup(v) : NULL;
}

/* "mcp:NAME" or "mcp:NAME:TOOL" naming a server that exists. */
static bool known_mcp(struct ctx *ctx, const char *entry)
{
	char *name = xstrndup(entry + 4, strcspn(entry + 4, ":"));
	struct mcp_server m;
	struct err e = { 0, "" };
	bool ok = ctx->store && mcp_server_get(ctx->store, name, &m, &e) == 0;

	if (ok)
		mcp_server_release(&m);
	free(name);
	return ok;
}

/* "task_add, task_list" -> "task_add,task_list"; each a tool name, or an
 * MCP server's tools (mcp:NAME, mcp:NAME:TOOL). */
static int parse_tools(struct ctx *ctx, const char *list, char **out)
{
	struct sbuf sb = SBUF_INIT;
	const char *p = list;

	while (*p) {
		size_t len;

		while (*p == ' ' || *p == ',')
			p++;
		len = strcspn(p, ", ");
		if (!len)
			break;
		{
			char *name = xstrndup(p, len);
			bool mcp = !strncmp(name, "mcp:", 4);
			bool known = mcp ? known_mcp(ctx, name) : tool_find(name) != NULL;

			free(name);
			if (!known && mcp) {
				sbuf_release(&sb);
				return cmd_usage(ctx,
						 "no MCP server \"%.*s\" (see nestor mcp list)",
						 (int)len - 4, p + 4);
			}
			if (!known) {
				sbuf_release(&sb);
				return cmd_usage(
					ctx, "unknown tool \"%.*s\" in --tools (see nestor tools)",
					(int)len, p);
			}
		}
		if (sb.len)
			sbuf_add(&sb, ",", 1);
		sbuf_add(&sb, p, len);
		p += len;
	}
	if (!sb.len)
		return cmd_usage(ctx, "--tools needs at least one tool name (or use --all-tools)");
	free(*out);
	*out = sbuf_detach(&sb);
	return 0;
}

/* The prompt in path ("-": stdin): text of at most ASSISTANT_PROMPT_MAX
 * bytes, UTF-8, without a NUL (which would cut it short); read no further
 * than one byte past the limit. */
static int read_prompt_file(struct ctx *ctx, const char *path, char **out)
{
	FILE *f;
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	const char *nul;
	size_t n;
	int rc;

	if (!strcmp(path, "-") && cmd_stdin_free(ctx) < 0)
		return -1;
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f)
		return err_set(&ctx->err, ERR_FAIL, "unable to read '%s': %s", path,
			       strerror(errno));
	while (sb.len <= ASSISTANT_PROMPT_MAX && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	if (f != stdin)
		fclose(f);
	nul = sb.len ? memchr(sb.buf, '\0', sb.len) : NULL;
	/* CR LF line ends (a file from Windows) as LF */
	if (sb.buf && !nul)
		sb.len = utf8_crlf_to_lf(sb.buf, sb.len);
	if (sb.len > ASSISTANT_PROMPT_MAX)
		rc = err_set(&ctx->err, ERR_USAGE, "%s: too long (a prompt is at most %d bytes)",
			     path, ASSISTANT_PROMPT_MAX);
	else if (nul)
		rc = err_set(&ctx->err, ERR_USAGE, "%s: a NUL byte at byte %zu (a prompt is text)",
			     path, (size_t)(nul - sb.buf) + 1);
	else
		rc = utf8_check_field(path, sb.buf, 0, &ctx->err);
	if (rc < 0) {
		sbuf_release(&sb);
		return -1;
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	free(*out);
	*out = sb.len ? sbuf_detach(&sb) : NULL;
	sbuf_release(&sb);
	return 0;
}

/* Exactly one positional NAME after the options. */
static int the_name(struct ctx *ctx, int argc, char **argv, const char **name)
{
	if (optind >= argc)
		return cmd_usage(ctx, "missing NAME");
	if (optind + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + 1]));
	*name = argv[optind];
	return 0;
}

/* Apply the options of a verb (allow) to a and take its NAME into *name;
 * *make_default and *new_name report those two, *given (may be NULL) the
 * CMD_OPT of each option given.  A --prompt-file is read last, once the
 * words are known to be right: "-" must not wait on stdin only to find
 * NAME missing. */
static int assistant_options(struct ctx *ctx, int argc, char **argv, unsigned long long allow,
			     struct assistant *a, const char **name, bool *make_default,
			     const char **new_name, bool *backend_set, unsigned long long *given)
{
	unsigned long long seen = 0;
	const char *prompt_file = NULL;
	double v;
	long long n;
	int c;

	while ((c = cmd_getopt_some(ctx, argc, argv, "", assistant_opts, allow)) != -1) {
		if (c >= CMD_OPT_BASE)
			seen |= CMD_OPT(c);
		switch (c) {
		case OPT_BACKEND:
			if (assistant_backend_parse(optarg, &a->backend) < 0)
				return cmd_usage(ctx, "--backend must be offline or llm (got %s)",
						 utf8_q(optarg));
			*backend_set = true;
			break;
		case OPT_BASE_URL: set_str(&a->base_url, optarg); break;
		case OPT_MODEL: set_str(&a->model, optarg); break;
		case OPT_KEY_SECRET:
			if (secret_check_name(optarg, &ctx->err) < 0)
				return -1;
			set_str(&a->key_secret, optarg);
			break;
		case OPT_NO_KEY: set_str(&a->key_secret, NULL); break;
		case OPT_PROMPT: set_str(&a->system_prompt, optarg); break;
		case OPT_PROMPT_FILE: prompt_file = optarg; break;
		case OPT_TOOLS:
			if (parse_tools(ctx, optarg, &a->tools) < 0)
				return -1;
			break;
		case OPT_ALL_TOOLS: set_str(&a->tools, NULL); break;
		case OPT_TEMPERATURE:
			if (cmd_parse_decimal(ctx, "--temperature", optarg, 0, 2, &v) < 0)
				return -1;
			a->has_temperature = true;
			a->temperature = v;
			break;
		case OPT_NO_TEMPERATURE: a->has_temperature = false; break;
		case OPT_BUDGET:
			/* the range here too: add takes 0 for no value given */
			if (cmd_parse_int(ctx, "--token-budget", optarg, 256, 1000000, &n) < 0)
				return -1;
			a->token_budget = (int)n;
			break;
		case OPT_MAX_TOKENS:
			if (cmd_parse_int(ctx, "--max-tokens", optarg, 1, 1000000, &n) < 0)
				return -1;
			a->max_tokens = (int)n;
			break;
		case OPT_NO_MAX_TOKENS: a->max_tokens = 0; break;
		case OPT_DEFAULT: *make_default = true; break;
		case OPT_NAME: *new_name = optarg; break;
		default: return -1;
		}
	}
	if (given)
		*given = seen;
	if (cmd_exclusive(ctx, assistant_opts, seen, assistant_pairs) < 0 ||
	    the_name(ctx, argc, argv, name) < 0)
		return -1;
	return prompt_file ? read_prompt_file(ctx, prompt_file, &a->system_prompt) : 0;
}

/* No options, just NAME. */
static int only_name(struct ctx *ctx, int argc, char **argv, const char **name)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	return the_name(ctx, argc, argv, name);
}

static int assistant_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	struct assistant a;
	bool make_default = false, backend_set = false;
	const char *name = NULL;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	if (assistant_options(ctx, argc, argv, ADD_OPTS, &a, &name, &make_default, NULL,
			      &backend_set, NULL) < 0)
		goto out;
	a.name = xstrdup(name);
	/* A base URL says which backend is meant. */
	if (!backend_set)
		a.backend = a.base_url ? ASSISTANT_LLM : ASSISTANT_OFFLINE;
	a.is_default = make_default; /* in the same transaction */
	if (assistant_add(ctx->store, &a, ctx->now, &ctx->err) < 0)
		goto out;
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "id", (double)a.id);
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "assistant '%s' added%s\n", a.name,
			make_default ? " (default)" : "");
	}
	rc = 0;
out:
	assistant_release(&a);
	return rc;
}

static int assistant_cmd_list(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct assistant *list;
	size_t n;

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (assistant_list(ctx->store, &list, &n, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, json_assistant(&list[i]));
		cmd_print_json(ctx, arr);
	} else {
		fprintf(ctx->out, "  %-16s %-8s %-20s %s\n", "NAME", "BACKEND", "MODEL",
			"BASE URL");
		for (size_t i = 0; i < n; i++)
			fprintf(ctx->out, "%c %-16s %-8s %-20s %s\n",
				list[i].is_default ? '*' : ' ', list[i].name,
				assistant_backend_name(list[i].backend),
				list[i].model ? list[i].model : "-",
				list[i].base_url ? list[i].base_url : "-");
	}
	assistant_list_free(list, n);
	return 0;
}

/* "1234 prompt + 56 completion tokens" */
static void print_tokens(FILE *f, const struct token_usage *u)
{
	fprintf(f, "%lld prompt + %lld completion tokens", u->prompt, u->completion);
}

static int assistant_cmd_show(struct ctx *ctx, int argc, char **argv)
{
	struct assistant a;
	struct token_usage u;
	const char *name = NULL;

	if (only_name(ctx, argc, argv, &name) < 0 ||
	    assistant_get_by_name(ctx->store, name, &a, &ctx->err) < 0)
		return -1;
	if (conversation_usage_of_assistant(ctx->store, a.id, &u, &ctx->err) < 0) {
		assistant_release(&a);
		return -1;
	}
	if (ctx->json) {
		cJSON *o = json_assistant(&a), *uo;

		if (u.answers) {
			uo = json_usage(u.prompt, u.completion);
			cJSON_AddNumberToObject(uo, "answers", (double)u.answers);
			cJSON_AddNumberToObject(uo, "conversations", (double)u.conversations);
			cJSON_AddItemToObject(o, "usage", uo);
		} else {
			cJSON_AddNullToObject(o, "usage");
		}
		cmd_print_json(ctx, o);
	} else {
		fprintf(ctx->out, "name:         %s%s\n", a.name, a.is_default ? " (default)" : "");
		fprintf(ctx->out, "backend:      %s\n", assistant_backend_name(a.backend));
		fprintf(ctx->out, "base url:     %s\n", a.base_url ? a.base_url : "-");
		fprintf(ctx->out, "model:        %s\n", a.model ? a.model : "-");
		fprintf(ctx->out, "key secret:   %s\n", a.key_secret ? a.key_secret : "- (no key)");
		if (a.has_temperature)
			fprintf(ctx->out, "temperature:  %g\n", a.temperature);
		else
			fprintf(ctx->out, "temperature:  - (the server's default)\n");
		fprintf(ctx->out, "tools:        %s\n", a.tools ? a.tools : "all");
		fprintf(ctx->out, "token budget: %d\n", a.token_budget);
		if (a.max_tokens > 0)
			fprintf(ctx->out, "max tokens:   %d\n", a.max_tokens);
		else
			fprintf(ctx->out, "max tokens:   - (the server's default)\n");
		fprintf(ctx->out, "prompt:       %s\n", a.system_prompt ? a.system_prompt : "-");
		fprintf(ctx->out, "tokens used:  ");
		if (u.answers) {
			print_tokens(ctx->out, &u);
			fprintf(ctx->out, " (%ld answer%s in %ld conversation%s)\n", u.answers,
				u.answers == 1 ? "" : "s", u.conversations,
				u.conversations == 1 ? "" : "s");
		} else {
			fprintf(ctx->out, "- (none reported)\n");
		}
	}
	assistant_release(&a);
	return 0;
}

/* An edit: the values the options gave, which of them, a new name. */
struct edit {
	const struct assistant *given;
	unsigned long long seen; /* CMD_OPT of each option given */
	const char *new_name;
};

/* The fields the edit's options gave, over the assistant as stored now. */
static int apply_edit(struct assistant *a, void *arg, struct err *e)
{
	const struct edit *ed = arg;
	const struct assistant *g = ed->given;
	unsigned long long seen = ed->seen;

	(void)e;
	if (seen & CMD_OPT(OPT_BACKEND))
		a->backend = g->backend;
	if (seen & CMD_OPT(OPT_BASE_URL))
		set_str(&a->base_url, g->base_url);
	if (seen & CMD_OPT(OPT_MODEL))
		set_str(&a->model, g->model);
	if (seen & (CMD_OPT(OPT_KEY_SECRET) | CMD_OPT(OPT_NO_KEY)))
		set_str(&a->key_secret, g->key_secret);
	if (seen & (CMD_OPT(OPT_PROMPT) | CMD_OPT(OPT_PROMPT_FILE)))
		set_str(&a->system_prompt, g->system_prompt);
	if (seen & (CMD_OPT(OPT_TOOLS) | CMD_OPT(OPT_ALL_TOOLS)))
		set_str(&a->tools, g->tools);
	if (seen & (CMD_OPT(OPT_TEMPERATURE) | CMD_OPT(OPT_NO_TEMPERATURE))) {
		a->has_temperature = g->has_temperature;
		a->temperature = g->temperature;
	}
	if (seen & CMD_OPT(OPT_BUDGET))
		a->token_budget = g->token_budget;
	if (seen & (CMD_OPT(OPT_MAX_TOKENS) | CMD_OPT(OPT_NO_MAX_TOKENS)))
		a->max_tokens = g->max_tokens;
	if (ed->new_name)
		set_str(&a->name, ed->new_name);
	return 0;
}

/* The options are read first (a --prompt-file may wait on stdin); the
 * read of the assistant, their application and the write are then one
 * transaction (assistant_edit), so an edit made meanwhile is not lost. */
static int assistant_cmd_edit(struct ctx *ctx, int argc, char **argv)
{
	struct assistant given = { 0 }, a;
	struct edit ed = { &given, 0, NULL };
	bool make_default = false, backend_set = false;
	const char *name = NULL;
	int rc = -1;

	/* the options into a blank assistant, NAME wherever it stood */
	if (assistant_options(ctx, argc, argv, EDIT_OPTS, &given, &name, &make_default,
			      &ed.new_name, &backend_set, &ed.seen) < 0)
		goto out;
	if (!ed.seen) {
		cmd_usage(ctx, "nothing to change (see nestor help assistant edit)");
		goto out;
	}
	if (assistant_edit(ctx->store, name, apply_edit, &ed, make_default, &a, &ctx->err) == 0) {
		cmd_changed_name(ctx, a.name, "assistant '%s' updated", a.name);
		rc = 0;
	}
	assistant_release(&a);
out:
	assistant_release(&given);
	return rc;
}

static int assistant_cmd_rm(struct ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;

	if (only_name(ctx, argc, argv, &name) < 0 || assistant_rm(ctx->store, name, &ctx->err) < 0)
		return -1;
	cmd_changed_name(ctx, name, "assistant '%s' removed", name);
	return 0;
}

static int assistant_cmd_default(struct ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;

	if (only_name(ctx, argc, argv, &name) < 0 ||
	    assistant_set_default(ctx->store, name, &ctx->err) < 0)
		return -1;
	cmd_changed_name(ctx, name, "'%s' is now the default assistant", name);
	return 0;
}

/* nestor assistant models [NAME] [--base-url URL] [--key-secret SECRET] */
static int assistant_cmd_models(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "base-url", required_argument, NULL, OPT_BASE_URL },
		{ "key-secret", required_argument, NULL, OPT_KEY_SECRET },
		{ NULL, 0, NULL, 0 },
	};
	const char *base = NULL, *secret = NULL;
	struct assistant a;
	char **ids;
	int c, rc;

	memset(&a, 0, sizeof(a));
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == OPT_BASE_URL)
			base = optarg;
		else if (c == OPT_KEY_SECRET && secret_check_name(optarg, &ctx->err) == 0)
			secret = optarg;
		else
			return -1;
	}
	if (optind + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + 1]));
	if (optind < argc) {
		/* an assistant's server and key, unless the options say otherwise */
		if (assistant_get_by_name(ctx->store, argv[optind], &a, &ctx->err) < 0)
			return -1;
		if (!base && !a.base_url) {
			cmd_usage(ctx, "assistant '%s' has no base URL", a.name);
			assistant_release(&a);
			return -1;
		}
		base = base ? base : a.base_url;
		secret = secret ? secret : a.key_secret;
	}
	if (!base)
		return cmd_usage(ctx, "give an assistant's NAME or --base-url URL");
	if (strncmp(base, "http://", 7) && strncmp(base, "https://", 8)) {
		assistant_release(&a);
		return cmd_usage(ctx, "base URL must start with http:// or https:// (got %s)",
				 utf8_q(base));
	}
	rc = probe_models(base, secret, &ids, &ctx->err);
	assistant_release(&a);
	if (rc < 0)
		return -1;
	if (ctx->json) {
		cJSON *arr = cJSON_CreateArray();

		for (char **p = ids; *p; p++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "id", *p);
			cJSON_AddItemToArray(arr, o);
		}
		cmd_print_json(ctx, arr);
	} else if (!ids[0]) {
		fprintf(ctx->out, "the server lists no models\n");
	} else {
		for (char **p = ids; *p; p++)
			fprintf(ctx->out, "%s\n", *p);
	}
	probe_models_free(ids);
	return 0;
}

static const char *state_word(enum probe_state s)
{
	return s == PROBE_YES ? "yes" : s == PROBE_NO ? "no" : "not known";
}

static cJSON *json_report(const struct assistant *a, const struct probe_report *r)
{
	cJSON *o = cJSON_CreateObject(), *checks;

	cJSON_AddStringToObject(o, "assistant", a->name);
	render_add_str(o, "base_url", a->base_url);
	render_add_str(o, "model", a->model);
	checks = cJSON_AddObjectToObject(o, "checks");
	for (int i = 0; i < PROBE_CHECKS; i++) {
		cJSON *c = cJSON_AddObjectToObject(checks, r->check[i].key);

		if (r->check[i].state == PROBE_UNKNOWN)
			cJSON_AddNullToObject(c, "ok");
		else
			cJSON_AddBoolToObject(c, "ok", r->check[i].state == PROBE_YES);
		render_add_str(c, "detail", r->check[i].detail[0] ? r->check[i].detail : NULL);
	}
	render_add_str(o, "answered_by", r->model[0] ? r->model : NULL);
	cJSON_AddItemToObject(o, "usage", json_usage(r->prompt_tokens, r->completion_tokens));
	cJSON_AddBoolToObject(o, "reasoning", r->reasoning);
	cJSON_AddNumberToObject(o, "requests", r->requests);
	cJSON_AddBoolToObject(o, "ok", probe_ok(r));
	return o;
}

/* nestor assistant test NAME: one tiny request; exit 0 only when all work. */
static int assistant_cmd_test(struct ctx *ctx, int argc, char **argv)
{
	struct probe_report r;
	struct assistant a;
	const char *name = NULL;
	int rc;

	if (only_name(ctx, argc, argv, &name) < 0 ||
	    assistant_get_by_name(ctx->store, name, &a, &ctx->err) < 0)
		return -1;
	rc = probe_assistant(&a, ctx->cfg, &r, &ctx->err);
	if (rc == 0 && ctx->json) {
		cmd_print_json(ctx, json_report(&a, &r));
		ctx->json_done = true;
	} else if (rc == 0) {
		fprintf(ctx->out, "assistant '%s' at %s%s%s\n", a.name, a.base_url,
			a.model ? ", model " : "", a.model ? a.model : "");
		for (int i = 0; i < PROBE_CHECKS; i++)
			fprintf(ctx->out, "  %-13s %s%s%s%s\n", r.check[i].name,
				state_word(r.check[i].state),
				!r.check[i].detail[0]		? ""
				: r.check[i].state == PROBE_YES ? " ("
								: ": ",
				r.check[i].detail,
				r.check[i].detail[0] && r.check[i].state == PROBE_YES ? ")" : "");
		if (r.prompt_tokens >= 0 || r.completion_tokens >= 0)
			fprintf(ctx->out, "  %-13s %lld prompt + %lld completion tokens\n", "usage",
				r.prompt_tokens, r.completion_tokens);
		else if (probe_ok(&r))
			fprintf(ctx->out, "  %-13s not reported\n", "usage");
		if (r.reasoning)
			fprintf(ctx->out, "  %-13s the model sends its reasoning apart\n",
				"reasoning");
	}
	if (rc == 0 && !probe_ok(&r)) {
		int i = 0;

		while (r.check[i].state == PROBE_YES)
			i++;
		rc = err_set(&ctx->err, ERR_FAIL, "assistant '%s': %s: %s", a.name, r.check[i].name,
			     r.check[i].state == PROBE_NO ? "no" : "not known");
	}
	assistant_release(&a);
	return rc;
}

#define ASSISTANT_FLAGS                                                                            \
	"[--backend offline|llm] [--base-url URL] [--model M] [--key-secret SECRET]"               \
	" [--prompt TEXT|--prompt-file F] [--tools LIST] [--temperature T]"                        \
	" [--token-budget N] [--max-tokens N] [--default]"

const struct cmd cmd_assistant_verbs[] = {
	{ "add", "NAME " ASSISTANT_FLAGS, "add an assistant (an OpenAI-compatible LLM, or offline)",
	  CMD_NEEDS_DB, assistant_cmd_add, NULL },
	{ "list", "[--json]", "every assistant; * marks the default", CMD_NEEDS_DB,
	  assistant_cmd_list, NULL },
	{ "show", "NAME [--json]",
	  "one assistant's settings (the key's secret name, never the key)", CMD_NEEDS_DB,
	  assistant_cmd_show, NULL },
	{ "edit",
	  "NAME [--name NEW] " ASSISTANT_FLAGS " [--no-key] [--all-tools] [--no-temperature]"
	  " [--no-max-tokens]",
	  "change an assistant", CMD_NEEDS_DB, assistant_cmd_edit, NULL },
	{ "rm", "NAME", "remove an assistant (not the default)", CMD_NEEDS_DB, assistant_cmd_rm,
	  NULL },
	{ "default", "NAME", "make NAME the assistant that answers by default", CMD_NEEDS_DB,
	  assistant_cmd_default, NULL },
	{ "models", "[NAME] [--base-url URL] [--key-secret SECRET] [--json]",
	  "the models a server offers (GET /models)", CMD_NEEDS_DB, assistant_cmd_models, NULL },
	{ "test", "NAME [--json]",
	  "one tiny request: reachable, key accepted, streaming, tool calls", CMD_NEEDS_DB,
	  assistant_cmd_test, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
