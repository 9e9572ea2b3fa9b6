/* nestor event add|show|edit|rm|search, and nestor agenda */
#include "cmd.h"
#include "utf8.h"
#include "confirm.h"
#include "every.h"
#include "event-args.h"
#include "event.h"
#include "gsync.h"
#include "render.h"
#include "tz.h"
#include "when.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

enum {
	OPT_AT = 256,
	OPT_END,
	OPT_FOR,
	OPT_ALL_DAY,
	OPT_TZ,
	OPT_LOCATION,
	OPT_NOTES,
	OPT_EVERY,
	OPT_NO_REPEAT,
	OPT_CALENDAR,
	OPT_SUMMARY,
	OPT_ONLY,
	OPT_FROM,
	OPT_TO,
};

static const struct option event_opts[] = {
	{ "at", required_argument, NULL, OPT_AT },
	{ "end", required_argument, NULL, OPT_END },
	{ "for", required_argument, NULL, OPT_FOR },
	{ "all-day", no_argument, NULL, OPT_ALL_DAY },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "location", required_argument, NULL, OPT_LOCATION },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "no-repeat", no_argument, NULL, OPT_NO_REPEAT },
	{ "calendar", required_argument, NULL, OPT_CALENDAR },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ NULL, 0, NULL, 0 },
};

/* The options each verb takes. */
#define ADD_OPTS                                                                                   \
	(CMD_OPT(OPT_AT) | CMD_OPT(OPT_END) | CMD_OPT(OPT_FOR) | CMD_OPT(OPT_ALL_DAY) |            \
	 CMD_OPT(OPT_TZ) | CMD_OPT(OPT_LOCATION) | CMD_OPT(OPT_NOTES) | CMD_OPT(OPT_EVERY) |       \
	 CMD_OPT(OPT_CALENDAR))
#define EDIT_OPTS (ADD_OPTS | CMD_OPT(OPT_SUMMARY) | CMD_OPT(OPT_NO_REPEAT))

static int parse_event_args(struct ctx *ctx, int argc, char **argv, unsigned long long allow,
			    struct event_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = cmd_getopt_some(ctx, argc, argv, "", event_opts, allow)) != -1) {
		switch (c) {
		case OPT_AT: a->at = optarg; break;
		case OPT_END: a->end = optarg; break;
		case OPT_FOR: a->dur = optarg; break;
		case OPT_ALL_DAY: a->all_day = true; break;
		case OPT_TZ: a->tz = optarg; break;
		case OPT_LOCATION: a->location = optarg; break;
		case OPT_NOTES: a->notes = optarg; break;
		case OPT_EVERY: a->every = optarg; break;
		case OPT_NO_REPEAT: a->no_repeat = true; break;
		case OPT_CALENDAR: a->calendar = optarg; break;
		case OPT_SUMMARY: a->summary = optarg; break;
		default: return -1;
		}
	}
	if (a->end && a->dur)
		return cmd_usage(ctx, "--end and --for cannot be combined");
	if (a->every && a->no_repeat)
		return cmd_usage(ctx, "--every and --no-repeat cannot be combined");
	return 0;
}

static int parse_when(struct ctx *ctx, const char *opt, const char *text, time_t now,
		      struct when *w)
{
	if (when_parse(text, now, w, &ctx->err) < 0) {
		err_prefix(&ctx->err, "%s", opt);
		return -1;
	}
	return 0;
}

static int event_cmd_add(struct ctx *ctx, int argc, char **argv)
{
	struct event_args a;
	struct event ev;
	int rc = -1;

	memset(&ev, 0, sizeof(ev));
	if (parse_event_args(ctx, argc, argv, ADD_OPTS, &a) < 0)
		return -1;
	ev.summary = cmd_join_args(argc, argv, optind);
	if (!ev.summary) {
		cmd_usage(ctx, "missing SUMMARY");
		goto out;
	}
	if (event_args_apply(ctx->store, ctx->now, &a, &ev, true, &ctx->err) < 0 ||
	    event_add(ctx->store, &ev, ctx->now, &ctx->err) < 0)
		goto out;
	cmd_stored(ctx, ev.id, ctx->tty ? confirm_event(&ev, false, ctx->now) : NULL);
	rc = 0;
out:
	event_release(&ev);
	return rc;
}

