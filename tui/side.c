/* The side pane's data (through storage/) and its drawing. */
#include "side.h"
#include "event.h"
#include "every.h"
#include "reltime.h"
#include "reminder.h"
#include "task.h"
#include "theme.h"
#include "user.h"
#include "when.h"
#include "wrap.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { SEC_AGENDA, SEC_REMINDERS, SEC_TASKS };
#define MAX_LINES 20

void side_init(struct side *s)
{
	memset(s, 0, sizeof(*s));
	s->sec[SEC_AGENDA] = (struct side_section){ "Today", "nothing scheduled", NULL, 0 };
	s->sec[SEC_REMINDERS] = (struct side_section){ "Reminders", "none pending", NULL, 0 };
	s->sec[SEC_TASKS] = (struct side_section){ "Tasks", "all done", NULL, 0 };
}

static void clear_section(struct side_section *sec)
{
	for (size_t i = 0; i < sec->n; i++)
		free(sec->lines[i].text);
	free(sec->lines);
	sec->lines = NULL;
	sec->n = 0;
}

void side_release(struct side *s)
{
	for (int i = 0; i < SIDE_SECTIONS; i++)
		clear_section(&s->sec[i]);
}

static void add_line(struct side_section *sec, const char *when, const char *text)
{
	struct side_line *l;

	sec->lines = xrealloc(sec->lines, (sec->n + 1) * sizeof(*sec->lines));
	l = &sec->lines[sec->n++];
	snprintf(l->when, sizeof(l->when), "%s", when);
	l->alert = false;
	l->text = wrap_clean(text, true);
	/* one line each: newlines become spaces */
	for (char *p = l->text; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static int load_tasks(struct side_section *sec, struct store *st, time_t now, struct err *e)
{
	struct task *ts;
	size_t n;

	if (task_list(st, false, &ts, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && i < MAX_LINES; i++) {
		bool late = task_overdue(&ts[i], now);
		char when[24] = "";

		if (ts[i].has_due) {
			when[0] = '!';
			reltime_format(RELTIME_SHORT, NULL, ts[i].due, ts[i].due_date_only, now,
				       when + late, sizeof(when) - late);
		}
		add_line(sec, when, ts[i].title);
		sec->lines[sec->n - 1].alert = late;
	}
	task_list_free(ts, n);
	return 0;
}

static int load_reminders(struct side_section *sec, struct store *st, time_t now, struct err *e)
{
	struct reminder *rs;
	size_t n;

	if (reminder_list(st, false, now, &rs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && i < MAX_LINES; i++) {
		char when[24] = "", rule[128], *text;

		if (rs[i].has_at)
			reltime_format(RELTIME_SHORT, NULL, rs[i].at, false, now, when,
				       sizeof(when));
		if (every_words("en", rs[i].every, rule, sizeof(rule))) {
			text = xasprintf("%s (%s)", rs[i].text, rule);
			add_line(sec, when, text);
			free(text);
		} else {
			add_line(sec, when, rs[i].text);
		}
	}
	reminder_list_free(rs, n);
	return 0;
}

/* Today's occurrences: all-day ones first (the agenda sorts them so),
 * then by start; one that began before today shows "...".  None for a
 * user but the calendar's owner (user_owns_calendar). */
static int load_agenda(struct side_section *sec, struct store *st, time_t now, struct err *e)
{
	time_t day = when_day_start(now), next = when_day_start(day + 36 * 3600);
	struct event_list l;
	struct err ne;
	int own = user_owns_calendar(st, &ne);

	if (own <= 0) {
		if (own < 0)
			*e = ne;
		return own;
	}
	memset(&l, 0, sizeof(l));
	if (event_occurrences(st, day, next, NULL, &l, e) < 0)
		return -1;
	for (size_t i = 0; i < l.nocc && i < MAX_LINES; i++) {
		const struct event_occ *o = &l.occ[i];
		char when[24];
		struct tm tm;

		localtime_r(&o->start, &tm);
		if (o->ev->all_day)
			snprintf(when, sizeof(when), "all day");
		else if (o->start < day)
			snprintf(when, sizeof(when), "...");
		else
			strftime(when, sizeof(when), "%H:%M", &tm);
		if (o->ov && o->ov->declined) { /* as the agenda marks it */
			char *text = xasprintf("%s (declined)", o->summary ? o->summary : "");

			add_line(sec, when, text);
			free(text);
		} else {
			add_line(sec, when, o->summary ? o->summary : "");
		}
	}
	event_list_release(&l);
	return 0;
}

int side_load(struct side *s, struct store *st, time_t now, struct err *e)
{
	for (int i = 0; i < SIDE_SECTIONS; i++)
		clear_section(&s->sec[i]);
	if (load_agenda(&s->sec[SEC_AGENDA], st, now, e) < 0 ||
	    load_reminders(&s->sec[SEC_REMINDERS], st, now, e) < 0)
		return -1;
	return load_tasks(&s->sec[SEC_TASKS], st, now, e);
}

/* Text cut to cols columns, with an ellipsis when cut. */
static void put_cut(WINDOW *w, const char *text, int cols)
{
	bool cut;
	size_t n;

	if (cols <= 0)
		return;
	n = wrap_cut(text, cols, &cut);
	waddnstr(w, text, (int)n);
	if (cut)
		waddstr(w, "\xe2\x80\xa6");
}

void side_draw(const struct side *s, WINDOW *w)
{
	int h, width, y = 0;

	getmaxyx(w, h, width);
	werase(w);
	wattrset(w, theme_attr(TH_BORDER));
	mvwvline(w, 0, 0, ACS_VLINE, h);
	wattrset(w, A_NORMAL);
	width -= 2; /* the border and a space */
	if (width < 4)
		return;
	for (int i = 0; i < SIDE_SECTIONS && y < h; i++) {
		const struct side_section *sec = &s->sec[i];

		if (i > 0)
			y++;
		if (y >= h)
			break;
		wmove(w, y++, 2);
		wattrset(w, theme_attr(TH_HEADING));
		put_cut(w, sec->title, width);
		wattrset(w, A_NORMAL);
		if (sec->n == 0 && y < h) {
			wmove(w, y++, 2);
			wattrset(w, A_DIM);
			put_cut(w, sec->empty, width);
			wattrset(w, A_NORMAL);
		}
		for (size_t k = 0; k < sec->n && y < h; k++) {
			const struct side_line *l = &sec->lines[k];
			int ww = l->when[0] ? wrap_width(l->when, strlen(l->when)) + 1 : 0;

			wmove(w, y++, 2);
			if (ww && ww < width) {
				wattrset(w, theme_attr(l->alert ? TH_ERROR : TH_TIME));
				waddstr(w, l->when);
				wattrset(w, A_NORMAL);
				waddch(w, ' ');
			} else {
				ww = 0;
			}
			put_cut(w, l->text, width - ww);
		}
	}
}
