/* The TUI: layout, drawing, keys, and the one poll() loop. */
#include "tui.h"
#include "alarm.h"
#include "chat.h"
#include "dbwatch.h"
#include "health.h"
#include "input.h"
#include "log.h"
#include "store.h"
#include "popup.h"
#include "reltime.h"
#include "reminder.h"
#include "screen.h"
#include "side.h"
#include "slash.h"
#include "status.h"
#include "theme.h"
#include "tuicmd.h"
#include "when.h"
#include "worker.h"
#include "wrap.h"
#include "sbuf.h"
#include "utf8.h"
#include "wallclock.h"
#include "xalloc.h"

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SIDE_MIN_COLS 100 /* the side pane shows by itself from this width */
#define NOTICE_SECS   5
#define HISTORY_MAX   1000
#define RECHECK_MS    100

enum side_pref { SIDE_AUTO, SIDE_ON, SIDE_OFF };

struct tui {
	struct ctx *ctx;
	struct chat chat;
	struct input in;
	struct side side;
	struct popups popups;
	struct worker *worker;
	struct alarm alarm;	 /* the scheduler, on its own thread */
	struct dbwatch *watch;	 /* NULL: poll data_version every second */
	struct timespec recheck; /* look at data_version again then (0: no need) */
	struct tuicmd cmd;	 /* turns and slash commands on the worker */
	char **queue;		 /* lines sent while the worker was busy */
	size_t nqueue;
	WINDOW *wchat, *wside, *winput, *wstatus;
	enum side_pref side_pref;
	bool side_shown, help, quit, dirty, first_frame;
	char notice[256];
	bool notice_error;
	time_t notice_until, minute;
	long long data_version;
	bool attention; /* health.h: something needs attention */
	char *hist_path;
	struct timespec started;
};

static void notice(struct tui *t, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void notice(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->notice, sizeof(t->notice), fmt, ap);
	va_end(ap);
	/* a long message (an error quoting data) cut between characters */
	utf8_fit(t->notice, sizeof(t->notice));
	t->notice_error = error;
	t->notice_until = wallclock_now() + NOTICE_SECS;
	t->dirty = true;
}

static bool side_wanted(const struct tui *t)
{
	if (t->side_pref == SIDE_OFF)
		return false;
	return COLS >= (t->side_pref == SIDE_ON ? 60 : SIDE_MIN_COLS);
}

static void drop_windows(struct tui *t)
{
	WINDOW **ws[] = { &t->wchat, &t->wside, &t->winput, &t->wstatus };

	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		if (*ws[i])
			delwin(*ws[i]);
		*ws[i] = NULL;
	}
}

/* Cut the screen into panes for the current size. */
static void layout(struct tui *t)
{
	int rows = LINES, cols = COLS, sidew = 0;

	drop_windows(t);
	if (rows < 4 || cols < 20)
		return;
	t->side_shown = side_wanted(t);
	if (t->side_shown) {
		sidew = cols / 3 < 40 ? cols / 3 : 40;
		t->wside = newwin(rows - 2, sidew, 0, cols - sidew);
	}
	t->wchat = newwin(rows - 2, cols - sidew, 0, 0);
	t->winput = newwin(1, cols, rows - 2, 0);
	t->wstatus = newwin(1, cols, rows - 1, 0);
	t->dirty = true;
}

static void draw_input(struct tui *t)
{
	WINDOW *w = t->winput;
	int avail = COLS - 3, col, used = 0;
	size_t first, k;

	werase(w);
	wattrset(w, A_BOLD);
	mvwaddstr(w, 0, 0, "> ");
	wattrset(w, A_NORMAL);
	input_view(&t->in, avail, &first, &col);
	for (k = first; k < t->in.len; k++) {
		int cw = wrap_char_width(t->in.buf[k]);

		if (used + cw > avail)
			break;
		used += cw;
	}
	if (k > first)
		waddnwstr(w, t->in.buf + first, (int)(k - first));
	wmove(w, 0, 2 + col);
}