/* How the agenda reads local times: by arithmetic when the local zone has
 * one offset for all time (TZ=UTC) and libc agrees, else localtime_r(). */
struct local_clock {
	bool fixed;
	long off;
};

static void local_clock_init(struct local_clock *c, time_t at)
{
	struct tz *z = tz_open(NULL, NULL);
	struct tm tm;

	c->fixed = z && tz_fixed(z, &c->off) && localtime_r(&at, &tm) && tm.tm_gmtoff == c->off;
	tz_free(z);
}

/* The two digits of 0..99, by that number (a line shows two times and an
 * id: a table is cheaper than dividing each digit out). */
static const char two_digits[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* "HH:MM" of t in local time at s, without a NUL (a year agenda formats
 * 100k of them). */
static inline void fmt_hm(const struct local_clock *c, time_t t, char *s)
{
	unsigned h, m;

	if (c->fixed) {
		long d = (long)((t + c->off) % 86400);
		unsigned mins;

		if (d < 0)
			d += 86400;
		mins = (unsigned)d / 60;
		h = mins / 60;
		m = mins % 60;
	} else {
		struct tm tm;

		localtime_r(&t, &tm);
		h = (unsigned)tm.tm_hour;
		m = (unsigned)tm.tm_min;
	}
	/* h < 24, m < 60 */
	memcpy(s, two_digits + 2 * h, 2);
	s[2] = ':';
	memcpy(s + 3, two_digits + 2 * m, 2);
}

/* "09:00-10:00" or "all day" for occurrence o on the local day [ds, de)
 * at buf, without a NUL: its length, 11 at most. */
static inline size_t fmt_span(const struct local_clock *c, const struct event_occ *o, time_t ds,
			      time_t de, char *buf)
{
	size_t n = 3;

	if (o->ev->all_day) {
		memcpy(buf, "all day", 7);
		return 7;
	}
	if (o->start >= ds) {
		fmt_hm(c, o->start, buf);
		n = 5;
	} else {
		memcpy(buf, "...", 3);
	}
	if (o->end == o->start)
		return n;
	buf[n++] = '-';
	if (o->end > de) {
		memcpy(buf + n, "...", 3);
		return n + 3;
	}
	fmt_hm(c, o->end, buf + n);
	return n + 5;
}

/* The rules of l's events in words, each made when first printed (a year
 * agenda prints a series' rule on every one of its lines), kept one after
 * another in one buffer (a malloc a rule was a tenth of saying it). */
struct rule_at {
	size_t at;  /* the words at buf + at - 2; 1: none; 0: not made yet */
	size_t len; /* their length */
};

struct rules {
	struct rule_at *ev; /* of event i */
	char *buf;
	size_t used, cap;
	struct every_memo memo; /* series alike but for their end are said once */
};

static void rules_init(struct rules *r, const struct event_list *l)
{
	r->ev = xcalloc(l->nevents + 1, sizeof(*r->ev));
	r->buf = NULL;
	r->used = r->cap = 0;
	every_memo_init(&r->memo);
}

static void rules_release(struct rules *r)
{
	free(r->ev);
	free(r->buf);
	every_memo_release(&r->memo);
}

/* The rule in words of occurrence o of l (NULL: none), said into the
 * buffer's free end; its length in *n. */
static inline const char *occ_rule(struct rules *r, const struct event_list *l,
				   const struct event_occ *o, size_t *n)
{
	enum { MOST = 128 }; /* a rule's words at most, with the NUL */
	struct rule_at *a;

	*n = 0;
	if (o->ev < l->events || o->ev >= l->events + l->nevents)
		return NULL;
	a = &r->ev[o->ev - l->events];
	if (!a->at) {
		a->at = 1;
		if (!o->ev->rrule)
			return NULL;
		if (r->used + MOST > r->cap) {
			r->cap = (r->used + MOST) * 2;
			r->buf = xrealloc(r->buf, r->cap);
		}
		if (every_words_memo_n(&r->memo, "en", o->ev->rrule, o->ev->all_day,
				       r->buf + r->used, MOST, &a->len)) {
			a->at = r->used + 2;
			r->used += a->len + 1;
		}
	}
	*n = a->len;
	return a->at > 1 ? r->buf + a->at - 2 : NULL;
}

/* Output gathered in blocks: an agenda's lines are short and many, and
 * stdio's locking and bookkeeping for each piece of each cost more than the
 * copy (out_put() and out_flush() write the bytes in the same order). */
struct out {
	FILE *f;
	size_t n;
	char buf[8192];
};

static struct out *out_new(FILE *f)
{
	struct out *o = xmalloc(sizeof(*o));

	o->f = f;
	o->n = 0;
	return o;
}

static void out_flush(struct out *o)
{
	if (o->n)
		fwrite(o->buf, 1, o->n, o->f);
	o->n = 0;
}

static inline void out_put(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->buf) - o->n) {
		out_flush(o);
		if (n > sizeof(o->buf)) {
			fwrite(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->buf + o->n, s, n);
	o->n += n;
}

static void out_puts(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* The most bytes of an agenda line before its summary, location and rule:
 * the id (20 digits at most), the span and the spaces around it. */
#define LINE_HEAD 40
/* after the summary of an occurrence the user declined alone */
#define DECLINED_MARK " (declined)"

/* fprintf's "%6lld  %-11s  %s (%s) — %s\n" of occurrence o, its location and
 * rule (each NULL: not shown) at w, which has room for LINE_HEAD bytes, the
 * strings, DECLINED_MARK and 9: the end of what it wrote. */
static inline char *fmt_line(char *w, const struct local_clock *c, const struct event_occ *o,
			     const char *summary, size_t slen, const char *loc, size_t llen,
			     const char *rule, size_t rlen, time_t ds, time_t de)
{
	unsigned long long v = o->ev->id > 0 ? (unsigned long long)o->ev->id : 0;
	char *p, *end;

	if (v < 1000000) {
		/* six digits, then spaces for the leading zeros but the last */
		unsigned u = (unsigned)v;

		memcpy(w, two_digits + 2 * (u / 10000), 2);
		memcpy(w + 2, two_digits + 2 * (u / 100 % 100), 2);
		memcpy(w + 4, two_digits + 2 * (u % 100), 2);
		for (p = w; p < w + 5 && *p == '0'; p++)
			*p = ' ';
		end = w + 6;
	} else {
		int nd = 7;

		for (unsigned long long x = v / 10000000; x; x /= 10)
			nd++;
		end = w + nd;
		for (p = end; v >= 100; v /= 100) {
			p -= 2;
			memcpy(p, two_digits + 2 * (v % 100), 2);
		}
		if (v >= 10)
			memcpy(p - 2, two_digits + 2 * v, 2);
		else
			p[-1] = (char)('0' + v);
	}
	/* the span (11 bytes at most) in 15 spaces, two before it */
	memcpy(end, "               ", 15);
	fmt_span(c, o, ds, de, end + 2);
	w = end + 15;
	memcpy(w, summary, slen);
	w += slen;
	if (o->ov && o->ov->declined) {
		memcpy(w, DECLINED_MARK, sizeof(DECLINED_MARK) - 1);
		w += sizeof(DECLINED_MARK) - 1;
	}
	if (loc) {
		w[0] = ' ';
		w[1] = '(';
		memcpy(w + 2, loc, llen);
		w += 2 + llen;
		*w++ = ')';
	}
	if (rule) {
		memcpy(w, " \xe2\x80\x94 ", 5);
		memcpy(w + 5, rule, rlen);
		w += 5 + rlen;
	}
	*w++ = '\n';
	return w;
}

/* One agenda line into b, written in its buffer (the pieces one by one
 * were half the cost of a line), or made apart when it is longer. */
static inline void print_occ(struct out *b, const struct local_clock *c, const struct event_occ *o,
			     const char *rule, size_t rlen, time_t ds, time_t de)
{
	const char *summary = o->summary, *loc = o->location;
	char *line = NULL, *end, *clean_summary = NULL, *clean_loc = NULL;
	size_t slen, llen, most;

	/* a newline or an escape of the data would break the line */
	slen = strlen(summary);
	llen = loc ? strlen(loc) : 0;
	if (!cmd_text_plain(summary, slen)) {
		summary = clean_summary = utf8_clean_str(summary, CMD_TEXT_CLEAN);
		slen = strlen(summary);
	}
	if (loc && !cmd_text_plain(loc, llen)) {
		loc = clean_loc = utf8_clean_str(loc, CMD_TEXT_CLEAN);
		llen = strlen(loc);
	}
	most = LINE_HEAD + slen + llen + rlen + sizeof(DECLINED_MARK) + 9;

	if (most > sizeof(b->buf) - b->n) {
		out_flush(b);
		if (most > sizeof(b->buf))
			line = xmalloc(most);
	}
	end = fmt_line(line ? line : b->buf + b->n, c, o, summary, slen, loc, llen, rule, rlen, ds,
		       de);
	if (line) {
		out_put(b, line, (size_t)(end - line));
		free(line);
	} else {
		b->n = (size_t)(end - b->buf);
	}
	free(clean_summary);
	free(clean_loc);
}

/* The local midnights of the days of [from, to), into *days (newly
 * allocated): the agenda places every occurrence by comparing it with
 * them, not by converting its times one by one. */
static size_t window_days(time_t from, time_t to, time_t **days)
{
	size_t n = 0, cap = 0;

	*days = NULL;
	for (time_t d = when_day_start(from); d < to; d = event_next_day(d)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*days = xrealloc(*days, cap * sizeof(**days));
		}
		(*days)[n++] = d;
	}
	return n;
}

/* The heading of the day that begins at day into b (after a blank line
 * unless it is the first). */
static void print_day_head(struct out *b, time_t day, bool first)
{
	char head[32];
	struct tm tm;

	localtime_r(&day, &tm);
	strftime(head, sizeof(head), "%a %Y-%m-%d", &tm);
	out_puts(b, first ? "" : "\n");
	out_puts(b, head);
	out_put(b, "\n", 1);
}

/* Human agenda: one heading per day, each occurrence under every day of the
 * window it covers, a day's lines in the occurrences' order.  Printed day by
 * day as the sorted occurrences come (a year at 100k events is 115k lines:
 * a table of them all, then sorted by day, was 3.6 MB of fresh pages): the
 * occurrences of earlier days that reach into a day come first, being
 * earlier in the order, and are held while they do. */
static void print_days(struct ctx *ctx, const struct event_list *l, time_t from, time_t to)
{
	size_t *held = NULL, nheld = 0, cap = 0, ndays, i = 0;
	struct out *line = out_new(ctx->out);
	struct local_clock clock;
	struct rules rules;
	time_t *days, last_end;
	bool first = true;

	local_clock_init(&clock, from);
	rules_init(&rules, l);
	ndays = window_days(from, to, &days);
	/* the end of the last day, once (its lines would each ask) */
	last_end = ndays ? event_next_day(days[ndays - 1]) : 0;
	for (size_t k = 0; k < ndays; k++) {
		time_t ds = days[k], de = k + 1 < ndays ? days[k + 1] : last_end;
		size_t kept = 0, start = nheld;

		/* after those held, the occurrences that begin on day k (before
		 * the window: on its first day; after it: on its last) */
		for (; i < l->nocc; i++) {
			const struct event_occ *o = &l->occ[i];

			if (k + 1 < ndays && (o->start > from ? o->start : from) >= de)
				break;
			if (nheld == cap) {
				cap = cap ? cap * 2 : 64;
				held = xrealloc(held, cap * sizeof(*held));
			}
			held[nheld++] = i;
		}
		for (size_t h = 0; h < nheld; h++) {
			const struct event_occ *o = &l->occ[held[h]];
			const char *rule;
			size_t rlen;

			/* one held from an earlier day shows while it reaches in */
			if (h < start && o->end <= ds)
				continue;
			if (!kept)
				print_day_head(line, ds, first);
			first = false;
			rule = occ_rule(&rules, l, o, &rlen);
			print_occ(line, &clock, o, rule, rlen, ds, de);
			held[kept++] = held[h];
		}
		nheld = kept;
	}
	out_flush(line);
	free(line);
	rules_release(&rules);
	free(held);
	free(days);
}

static void print_occurrences_json(struct ctx *ctx, const struct event_list *l)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < l->nocc; i++)
		cJSON_AddItemToArray(arr, json_event_occurrence(&l->occ[i]));
	cmd_print_json(ctx, arr);
}

