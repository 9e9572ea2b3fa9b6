/* nestor ask TEXT... and nestor tools: one turn from the command line, and
 * what the assistant can call. */
#include "cmd.h"
#include "conversation.h"
#include "engine.h"
#include "render.h"
#include "tool.h"
#include "sbuf.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_ASSISTANT = 256, OPT_CONVERSATION, OPT_YES };

/* Ctrl-C during the turn aborts it (the engine keeps the partial reply);
 * a second one ends the process as usual. */
static atomic_int *ask_cancel;

static void on_sigint(int sig)
{
	(void)sig;
	if (ask_cancel && !atomic_exchange(ask_cancel, 1))
		return;
	signal(SIGINT, SIG_DFL);
	raise(SIGINT);
}

/* Collects the turn for --json, or prints the reply as it arrives. */
struct ask_sink {
	struct ctx *ctx;
	cJSON *calls;		      /* [{"name","arguments","result"}] */
	char *reply;		      /* the whole reply, at done */
	bool printed;		      /* some reply text went out */
	struct sbuf reasoning;	      /* the model's, every step's */
	bool step_done;		      /* a tool ran since the last reasoning */
	long long prompt, completion; /* summed token counts; -1: none reported */
};

static void on_reasoning(void *arg, const char *delta)
{
	struct ask_sink *s = arg;

	if (s->step_done && s->reasoning.len)
		sbuf_adds(&s->reasoning, "\n\n");
	s->step_done = false;
	sbuf_adds(&s->reasoning, delta);
}

static void on_usage(void *arg, long long prompt, long long completion)
{
	struct ask_sink *s = arg;

	if (prompt >= 0)
		s->prompt = (s->prompt < 0 ? 0 : s->prompt) + prompt;
	if (completion >= 0)
		s->completion = (s->completion < 0 ? 0 : s->completion) + completion;
}

static void on_text(void *arg, const char *delta)
{
	struct ask_sink *s = arg;

	if (s->ctx->json)
		return;
	fputs(delta, s->ctx->out);
	fflush(s->ctx->out);
	s->printed = *delta != '\0';
}

static void on_tool_call(void *arg, const char *name, const char *args_json)
{
	struct ask_sink *s = arg;

	json_call_add(s->calls, name, args_json);
	s->step_done = true;
}

static void on_tool_result(void *arg, const char *name, const char *result_json)
{
	struct ask_sink *s = arg;

	(void)name;
	json_call_result(s->calls, result_json);
}

static void on_done(void *arg, const char *reply)
{
	struct ask_sink *s = arg;

	free(s->reply);
	s->reply = xstrdup(reply);
	if (!s->ctx->json && s->printed)
		fputc('\n', s->ctx->out);
}

/* A request read from standard input, as its errors name it (one from the
 * command line is "request"). */
#define STDIN_REQUEST "request on standard input"

/* The whole of standard input, or NULL (with ctx->err) when too big or
 * nothing but white space.  The size counts every byte, the blank space
 * bare `nestor` read first (ctx->stdin_head) among them: reading stops past
 * CMD_STDIN_MAX, a request is at most ENGINE_TEXT_MAX. */
