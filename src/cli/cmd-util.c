/* Shared plumbing of the command table: dispatch, help, errors, output. */
#include "cmd.h"
#include "log.h"
#include "sbuf.h"
#include "user.h"
#include "utf8.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether val belongs to a long option (glibc sets optopt to it on errors). */
static int longopts_val(const struct option *o, int val)
{
	for (; o && o->name; o++)
		if (o->val == val)
			return 1;
	return 0;
}

int cmd_usage(struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(&ctx->err, ERR_USAGE, fmt, ap);
	va_end(ap);
	return -1;
}

int cmd_stdin_free(struct ctx *ctx)
{
	if (!ctx->stdin_owner)
		return 0;
	return cmd_usage(ctx, "reads standard input; run it outside the %s", ctx->stdin_owner);
}

void cmd_print_json(struct ctx *ctx, cJSON *v)
{
	char *s = cJSON_Print(v);

	/* through cmd_out_put: a failed write keeps its reason */
	cmd_out_put(ctx->out, s, strlen(s));
	cmd_out_put(ctx->out, "\n", 1);
	free(s);
	cJSON_Delete(v);
}

void cmd_stored(struct ctx *ctx, long long id, char *line)
{
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "id", (double)id);
		cmd_print_json(ctx, o);
	} else if (ctx->tty && line) {
		cmd_put_safe(ctx->out, line);
		fputc('\n', ctx->out);
	} else {
		fprintf(ctx->out, "%lld\n", id);
	}
	free(line);
}

/* What a change did: {"KEY": ...} under --json, else the line fmt. */
static void changed(struct ctx *ctx, cJSON *value, const char *key, const char *fmt, va_list ap)
{
	if (ctx->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToObject(o, key, value);
		cmd_print_json(ctx, o);
		return;
	}
	cJSON_Delete(value);
	vfprintf(ctx->out, fmt, ap);
	fputc('\n', ctx->out);
}

void cmd_changed_id(struct ctx *ctx, long long id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	changed(ctx, cJSON_CreateNumber((double)id), "id", fmt, ap);
	va_end(ap);
}

void cmd_changed_name(struct ctx *ctx, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	changed(ctx, cJSON_CreateString(name), "name", fmt, ap);
	va_end(ap);
}

void cmd_put_safe(FILE *f, const char *s)
{
	char *t = utf8_clean_str(s, UTF8_NO_BIDI);

	for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fputc('?', f);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fputc('?', f), p++;
		else
			fputc(*p, f);
	}
	free(t);
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Whether one of the 8 bytes of w is below 0x20, DEL or not ASCII (a
 * quick look: such a word is looked at byte by byte). */
static inline bool word_look(uint64_t w)
{
	uint64_t del = w ^ (0x7f * ONES);

	return ((w - 0x20 * ONES) | (del - ONES) | w) & HIGHS;
}

/* The bytes of the character at p (before end) when cmd_put_text keeps it,
 * else 0: a C0 control, DEL, a C1 control (NEL among them), U+2028, U+2029,
 * a bidirectional control (U+202A..U+202E, U+2066..U+2069), not UTF-8. */
static size_t text_kept(const unsigned char *p, const unsigned char *end)
{
	size_t len = *p < 0x80	 ? 1
		     : *p < 0xc2 ? 0
		     : *p < 0xe0 ? 2
		     : *p < 0xf0 ? 3
		     : *p < 0xf5 ? 4
				 : 0;

	if (*p < 0x20 || *p == 0x7f || !len || len > (size_t)(end - p))
		return 0;
	if (len > 1 && !utf8_valid((const char *)p, len))
		return 0;
	if (*p == 0xc2 && p[1] <= 0x9f)
		return 0;
	if (*p == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae) ||
			   (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
		return 0;
	return len;
}

bool cmd_text_plain(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		const unsigned char *stop;
		uint64_t w;

		if (end - p >= 8) {
			memcpy(&w, p, 8);
			if (!word_look(w)) {
				p += 8;
				continue;
			}
		}
		/* character by character to the end of this word (or a little past) */
		for (stop = end - p >= 8 ? p + 8 : end; p < stop;) {
			size_t len = text_kept(p, end);

			if (!len)
				return false;
			p += len;
		}
	}
	return true;
}

