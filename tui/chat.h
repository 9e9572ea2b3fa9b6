/*
 * chat.h - the chat pane: the conversation as wrapped lines, bottom first.
 *
 * Entries are kept in order, oldest first.  Only what is on screen is
 * wrapped and drawn: drawing walks back from the newest entry until the
 * pane (plus the scroll offset) is filled, and each entry caches its line
 * count for the width it was last wrapped at.  When the walk reaches the
 * oldest entry held and the conversation has more, the loader is asked for
 * older entries (it calls chat_prepend), so a conversation of 10k messages
 * opens with one page of them.
 *
 * scroll is the number of lines between the bottom of the pane and the
 * newest line; 0 follows new text.  While scrolled back, new text does not
 * move the view.
 */
#ifndef NESTOR_CHAT_H
#define NESTOR_CHAT_H

#include <ncurses.h>
#include <stdbool.h>
#include <stddef.h>

enum chat_role {
	CHAT_USER,
	CHAT_ASSISTANT,
	CHAT_TOOL, /* one compact line: "-> reminder_add tomorrow 17:00 'call mom'" (tool.h) */
	CHAT_INFO, /* what a slash command printed; notices */
	CHAT_ERROR,
};

struct chat_entry {
	enum chat_role role;
	char *text;
	int width, lines; /* line count cache: valid when width matches */
};

struct chat;
/* Prepend up to one page of entries older than those held (chat_prepend,
 * newest first); return how many, 0 at the start of the conversation. */
typedef int (*chat_loader_fn)(void *arg, struct chat *c);

struct chat {
	struct chat_entry *e; /* entries live in e[head, head + n) */
	size_t head, n, cap;
	int scroll;
	int width;	 /* of the last draw */
	bool streaming;	 /* the newest assistant entry is still growing */
	bool more;	 /* the loader may have older entries */
	char *assistant; /* the label of assistant entries */
	chat_loader_fn load;
	void *load_arg;
};

void chat_init(struct chat *c, const char *assistant);
void chat_release(struct chat *c);
/* Drop every entry (a new conversation); the loader stays. */
void chat_clear(struct chat *c);
void chat_set_loader(struct chat *c, chat_loader_fn load, void *arg);
void chat_set_assistant(struct chat *c, const char *name);

/* Add a new newest entry (text is cleaned of control characters). */
void chat_add(struct chat *c, enum chat_role role, const char *text);
/* Streaming: append delta to the growing assistant entry (opening one if
 * needed); chat_end_stream() closes it. */
void chat_stream(struct chat *c, const char *delta);
void chat_end_stream(struct chat *c);
/* Add an older entry on top (for loaders). */
void chat_prepend(struct chat *c, enum chat_role role, const char *text);

/* Scroll back (lines > 0) or forward; chat_bottom() follows new text again. */
void chat_scroll(struct chat *c, int lines);
void chat_bottom(struct chat *c);

/* Draw into w (its whole size). */
void chat_draw(struct chat *c, WINDOW *w);

#endif
