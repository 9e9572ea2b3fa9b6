/*
 * side.h - the side pane: today's agenda, the next reminders, open tasks.
 *
 * side_load() reads them through the storage modules (never SQL) into
 * plain lines; side_draw() shows as many as fit, each cut to the width.
 * The TUI reloads when the database changes (see tui.c) and at midnight.
 */
#ifndef NESTOR_SIDE_H
#define NESTOR_SIDE_H

#include <ncurses.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

struct side_line {
	char when[24]; /* "17:00", "Fri 10:00", "!Jun 1" (overdue), "" */
	char *text;
	bool alert; /* overdue: the time is drawn as an error */
};

struct side_section {
	const char *title;
	const char *empty; /* shown when there are no lines */
	struct side_line *lines;
	size_t n;
};

enum { SIDE_SECTIONS = 3 };

struct side {
	struct side_section sec[SIDE_SECTIONS];
};

void side_init(struct side *s);
void side_release(struct side *s);
/* Reload every section as of now. */
int side_load(struct side *s, struct store *st, time_t now, struct err *e);
/* Draw into w: a border column on the left, then the sections. */
void side_draw(const struct side *s, WINDOW *w);

#endif