void cmd_put_lines(FILE *f, const char *s, int indent)
{
	char *t = utf8_clean_str(s ? s : "", CMD_LINES_CLEAN);

	for (const char *p = t, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (p > t && *p != '\n')
			fprintf(f, "%*s", indent, "");
		if (!nl) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(nl - p) + 1, f);
	}
	free(t);
}

void cmd_print_indented(struct ctx *ctx, const char *text, int indent)
{
	char *t = utf8_clean_str(text ? text : "", CMD_LINES_CLEAN);
	size_t n = strlen(t);

	if (n) {
		fprintf(ctx->out, "%*s", indent, "");
		cmd_put_lines(ctx->out, t, indent);
		if (t[n - 1] != '\n')
			fputc('\n', ctx->out);
	}
	free(t);
}

/* Screen columns of the UTF-8 text [s, s + n) (utf8_width: 2 for a wide
 * character, 0 for a combining mark). */
static int span_width(const char *s, size_t n)
{
	char *t = xstrndup(s, n);
	int w = utf8_width(t);

	free(t);
	return w;
}

/* One line of text, broken at spaces to fit width columns (0: as it is);
 * a continuation lines up under the line's text ("  /agenda  the
 * calendar..." under "the"). */
static void put_wrapped_line(FILE *f, const char *line, size_t len, int width)
{
	size_t lead = strspn(line, " "), hang = lead, start = 0;
	const char *gap;
	int col = 0, indent;

	gap = memchr(line + lead, ' ', len - lead);
	if (gap && gap + 1 < line + len && gap[1] == ' ')
		hang = (size_t)(gap - line) + strspn(gap, " ");
	indent = span_width(line, hang);
	if (width <= 0 || span_width(line, len) <= width || indent >= width / 2) {
		fprintf(f, "%.*s\n", (int)len, line);
		return;
	}
	while (start < len) {
		size_t end = start, brk = 0;

		col = start ? indent : 0;
		/* take words while they fit */
		while (end < len) {
			size_t w = end + strspn(line + end, " ");

			w += strcspn(line + w, " ");
			if (w > len)
				w = len;
			if (brk && col + span_width(line + end, w - end) > width)
				break;
			col += span_width(line + end, w - end);
			end = brk = w;
		}
		fprintf(f, "%*s%.*s\n", start ? indent : 0, "", (int)(end - start), line + start);
		start = end + strspn(line + end, " ");
	}
}

void cmd_put_wrapped(FILE *f, const char *text, int width)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		put_wrapped_line(f, p, n, width);
		p += n + (p[n] == '\n');
	}
}

void cmd_put_text(FILE *f, const char *s)
{
	char *t;

	if (!s || cmd_text_plain(s, strlen(s))) {
		fputs(s ? s : "", f);
		return;
	}
	t = utf8_clean_str(s, CMD_TEXT_CLEAN);
	fputs(t, f);
	free(t);
}

/* The first failed write's stream and reason (cmd_out_put, tty_write). */
static struct {
	FILE *f;
	int errno_;
} out_failed;

static void out_note(FILE *f)
{
	if (ferror(f) && errno && !out_failed.f) {
		out_failed.f = f;
		out_failed.errno_ = errno;
	}
}

/* A stream over a terminal: what reaches it is cleaned; a character split
 * between two writes waits in tail for its end. */
struct tty_safe {
	FILE *self, *to;
	char tail[4];
	size_t ntail;
};
static struct tty_safe *tty_streams[4];

