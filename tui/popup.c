/* Reminder popups and the help overlay. */
#include "popup.h"
#include "theme.h"
#include "wrap.h"
#include "sbuf.h"
#include "xalloc.h"

#include <ncurses.h>
#include <stdlib.h>
#include <string.h>

const char *const popup_help_lines[] = {
	"Enter\tsend the line; a /command runs it",
	"Esc\tcancel the reply being written",
	"Tab\tcomplete a /command",
	"Up, Down\tearlier lines (history)",
	"PgUp, PgDn\tscroll the chat (or the mouse wheel)",
	"Left, Right\tmove; Home, End or Ctrl-A, Ctrl-E",
	"Alt-B, Alt-F\ta word left, right",
	"Backspace, Del\tdelete a character",
	"Ctrl-W, Ctrl-U\tcut the word before, the line before",
	"Ctrl-K, Ctrl-Y\tcut to the end, paste the last cut",
	"Ctrl-C\tcancel the reply, or clear the line",
	"F1, ?\tthis help (? on an empty line)",
	"F2\tshow or hide the side pane",
	"Ctrl-L\tredraw the screen",
	"Ctrl-D, /quit\tquit (Ctrl-D on an empty line)",
	"reminder\tEnter dismisses, s snoozes 10 minutes",
	"/help, /new\tthis help; start a new conversation",
	"/task list...\tany nestor command, output in the chat",
	NULL,
};

void popups_init(struct popups *q)
{
	q->head = NULL;
	q->tail = &q->head;
}

void popups_release(struct popups *q)
{
	while (q->head)
		popups_pop(q);
}

struct popup *popups_push(struct popups *q, long long id, const char *title, const char *text)
{
	struct popup *p = xcalloc(1, sizeof(*p));

	p->id = id;
	p->title = xstrdup(title);
	p->text = wrap_clean(text, true);
	*q->tail = p;
	q->tail = &p->next;
	return p;
}

struct popup *popups_top(struct popups *q)
{
	return q->head;
}

void popups_pop(struct popups *q)
{
	struct popup *p = q->head;

	if (!p)
		return;
	q->head = p->next;
	if (!q->head)
		q->tail = &q->head;
	free(p->title);
	free(p->text);
	free(p);
}

struct body {
	WINDOW *w;
	const char *text;
	int y, last;
};

static void body_line(void *arg, size_t off, size_t len)
{
	struct body *b = arg;

	if (b->y <= b->last)
		mvwaddnstr(b->w, b->y, 2, b->text + off, (int)len);
	b->y++;
}

void popup_draw(const char *title, const char *body, const char *footer)
{
	int width = COLS - 4 < 60 ? COLS - 4 : 60, inner, lines, h;
	struct body b;
	WINDOW *w;

	if (width < 12 || LINES < 5)
		return;
	inner = width - 4;
	lines = wrap_lines(body, inner, inner, NULL, NULL);
	h = lines + 4 + (footer ? 1 : 0);
	if (h > LINES)
		h = LINES;
	w = newwin(h, width, (LINES - h) / 2, (COLS - width) / 2);
	if (!w)
		return;
	werase(w);
	wattrset(w, theme_attr(TH_POPUP));
	box(w, 0, 0);
	mvwaddch(w, 0, 2, ' ');
	waddnstr(w, title, inner - 2);
	waddch(w, ' ');
	wattrset(w, A_NORMAL);
	b = (struct body){ w, body, 2, h - 3 - (footer ? 1 : 0) };
	wrap_lines(body, inner, inner, body_line, &b);
	if (footer) {
		wattrset(w, A_DIM);
		mvwaddnstr(w, h - 2, 2, footer, inner);
		wattrset(w, A_NORMAL);
	}
	wnoutrefresh(w);
	delwin(w);
}

void popup_help(void)
{
	struct sbuf sb = SBUF_INIT;
	size_t keyw = 0;

	for (int i = 0; popup_help_lines[i]; i++) {
		size_t k = (size_t)(strchr(popup_help_lines[i], '\t') - popup_help_lines[i]);

		if (k > keyw)
			keyw = k;
	}
	for (int i = 0; popup_help_lines[i]; i++) {
		const char *tab = strchr(popup_help_lines[i], '\t');

		sbuf_addf(&sb, "%s%-*.*s  %s", i ? "\n" : "", (int)keyw,
			  (int)(tab - popup_help_lines[i]), popup_help_lines[i], tab + 1);
	}
	popup_draw("nestor keys", sb.buf, "any key closes this help");
	sbuf_release(&sb);
}
