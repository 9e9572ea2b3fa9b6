/*
 * gsync.h - the store's side of Google Calendar: Google calendars, events
 * by their Google id, the outbox of target "google", sync tokens, the
 * pause, conflicts.  The engine (src/google.c) maps and moves the data.
 *
 * Guarantees:
 *  - a change of an event of a Google calendar made here (add, edit,
 *    delete, import) queues an outbox row of target "google" in the same
 *    transaction; a new event gets its Google id (32 hex digits, valid
 *    base32hex) in that transaction too, so an insert sent twice names one
 *    event;
 *  - what a pull applies queues nothing (google_state.applying is set only
 *    inside the pull's own transaction);
 *  - a pull is one transaction per calendar: its events and its new sync
 *    token commit together, so an interrupted pull is pulled again;
 *  - an event with a change waiting in the outbox is not overwritten by a
 *    pull: the push sends it with If-Match and a 412 decides.
 */
#ifndef NESTOR_GSYNC_H
#define NESTOR_GSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "event.h"
#include "store.h"

/* The outbox target. */
#define GSYNC_TARGET "google"

struct gsync_cal {
	long long id;
	char *name;
	bool google; /* source 'google' (else 'local') */
	char *remote_id;
	char *color;	 /* "#9fe1e7" or NULL */
	char *access;	 /* owner, writer, reader, freeBusyReader; NULL for local */
	bool sync;	 /* pulled and pushed */
	char *tz;	 /* the calendar's zone, or NULL */
	char *reminders; /* its default reminders, a JSON array, or NULL */
	char *sync_token;
	long events; /* events stored */
};

/* Every calendar, by name. */
int gsync_calendars(struct store *s, struct gsync_cal **out, size_t *n, struct err *e);
/* One by name; ERR_NOTFOUND naming it. */
int gsync_calendar(struct store *s, const char *name, struct gsync_cal *out, struct err *e);
void gsync_cal_release(struct gsync_cal *c);
void gsync_cals_free(struct gsync_cal *c, size_t n);

/* A Google calendar as calendarList gave it: new ones are named by their
 * summary (with " (Google)" when a calendar has that name already); a known
 * one keeps its name (it may have been renamed) and gets the rest. */
int gsync_calendar_put(struct store *s, const char *remote_id, const char *summary,
		       const char *color, const char *access, const char *tz, const char *reminders,
		       struct err *e);
/* A new local calendar; ERR_USAGE when the name is taken. */
int gsync_calendar_add(struct store *s, const char *name, struct err *e);
/* Turn sync of a Google calendar on or off (ERR_USAGE for a local one). */
int gsync_calendar_set_sync(struct store *s, const char *name, bool on, struct err *e);

/*
 * Applying a pull of calendar cal: begin, then any number of put/drop,
 * then end with the calendar's new sync token (NULL: forget it; cal 0:
 * leave every token alone) to commit,
 * or abort to roll back.  With full set, the events of the calendar from
 * Google that the pull did not put (and that wait for no push) are
 * deleted at the end: a full resync leaves no ghost and no duplicate.
 */
int gsync_apply_begin(struct store *s, bool full, struct err *e);
int gsync_apply_end(struct store *s, long long cal, const char *sync_token, struct err *e);
void gsync_apply_abort(struct store *s);

/* The stored event of Google id remote_id in cal (ERR_NOTFOUND), its etag
 * (may be NULL) and whether a change of it waits in the outbox: 0 none,
 * 1 one, 2 one whose push failed before. */
int gsync_event_find(struct store *s, long long cal, const char *remote_id, struct event *out,
		     char **etag, int *pending, struct err *e);
/* Insert (ev->id 0) or update ev in cal, with its Google id and etag. */
int gsync_event_put(struct store *s, struct event *ev, const char *remote_id, const char *etag,
		    time_t now, struct err *e);
/* A pull saw remote_id and left the event as it is (a full pull keeps it). */
int gsync_event_seen(struct store *s, const char *remote_id, struct err *e);
/* Delete the event of remote_id in cal (none: 0). */
int gsync_event_drop(struct store *s, long long cal, const char *remote_id, struct err *e);

enum gsync_op_kind { GSYNC_PUT, GSYNC_DEL };