static void status(struct tui *t)
{
	struct status_info si;

	memset(&si, 0, sizeof(si));
	tuicmd_status(&t->cmd, &si);
	si.sched = alarm_state(&t->alarm);
	si.attention = t->attention;
	si.busy = worker_busy(t->worker);
	si.scrolled = t->chat.scroll > 0;
	si.now = wallclock_now();
	if (t->notice[0] && si.now < t->notice_until) {
		si.notice = t->notice;
		si.notice_error = t->notice_error;
	}
	status_draw(t->wstatus, &si);
}

static void first_frame(struct tui *t)
{
	struct timespec now;
	struct rusage ru;

	clock_gettime(CLOCK_MONOTONIC, &now);
	getrusage(RUSAGE_SELF, &ru);
	log_info("tui: first frame in %.1f ms, %zu messages held, max rss %ld kB",
		 (double)(now.tv_sec - t->started.tv_sec) * 1e3 +
			 (double)(now.tv_nsec - t->started.tv_nsec) / 1e6,
		 t->chat.n, ru.ru_maxrss);
	t->first_frame = true;
}

static void draw(struct tui *t)
{
	struct popup *p = popups_top(&t->popups);

	t->dirty = false;
	if (!t->wchat) {
		erase();
		mvaddnstr(0, 0, "terminal too small", COLS);
		refresh();
		return;
	}
	chat_draw(&t->chat, t->wchat);
	wnoutrefresh(t->wchat);
	if (t->wside) {
		side_draw(&t->side, t->wside);
		wnoutrefresh(t->wside);
	}
	status(t);
	wnoutrefresh(t->wstatus);
	draw_input(t);
	wnoutrefresh(t->winput);
	if (p)
		popup_draw(p->title, p->text,
			   p->approve ? "o: once   a: always   n: never   Esc: not now"
				      : "Enter: dismiss   s: snooze 10 minutes");
	else if (t->help)
		popup_help();
	curs_set(p || t->help ? 0 : 1);
	doupdate();
	if (!t->first_frame)
		first_frame(t);
}

static void refresh_side(struct tui *t)
{
	struct err e = { 0, "" };
	struct health h;

	if (side_load(&t->side, t->ctx->store, wallclock_now(), &e) < 0)
		notice(t, true, "side pane: %s", e.msg);
	/* the same answer as `nestor status`, without reading the log */
	if (health_collect(t->ctx->store, t->ctx->cfg, t->ctx->db_path, NULL, wallclock_now(), &h,
			   &e) == 0) {
		t->attention = !h.healthy;
		health_release(&h);
	}
	t->dirty = true;
}

/* A reminder for the tui channel that another process delivered. */
static void show_delivered(void *arg, long long id, const char *title, const char *text)
{
	struct tui *t = arg;

	popups_push(&t->popups, id, title, text);
	beep();
	t->dirty = true;
}

/* Another connection committed: reload what the screen shows, show what
 * another process delivered to the tui channel, and let the scheduler look
 * (a reminder may have been added). */

static void check_data(struct tui *t)
{
	struct err e = { 0, "" };
	long long v;

	if (store_data_version(t->ctx->store, &v, &e) < 0 || v == t->data_version)
		return;
	t->data_version = v;
	refresh_side(t);
	if (alarm_inbox(&t->alarm, t->ctx->store, show_delivered, t, &e) < 0)
		notice(t, true, "reminders: %s", e.msg);
	alarm_tick(&t->alarm, wallclock_now(), true);
}

/* Run one line: a slash command or a turn.  -1 leaves the message in e. */
static int run_line(struct tui *t, const char *line, struct err *e)
{
	int rc = line[0] == '/' ? tuicmd_slash(&t->cmd, line, e) : tuicmd_turn(&t->cmd, line, e);

	if (rc == 1)
		t->quit = true;
	if (rc >= 0)
		chat_bottom(&t->chat);
	if (rc == 0 && worker_busy(t->worker))
		t->notice[0] = '\0'; /* the status line says "replying" now */
	t->dirty = true;
	return rc;
}