static ssize_t tty_write(void *cookie, const char *buf, size_t size)
{
	struct tty_safe *t = cookie;
	struct sbuf in = SBUF_INIT, out = SBUF_INIT;
	size_t keep;

	sbuf_add(&in, t->tail, t->ntail);
	sbuf_add(&in, buf, size);
	keep = utf8_partial_tail(in.buf, in.len);
	utf8_clean(&out, in.buf, in.len - keep, UTF8_PRINTABLE | UTF8_NO_BIDI);
	memcpy(t->tail, in.buf + in.len - keep, keep);
	t->ntail = keep;
	errno = 0;
	if (out.len && fwrite(out.buf, 1, out.len, t->to) < out.len)
		out_note(t->to);
	if (fflush(t->to) != 0)
		out_note(t->to);
	sbuf_release(&in);
	sbuf_release(&out);
	return (ssize_t)size;
}

static int tty_close(void *cookie)
{
	struct tty_safe *t = cookie;
	struct sbuf out = SBUF_INIT;

	utf8_clean(&out, t->tail, t->ntail, UTF8_PRINTABLE | UTF8_NO_BIDI);
	fwrite(out.buf ? out.buf : "", 1, out.len, t->to);
	fflush(t->to);
	sbuf_release(&out);
	for (size_t i = 0; i < sizeof(tty_streams) / sizeof(tty_streams[0]); i++)
		if (tty_streams[i] == t)
			tty_streams[i] = NULL;
	free(t);
	return 0;
}

FILE *cmd_tty_safe(FILE *f)
{
	static const cookie_io_functions_t io = { NULL, tty_write, NULL, tty_close };
	struct tty_safe *t;
	size_t i;

	if (!isatty(fileno(f)))
		return f;
	for (i = 0; i < sizeof(tty_streams) / sizeof(tty_streams[0]) && tty_streams[i]; i++)
		;
	if (i == sizeof(tty_streams) / sizeof(tty_streams[0]))
		return f;
	t = xcalloc(1, sizeof(*t));
	t->to = f;
	t->self = fopencookie(t, "w", io);
	if (!t->self) {
		free(t);
		return f;
	}
	setvbuf(t->self, NULL, _IONBF, 0);
	tty_streams[i] = t;
	return t->self;
}

FILE *cmd_tty_raw(FILE *f)
{
	for (size_t i = 0; i < sizeof(tty_streams) / sizeof(tty_streams[0]); i++)
		if (tty_streams[i] && tty_streams[i]->self == f)
			return tty_streams[i]->to;
	return f && fileno(f) >= 0 && isatty(fileno(f)) ? f : NULL;
}

void cmd_out_put(FILE *f, const char *s, size_t len)
{
	errno = 0;
	if (fwrite(s, 1, len, f) < len)
		out_note(f);
}

/* 0, an errno, or -1: an earlier write failed (for a reason not noted) */
static int flush_one(FILE *f)
{
	if (fflush(f) != 0)
		return errno ? errno : -1;
	if (!ferror(f))
		return 0;
	return out_failed.f == f ? out_failed.errno_ : -1;
}

int cmd_out_flush(FILE *f, struct err *e)
{
	FILE *raw = cmd_tty_raw(f);
	int bad = flush_one(f);

	if (!bad && raw && raw != f)
		bad = flush_one(raw);
	if (!bad)
		return 0;
	if (bad > 0)
		err_set(e, ERR_FAIL, "cannot write standard output: %s", strerror(bad));
	else
		err_set(e, ERR_FAIL, "cannot write standard output");
	errno = bad > 0 ? bad : 0;
	return -1;
}

bool cmd_parse_whole(const char *arg, long long *n)
{
	char *end;

	*n = 0;
	/* strtoll would take " 3", "+3" and (as 0) "": digits, a '-' at most */
	if (!arg || !isdigit((unsigned char)arg[arg[0] == '-']))
		return false;
	errno = 0;
	*n = strtoll(arg, &end, 10);
	return !errno && !*end;
}

int cmd_parse_int(struct ctx *ctx, const char *opt, const char *arg, long long min, long long max,
		  long long *n)
{
	if (!cmd_parse_whole(arg, n) || *n < min || *n > max)
		return cmd_usage(ctx, "%s must be a whole number from %lld to %lld (got %s)", opt,
				 min, max, utf8_q(arg ? arg : ""));
	return 0;
}