/* One outbox row of target "google". */
struct gsync_op {
	long long outbox_id;
	enum gsync_op_kind kind;
	long long event_id;
	char *calendar;	 /* the calendar's Google id */
	char *remote_id; /* the event's */
	char *etag;	 /* the etag of what was pulled or pushed last; NULL: never sent */
	time_t created;	 /* when the change was made */
	time_t updated;	 /* the event's updated_at (PUT) */
	int attempts;
	long long last_put; /* the last outbox id of a PUT of the event, when read */
};
void gsync_op_release(struct gsync_op *op);

/* The first op after outbox id after that is due at now (*found false:
 * none).  A PUT of an event that is gone or no longer in a Google
 * calendar is dropped on the way; the ops of a calendar whose sync is off
 * are passed over and kept until it is on again. */
int gsync_next(struct store *s, long long after, time_t now, struct gsync_op *op, bool *found,
	       struct err *e);
/* op went through: forget it (a PUT: every PUT of the same event queued
 * up to op->last_put too, as the event was read after them), and store
 * etag (NULL for a delete). */
int gsync_pushed(struct store *s, const struct gsync_op *op, const char *etag, struct err *e);
/* op failed: try again at next, the error kept. */
int gsync_retry(struct store *s, const struct gsync_op *op, time_t next, const char *why,
		struct err *e);
/* 0 when event event_id (0: none yet) may change here, and may go into
 * calendar (NULL: where it is); else ERR_USAGE naming the calendar: a
 * Google calendar read-only for the user (reader, freeBusyReader), whose
 * changes Google would refuse.  A pull is not held back. */
/* A put of event_id still queued (made after the one that lost a
 * conflict): the event keeps etag, so its push is a PATCH that meets
 * Google's version. */
int gsync_later_put_etag(struct store *s, long long event_id, const char *etag, struct err *e);
/* Event event_id, whose insert Google refused, is not in Google: no
 * Google id, so deleting it or moving it out sends nothing, and a change
 * here inserts it anew.  Unless a put of it is still queued (a change made
 * while the insert was sent): that one inserts it with this id. */
int gsync_unsent(struct store *s, long long event_id, struct err *e);

int gsync_writable(struct store *s, long long event_id, const char *calendar, struct err *e);
/* Pending ops due at due (0: all of them). */
int gsync_pending(struct store *s, time_t due, long *n, struct err *e);

/* A conflict of an event for `nestor sync conflicts`: the value
 * overwritten (mine) and the one that won (theirs), as JSON texts, and who
 * won (its "device").  An event without a gid is named by its calendar's
 * and its own Google ids ("google:CAL/ID"), so one Google id in two
 * calendars names the right one.  field NULL: "(google)"; "(refused)": an
 * event added here that Google refuses (theirs: Google's error). */
struct gsync_conflict_rec {
	long long event_id;
	const char *calendar;  /* the calendar's Google id */
	const char *remote_id; /* the event's */
	const char *field;
	const char *mine, *theirs, *winner;
};
/* Record c at now; *id (when id is not NULL): the record's.  It is written
 * before the loser is overwritten, in the same transaction when that is
 * local, so no version is lost unrecorded; drop removes a record whose
 * overwrite Google refused. */
int gsync_conflict(struct store *s, const struct gsync_conflict_rec *c, time_t now, long long *id,
		   struct err *e);
int gsync_conflict_drop(struct store *s, long long id, struct err *e);

/* Events kept here only because Google refused their insert (a "(refused)"
 * conflict names them): still in a Google calendar, and no change of
 * them taken by Google since (no etag).  An edit Google takes clears it;
 * dropping the conflict record forgets it.  count: how many; why: the
 * latest refusal of event_id in Google's words (its message, else its
 * reason, else "HTTP CODE"), or NULL when it is not refused; free() it. */
int gsync_refused_count(struct store *s, long *n, struct err *e);
int gsync_refused_why(struct store *s, long long event_id, char **why, struct err *e);

/* Pause Google sync (why: one line), resume it, read it (*why NULL: not
 * paused; the caller frees). */
int gsync_pause(struct store *s, time_t now, const char *why, struct err *e);
int gsync_resume(struct store *s, struct err *e);
int gsync_paused(struct store *s, char **why, struct err *e);

#endif
