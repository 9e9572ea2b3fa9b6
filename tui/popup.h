/*
 * popup.h - boxes drawn over the panes: fired reminders and the key help.
 *
 * Fired reminders queue up (several may fire at once); the oldest is shown
 * until the user answers it.  A popup never touches the input line, so
 * what is being typed survives.  popup_draw() draws a centred box on a
 * temporary window after the panes, so it is always on top.
 */
#ifndef NESTOR_POPUP_H
#define NESTOR_POPUP_H

#include <stdbool.h>

struct popup {
	long long id; /* the reminder's job id */
	bool approve; /* a question about an MCP tool, not a reminder */
	char *title;  /* "Reminder (late)" */
	char *text;
	struct popup *next;
};

struct popups {
	struct popup *head, **tail;
};

void popups_init(struct popups *q);
void popups_release(struct popups *q);
/* Queue a popup (returned, owned by q). */
struct popup *popups_push(struct popups *q, long long id, const char *title, const char *text);
/* The popup on screen, or NULL. */
struct popup *popups_top(struct popups *q);
/* Remove the one on screen. */
void popups_pop(struct popups *q);

/* A centred box with a title, wrapped body lines and a footer line. */
void popup_draw(const char *title, const char *body, const char *footer);
/* The help overlay: every key. */
void popup_help(void);
/* The help text, one key a line ("Enter\tsend the line"). */
extern const char *const popup_help_lines[];

#endif