int cmd_parse_decimal(struct ctx *ctx, const char *opt, const char *arg, double min, double max,
		      double *x)
{
	const char *p;
	size_t whole, frac = 0, len;

	*x = 0;
	if (!arg)
		arg = "";
	p = arg + (arg[0] == '-');
	/* [-]DIGITS[.[DIGITS]] or [-].DIGITS: no hex, exponent, inf or nan
	 * strtod takes */
	whole = strspn(p, "0123456789");
	len = whole;
	if (p[whole] == '.') {
		frac = strspn(p + whole + 1, "0123456789");
		len += 1 + frac;
	}
	if ((whole || frac) && !p[len]) {
		*x = strtod(arg, NULL);
		if (*x >= min && *x <= max)
			return 0;
	}
	return cmd_usage(ctx, "%s must be a number from %g to %g (got %s)", opt, min, max,
			 utf8_q(arg));
}

int cmd_parse_id(struct ctx *ctx, const char *arg, long long *id)
{
	if (!cmd_parse_whole(arg, id))
		return cmd_usage(ctx, "expected a numeric id (got %s)", utf8_q(arg ? arg : ""));
	if (*id <= 0)
		return cmd_usage(ctx, "ids start at 1 (got %s)", utf8_q(arg));
	return 0;
}

/* Whether the word a is "--NAME" of an option of longopts that takes a
 * value in the next word. */
static bool takes_next(const char *a, const struct option *longopts)
{
	if (!longopts || strncmp(a, "--", 2) || strchr(a, '='))
		return false;
	for (; longopts->name; longopts++)
		if (!strcmp(a + 2, longopts->name))
			return longopts->has_arg == required_argument;
	return false;
}

int cmd_negative_id(struct ctx *ctx, int argc, char **argv, const struct option *longopts)
{
	long long n;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (argv[i][0] == '-' && cmd_parse_whole(argv[i], &n))
			return cmd_parse_id(ctx, argv[i], &n);
		if (takes_next(argv[i], longopts))
			i++;
	}
	return 0;
}

int cmd_parse_limit(struct ctx *ctx, const char *arg, size_t *limit)
{
	long long n;

	if (!cmd_parse_whole(arg, &n) || n < 0)
		return cmd_usage(ctx, "--limit must be a whole number, 0 for all (got %s)",
				 utf8_q(arg ? arg : ""));
	*limit = (size_t)n;
	return 0;
}

/* The options with a value seen in this parse (like getopt's, global
 * state): one value each, bar the options a command adds up. */
static struct {
	int val[32];
	size_t n;
} given;
static const char *const additive[] = { "setting", "env", "header", NULL };

/* Whether option c (longopts[idx] when idx >= 0) had a value already; if
 * not, remember it. */
static bool given_twice(int c, const struct option *longopts, int idx)
{
	if (idx >= 0)
		for (const char *const *a = additive; *a; a++)
			if (!strcmp(longopts[idx].name, *a))
				return false;
	for (size_t i = 0; i < given.n; i++)
		if (given.val[i] == c)
			return true;
	if (given.n < sizeof(given.val) / sizeof(given.val[0]))
		given.val[given.n++] = c;
	return false;
}

int cmd_getopt(struct ctx *ctx, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char opts[64];
	int c, idx = -1;

	/* A leading ':' makes a missing value ':' rather than '?'. */
	snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	if (optind <= 1)
		given.n = 0; /* a new parse */
	c = getopt_long(argc, argv, opts, longopts, &idx);
	if (c != -1 && c != '?' && c != ':' && optarg && given_twice(c, longopts, idx)) {
		if (idx >= 0)
			cmd_usage(ctx, "option '--%s' given twice: it takes one value",
				  longopts[idx].name);
		else
			cmd_usage(ctx, "option '-%c' given twice: it takes one value", c);
		c = '?';
	} else if (c == '?') {
		if (optopt && optopt < 128 && !longopts_val(longopts, optopt))
			cmd_usage(ctx, "unknown option '-%c'", optopt);
		else
			cmd_usage(ctx, "unknown option '%s'", argv[optind - 1]);
	} else if (c == ':') {
		cmd_usage(ctx, "option '%s' needs a value", argv[optind - 1]);
		c = '?';
	}
	return c;
}

