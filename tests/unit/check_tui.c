/*
 * The TUI's screen-independent parts: UTF-8 wrapping in columns (what the
 * chat pane shows) and the input line editor (what the keys do).
 */
#include <check.h>
#include <dirent.h>
#include <sys/stat.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "conversation.h"
#include "event.h"
#include "input.h"
#include "reltime.h"
#include "reminder.h"
#include "side.h"
#include "status.h"
#include "store.h"
#include "task.h"
#include "testutil.h"
#include "theme.h"
#include "tool.h"
#include "when.h"
#include "worker.h"
#include "wrap.h"
#include "xalloc.h"

static char lines[16][128];
static int nlines;

static void collect(void *arg, size_t off, size_t len)
{
	const char *s = arg;

	ck_assert_int_lt(nlines, 16);
	snprintf(lines[nlines++], sizeof(lines[0]), "%.*s", (int)len, s + off);
}

static int wrap(const char *s, int first, int rest)
{
	nlines = 0;
	return wrap_lines(s, first, rest, collect, (void *)s);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
}

START_TEST(test_wrap_words)
{
	ck_assert_int_eq(wrap("buy milk and bread tomorrow", 10, 10), 3);
	ck_assert_str_eq(lines[0], "buy milk");
	ck_assert_str_eq(lines[1], "and bread");
	ck_assert_str_eq(lines[2], "tomorrow");
	/* a word longer than a line is cut, the first line may be narrower */
	ck_assert_int_eq(wrap("abcdefghij xy", 4, 6), 3);
	ck_assert_str_eq(lines[0], "abcd");
	ck_assert_str_eq(lines[1], "efghij");
	ck_assert_str_eq(lines[2], "xy");
	/* newlines break; an empty text is one empty line */
	ck_assert_int_eq(wrap("a\n\nb", 10, 10), 3);
	ck_assert_str_eq(lines[1], "");
	ck_assert_int_eq(wrap("", 10, 10), 1);
	ck_assert_int_eq(wrap_lines("x", 0, 0, NULL, NULL), 1);
}
END_TEST

START_TEST(test_wrap_utf8)
{
	/* Cyrillic is one column a letter, CJK two; widths in columns, not bytes */
	ck_assert_int_eq(wrap_width("мои задачи", strlen("мои задачи")), 10);
	ck_assert_int_eq(wrap_width("日本", strlen("日本")), 4);
	ck_assert_int_eq(wrap("напомни позвонить маме", 12, 12), 3);
	ck_assert_str_eq(lines[0], "напомни");
	ck_assert_str_eq(lines[1], "позвонить");
	ck_assert_str_eq(lines[2], "маме");
	ck_assert_int_eq(wrap("напомни маме", 12, 12), 1); /* exactly 12 columns */
	ck_assert_int_eq(wrap("日本語の文", 4, 4), 3);
	ck_assert_str_eq(lines[0], "日本");
	ck_assert_str_eq(lines[2], "文");
	/* a wide character in a one-column line still makes progress */
	ck_assert_int_eq(wrap("日本", 1, 1), 2);
	/* cut for an ellipsis: no trailing space before it */
	{
		bool cut;

		ck_assert_uint_eq(wrap_cut("ab cd", 5, &cut), 5);
		ck_assert(!cut);
		ck_assert_uint_eq(wrap_cut("ab cdef", 4, &cut), 2);
		ck_assert(cut);
	}
	/* fit never splits a character */
	{
		int used;

		ck_assert_uint_eq(wrap_fit("привет", strlen("привет"), 3, &used), 6);
		ck_assert_int_eq(used, 3);
		ck_assert_uint_eq(wrap_fit("日本", 6, 3, &used), 3);
		ck_assert_int_eq(used, 2);
	}
}
END_TEST