int cmd_window(struct ctx *ctx, const char *from_s, const char *to_s, time_t *from, time_t *to)
{
	return event_window(ctx->now, from_s, to_s, false, from, to, &ctx->err);
}

static const struct option window_opts[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "calendar", required_argument, NULL, OPT_CALENDAR },
	{ NULL, 0, NULL, 0 },
};

int cmd_agenda(struct ctx *ctx, int argc, char **argv)
{
	const char *from_s = NULL, *to_s = NULL, *cal = NULL;
	struct event_list l;
	time_t from, to;
	int c;

	while ((c = cmd_getopt(ctx, argc, argv, "", window_opts)) != -1) {
		if (c == OPT_FROM)
			from_s = optarg;
		else if (c == OPT_TO)
			to_s = optarg;
		else if (c == OPT_CALENDAR)
			cal = optarg;
		else
			return -1;
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind]));
	if (cmd_window(ctx, from_s, to_s, &from, &to) < 0)
		return -1;
	/* the lines show less than the JSON: event_agenda() reads only that */
	if (ctx->json ? event_occurrences(ctx->store, from, to, cal, &l, &ctx->err) < 0
		      : event_agenda(ctx->store, from, to, cal, &l, &ctx->err) < 0)
		return -1;
	if (ctx->json) {
		print_occurrences_json(ctx, &l);
	} else if (l.nocc == 0) {
		char a[16], b[16];

		fprintf(ctx->out, "no events from %s to %s\n", render_date(from, a, sizeof(a)),
			render_date(to - 1, b, sizeof(b)));
	} else {
		print_days(ctx, &l, from, to);
	}
	event_list_release(&l);
	return 0;
}

