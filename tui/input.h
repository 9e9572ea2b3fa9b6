/*
 * input.h - the TUI's input line: a UTF-8 line editor with readline's keys,
 * a history and completion, independent of the screen.
 *
 * The line is kept as wide characters so the cursor moves by character;
 * input_text() gives it back as UTF-8.  History entries are UTF-8 lines;
 * Up/Down walk them and come back to the line being typed (the draft).
 * input_view() says which part of the line to show in a given width so the
 * cursor stays visible.  tui.c maps keys to these calls and draws.
 */
#ifndef NESTOR_INPUT_H
#define NESTOR_INPUT_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

struct input {
	wchar_t *buf; /* the line; buf[len] == 0 */
	size_t len, cap, cur;
	size_t first;  /* first character shown (see input_view) */
	wchar_t *kill; /* the last killed text, for Ctrl-Y */
	char **hist;   /* oldest first */
	size_t nhist, hist_max;
	size_t hist_pos; /* == nhist: editing the draft */
	char *draft;
};

void input_init(struct input *in, size_t hist_max);
void input_release(struct input *in);

/* The line as a new UTF-8 string; input_before() only up to the cursor. */
char *input_text(const struct input *in);
char *input_before(const struct input *in);
bool input_empty(const struct input *in);
/* Replace the line with text (UTF-8), cursor at the end. */
void input_set(struct input *in, const char *text);
void input_clear(struct input *in);

void input_insert(struct input *in, wchar_t wc);
void input_insert_str(struct input *in, const char *utf8);
void input_left(struct input *in);
void input_right(struct input *in);
void input_home(struct input *in);
void input_end(struct input *in);
void input_word_left(struct input *in);
void input_word_right(struct input *in);
void input_backspace(struct input *in);
void input_delete(struct input *in);
/* Ctrl-K, Ctrl-U, Ctrl-W: cut to the end, to the start, the word before the
 * cursor; Ctrl-Y pastes the last cut. */
void input_kill_end(struct input *in);
void input_kill_start(struct input *in);
void input_kill_word(struct input *in);
void input_yank(struct input *in);

/* Remember line (empty lines and a repeat of the last entry are skipped). */
void input_hist_add(struct input *in, const char *line);
void input_hist_prev(struct input *in);
void input_hist_next(struct input *in);
/* One line per entry; a missing file is an empty history (load returns 0
 * or -1, errno set).  Save keeps the last hist_max entries, replacing the
 * file whole by a new one of mode 0600 (paths_replace: no temporary file
 * stays, even on failure). */
int input_hist_load(struct input *in, const char *path);
int input_hist_save(const struct input *in, const char *path, struct err *e);

/* Complete the word before the cursor among cands (NULL-terminated): the
 * word grows to the longest common prefix of the matches, and gets a space
 * after it when only one matches.  Returns the number of matches. */
int input_complete(struct input *in, const char *const *cands);

/* Show the line in width columns: *first is the first character to draw
 * and *col the cursor's column relative to it. */
void input_view(struct input *in, int width, size_t *first, int *col);

#endif