static void drop_queue(struct tui *t)
{
	for (size_t i = 0; i < t->nqueue; i++)
		free(t->queue[i]);
	t->nqueue = 0;
}

/* Lines sent while the worker was busy run in order once it is free. */
static void run_queue(struct tui *t)
{
	while (t->nqueue && !worker_busy(t->worker)) {
		char *line = t->queue[0];
		struct err e = { 0, "" };

		memmove(t->queue, t->queue + 1, --t->nqueue * sizeof(char *));
		if (run_line(t, line, &e) < 0)
			notice(t, true, "%s", e.msg);
		free(line);
	}
}

static void submit(struct tui *t)
{
	char *line = input_text(&t->in);
	struct err e = { 0, "" };

	if (!line[0]) {
		free(line);
		return;
	}
	input_hist_add(&t->in, line);
	if (worker_busy(t->worker) && !tuicmd_immediate(line)) {
		t->queue = xrealloc(t->queue, (t->nqueue + 1) * sizeof(char *));
		t->queue[t->nqueue++] = line;
		input_clear(&t->in);
		notice(t, false, "queued after the running reply (Esc cancels)");
		return;
	}
	if (run_line(t, line, &e) < 0)
		notice(t, true, "%s", e.msg); /* the line stays, to be fixed */
	else
		input_clear(&t->in);
	free(line);
}

static void complete(struct tui *t)
{
	char *before = input_before(&t->in), *shown = NULL;
	char **cands = tuicmd_completions(&t->cmd, before);
	int n;

	if (!cands) {
		free(before);
		return;
	}
	n = input_complete(&t->in, (const char *const *)cands);
	if (n > 1) {
		struct sbuf sb = SBUF_INIT;
		char *word = input_before(&t->in), *sp = strrchr(word, ' ');
		const char *pre = sp ? sp + 1 : word;

		for (int i = 0; cands[i]; i++)
			if (!strncmp(cands[i], pre, strlen(pre)))
				sbuf_addf(&sb, "%s%s", sb.len ? " " : "", cands[i]);
		shown = sbuf_detach(&sb);
		notice(t, false, "%s", shown);
		free(word);
	} else if (n == 0) {
		beep();
	}
	free(shown);
	slash_free(cands);
	free(before);
}

static void answer_popup(struct tui *t, wint_t ch, bool fkey)
{
	struct popup *p = popups_top(&t->popups);
	struct err e = { 0, "" };

	if (p->approve) {
		static const char keys[] = "oan";
		const char *k = !fkey && ch < 128 ? strchr(keys, (int)ch) : NULL;

		if (fkey || (!k && ch != 27))
			return;
		worker_answer(t->worker, !k || !*k   ? ENGINE_DENY
					 : *k == 'o' ? ENGINE_ONCE
					 : *k == 'a' ? ENGINE_ALWAYS
						     : ENGINE_NEVER);
		popups_pop(&t->popups);
		t->dirty = true;
		return;
	}
	if (!fkey && (ch == 's' || ch == 'S')) {
		time_t at;

		if (reminder_snooze(t->ctx->store, p->id, 600, wallclock_now(), &at, &e) < 0) {
			notice(t, true, "snooze: %s", e.msg);
		} else {
			char when[24];

			reltime_format(RELTIME_SHORT, NULL, at, false, wallclock_now(), when,
				       sizeof(when));
			notice(t, false, "snoozed until %s", when);
			refresh_side(t);
			alarm_tick(&t->alarm, wallclock_now(), true);
		}
	} else if (!(fkey ? ch == KEY_ENTER : ch == '\r' || ch == '\n' || ch == 27 || ch == ' ')) {
		return;
	}
	popups_pop(&t->popups);
	t->dirty = true;
}

static void cancel(struct tui *t)
{
	drop_queue(t);
	tuicmd_cancel(&t->cmd);
	notice(t, false, "cancelled");
}

static void key(struct tui *t, wint_t ch, bool fkey);