START_TEST(test_wrap_clean_and_invalid)
{
	char *s = wrap_clean("a\tb\x1b[31mc\n\n  ", true);
	wchar_t wc;

	ck_assert_str_eq(s, "a b[31mc");
	free(s);
	s = wrap_clean("a\r\n ", false);
	ck_assert_str_eq(s, "a\n ");
	free(s);
	ck_assert_uint_eq(wrap_decode("\xff", 1, &wc), 1);
	ck_assert_int_eq(wc, 0xfffd);
	ck_assert_uint_eq(wrap_decode("\xd0", 1, &wc), 1); /* truncated sequence */
	ck_assert_int_eq(wc, 0xfffd);
	ck_assert_uint_eq(wrap_decode("\xc0\xaf", 2, &wc), 1); /* overlong */
	ck_assert_int_eq(wrap_width("a\xffz", 3), 3);
}
END_TEST

/* Text from a store written by another program, a server, a tool: what is
 * not UTF-8 is drawn as U+FFFD and C1 controls not at all, as the width
 * was measured (ncurses would draw them as "~[" or as nothing). */
START_TEST(test_wrap_clean_bytes)
{
	char *s = wrap_clean("a\xff b\xc2\x9b"
			     "1mc\x7f d\xc0\xaf e\xed\xa0\x80 f\xd0",
			     false);

	ck_assert_str_eq(s, "a\xef\xbf\xbd b1mc d\xef\xbf\xbd\xef\xbf\xbd "
			    "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd f\xef\xbf\xbd");
	ck_assert_int_eq(wrap_width(s, strlen(s)), 19);
	free(s);
}
END_TEST

static void type(struct input *in, const char *s)
{
	input_insert_str(in, s);
}

static void expect_text(struct input *in, const char *want)
{
	char *t = input_text(in);

	ck_assert_str_eq(t, want);
	free(t);
}

START_TEST(test_input_editing)
{
	struct input in;
	char *t;

	input_init(&in, 10);
	type(&in, "мои задачи");
	ck_assert_uint_eq(in.len, 10);
	input_left(&in);
	input_left(&in);
	input_backspace(&in); /* the second а */
	expect_text(&in, "мои задчи");
	input_delete(&in);
	expect_text(&in, "мои зади");
	input_home(&in);
	input_insert(&in, L'Я');
	input_end(&in);
	type(&in, " now");
	expect_text(&in, "Ямои зади now");
	input_kill_word(&in);
	expect_text(&in, "Ямои зади ");
	input_yank(&in);
	input_yank(&in);
	expect_text(&in, "Ямои зади nownow");
	input_home(&in);
	input_word_right(&in);
	t = input_before(&in);
	ck_assert_str_eq(t, "Ямои");
	free(t);
	input_kill_end(&in);
	expect_text(&in, "Ямои");
	input_kill_start(&in);
	ck_assert(input_empty(&in));
	input_yank(&in);
	expect_text(&in, "Ямои");
	/* tabs and newlines pasted in become spaces, control characters vanish */
	input_set(&in, "a\tb\nc\x01");
	expect_text(&in, "a b c");
	input_release(&in);
}
END_TEST

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(test_input_history)
{
	struct input in;
	char *dir = tu_tmpdir(), *path = xasprintf("%s/history", dir), *blocked;
	struct stat sb;
	struct err e;

	input_init(&in, 3);
	input_hist_add(&in, "one");
	input_hist_add(&in, "two");
	input_hist_add(&in, "two");
	input_hist_add(&in, "");
	ck_assert_uint_eq(in.nhist, 2);
	type(&in, "draft");
	input_hist_prev(&in);
	expect_text(&in, "two");
	input_hist_prev(&in);
	input_hist_prev(&in); /* stays on the oldest */
	expect_text(&in, "one");
	input_hist_next(&in);
	input_hist_next(&in);
	expect_text(&in, "draft");
	input_hist_next(&in);
	expect_text(&in, "draft");
	input_hist_add(&in, "три");
	input_hist_add(&in, "four"); /* the oldest falls off at 3 */
	ck_assert_str_eq(in.hist[0], "two");
	ck_assert_int_eq(input_hist_save(&in, path, &e), 0);
	/* the lines typed are the user's alone, and a failed save (the path
	 * is a folder) leaves no file behind */
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	blocked = xasprintf("%s/blocked", dir);
	ck_assert_int_eq(mkdir(blocked, 0700), 0);
	ck_assert_int_eq(input_hist_save(&in, blocked, &e), -1);
	ck_assert_pstr_eq(strstr(e.msg, "Is a directory"), "Is a directory");
	ck_assert_int_eq(count_files(dir), 2);
	free(blocked);
	input_release(&in);

	input_init(&in, 10);
	ck_assert_int_eq(input_hist_load(&in, path), 0);
	ck_assert_uint_eq(in.nhist, 3);
	input_hist_prev(&in);
	input_hist_prev(&in);
	expect_text(&in, "три");
	input_release(&in);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_input_complete_and_view)
{
	static const char *const cands[] = { "/help", "/quit", "/task", "/tasks", NULL };
	struct input in;
	size_t first;
	int col;

	input_init(&in, 10);
	type(&in, "/q");
	ck_assert_int_eq(input_complete(&in, cands), 1);
	expect_text(&in, "/quit ");
	input_set(&in, "/ta");
	ck_assert_int_eq(input_complete(&in, cands), 2);
	expect_text(&in, "/task");
	input_set(&in, "/x");
	ck_assert_int_eq(input_complete(&in, cands), 0);
	expect_text(&in, "/x");

	/* a long line scrolls so the cursor stays inside the width */
	input_set(&in, "абвгдеёжзийклмнопрстуфхцчшщ");
	input_view(&in, 10, &first, &col);
	ck_assert_int_lt(col, 10);
	ck_assert_uint_eq(first + (size_t)col, in.len);
	input_home(&in);
	input_view(&in, 10, &first, &col);
	ck_assert_uint_eq(first, 0);
	ck_assert_int_eq(col, 0);
	input_release(&in);
}
END_TEST

