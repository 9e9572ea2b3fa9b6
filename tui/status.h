/*
 * status.h - the status line at the bottom of the screen: assistant and
 * backend, conversation, what the assistant is doing, scheduler and sync
 * state, the clock.  A notice (an error, a hint) replaces the middle part
 * for a few seconds: the TUI's one place for messages that are not chat.
 */
#ifndef NESTOR_STATUS_H
#define NESTOR_STATUS_H

#include <ncurses.h>
#include <stdbool.h>
#include <time.h>

struct status_info {
	const char *assistant;	/* "nestor" */
	const char *backend;	/* "offline", "llm" */
	long long conversation; /* 0: a new one */
	const char *sched;	/* "reminders here", "daemon", ... or NULL */
	const char *sync;	/* or NULL */
	bool attention;		/* health.h: `nestor status` would exit 1 */
	bool busy;		/* a reply is being written */
	bool scrolled;		/* the chat is scrolled back */
	const char *notice;	/* or NULL */
	bool notice_error;
	time_t now;
};

void status_draw(WINDOW *w, const struct status_info *s);

#endif
