/*
 * The command dispatcher and the TUI's slash commands: a command's error
 * goes back to its caller in ctx->err, and what a command says besides its
 * output goes to the caller's ctx->errout.  Nothing lands on the process's
 * stderr, and fd 2 is never swapped: the TUI draws on that terminal from
 * another thread.  The suite brings its own command table.
 */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chat.h"
#include "cmd.h"
#include "config.h"
#include "store.h"
#include "testutil.h"
#include "tuicmd.h"
#include "worker.h"
#include "xalloc.h"

static struct stat fd2_before; /* fd 2 as the test set it up */
static int fd2_swapped;	       /* a handler found another file on fd 2 */
static int saved_fd2 = -1;
static char *dir, *stderr_path;

static int fail_exec(struct ctx *ctx, int argc, char **argv)
{
	struct stat st;

	(void)argc;
	(void)argv;
	if (fstat(STDERR_FILENO, &st) < 0 || st.st_ino != fd2_before.st_ino ||
	    st.st_dev != fd2_before.st_dev)
		fd2_swapped = 1;
	fprintf(ctx->out, "half done\n");
	fprintf(ctx->errout, "nestor: fail: 1 line skipped\n");
	return err_set(&ctx->err, ERR_FAIL, "the disk is full");
}

static int ok_exec(struct ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(ctx->out, "fine\n");
	return 0;
}