/* A conversation of 10000 messages that the chat pane pages in. */
static int loaded_upto = 10000, loads;

static int load_page(void *arg, struct chat *c)
{
	int n = 0;

	(void)arg;
	loads++;
	while (n < 50 && loaded_upto > 0) {
		char text[32];

		snprintf(text, sizeof(text), "message %d", --loaded_upto);
		chat_prepend(c, loaded_upto % 2 ? CHAT_ASSISTANT : CHAT_USER, text);
		n++;
	}
	return n;
}

static char *row_from(WINDOW *w, int y, int x)
{
	static char buf[128];
	int n;

	mvwinnstr(w, y, x, buf, sizeof(buf) - 1);
	n = (int)strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

static char *row(WINDOW *w, int y)
{
	return row_from(w, y, 0);
}

START_TEST(test_chat_pages_and_scrolls)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("vt100", out, in);
	struct chat c;
	WINDOW *w;

	ck_assert_ptr_nonnull(scr);
	set_term(scr);
	theme_init(false);
	w = newwin(10, 40, 0, 0);
	chat_init(&c, "nestor");
	chat_set_loader(&c, load_page, NULL);
	loaded_upto = 10000;
	loads = 0;

	/* opening draws the newest messages after loading one page only */
	chat_draw(&c, w);
	ck_assert_int_eq(loads, 1);
	ck_assert_uint_eq(c.n, 50);
	ck_assert_str_eq(row(w, 9), "nestor: message 9999");
	ck_assert_str_eq(row(w, 8), "you: message 9998");
	ck_assert_str_eq(row(w, 7), "");

	/* scrolling back a screen pages in only what it needs */
	chat_scroll(&c, 9);
	chat_draw(&c, w);
	ck_assert_str_eq(row(w, 9), "nestor: message 9993");
	ck_assert_uint_eq(c.n, 50);
	/* while scrolled back, new text does not move the view */
	chat_add(&c, CHAT_USER, "new one");
	chat_draw(&c, w);
	ck_assert_str_eq(row(w, 9), "nestor: message 9993");
	chat_bottom(&c);
	chat_draw(&c, w);
	ck_assert_str_eq(row(w, 9), "you: new one");

	/* the very top: everything loaded, the first message on the first row */
	chat_scroll(&c, 1000000);
	chat_draw(&c, w);
	ck_assert_uint_eq(c.n, 10001);
	ck_assert_str_eq(row(w, 0), "you: message 0");
	ck_assert_int_lt(c.scroll, 1000000);

	/* long text wraps under its label; a tool call is one cut line */
	chat_clear(&c);
	chat_set_loader(&c, NULL, NULL);
	chat_add(&c, CHAT_ASSISTANT, "один два три четыре пять шесть семь восемь");
	chat_add(&c, CHAT_TOOL, "reminder.add 'call mom' tomorrow 17:00 and a very long tail");
	chat_draw(&c, w);
	ck_assert_str_eq(row(w, 0), "nestor: один два три четыре пять шесть");
	ck_assert_str_eq(row(w, 1), "  семь восемь");
	ck_assert_str_eq(row(w, 2), "  -> reminder.add 'call mom' tomorrow 1\xe2\x80\xa6");

	chat_release(&c);
	delwin(w);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}