/* Esc: cancel a turn.  Alt-key arrives as Esc then the key at once. */
static void escape(struct tui *t)
{
	wint_t next;
	int r = get_wch(&next);

	if (r == ERR) {
		if (worker_busy(t->worker))
			cancel(t);
	} else if (r == OK && (next == 'b' || next == 'B')) {
		input_word_left(&t->in);
	} else if (r == OK && (next == 'f' || next == 'F')) {
		input_word_right(&t->in);
	} else {
		key(t, next, r == KEY_CODE_YES);
	}
}

static void interrupt(struct tui *t)
{
	if (worker_busy(t->worker))
		cancel(t);
	else if (!input_empty(&t->in))
		input_clear(&t->in);
	else
		notice(t, false, "/quit or Ctrl-D quits");
	t->dirty = true;
}

static void mouse(struct tui *t)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		chat_scroll(&t->chat, 3);
	else if (ev.bstate & BUTTON5_PRESSED)
		chat_scroll(&t->chat, -3);
}

static void function_key(struct tui *t, wint_t ch)
{
	int page = t->wchat ? getmaxy(t->wchat) - 2 : 10;

	switch (ch) {
	case KEY_LEFT: input_left(&t->in); break;
	case KEY_RIGHT: input_right(&t->in); break;
	case KEY_HOME: input_home(&t->in); break;
	case KEY_END: input_end(&t->in); break;
	case KEY_UP: input_hist_prev(&t->in); break;
	case KEY_DOWN: input_hist_next(&t->in); break;
	case KEY_BACKSPACE: input_backspace(&t->in); break;
	case KEY_DC: input_delete(&t->in); break;
	case KEY_PPAGE: chat_scroll(&t->chat, page > 1 ? page : 1); break;
	case KEY_NPAGE: chat_scroll(&t->chat, -(page > 1 ? page : 1)); break;
	case KEY_ENTER: submit(t); break;
	case KEY_MOUSE: mouse(t); break;
	case KEY_RESIZE: layout(t); break;
	case KEY_F(1): t->help = true; break;
	case KEY_F(2):
		/* the choice stands until F2 again, whatever the width does */
		t->side_pref = t->side_shown ? SIDE_OFF : SIDE_ON;
		layout(t);
		if (t->side_pref == SIDE_ON && !t->side_shown)
			notice(t, false, "the side pane needs 60 columns");
		break;
	default: break;
	}
}

static void key(struct tui *t, wint_t ch, bool fkey)
{
	t->dirty = true;
	if (popups_top(&t->popups)) {
		answer_popup(t, ch, fkey);
		return;
	}
	if (t->help && !(fkey && ch == KEY_RESIZE)) {
		t->help = false;
		return;
	}
	if (fkey) {
		function_key(t, ch);
		return;
	}
	switch (ch) {
	case '\r':
	case '\n': submit(t); break;
	case 27: escape(t); break;
	case '\t': complete(t); break;
	case 1: input_home(&t->in); break; /* Ctrl-A */
	case 2: input_left(&t->in); break; /* Ctrl-B */
	case 3: interrupt(t); break;	   /* Ctrl-C (when not a signal) */
	case 4:				   /* Ctrl-D */
		if (input_empty(&t->in))
			t->quit = true;
		else
			input_delete(&t->in);
		break;
	case 5: input_end(&t->in); break;   /* Ctrl-E */
	case 6: input_right(&t->in); break; /* Ctrl-F */
	case 8:
	case 127: input_backspace(&t->in); break;
	case 11: input_kill_end(&t->in); break;	  /* Ctrl-K */
	case 12: clearok(curscr, TRUE); break;	  /* Ctrl-L */
	case 14: input_hist_next(&t->in); break;  /* Ctrl-N */
	case 16: input_hist_prev(&t->in); break;  /* Ctrl-P */
	case 21: input_kill_start(&t->in); break; /* Ctrl-U */
	case 23: input_kill_word(&t->in); break;  /* Ctrl-W */
	case 25: input_yank(&t->in); break;	  /* Ctrl-Y */
	case '?':
		if (input_empty(&t->in))
			t->help = true;
		else
			input_insert(&t->in, ch);
		break;
	default:
		if (ch >= 0x20)
			input_insert(&t->in, (wchar_t)ch);
		break;
	}
}