/* The ID among argv (options with values skipped); usage error if none. */
static int find_id(struct ctx *ctx, int argc, char **argv, long long *id)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || cmd_parse_whole(argv[i], id))
			return cmd_parse_id(ctx, argv[i], id);
		if (!strchr(argv[i], '=') && strcmp(argv[i], "--all-day") != 0 &&
		    strcmp(argv[i], "--no-repeat") != 0)
			i++;
	}
	return cmd_usage(ctx, "missing ID");
}

/* event edit's options on the event read (event_modify: in its
 * transaction). */
struct edit_args {
	struct ctx *ctx;
	int argc;
	char **argv;
};

static int apply_edit(void *arg, struct event *ev)
{
	struct edit_args *e = arg;
	struct event_args a;

	if (e->argc <= 2)
		return cmd_usage(e->ctx, "nothing to change (see nestor help event edit)");
	if (parse_event_args(e->ctx, e->argc, e->argv, EDIT_OPTS, &a) < 0)
		return -1;
	if (optind + 1 < e->argc)
		return cmd_usage(e->ctx, "unexpected argument %s", utf8_q(e->argv[optind + 1]));
	return event_args_apply(e->ctx->store, e->ctx->now, &a, ev, false, &e->ctx->err);
}

static int event_cmd_edit(struct ctx *ctx, int argc, char **argv)
{
	struct edit_args a = { ctx, argc, argv };
	struct event ev;
	long long id = 0;

	if (find_id(ctx, argc, argv, &id) < 0 ||
	    event_modify(ctx->store, id, ctx->now, apply_edit, &a, &ev, &ctx->err) < 0)
		return -1;
	cmd_stored(ctx, id, ctx->tty ? confirm_event(&ev, true, ctx->now) : NULL);
	event_release(&ev);
	return 0;
}