END_TEST

START_TEST(test_tool_lines)
{
	char *s =
		tool_call_text("reminder_add", "{\"at\":\"tomorrow 17:00\",\"text\":\"call mom\"}");

	/* the name as the registry knows it, as REPL, TUI and history show it */
	ck_assert_str_eq(s, "reminder_add 'tomorrow 17:00' 'call mom'");
	free(s);
	s = tool_call_text("task_list", "{\"all\":true,\"x\":false,\"id\":4}");
	ck_assert_str_eq(s, "task_list all 4");
	free(s);
	s = tool_call_text("time_now", "{}");
	ck_assert_str_eq(s, "time_now");
	free(s);
	s = tool_error_text("task_done", "{\"error\":\"no task 9\"}");
	ck_assert_str_eq(s, "task_done: no task 9");
	free(s);
	ck_assert_ptr_null(tool_error_text("task_done", "{\"id\":9}"));
}
END_TEST

START_TEST(test_side_when)
{
	char buf[24];
	time_t now;
	struct tm tm = { 0 };

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	tm.tm_year = 126, tm.tm_mon = 10, tm.tm_mday = 25, tm.tm_hour = 15, tm.tm_isdst = -1;
	now = mktime(&tm); /* Wednesday 2026-11-25 15:00 */
	reltime_format(RELTIME_SHORT, NULL, now + 2 * 3600, false, now, buf, sizeof(buf));
	ck_assert_str_eq(buf, "17:00");
	reltime_format(RELTIME_SHORT, NULL, now + 8 * 3600 + 59 * 60 + 59, true, now, buf,
		       sizeof(buf));
	ck_assert_str_eq(buf, "today");
	reltime_format(RELTIME_SHORT, NULL, now + 2 * 86400 - 3600, false, now, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Fri 14:00");
	reltime_format(RELTIME_SHORT, NULL, now + 86400 + 8 * 3600 + 59 * 60 + 59, true, now, buf,
		       sizeof(buf));
	ck_assert_str_eq(buf, "Thu");
	reltime_format(RELTIME_SHORT, NULL, now + 20 * 86400, false, now, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Dec 15");
	reltime_format(RELTIME_SHORT, NULL, now - 86400, false, now, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Nov 24");
}
END_TEST

/* The status line draws a notice (an error quoting outside data) as the
 * panes draw text: U+FFFD for bytes that are not UTF-8, without control or
 * bidirectional characters, on one line. */
START_TEST(test_status_notice)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("vt100", out, in);
	struct status_info si = { 0 };
	static const char want[] = " nestor (llm) | new | bad\xef\xbf\xbd [2J RTL next |";
	WINDOW *w;

	ck_assert_ptr_nonnull(scr);
	set_term(scr);
	theme_init(false);
	si.assistant = "nestor";
	si.backend = "llm";
	si.notice = "bad\xff \x1b[2J \xe2\x80\xaeRTL\nnext |";
	si.notice_error = true;
	w = newwin(1, 80, 0, 0);
	status_draw(w, &si);
	ck_assert_msg(!strncmp(row(w, 0), want, sizeof(want) - 1), "drawn: %s", row(w, 0));
	delwin(w);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}
END_TEST

/* The side pane lists today's events and open tasks from the database,
 * cut to its width. */
START_TEST(test_side_pane)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("vt100", out, in);
	char *dir = tu_tmpdir(), *path = xasprintf("%s/nestor.db", dir);
	struct err e = { 0, "" };
	struct store *st = store_open(path, &e);
	struct task t = { 0 };
	struct side side;
	WINDOW *w;
	time_t now = 1780304400; /* 2026-06-01 09:00 UTC */

	ck_assert_ptr_nonnull(st);
	set_term(scr);
	theme_init(false);
	t.title = "позвонить в банк насчёт комиссии";
	ck_assert_int_eq(task_add(st, &t, now, &e), 0);
	{
		struct event ev = { 0 };

		ev.summary = xstrdup("dentist");
		ev.start = when_day_start(now) + 10 * 3600;
		ev.end = ev.start + 3600;
		ck_assert_int_eq(event_add(st, &ev, now, &e), 0);
		event_release(&ev);
	}
	{ /* an occurrence declined alone: marked as the agenda marks it */
		struct event ev = { 0 };

		ev.summary = xstrdup("standup");
		ev.start = when_day_start(now) + 11 * 3600;
		ev.end = ev.start + 900;
		ev.rrule = xstrdup("FREQ=DAILY;COUNT=3");
		ev.overrides = xcalloc(1, sizeof(*ev.overrides));
		ev.noverrides = 1;
		ev.overrides[0].recurrence_id = ev.overrides[0].start = ev.start;
		ev.overrides[0].end = ev.end;
		ev.overrides[0].declined = true;
		ck_assert_int_eq(event_add(st, &ev, now, &e), 0);
		event_release(&ev);
	}
	side_init(&side);
	ck_assert_int_eq(side_load(&side, st, now, &e), 0);
	w = newwin(12, 26, 0, 0);
	side_draw(&side, w);
	ck_assert_str_eq(row_from(w, 0, 2), "Today");
	ck_assert_str_eq(row_from(w, 1, 2), "10:00 dentist");
	ck_assert_str_eq(row_from(w, 2, 2), "11:00 standup (declined)");
	ck_assert_str_eq(row_from(w, 4, 2), "Reminders");
	ck_assert_str_eq(row_from(w, 5, 2), "none pending");
	ck_assert_str_eq(row_from(w, 7, 2), "Tasks");
	ck_assert_str_eq(row_from(w, 8, 2), "позвонить в банк насчёт\xe2\x80\xa6");
	delwin(w);
	side_release(&side);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	store_free(st);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

/* A day shows as a day and a time as a time: a reminder at 23:59:59 is
 * not taken for a task due on a day. */
START_TEST(test_side_date_only)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("vt100", out, in);
	char *dir = tu_tmpdir(), *path = xasprintf("%s/nestor.db", dir);
	struct err e = { 0, "" };
	struct store *st = store_open(path, &e);
	struct task day = { 0 }, late = { 0 };
	struct when w;
	struct side side;
	struct tm tm = { 0 };
	time_t now;
	long long id;
	WINDOW *w0;

	ck_assert_ptr_nonnull(st);
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	tm.tm_year = 126, tm.tm_mon = 10, tm.tm_mday = 25, tm.tm_hour = 15, tm.tm_isdst = -1;
	now = mktime(&tm); /* Wednesday 2026-11-25 15:00 */
	set_term(scr);
	theme_init(false);
	ck_assert_int_eq(when_parse("friday", now, &w, &e), 0);
	day.title = "rent";
	task_set_due(&day, &w);
	ck_assert_int_eq(task_add(st, &day, now, &e), 0);
	ck_assert_int_eq(when_parse("thursday 23:59", now, &w, &e), 0);
	late.title = "file taxes";
	task_set_due(&late, &w);
	late.due += 59;
	ck_assert_int_eq(task_add(st, &late, now, &e), 0);
	ck_assert_int_eq(reminder_add(st, "backup", late.due, NULL, NULL, NULL, NULL, now, &id, &e),
			 0);
	side_init(&side);
	ck_assert_int_eq(side_load(&side, st, now, &e), 0);
	w0 = newwin(12, 24, 0, 0);
	side_draw(&side, w0);
	ck_assert_str_eq(row_from(w0, 4, 2), "Thu 23:59 backup");
	ck_assert_str_eq(row_from(w0, 7, 2), "Thu 23:59 file taxes");
	ck_assert_str_eq(row_from(w0, 8, 2), "Fri rent");
	delwin(w0);
	side_release(&side);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	store_free(st);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

/* Overdue tasks are marked ("!"), a task due today is not; a repeating
 * reminder says its rule in words. */
START_TEST(test_side_overdue)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("vt100", out, in);
	char *dir = tu_tmpdir(), *path = xasprintf("%s/nestor.db", dir);
	struct err e = { 0, "" };
	struct store *st = store_open(path, &e);
	struct task t[3] = { { 0 } };
	const char *due[] = { "yesterday", "today 08:00", "today" };
	const char *title[] = { "rent", "call", "milk" };
	struct when w;
	struct side side;
	time_t now = 1780304400; /* Monday 2026-06-01 09:00 UTC */
	long long id;
	WINDOW *w0;

	ck_assert_ptr_nonnull(st);
	setenv("TZ", "UTC", 1);
	tzset();
	set_term(scr);
	theme_init(false);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(when_parse(due[i], now, &w, &e), 0);
		t[i].title = (char *)title[i];
		task_set_due(&t[i], &w);
		ck_assert_int_eq(task_add(st, &t[i], now, &e), 0);
	}
	ck_assert_int_eq(reminder_add(st, "stretch", now + 3600, NULL, "FREQ=DAILY", NULL, NULL,
				      now, &id, &e),
			 0);
	side_init(&side);
	ck_assert_int_eq(side_load(&side, st, now, &e), 0);
	w0 = newwin(14, 30, 0, 0);
	side_draw(&side, w0);
	ck_assert_str_eq(row_from(w0, 4, 2), "10:00 stretch (every day)");
	ck_assert_str_eq(row_from(w0, 7, 2), "!May 31 rent");
	ck_assert_str_eq(row_from(w0, 8, 2), "!08:00 call");
	ck_assert_str_eq(row_from(w0, 9, 2), "today milk");
	ck_assert(side.sec[2].lines[0].alert && !side.sec[2].lines[2].alert);
	delwin(w0);
	side_release(&side);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	store_free(st);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

/* The chat pane pages a conversation back from the newest message. */
START_TEST(test_conversation_pages)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/nestor.db", dir);
	struct err e = { 0, "" };
	struct store *st = store_open(path, &e);
	struct message *ms;
	long long conv, last = 0;
	size_t n;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(conversation_new(st, 1, CONV_TUI, 1000, &conv, &e), 0);
	for (int i = 1; i <= 250; i++) {
		char text[16];

		snprintf(text, sizeof(text), "m%d", i);
		ck_assert_int_eq(conversation_add(st, conv, i % 2 ? "user" : "assistant", text,
						  NULL, NULL, 1000 + i, NULL, &e),
				 0);
	}
	ck_assert_int_eq(conversation_messages_before(st, conv, 0, 100, &ms, &n, &e), 0);
	ck_assert_uint_eq(n, 100);
	ck_assert_str_eq(ms[0].content, "m250");
	ck_assert_str_eq(ms[99].content, "m151");
	last = ms[99].id;
	message_list_free(ms, n);
	ck_assert_int_eq(conversation_messages_before(st, conv, last, 100, &ms, &n, &e), 0);
	ck_assert_str_eq(ms[0].content, "m150");
	last = ms[99].id;
	message_list_free(ms, n);
	ck_assert_int_eq(conversation_messages_before(st, conv, last, 100, &ms, &n, &e), 0);
	ck_assert_uint_eq(n, 50);
	ck_assert_str_eq(ms[49].content, "m1");
	message_list_free(ms, n);
	store_free(st);
	tu_rmrf(dir);
	free(path);
	free(dir);
}
END_TEST