static void read_keys(struct tui *t)
{
	wint_t ch;
	int r;

	while ((r = get_wch(&ch)) != ERR)
		key(t, ch, r == KEY_CODE_YES);
}

static void take_events(struct tui *t)
{
	struct worker_event *list = worker_take(t->worker);

	for (struct worker_event *ev = list; ev; ev = ev->next) {
		if (ev->kind == WORKER_APPROVE) {
			popups_push(&t->popups, 0, ev->a, ev->b)->approve = true;
			continue;
		}
		if (tuicmd_event(&t->cmd, ev))
			refresh_side(t);
	}
	worker_events_free(list);
	run_queue(t);
	t->dirty = true;
}

/* News from the scheduler thread: popups, errors, the end of a run. */
static void take_alarms(struct tui *t)
{
	struct worker_event *list = worker_take(alarm_worker(&t->alarm));

	for (struct worker_event *ev = list; ev; ev = ev->next) {
		if (ev->kind == WORKER_FIRED) {
			popups_push(&t->popups, ev->id, ev->a, ev->b ? ev->b : "");
			beep();
		} else if (ev->kind == WORKER_ERROR) {
			notice(t, true, "reminders: %s", ev->a);
		} else if (ev->kind == WORKER_FINISHED) {
			alarm_finished(&t->alarm, wallclock_now(), ev->rc);
		}
	}
	worker_events_free(list);
	t->dirty = true;
}

/* Milliseconds from now (monotonic) until at; negative when past. */
static long ms_until(const struct timespec *at)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(at->tv_sec - now.tv_sec) * 1000L + (at->tv_nsec - now.tv_nsec) / 1000000L;
}

/* Milliseconds until the loop must look again: the clock's next minute,
 * the scheduler, a notice to clear, data_version without inotify. */
static int next_timeout(struct tui *t)
{
	struct timespec ts;
	long ms, sched = alarm_timeout(&t->alarm);

	wallclock_timespec(&ts);
	ms = (60 - ts.tv_sec % 60) * 1000L - ts.tv_nsec / 1000000;
	if (sched >= 0 && sched < ms)
		ms = sched;
	if (t->notice[0] && (t->notice_until - ts.tv_sec) * 1000L < ms)
		ms = (t->notice_until - ts.tv_sec) * 1000L;
	if (!t->watch && ms > 1000)
		ms = 1000;
	if (t->recheck.tv_sec) {
		long re = ms_until(&t->recheck);

		if (re < ms)
			ms = re;
	}
	return ms < 0 ? 0 : (int)ms;
}

static void tick(struct tui *t)
{
	time_t now = wallclock_now();

	if (!t->watch || (t->recheck.tv_sec && ms_until(&t->recheck) <= 0)) {
		t->recheck.tv_sec = 0;
		check_data(t);
	}
	alarm_tick(&t->alarm, now, false);
	if (now / 60 != t->minute) {
		check_data(t); /* in case a change slipped past the watch */
		if (when_day_start(now) != when_day_start(t->minute * 60))
			refresh_side(t);
		t->minute = now / 60;
		t->dirty = true;
	}
	if (t->notice[0] && now >= t->notice_until) {
		t->notice[0] = '\0';
		t->dirty = true;
	}
}