static void show_line(struct ctx *ctx, const char *label, const char *value)
{
	if (value && *value) {
		fprintf(ctx->out, "%-10s ", label);
		cmd_put_text(ctx->out, value);
		fputc('\n', ctx->out);
	}
}

/* A field of many lines: the first after the label, the others under it. */
static void show_lines(struct ctx *ctx, const char *label, const char *value)
{
	if (value && *value) {
		fprintf(ctx->out, "%-10s ", label);
		cmd_put_lines(ctx->out, value, 11);
		fputc('\n', ctx->out);
	}
}

static int event_cmd_show(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct event ev;
	long long id;
	char a[128], b[64], *refused = NULL;
	cJSON *j;

	if (cmd_negative_id(ctx, argc, argv, NULL) < 0 ||
	    cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	if (optind >= argc)
		return cmd_usage(ctx, "missing ID");
	if (cmd_parse_id(ctx, argv[optind], &id) < 0 ||
	    event_get(ctx->store, id, &ev, &ctx->err) < 0)
		return -1;
	if (gsync_refused_why(ctx->store, ev.id, &refused, &ctx->err) < 0) {
		event_release(&ev);
		return -1;
	}
	j = json_event(&ev);
	if (refused)
		cJSON_AddStringToObject(j, "google_refused", refused);
	if (ctx->json) {
		free(refused);
		cmd_print_json(ctx, j);
		event_release(&ev);
		return 0;
	}
	fprintf(ctx->out, "%-10s %lld\n", "id", ev.id);
	show_line(ctx, "summary", ev.summary);
	snprintf(a, sizeof(a), "%s", cJSON_GetObjectItem(j, "start")->valuestring);
	snprintf(b, sizeof(b), "%s", cJSON_GetObjectItem(j, "end")->valuestring);
	show_line(ctx, "start", a);
	if (ev.all_day) /* the last day, not iCalendar's exclusive end */
		render_date(tz_date_to_local(ev.end - DAY), b, sizeof(b));
	show_line(ctx, ev.all_day ? "last day" : "end", b);
	show_line(ctx, "all day", ev.all_day ? "yes" : NULL);
	show_line(ctx, "zone", ev.tzid);
	show_line(ctx, "repeats", every_words_series("en", ev.rrule, ev.all_day, a, sizeof(a)));
	for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(j, "exdates")); i++)
		show_line(ctx, "except",
			  cJSON_GetArrayItem(cJSON_GetObjectItem(j, "exdates"), i)->valuestring);
	if (ev.noverrides) {
		size_t nd = 0;

		for (size_t i = 0; i < ev.noverrides; i++)
			nd += ev.overrides[i].declined;
		snprintf(a, sizeof(a), "%zu changed occurrence%s", ev.noverrides,
			 ev.noverrides == 1 ? "" : "s");
		if (nd)
			snprintf(a + strlen(a), sizeof(a) - strlen(a), ", %zu declined", nd);
		show_line(ctx, "changes", a);
	}
	show_line(ctx, "location", ev.location);
	show_lines(ctx, "notes", ev.notes);
	show_line(ctx, "calendar", ev.calendar);
	if (refused) {
		fprintf(ctx->out, "%-10s refused (", "google");
		cmd_put_safe(ctx->out, refused);
		fputs("); kept here only\n", ctx->out);
		free(refused);
	}
	for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(j, "attendees")); i++)
		show_line(ctx, "attendee",
			  cJSON_GetArrayItem(cJSON_GetObjectItem(j, "attendees"), i)->valuestring);
	show_line(ctx, "alarms", ev.alarms ? "yes" : NULL);
	show_line(ctx, "uid", ev.uid);
	cJSON_Delete(j);
	event_release(&ev);
	return 0;
}

