/*
 * theme.h - the TUI's colours and attributes.
 *
 * Colours come from the terminal's own palette (the eight ANSI colours on
 * the terminal's default background); with colour off (NO_COLOR set and
 * not empty, ui.color = false, or a terminal without colours) every item
 * falls back to plain attributes: bold, dim, reverse, underline.
 */
#ifndef NESTOR_THEME_H
#define NESTOR_THEME_H

#include <ncurses.h>
#include <stdbool.h>

enum theme_item {
	TH_USER,      /* "you:" */
	TH_ASSISTANT, /* the assistant's name */
	TH_TOOL,      /* "-> reminder_add ..." */
	TH_INFO,      /* output of slash commands, notices */
	TH_ERROR,
	TH_STATUS,  /* the status line */
	TH_HEADING, /* side pane section titles */
	TH_TIME,    /* times in the side pane */
	TH_POPUP,   /* popup border and title */
	TH_BORDER,  /* the line between chat and side pane */
	TH_COUNT
};

/* Whether colour should be used: cfg_color is ui.color. */
bool theme_want_color(bool cfg_color);
/* Call after the screen is initialised. */
void theme_init(bool color);
attr_t theme_attr(enum theme_item item);

#endif
