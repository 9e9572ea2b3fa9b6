/*
 * google.h - Google Calendar two-way sync: sign-in (OAuth 2.0 for
 * installed apps, loopback redirect + PKCE), the pull (calendarList, then
 * events.list per calendar: in full, then incrementally with its sync
 * token; 410 Gone: in full again), the push (the outbox of target
 * "google", gsync.h) and the mapping between Google's events and nestor's.
 *
 * Secrets: the OAuth client secret is the secret "google_client_secret";
 * the tokens Google gives go into the secrets "google_refresh_token" and
 * "google_access_token" (secret.h).  None reaches the database, the
 * config, a log or argv.
 *
 * Errors that stop Google sync: a refresh token Google refuses
 * (invalid_grant: revoked, or the 7 days of a testing-mode client ran out)
 * pauses it (gsync_pause) with a line saying to run `nestor google login`;
 * local work goes on and changes wait in the outbox.  An expired access
 * token is refreshed and the call made once more.
 *
 *   struct google_report r;
 *   if (google_sync(cfg, store, NULL, false, now, &r, &e) < 0) ... e.msg ...
 */
#ifndef NESTOR_GOOGLE_H
#define NESTOR_GOOGLE_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "event.h"
#include "store.h"

struct cJSON;

/*
 * Sign in: listen on 127.0.0.1:port (0: a free port) for Google's
 * redirect, hand the consent URL to show (the front opens a browser or
 * prints it), wait (at most timeout_s) for the one redirect, check its
 * state, exchange the code with the PKCE verifier and keep the tokens.
 * Resumes a paused sync.
 */
int google_login(struct config *cfg, struct store *s, int port, int timeout_s,
		 void (*show)(void *arg, const char *url), void *arg, struct err *e);
/* Revoke the grant at Google (when reachable) and forget the tokens. */
int google_logout(struct config *cfg, struct err *e);

struct google_report {
	int calendars; /* Google calendars synced */
	long pulled;   /* events changed here by the pull */
	long removed;  /* events deleted here by the pull */
	long skipped;  /* items of the pull that could not be stored (logged) */
	long pushed;   /* local changes Google took */
	long conflicts;
	long pending; /* changes still waiting */
	int full;     /* calendars pulled in full (first time, --full or 410) */
};

/* Refresh the calendar list from Google (calendar list, --json). */
int google_calendars(struct config *cfg, struct store *s, struct err *e);

/* One round: push what waits, then pull every calendar that syncs (or
 * only the one named calendar); full: forget the sync tokens first. */
int google_sync(struct config *cfg, struct store *s, const char *calendar, bool full, time_t now,
		struct google_report *r, struct err *e);

/* Where a pull's line for each item it skips goes ("calendar "Work": event
 * "x" skipped: why"), besides the log: an item Google sends that cannot be
 * stored (no id, a zone or RRULE nestor does not know, a date past 9999) is
 * left out and counted in skipped, so one bad event does not stop its
 * calendar's sync; a copy stored before stays as it was.  Process-wide;
 * NULL (the default): only the log. */
void google_set_warn(void (*fn)(void *arg, const char *line), void *arg);

/* Whether Google sync is set up (google.client_id set). */
bool google_configured(struct config *cfg);

/*
 * The daemon's worker: a round at start, then every google.interval, and
 * soon after a local change of a Google event; each round runs in a child
 * process with its own connection to db_path, so the daemon's poll loop
 * never waits for Google.  NULL when Google is not configured (every
 * function takes NULL).
 *
 *   w = google_worker_new(cfg, db_path, now);
 *   loop: ms = google_worker_step(w, now);   (-1: wait for the fd)
 *         poll google_worker_fd(w) too; on a commit by others:
 *         google_worker_kick(w, store, now);
 */
struct google_worker;
struct google_worker *google_worker_new(struct config *cfg, const char *db_path, time_t now);
void google_worker_free(struct google_worker *w);
/* The fd to poll for POLLIN while a round runs (-1: none). */
int google_worker_fd(const struct google_worker *w);
/* Reap a finished round, start one when due; the milliseconds until the
 * next is due, or -1 while one runs (its fd wakes the loop). */
long google_worker_step(struct google_worker *w, time_t now);
/* A commit happened: when a change waits for Google, sync now. */
void google_worker_kick(struct google_worker *w, struct store *s, time_t now);

/*
 * The mapping (google-map.c).
 */
/* What nestor keeps of an entry of Google's calendar list: pointers into
 * the entry, or NULL. */
struct gmap_cal {
	const char *id;	     /* the calendar's id, a name on one line */
	const char *summary; /* summaryOverride, else summary, else the id */
	const char *color;   /* backgroundColor when "#rrggbb", else NULL */
	const char *access;  /* owner, writer, reader or freeBusyReader;
			      * another role is taken as reader; NULL: none */
	const char *tz;	     /* timeZone when it looks like a zone name */
};
/* An entry of the calendar list into c.  0, or -1 with ERR_USAGE when it
 * has no id, or an id that is not valid UTF-8 of at most GMAP_CAL_ID_MAX
 * bytes without control characters ("calendar id: control character
 * U+001B (byte 5)"): such an entry is skipped. */
#define GMAP_CAL_ID_MAX 1024
int gmap_calendar(const struct cJSON *item, struct gmap_cal *c, struct err *e);
/* A Google event (not an instance) into ev for calendar cal_name; cal_tz
 * its zone, defaults its default reminders (a JSON array or NULL). */
int gmap_event(const struct cJSON *item, const char *cal_name, const char *cal_tz,
	       const char *defaults, struct event *ev, struct err *e);
/* An instance of a series (recurringEventId): its occurrence key, and the
 * override (NULL when cancelled: an excluded date). */
int gmap_instance(const struct cJSON *item, bool all_day, const char *cal_tz, time_t *key,
		  struct event_override **ov, struct err *e);
/* The Google JSON of ev (a new object), with id when remote_id is set. */
struct cJSON *gmap_to_json(const struct event *ev, const char *remote_id);
/* An RFC 3339 time ("2026-06-01T09:00:00.000Z") as epoch seconds. */
int gmap_time(const char *s, time_t *t);

#endif