/* A job streaming until cancelled, as a turn does while the UI goes on. */
static volatile int stop_streaming;

static int stream_job(struct worker *w, void *arg)
{
	const struct engine_sink *sink = worker_sink(w);
	struct err e = { 0, "" };

	(void)arg;
	sink->tool_call(sink->arg, "task_list", "{}");
	while (!stop_streaming) {
		sink->text(sink->arg, "word ");
		usleep(1000);
	}
	err_set(&e, ERR_FAIL, "cancelled");
	sink->error(sink->arg, &e);
	return 7;
}

START_TEST(test_worker_streams_and_stops)
{
	struct err e = { 0, "" };
	struct worker *w = worker_new(&e);
	struct worker_event *list = NULL, **tail = &list;
	int texts = 0, finished = 0;

	ck_assert_ptr_nonnull(w);
	stop_streaming = 0;
	ck_assert_int_eq(worker_run(w, stream_job, NULL), 0);
	ck_assert(worker_busy(w));
	ck_assert_int_eq(worker_run(w, stream_job, NULL), -1); /* one job at a time */
	/* the UI's side: wait on the self-pipe, take what came, cancel after a while */
	while (!finished) {
		struct pollfd p = { worker_fd(w), POLLIN, 0 };

		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		*tail = worker_take(w);
		while (*tail) {
			if ((*tail)->kind == WORKER_TEXT && ++texts == 20)
				stop_streaming = 1;
			finished |= (*tail)->kind == WORKER_FINISHED;
			tail = &(*tail)->next;
		}
	}
	ck_assert_int_eq(list->kind, WORKER_TOOL_CALL);
	ck_assert_str_eq(list->a, "task_list");
	ck_assert_int_ge(texts, 20);
	for (struct worker_event *ev = list; ev; ev = ev->next) {
		if (ev->next && ev->next->kind == WORKER_FINISHED) {
			ck_assert_int_eq(ev->kind, WORKER_ERROR);
			ck_assert_str_eq(ev->a, "cancelled");
		}
		if (ev->kind == WORKER_FINISHED) {
			ck_assert_int_eq(ev->rc, 7);
			ck_assert_ptr_null(ev->next);
		}
	}
	ck_assert(!worker_busy(w));
	worker_events_free(list);
	worker_free(w);
}
END_TEST

Suite *tui_suite(void)
{
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_wrap_words);
	tcase_add_test(tc, test_wrap_utf8);
	tcase_add_test(tc, test_wrap_clean_and_invalid);
	tcase_add_test(tc, test_wrap_clean_bytes);
	tcase_add_test(tc, test_input_editing);
	tcase_add_test(tc, test_input_history);
	tcase_add_test(tc, test_input_complete_and_view);
	tcase_add_test(tc, test_chat_pages_and_scrolls);
	tcase_add_test(tc, test_tool_lines);
	tcase_add_test(tc, test_side_when);
	tcase_add_test(tc, test_status_notice);
	tcase_add_test(tc, test_side_pane);
	tcase_add_test(tc, test_side_date_only);
	tcase_add_test(tc, test_side_overdue);
	tcase_add_test(tc, test_conversation_pages);
	tcase_add_test(tc, test_worker_streams_and_stops);
	suite_add_tcase(s, tc);
	return s;
}