int cmd_getopt_some(struct ctx *ctx, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, unsigned long long allow)
{
	static struct option some[65];
	size_t n = 0;

	for (const struct option *o = longopts; o->name && n + 1 < sizeof(some) / sizeof(some[0]);
	     o++)
		if (o->val >= CMD_OPT_BASE && o->val < CMD_OPT_BASE + 64 &&
		    (allow & CMD_OPT(o->val)))
			some[n++] = *o;
	memset(&some[n], 0, sizeof(some[n]));
	return cmd_getopt(ctx, argc, argv, shortopts, some);
}

static const char *long_name(const struct option *longopts, int val)
{
	for (; longopts->name; longopts++)
		if (longopts->val == val)
			return longopts->name;
	return "?";
}

int cmd_exclusive(struct ctx *ctx, const struct option *longopts, unsigned long long seen,
		  const int (*pairs)[2])
{
	for (; pairs[0][0]; pairs++)
		if ((seen & CMD_OPT(pairs[0][0])) && (seen & CMD_OPT(pairs[0][1])))
			return cmd_usage(ctx, "--%s and --%s cannot be combined",
					 long_name(longopts, pairs[0][0]),
					 long_name(longopts, pairs[0][1]));
	return 0;
}

/* Exactly one argument (what: its name in the usage error), no options. */
static int one_arg(struct ctx *ctx, int argc, char **argv, const char *what, const char **arg)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind >= argc)
		return cmd_usage(ctx, "missing %s", what);
	if (optind + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + 1]));
	*arg = argv[optind];
	return 0;
}

int cmd_one_id(struct ctx *ctx, int argc, char **argv, long long *id)
{
	const char *arg = NULL;

	if (cmd_negative_id(ctx, argc, argv, NULL) < 0 || one_arg(ctx, argc, argv, "ID", &arg) < 0)
		return -1;
	return cmd_parse_id(ctx, arg, id);
}

int cmd_one_name(struct ctx *ctx, int argc, char **argv, const char **name)
{
	return one_arg(ctx, argc, argv, "NAME", name);
}

int cmd_no_args(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	return 0;
}

int cmd_flag_only(struct ctx *ctx, int argc, char **argv, const char *flag, bool *set)
{
	const struct option opts[] = { { flag, no_argument, NULL, 'F' }, { NULL, 0, NULL, 0 } };
	int c;

	*set = false;
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c != 'F')
			return -1;
		*set = true;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	return 0;
}

char *cmd_join_args(int argc, char **argv, int from)
{
	struct sbuf sb = SBUF_INIT;

	if (from >= argc)
		return NULL;
	for (int i = from; i < argc; i++) {
		if (i > from)
			sbuf_adds(&sb, " ");
		sbuf_adds(&sb, argv[i]);
	}
	return sbuf_detach(&sb);
}

