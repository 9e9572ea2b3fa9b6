/*
 * reminder.h - reminders: jobs of kind "reminder" (see job.h, scheduler.h).
 *
 * The payload is {"text": "...", "channels": ["stdout", ...]}; without
 * "channels" a reminder goes to the default list (notify.channels) at the
 * time it fires.  `every` is a cron expression ("0 9 * * 1-5") or anything
 * when_parse_rule() reads ("every monday", "FREQ=DAILY"), evaluated in the
 * reminder's zone (tzid; by default the local zone when it was added).
 * Reminders made from an event's VALARMs (event.h) are listed like any
 * other; their `every` is the RRULE alone (the rule's EXDATE and TRIGGER
 * lines are left out).
 */
#ifndef NESTOR_REMINDER_H
#define NESTOR_REMINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "job.h"
#include "store.h"
#include "when.h"

struct cJSON;

struct reminder {
	long long id;
	char *text;
	bool has_at;
	time_t at;	  /* the next due time */
	char schedule[8]; /* at|cron|rrule */
	char *every;	  /* the cron expression or RRULE, or NULL */
	char *tzid;	  /* or NULL: local */
	enum job_state state;
	char *channels; /* "stdout,command", or NULL: the default list */
	long late;	/* seconds past due (active and overdue at `now`), else 0 */
	int attempts;
	char *last_error;
	long long event_id; /* made from a VALARM of this event (see event.h), else 0 */
	long long user_id;  /* whose it is */
	char *alarm;	    /* then its TRIGGER ("-PT15M"), else NULL */
	/* the time its RRULE keeps, written inside a gap (reminder_add()) */
	bool has_wall;
	time_t wall;
};

/* A reminder given a date alone rings at 09:00 that day. */
#define REMINDER_DAY_MINUTES (9 * 60)

/* The due time a parsed WHEN means for a reminder: its instant, or
 * REMINDER_DAY_MINUTES on its day (in zone z, NULL: the local zone) when
 * it is a date alone.  The command line, the tools and the offline
 * assistant all decide through it. */
time_t reminder_when_at(struct tz *z, const struct when *w);

/* How long ago a one-time reminder's time may be and still be due now. */
#define REMINDER_AT_GRACE 60

/*
 * The first due time --at text means for a reminder or routine kept in zone
 * tzid (NULL or "": the local zone): text read by when_parse_in() in tzid
 * ("tomorrow 9:00 --tz America/New_York" is 09:00 in New York; a span such
 * as "in 2 hours" stays that instant; a day alone is its 09:00 there).  For a one-time reminder
 * (once), a time of day alone that has passed today is tomorrow's, and any
 * other time that has passed is an ERR_USAGE error naming it (less than
 * REMINDER_AT_GRACE seconds ago is not passed: it is due now); a repeating
 * one starts at its first occurrence after now (reminder_add()).  *wall,
 * when wall is not NULL: the wall-clock time text wrote, read as UTC (02:30
 * on the day the clock goes from 02:00 to 03:00, while *at is that day's
 * 03:30), or *at's own when it wrote none.
 */
int reminder_resolve_at(const char *text, const char *tzid, bool once, time_t now, time_t *at,
			time_t *wall, struct err *e);
/* Whether a zone given for a reminder or routine (NULL or "": the local
 * zone) opens, tzdata's or one an import kept in s (registered then, so
 * reminder_resolve_at() opens it too); ERR_USAGE `unknown time zone "X"`
 * if not.  The fronts check it first, so the error names their zone field,
 * not --at. */
int reminder_check_tz(struct store *s, const char *tzid, struct err *e);

void reminder_release(struct reminder *r);
void reminder_list_free(struct reminder *rs, size_t n);

/* The longest snooze: a year. */
#define REMINDER_SNOOZE_MAX (366L * 86400)

