/*
 * tui.h - the full-screen front: `nestor` on a terminal, or `nestor tui`.
 *
 * One screen: the chat pane (the conversation, replies streaming in), the
 * side pane (today's agenda, next reminders, open tasks; hidden below 100
 * columns, F2 toggles), the input line and the status line.  One poll()
 * loop over the terminal, a signal self-pipe and the worker's self-pipe:
 * engine turns and slash commands run on the worker thread, so the screen
 * never freezes.  See man/nestor.1 (KEYS) for what each key does.
 */
#ifndef NESTOR_TUI_H
#define NESTOR_TUI_H

#include "cmd.h" /* tui_main(), the `tui` command */

#endif
