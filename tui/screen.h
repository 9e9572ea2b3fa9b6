/*
 * screen.h - the terminal under the TUI: curses set-up, signals, restore.
 *
 * screen_open() puts the terminal in cbreak/no-echo mode with keypad and
 * mouse-wheel reporting, and installs the signal handlers before curses
 * does, so nestor owns them:
 *   - SIGWINCH, SIGINT, SIGTERM, SIGHUP only write a byte to a self-pipe;
 *     the main loop reads screen_signals() and acts (resize, cancel, quit);
 *   - SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT restore the
 *     terminal with async-signal-safe calls only (tcsetattr and write of
 *     strings prepared at start-up), then re-raise with the default action.
 * screen_close() ends curses and puts every handler back.
 */
#ifndef NESTOR_SCREEN_H
#define NESTOR_SCREEN_H

#include <stdbool.h>

#include "err.h"

enum screen_signal {
	SCREEN_RESIZE = 1 << 0,
	SCREEN_INTERRUPT = 1 << 1, /* Ctrl-C */
	SCREEN_QUIT = 1 << 2,	   /* SIGTERM, SIGHUP */
};

int screen_open(bool color, struct err *e);
void screen_close(void);
/* Readable when a signal arrived. */
int screen_fd(void);
/* Drain the self-pipe: the signals seen since the last call (a mask). */
unsigned screen_signals(void);
/* Take the terminal's new size (after SCREEN_RESIZE). */
void screen_resize(void);

#endif