static const struct cmd *find(const struct cmd *table, const char *name)
{
	for (const struct cmd *c = table; c && c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void print_usage(FILE *f, const char *prefix, const struct cmd *c)
{
	if (c->sub) {
		/* a group that also runs with no verb (`nestor time`): that form first */
		if (c->exec)
			fprintf(f, "usage: nestor %s%s%s%s\n       nestor %s%s <command>\n", prefix,
				c->name, c->usage ? " " : "", c->usage ? c->usage : "", prefix,
				c->name);
		else
			fprintf(f, "usage: nestor %s%s <command>\n", prefix, c->name);
		fprintf(f, "\n%s\n\ncommands:\n", c->summary);
		for (const struct cmd *v = c->sub; v->name; v++)
			fprintf(f, "  %-10s %s\n             %s\n", v->name,
				v->usage ? v->usage : "", v->summary);
	} else {
		fprintf(f, "usage: nestor %s%s%s%s\n\n%s\n", prefix, c->name, c->usage ? " " : "",
			c->usage ? c->usage : "", c->summary);
	}
}

void cmd_help_all(FILE *f)
{
	fprintf(f, "usage: nestor [--db PATH] [--config PATH] [--user NAME] [--json] <command> "
		   "[args]\n\n"
		   "commands:\n");
	for (const struct cmd *c = cmd_table; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'nestor help COMMAND' or 'nestor COMMAND --help' for details.\n");
}

int cmd_help(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		cmd_help_all(ctx->out);
		return 0;
	}
	c = find(cmd_table, argv[1]);
	if (!c)
		return cmd_usage(ctx, "unknown command '%s'", argv[1]);
	/* a word past the command (and its verb) names nothing help shows */
	if (argc > (c->sub ? 3 : 2))
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[c->sub ? 3 : 2]));
	if (argc > 2 && c->sub) {
		const struct cmd *v = find(c->sub, argv[2]);
		char prefix[64];

		if (!v)
			return cmd_usage(ctx, "unknown command '%s %s'", argv[1], argv[2]);
		snprintf(prefix, sizeof(prefix), "%s ", c->name);
		print_usage(ctx->out, prefix, v);
		return 0;
	}
	print_usage(ctx->out, "", c);
	return 0;
}

/* --user, else server.user: whose rows the command reads and writes (NULL: the first user's). */
static const char *user_named(const struct ctx *ctx)
{
	const char *name =
		ctx->user && *ctx->user ? ctx->user : config_get(ctx->cfg, "server.user");

	return name && *name ? name : NULL;
}

static int act_as(struct ctx *ctx)
{
	const char *name = user_named(ctx);
	struct user u;

	/* `user add` makes the user server.user may already name */
	if (!name || !*name || !strncmp(ctx->name, "user ", 5))
		return 0;
	if (user_get(ctx->store, name, &u, &ctx->err) < 0) {
		if (ctx->err.code == ERR_NOTFOUND)
			cmd_usage(ctx, "no user named '%s' here (nestor user add %s)", name, name);
		return -1;
	}
	store_set_user(ctx->store, u.id);
	ctx->user_named = true;
	user_release(&u);
	return 0;
}

static int open_db(struct ctx *ctx)
{
	if (ctx->store)
		return 0;
	if (ctx->db_path == ctx->paths.db && paths_mkdir(ctx->paths.data_dir, &ctx->err) < 0)
		return -1;
	ctx->store = store_open(ctx->db_path, &ctx->err);
	if (!ctx->store)
		return -1;
	return act_as(ctx);
}

static int is_help(const char *a)
{
	return a && (!strcmp(a, "--help") || !strcmp(a, "-h"));
}

/* Whether arg, a long option without "=VALUE", names (or abbreviates, as
 * getopt_long takes it) an option usage shows with a value: "--title T". */
static int takes_value(const char *usage, const char *arg)
{
	size_t n;

	if (!usage || strncmp(arg, "--", 2) || strchr(arg, '='))
		return 0;
	arg += 2;
	n = strlen(arg);
	for (const char *u = strstr(usage, "--"); n && u; u = strstr(u, "--")) {
		size_t len;

		u += 2;
		len = strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789-");
		if (n <= len && !strncmp(u, arg, n) && u[len] == ' ' && u[len + 1] &&
		    !strchr("-[|]", u[len + 1]))
			return 1;
	}
	return 0;
}

/* Whether arg, a short option alone ("-o"), is one usage shows with a
 * value: "-o|--output FILE" (as its long name does) or "-o FILE". */
static int short_takes_value(const char *usage, const char *arg)
{
	if (!usage || arg[0] != '-' || !isalnum((unsigned char)arg[1]) || arg[2])
		return 0;
	for (const char *u = strstr(usage, arg); u; u = strstr(u + 1, arg)) {
		const char *after = u + 2;
		char *name;
		int value;

		if (u > usage && !strchr(" [|(", u[-1]))
			continue;
		if (after[0] == ' ' && after[1] && !strchr("-[|]", after[1]))
			return 1; /* "-o FILE" */
		if (after[0] != '|' || strncmp(after + 1, "--", 2))
			continue;
		/* "-o|--output FILE": as --output is */
		name = xstrndup(after + 1,
				2 + strspn(after + 3, "abcdefghijklmnopqrstuvwxyz0123456789-"));
		value = takes_value(usage, name);
		free(name);
		if (value)
			return 1;
	}
	return 0;
}