static char *read_stdin(struct ctx *ctx)
{
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	if (ctx->stdin_head_len)
		sbuf_add(&sb, ctx->stdin_head, ctx->stdin_head_len);
	while (sb.len <= CMD_STDIN_MAX && (n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		sbuf_add(&sb, buf, n);
	if (sb.len > CMD_STDIN_MAX) {
		sbuf_release(&sb);
		cmd_usage(ctx, STDIN_REQUEST ": too long (over %d bytes, at most %d)",
			  CMD_STDIN_MAX, ENGINE_TEXT_MAX);
		return NULL;
	}
	if (sb.len && memchr(sb.buf, '\0', sb.len)) {
		n = (size_t)((char *)memchr(sb.buf, '\0', sb.len) - sb.buf) + 1;
		sbuf_release(&sb);
		cmd_usage(ctx, "the text on stdin holds a NUL byte (byte %zu)", n);
		return NULL;
	}
	/* CR LF line ends (a file from Windows) as LF: a request holds no CR */
	if (sb.buf)
		sb.len = utf8_crlf_to_lf(sb.buf, sb.len);
	while (sb.len && isspace((unsigned char)sb.buf[sb.len - 1]))
		sb.buf[--sb.len] = '\0';
	if (!sb.len) {
		sbuf_release(&sb);
		cmd_usage(ctx, "missing TEXT");
		return NULL;
	}
	if (utf8_check_field(STDIN_REQUEST, sb.buf, ENGINE_TEXT_MAX, &ctx->err) < 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

/* A turn that failed after tools ran keeps what they did in conversation
 * conv: the error names it, and under --json the tool calls. */
static void failed_turn(struct ctx *ctx, long long conv, struct ask_sink *as)
{
	cJSON *o;

	if (!conv || !cJSON_GetArraySize(as->calls))
		return;
	if (strlen(ctx->err.msg) + 40 < sizeof(ctx->err.msg))
		snprintf(ctx->err.msg + strlen(ctx->err.msg), 40, " (conversation %lld)", conv);
	if (!ctx->json)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", ctx->err.msg);
	cJSON_AddNumberToObject(o, "code", err_exit_status(&ctx->err));
	cJSON_AddNumberToObject(o, "conversation", (double)conv);
	cJSON_AddItemToObject(o, "tool_calls", as->calls);
	as->calls = NULL;
	cmd_print_json(ctx, o);
	ctx->json_done = true;
}

int cmd_ask(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "assistant", required_argument, NULL, OPT_ASSISTANT },
		{ "conversation", required_argument, NULL, OPT_CONVERSATION },
		{ "yes", no_argument, NULL, OPT_YES },
		{ NULL, 0, NULL, 0 },
	};
	bool yes = false;
	struct ask_sink as = { ctx, NULL, NULL, false, SBUF_INIT, false, -1, -1 };
	struct engine_sink sink = {
		.arg = &as,
		.text = on_text,
		.tool_call = on_tool_call,
		.tool_result = on_tool_result,
		.done = on_done,
		.reasoning = on_reasoning,
		.usage = on_usage,
	};
	const char *assistant = NULL;
	long long conv = 0;
	struct engine *eng = NULL;
	char *text;
	int c, rc = -1;

	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == OPT_ASSISTANT)
			assistant = optarg;
		else if (c == OPT_YES)
			yes = true;
		else if (c == OPT_CONVERSATION) {
			if (cmd_parse_id(ctx, optarg, &conv) < 0)
				return -1;
		} else
			return -1;
	}
	text = cmd_join_args(argc, argv, optind);
	if (!text) {
		if (cmd_stdin_free(ctx) < 0)
			return -1;
		if (isatty(STDIN_FILENO))
			return cmd_usage(ctx, "missing TEXT");
		if (!(text = read_stdin(ctx)))
			return -1;
	}
	eng = engine_new(ctx->store, ctx->cfg, &ctx->err);
	if (!eng || (assistant && engine_set_assistant(eng, assistant, &ctx->err) < 0))
		goto out;
	engine_set_approve_all(eng, yes);
	as.calls = cJSON_CreateArray();
	{
		struct sigaction sa, old;
		int turn;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		ask_cancel = engine_cancel_flag(eng);
		sigaction(SIGINT, &sa, &old);
		turn = engine_turn(eng, &conv, text, ctx->now, &sink, &ctx->err);
		sigaction(SIGINT, &old, NULL);
		ask_cancel = NULL;
		if (turn < 0) {
			/* The error goes on a line of its own after a partial reply. */
			if (as.printed)
				fputc('\n', ctx->out);
			fflush(ctx->out);
			failed_turn(ctx, conv, &as);
			goto out;
		}
	}
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();
		struct conversation cv;

		if (conversation_get(ctx->store, conv, &cv, &ctx->err) < 0) {
			cJSON_Delete(o);
			goto out;
		}
		cJSON_AddNumberToObject(o, "conversation", (double)conv);
		render_add_str(o, "assistant", cv.assistant);
		conversation_release(&cv);
		cJSON_AddStringToObject(o, "reply", as.reply ? as.reply : "");
		cJSON_AddItemToObject(o, "tool_calls", as.calls);
		as.calls = NULL;
		render_add_str(o, "reasoning", as.reasoning.len ? as.reasoning.buf : NULL);
		cJSON_AddItemToObject(o, "usage", json_usage(as.prompt, as.completion));
		cmd_print_json(ctx, o);
	}
	rc = 0;
out:
	cJSON_Delete(as.calls);
	sbuf_release(&as.reasoning);
	free(as.reply);
	engine_free(eng);
	free(text);
	return rc;
}

/* "title* due priority notes" from a schema. */
static void print_args(FILE *f, const char *schema)
{
	cJSON *s = cJSON_Parse(schema), *p;
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");

	fprintf(f, "      args:");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "properties")) {
		bool required = false;
		const cJSON *r;

		cJSON_ArrayForEach(r, req)
			if (!strcmp(r->valuestring, p->string))
				required = true;
		fprintf(f, " %s%s", p->string, required ? "*" : "");
	}
	fprintf(f, "\n");
	cJSON_Delete(s);
}

int cmd_tools(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (ctx->json) {
		cmd_print_json(ctx, tool_schemas(NULL));
		return 0;
	}
	for (const struct tool *const *t = tool_registry; *t; t++) {
		fprintf(ctx->out, "%-17s %s\n", (*t)->name, (*t)->description);
		print_args(ctx->out, (*t)->schema);
	}
	return 0;
}