static int event_cmd_rm(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "only", required_argument, NULL, OPT_ONLY },
					      { NULL, 0, NULL, 0 } };
	const char *only = NULL;
	struct when w;
	long long id;
	int c;

	if (cmd_negative_id(ctx, argc, argv, opts) < 0)
		return -1;
	while ((c = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c != OPT_ONLY)
			return -1;
		only = optarg;
	}
	if (optind >= argc)
		return cmd_usage(ctx, "missing ID");
	if (optind + 1 < argc)
		return cmd_usage(ctx, "unexpected argument %s", utf8_q(argv[optind + 1]));
	if (cmd_parse_id(ctx, argv[optind], &id) < 0 ||
	    (only && parse_when(ctx, "--only", only, ctx->now, &w) < 0) ||
	    event_delete(ctx->store, id, only ? &w.at : NULL, ctx->now, &ctx->err) < 0)
		return -1;
	if (only)
		cmd_changed_id(ctx, id, "event %lld: occurrence on %s removed", id,
			       render_date(w.at, (char[16]){ 0 }, 16));
	else
		cmd_changed_id(ctx, id, "event %lld removed", id);
	return 0;
}

static int event_cmd_search(struct ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct event_list l;
	char *text;

	if (cmd_getopt(ctx, argc, argv, "", none) == '?')
		return -1;
	text = cmd_join_args(argc, argv, optind);
	if (!text)
		return cmd_usage(ctx, "missing TEXT");
	if (event_search(ctx->store, text, ctx->now, &l, &ctx->err) < 0) {
		free(text);
		return -1;
	}
	if (ctx->json) {
		print_occurrences_json(ctx, &l);
	} else if (l.nocc == 0) {
		fprintf(ctx->out, "no events match \"%s\"\n", text);
	} else {
		struct out *line = out_new(ctx->out);
		struct local_clock clock;
		struct rules rules;

		local_clock_init(&clock, l.occ[0].start);
		rules_init(&rules, &l);
		for (size_t i = 0; i < l.nocc; i++) {
			const struct event_occ *o = &l.occ[i];
			time_t ds = when_day_start(o->start);
			const char *rule;
			char day[32];
			struct tm tm;
			size_t n;

			localtime_r(&o->start, &tm);
			strftime(day, sizeof(day), "%a %Y-%m-%d ", &tm);
			out_puts(line, day);
			rule = occ_rule(&rules, &l, o, &n);
			print_occ(line, &clock, o, rule, n, ds, event_next_day(ds));
		}
		out_flush(line);
		free(line);
		rules_release(&rules);
	}
	free(text);
	event_list_release(&l);
	return 0;
}

#define EVENT_OPTS_USAGE                                                                           \
	"[--end WHEN | --for DURATION] [--all-day] [--tz TZID] [--location TEXT]"                  \
	" [--notes TEXT] [--every RULE] [--calendar NAME]"

const struct cmd cmd_event_verbs[] = {
	{ "add", "SUMMARY... --at WHEN " EVENT_OPTS_USAGE, "add an event and print its id",
	  CMD_NEEDS_DB, event_cmd_add, NULL },
	{ "show", "ID [--json]", "show one event", CMD_NEEDS_DB, event_cmd_show, NULL },
	{ "edit", "ID [--summary TEXT] [--at WHEN] " EVENT_OPTS_USAGE " [--no-repeat]",
	  "change an event (a series as a whole)", CMD_NEEDS_DB, event_cmd_edit, NULL },
	{ "rm", "ID [--only DATE]", "delete an event, or one occurrence of a series", CMD_NEEDS_DB,
	  event_cmd_rm, NULL },
	{ "search", "TEXT... [--json]", "events whose summary, location or notes contain TEXT",
	  CMD_NEEDS_DB, event_cmd_search, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