/* --help or -h among c's arguments argv[1..] (up to "--"), bar the value
 * of an option (`--title --help`, `-o --help`): the help, as straight
 * after the name.  A CMD_RAW command takes its arguments as they come:
 * only the first. */
static int wants_help(const struct cmd *c, int argc, char **argv)
{
	if (c->flags & CMD_RAW)
		return argc > 1 && is_help(argv[1]);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (is_help(argv[i]))
			return 1;
		if (takes_value(c->usage, argv[i]) || short_takes_value(c->usage, argv[i]))
			i++;
	}
	return 0;
}

char *cmd_error_text(const struct ctx *ctx)
{
	if (!ctx->err.msg[0])
		return NULL;
	return xasprintf("nestor: %s%s%s", ctx->name, ctx->name[0] ? ": " : "", ctx->err.msg);
}

/* A failure of the command named ctx->name: logged, left in ctx->err for the front. */
static int failed(struct ctx *ctx)
{
	if (ctx->err.code == ERR_OK)
		ctx->err.code = ERR_FAIL;
	if (ctx->err.msg[0])
		log_msg(LOG_ERROR, ctx->name, "%s", ctx->err.msg);
	return -1;
}

int cmd_dispatch(struct ctx *ctx, const struct cmd *table, int argc, char **argv)
{
	const struct cmd *c = find(table, argv[0]), *v = NULL;
	char prefix[64] = "";
	bool calendar;
	int rc;

	err_clear(&ctx->err);
	if (!c) {
		ctx->name[0] = '\0';
		cmd_usage(ctx, "unknown command '%s' (see 'nestor help')", argv[0]);
		return failed(ctx);
	}
	snprintf(ctx->name, sizeof(ctx->name), "%s", c->name);
	calendar = c->flags & CMD_CALENDAR;
	if (is_help(argv[1])) {
		print_usage(ctx->out, "", c);
		return 0;
	}
	if (c->sub && !c->exec && argc < 2) {
		/* A group without its verb: the usage for people, the error for scripts. */
		if (!ctx->json) {
			print_usage(ctx->errout, "", c);
			ctx->err.code = ERR_USAGE;
			return -1;
		}
		cmd_usage(ctx, "missing command (see 'nestor help %s')", c->name);
		return failed(ctx);
	}
	if (c->sub && argc >= 2)
		v = find(c->sub, argv[1]);
	if (c->sub && !v && !c->exec) {
		cmd_usage(ctx, "unknown command '%s' (see 'nestor help %s')", argv[1], c->name);
		return failed(ctx);
	}
	if (v) {
		snprintf(prefix, sizeof(prefix), "%s ", c->name);
		snprintf(ctx->name, sizeof(ctx->name), "%s %s", c->name, v->name);
		if (wants_help(v, argc - 1, argv + 1)) {
			print_usage(ctx->out, prefix, v);
			return 0;
		}
		c = v;
		argc--;
		argv++;
	} else if (wants_help(c, argc, argv)) {
		print_usage(ctx->out, "", c);
		return 0;
	}
	/* a calendar's command run for a named user opens the store, even one
	 * that needs none (google logout): the user is looked up and checked */
	if (((c->flags & CMD_NEEDS_DB) || (calendar && user_named(ctx))) && open_db(ctx) < 0)
		return failed(ctx);
	/* the owner's alone, locally too: the same rule as the API's (no user
	 * named: the first, no query on the agenda's way) */
	if (calendar && ctx->store && ctx->user_named &&
	    user_owns_calendar(ctx->store, &ctx->err) != 1)
		return failed(ctx);
	optind = 0; /* reset getopt for the handler (GNU: full re-initialisation) */
	rc = c->exec(ctx, argc, argv);
	return rc < 0 ? failed(ctx) : rc;
}