static void loop(struct tui *t)
{
	while (!t->quit) {
		struct pollfd fds[5] = {
			{ STDIN_FILENO, POLLIN, 0 },	     { screen_fd(), POLLIN, 0 },
			{ worker_fd(t->worker), POLLIN, 0 }, { alarm_fd(&t->alarm), POLLIN, 0 },
			{ dbwatch_fd(t->watch), POLLIN, 0 },
		};
		unsigned sig;

		if (t->dirty)
			draw(t);
		if (poll(fds, 5, next_timeout(t)) < 0 && errno != EINTR)
			break;
		sig = screen_signals();
		if (sig & SCREEN_QUIT)
			t->quit = true;
		if (sig & SCREEN_RESIZE) {
			screen_resize();
			layout(t);
		}
		if (sig & SCREEN_INTERRUPT)
			interrupt(t);
		if (fds[0].revents & POLLIN)
			read_keys(t);
		else if (fds[0].revents & (POLLHUP | POLLERR))
			t->quit = true; /* the terminal went away */
		if (fds[2].revents & POLLIN)
			take_events(t);
		if (fds[3].revents & POLLIN)
			take_alarms(t);
		if ((fds[4].revents & POLLIN) && dbwatch_changed(t->watch)) {
			check_data(t);
			/* the event may come with the write of the commit, before
			 * the commit shows: look once more a moment later */
			clock_gettime(CLOCK_MONOTONIC, &t->recheck);
			t->recheck.tv_nsec += RECHECK_MS * 1000000L;
			if (t->recheck.tv_nsec >= 1000000000L) {
				t->recheck.tv_sec++;
				t->recheck.tv_nsec -= 1000000000L;
			}
		}
		tick(t);
	}
}

static enum side_pref side_pref(struct config *cfg)
{
	const char *v = config_get(cfg, "ui.side_pane");

	return v && !strcmp(v, "on") ? SIDE_ON : v && !strcmp(v, "off") ? SIDE_OFF : SIDE_AUTO;
}

static int tui_open(struct tui *t, struct ctx *ctx)
{
	memset(t, 0, sizeof(*t));
	t->alarm.lock = t->alarm.tui_lock = -1;
	clock_gettime(CLOCK_MONOTONIC, &t->started);
	t->ctx = ctx;
	t->side_pref = side_pref(ctx->cfg);
	input_init(&t->in, HISTORY_MAX);
	side_init(&t->side);
	popups_init(&t->popups);
	t->hist_path = xasprintf("%s/history", ctx->paths.state_dir);
	input_hist_load(&t->in, t->hist_path);
	t->worker = worker_new(&ctx->err);
	if (!t->worker)
		return -1;
	chat_init(&t->chat, "");
	if (tuicmd_open(&t->cmd, ctx, &t->chat, t->worker, &ctx->err) < 0 ||
	    alarm_open(&t->alarm, ctx, &ctx->err) < 0)
		return -1;
	t->watch = dbwatch_new(ctx->db_path, &ctx->err);
	if (!t->watch)
		log_warn("tui: %s; looking for changes every second", ctx->err.msg);
	t->minute = wallclock_now() / 60;
	store_data_version(ctx->store, &t->data_version, &ctx->err);
	side_load(&t->side, ctx->store, wallclock_now(), &ctx->err);
	err_clear(&ctx->err);
	return 0;
}

static void tui_close(struct tui *t)
{
	if (t->worker)
		tuicmd_cancel(&t->cmd);
	worker_free(t->worker); /* waits for the turn to stop */
	tuicmd_close(&t->cmd);
	alarm_close(&t->alarm);
	dbwatch_free(t->watch);
	if (t->hist_path && t->in.nhist && paths_mkdir(t->ctx->paths.state_dir, &t->ctx->err) == 0)
		input_hist_save(&t->in, t->hist_path, &t->ctx->err);
	free(t->hist_path);
	drop_queue(t);
	free(t->queue);
	drop_windows(t);
	chat_release(&t->chat);
	input_release(&t->in);
	side_release(&t->side);
	popups_release(&t->popups);
}

int tui_main(struct ctx *ctx, int argc, char **argv)
{
	struct tui t;
	int rc = 0;

	(void)argv;
	if (argc > 1)
		return cmd_usage(ctx, "tui takes no arguments");
	setlocale(LC_ALL, "");
	store_set_warn(NULL); /* stderr is the screen's: the log only */
	if (tui_open(&t, ctx) < 0) {
		tui_close(&t);
		return -1;
	}
	if (screen_open(theme_want_color(config_get_bool(ctx->cfg, "ui.color")), &ctx->err) < 0) {
		rc = -1;
	} else {
		layout(&t);
		loop(&t);
		screen_close();
	}
	tui_close(&t);
	return rc;
}
