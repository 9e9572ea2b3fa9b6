/*
 * sse.h - an incremental parser for server-sent events (text/event-stream).
 *
 * Bytes go in as they arrive from the socket, in pieces of any size; each
 * complete event comes out through a callback.  Lines may end in LF, CRLF
 * or CR, and a CRLF may be split between two pieces.  Comment lines
 * (starting with ':') are skipped, several `data:` lines of one event are
 * joined with '\n', a blank line ends the event.  `data: [DONE]` is an
 * ordinary event here; what it means is the caller's business.
 * A peer that never ends a line cannot make the parser grow without bound
 * once max_event is set.
 */
#ifndef NESTOR_SSE_H
#define NESTOR_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* One event: its type ("message" unless an `event:` line said otherwise)
 * and its data (NUL-terminated, len bytes).  Return non-zero to stop the
 * parser: sse_feed() then returns that value. */
typedef int (*sse_event_fn)(void *arg, const char *type, const char *data, size_t len);

struct sse_parser {
	sse_event_fn on_event;
	void *arg;
	struct sbuf line; /* an incomplete line carried over from the last piece */
	struct sbuf data; /* data lines of the current event */
	struct sbuf type; /* its event type */
	bool have_data;
	bool skip_lf;	  /* the last piece ended in CR: an LF now is its pair */
	size_t events;	  /* events dispatched so far */
	size_t max_event; /* a line or an event's data over this many bytes stops
			   * the parser (too_big set, sse_feed returns -1); 0: no limit */
	bool too_big;
};

void sse_init(struct sse_parser *p, sse_event_fn fn, void *arg);
void sse_release(struct sse_parser *p);

/* Parse n bytes.  Returns 0, or the non-zero value a callback returned. */
int sse_feed(struct sse_parser *p, const char *buf, size_t n);

/* The stream ended: an event whose data lines arrived but whose blank line
 * did not is dispatched (servers that close right after `data: [DONE]`). */
int sse_finish(struct sse_parser *p);

#endif