/*
 * Add a reminder.  at: the first due time (0: none, allowed only with a
 * cron `every`, which then starts at its next match after now; with a cron
 * `every` and an at, the first match at or after at).  wall: the time at
 * was written at (reminder_resolve_at()), or NULL; an RRULE `every` from a
 * time inside a spring-forward gap keeps it on the other days (02:30 every
 * day, 03:30 on the day without one), as an event series does (event.h,
 * wall_start; kept in the payload as "wall").  every, tzid and channels
 * may be NULL.  Sets *id.
 */
int reminder_add(struct store *s, const char *text, time_t at, const time_t *wall,
		 const char *every, const char *tzid, const char *channels, time_t now,
		 long long *id, struct err *e);
/* ERR_NOTFOUND unless id is a reminder. */
int reminder_get(struct store *s, long long id, time_t now, struct reminder *out, struct err *e);
/* The same, whoever's reminder it is: for the scheduler's view of every
 * user (job_get_any()). */
int reminder_get_any(struct store *s, long long id, time_t now, struct reminder *out,
		     struct err *e);
/* Active reminders by due time, or every reminder when all. */
int reminder_list(struct store *s, bool all, time_t now, struct reminder **out, size_t *n,
		  struct err *e);
/* Active reminders whose text contains text, ignoring case (UTF-8). */
int reminder_find(struct store *s, const char *text, time_t now, struct reminder **out, size_t *n,
		  struct err *e);
/* Stop a reminder for good (state cancelled). */
int reminder_cancel(struct store *s, long long id, struct err *e);
/* Fire again secs from now (also a reminder that already fired), then go
 * on with its schedule.  *at: the new due time. */
int reminder_snooze(struct store *s, long long id, long secs, time_t now, time_t *at,
		    struct err *e);
/* What reminder_update() changes; NULL (has_at false) leaves a member be. */
struct reminder_edit {
	const char *text;
	bool has_at;
	time_t at;	      /* the next due time */
	const time_t *wall;   /* the time at was written at (reminder_add()), or NULL */
	const char *every;    /* "": no more repeats */
	const char *tzid;     /* the zone of its rule */
	const char *channels; /* "stdout,command"; "": the default list */
};
/*
 * Change a reminder, all or nothing, in one transaction.  A new at, every
 * or tzid makes a new schedule (as reminder_add() would, the members not
 * given kept: at defaults to the pending due time), pending from scratch,
 * so a reminder that fired or was cancelled comes back with a new at;
 * text and channels alone leave its schedule and state be.  check, when
 * not NULL, sees the reminder as it is under the write lock first: -1 (e
 * set) changes nothing (If-Match in the HTTP API).
 */
int reminder_update(struct store *s, long long id, const struct reminder_edit *ed, time_t now,
		    int (*check)(void *arg, const struct reminder *cur, struct err *e), void *arg,
		    struct err *e);
/* Acknowledge: a one-time reminder becomes done; a recurring one skips to
 * its first occurrence after both now and the pending one (*has, *next). */
int reminder_done(struct store *s, long long id, time_t now, bool *has, time_t *next,
		  struct err *e);

/* The schedule of a new job as reminder_add() makes it: j's tzid (tzid, or
 * the local zone), schedule and rule from every, dtstart and next_run from
 * at (see reminder_add()).  With limit an RRULE meets a reminder's limit
 * (recur_limit()).  Also for the other kinds of timed jobs (routine.h: a
 * routine has its own limit, and a stored rule keeps running). */
int reminder_schedule(struct job *j, time_t at, const char *every, const char *tzid, bool limit,
		      time_t now, struct err *e);
/* A payload's "channels" as "stdout,command", or NULL for none. */
char *reminder_channels_text(const struct cJSON *payload);
/* Set (channels NULL: remove) a payload's "channels" from "stdout,command". */
void reminder_set_channels(struct cJSON *payload, const char *channels);
/* Set a payload's "wall": j's written time while its RRULE keeps it (it
 * names the first occurrence, tz_wall_names()), else none. */
void reminder_set_wall(struct cJSON *payload, const struct job *j);

#endif