static const struct cmd group_verbs[] = {
	{ "ok", NULL, "succeed", 0, ok_exec, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

const struct cmd cmd_table[] = {
	{ "fail", NULL, "fail after a warning", 0, fail_exec, NULL },
	{ "group", NULL, "a group of verbs", 0, NULL, group_verbs },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

/* fd 2 goes to a file of the test's, so anything written there shows. */
static void setup(void)
{
	int fd;

	dir = tu_tmpdir();
	stderr_path = xasprintf("%s/stderr", dir);
	fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_fd2 = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	ck_assert_int_eq(fstat(STDERR_FILENO, &fd2_before), 0);
	fd2_swapped = 0;
}

static void teardown(void)
{
	fflush(stderr);
	dup2(saved_fd2, STDERR_FILENO);
	close(saved_fd2);
	tu_rmrf(dir);
	free(dir);
	free(stderr_path);
}

static size_t stderr_size(void)
{
	struct stat st;

	fflush(stderr);
	ck_assert_int_eq(stat(stderr_path, &st), 0);
	return (size_t)st.st_size;
}

struct capture {
	char *out, *errout;
	size_t outlen, errlen;
};

static int dispatch(struct ctx *ctx, struct capture *cap, int argc, char **argv)
{
	int rc;

	free(cap->out);
	free(cap->errout);
	memset(cap, 0, sizeof(*cap));
	ctx->out = open_memstream(&cap->out, &cap->outlen);
	ctx->errout = open_memstream(&cap->errout, &cap->errlen);
	rc = cmd_dispatch(ctx, cmd_table, argc, argv);
	fclose(ctx->out);
	fclose(ctx->errout);
	return rc;
}

START_TEST(test_dispatch_fills_err)
{
	char *unknown[] = { "frobnicate", NULL }, *fail[] = { "fail", NULL };
	char *group[] = { "group", NULL }, *fly[] = { "group", "fly", NULL };
	char *ok[] = { "group", "ok", NULL };
	struct capture cap = { NULL, NULL, 0, 0 };
	struct ctx ctx;
	char *line;

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(dispatch(&ctx, &cap, 1, unknown), -1);
	ck_assert_int_eq(err_exit_status(&ctx.err), 2);
	ck_assert_str_eq(ctx.err.msg, "unknown command 'frobnicate' (see 'nestor help')");
	line = cmd_error_text(&ctx);
	ck_assert_str_eq(line, "nestor: unknown command 'frobnicate' (see 'nestor help')");
	free(line);

	/* a handler's error, with the command's name; its output and warning kept apart */
	ck_assert_int_eq(dispatch(&ctx, &cap, 1, fail), -1);
	ck_assert_int_eq(err_exit_status(&ctx.err), 1);
	line = cmd_error_text(&ctx);
	ck_assert_str_eq(line, "nestor: fail: the disk is full");
	free(line);
	ck_assert_str_eq(cap.out, "half done\n");
	ck_assert_str_eq(cap.errout, "nestor: fail: 1 line skipped\n");

	/* a group without its verb: its usage on errout, nothing more to say */
	ck_assert_int_eq(dispatch(&ctx, &cap, 1, group), -1);
	ck_assert_int_eq(err_exit_status(&ctx.err), 2);
	ck_assert_ptr_nonnull(strstr(cap.errout, "usage: nestor group <command>"));
	ck_assert_ptr_null(cmd_error_text(&ctx));
	ctx.json = true;
	ck_assert_int_eq(dispatch(&ctx, &cap, 1, group), -1);
	ck_assert_str_eq(ctx.err.msg, "missing command (see 'nestor help group')");
	ck_assert_str_eq(cap.errout, "");
	ctx.json = false;
	ck_assert_int_eq(dispatch(&ctx, &cap, 2, fly), -1);
	ck_assert_str_eq(ctx.err.msg, "unknown command 'fly' (see 'nestor help group')");

	/* success clears what the last failure left */
	ck_assert_int_eq(dispatch(&ctx, &cap, 2, ok), 0);
	ck_assert_int_eq(ctx.err.code, ERR_OK);
	ck_assert_str_eq(ctx.err.msg, "");
	ck_assert_str_eq(cap.out, "fine\n");

	ck_assert_int_eq(fd2_swapped, 0);
	ck_assert_uint_eq(stderr_size(), 0);
	free(cap.out);
	free(cap.errout);
}
END_TEST

/* Run line as the TUI does, on its worker, and show every event in the chat. */
static void tui_run(struct tuicmd *tc, struct worker *w, const char *line)
{
	struct err e = { 0, "" };
	bool finished = false;

	ck_assert_msg(tuicmd_slash(tc, line, &e) == 0, "%s", e.msg);
	while (!finished) {
		struct pollfd p = { worker_fd(w), POLLIN, 0 };
		struct worker_event *list;

		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		list = worker_take(w);
		for (struct worker_event *ev = list; ev; ev = ev->next)
			finished |= tuicmd_event(tc, ev);
		worker_events_free(list);
	}
}

static const struct chat_entry *newest(const struct chat *c, size_t back)
{
	ck_assert_uint_gt(c->n, back);
	return &c->e[c->head + c->n - 1 - back];
}

START_TEST(test_tui_shows_command_error)
{
	char *db = xasprintf("%s/nestor.db", dir), *conf = xasprintf("%s/config", dir);
	struct err e = { 0, "" };
	struct tuicmd tc;
	struct chat chat;
	struct worker *w;
	struct ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.db_path = db;
	ctx.out = stdout;
	ctx.errout = stderr;
	ctx.cfg = config_load(conf, NULL, &e);
	ck_assert_msg(ctx.cfg != NULL, "%s", e.msg);
	ctx.store = store_open(db, &e);
	ck_assert_msg(ctx.store != NULL, "%s", e.msg);
	chat_init(&chat, "nestor");
	w = worker_new(&e);
	ck_assert_ptr_nonnull(w);
	ck_assert_msg(tuicmd_open(&tc, &ctx, &chat, w, &e) == 0, "%s", e.msg);

	tui_run(&tc, w, "/fail");
	/* the command ran with the terminal's fd 2 in place, and wrote nothing there */
	ck_assert_int_eq(fd2_swapped, 0);
	ck_assert_uint_eq(stderr_size(), 0);
	/* its output, then its warning and its error as one error entry */
	ck_assert_int_eq(newest(&chat, 0)->role, CHAT_ERROR);
	ck_assert_ptr_nonnull(strstr(newest(&chat, 0)->text, "nestor: fail: 1 line skipped"));
	ck_assert_ptr_nonnull(strstr(newest(&chat, 0)->text, "nestor: fail: the disk is full"));
	ck_assert_int_eq(newest(&chat, 1)->role, CHAT_INFO);
	ck_assert_ptr_nonnull(strstr(newest(&chat, 1)->text, "half done"));
	ck_assert_int_eq(newest(&chat, 2)->role, CHAT_USER);
	ck_assert_str_eq(newest(&chat, 2)->text, "/fail");

	/* the next command starts clean */
	tui_run(&tc, w, "/group ok");
	ck_assert_int_eq(newest(&chat, 0)->role, CHAT_INFO);
	ck_assert_ptr_nonnull(strstr(newest(&chat, 0)->text, "fine"));
	ck_assert_uint_eq(stderr_size(), 0);

	tuicmd_close(&tc);
	worker_free(w);
	chat_release(&chat);
	store_free(ctx.store);
	config_free(ctx.cfg);
	free(db);
	free(conf);
}
END_TEST

/* What the REPL writes to the terminal itself (a tool's line, an MCP
 * call's arguments): controls as '?', what is not UTF-8 as U+FFFD (a
 * byte 0xe2 would make the terminal swallow the bytes after it). */
START_TEST(test_put_safe)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cmd_put_safe(f, "a\x1b[2J\tb\xc2\x9b"
			"c\xff d\xe2\x82 e\xc0\xaf f\xd0\xbf");
	fclose(f);
	ck_assert_str_eq(buf, "a?[2J?b?c\xef\xbf\xbd d\xef\xbf\xbd e\xef\xbf\xbd\xef\xbf\xbd "
			      "f\xd0\xbf");
	free(buf);
}
END_TEST

/* The REPL's /help is wrapped in screen columns, not characters: a CJK
 * character or an emoji takes two, so no line is wider than the terminal,
 * and a continuation lines up under the text after a wide label. */
START_TEST(test_put_wrapped)
{
	static const struct {
		const char *text;
		int width;
		const char *want;
	} cases[] = {
		{ "  /agenda  the calendar for the coming days\n", 24,
		  "  /agenda  the calendar\n           for the\n           coming days\n" },
		/* "日程 日程" is 9 columns in 5 characters */
		{ "日程 日程 日程 日程", 10, "日程 日程\n日程 日程\n" },
		{ "日程日程 日程日程 日程日程", 10, "日程日程\n日程日程\n日程日程\n" },
		/* the label "/日程" is 5 columns in 7 bytes: "for" under "the" */
		{ "  /日程  the calendar for the days", 22,
		  "  /日程  the calendar\n         for the days\n" },
		/* a line that fits stays whole */
		{ "\xf0\x9f\x93\x85 today", 8, "\xf0\x9f\x93\x85 today\n" },
		{ "\xf0\x9f\x93\x85\xf0\x9f\x93\x85 today", 8,
		  "\xf0\x9f\x93\x85\xf0\x9f\x93\x85\ntoday\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		cmd_put_wrapped(f, cases[i].text, cases[i].width);
		fclose(f);
		ck_assert_str_eq(buf, cases[i].want);
		free(buf);
	}
}
END_TEST

Suite *dispatch_suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dispatch_fills_err);
	tcase_add_test(tc, test_tui_shows_command_error);
	tcase_add_test(tc, test_put_safe);
	tcase_add_test(tc, test_put_wrapped);
	suite_add_tcase(s, tc);
	return s;
}
