/*
 * user.h - the people a store holds data for.
 *
 * Every store has at least one user: the first, "me" until renamed, is
 * who a device acts as when nothing says otherwise (--user, server.user).
 * Tasks, reminders and conversations carry their user; the calendar is the
 * first user's (user_owns_calendar).  Names are unique;
 * with a server they are PostgreSQL role names too (syncer_check_user()).
 */
#ifndef NESTOR_USER_H
#define NESTOR_USER_H

#include <stddef.h>

#include "err.h"
#include "store.h"

struct user {
	long long id;
	char *name;
	char *tz;		    /* IANA zone, or NULL */
	char *locale;		    /* "en", "ru", or NULL */
	long long telegram_chat_id; /* 0: none linked */
	char *settings;		    /* JSON object text, or NULL */
	char *gid;		    /* global id, NULL before the first sync */
};

/* What user_count_data() counts of one user. */
struct user_data {
	long tasks, jobs, conversations;
};

/* The longest settings text (a JSON object), in bytes. */
#define USER_SETTINGS_MAX 65536

/* A user name that can be a PostgreSQL role: 1-32 of [a-z0-9_], starting
 * with a letter, not "pg_..." nor "nestor_...".  ERR_USAGE naming it. */
int user_check_name(const char *name, struct err *e);
/* NULL or a zone that opens here; ERR_USAGE `unknown time zone "X"`. */
int user_check_tz(const char *tz, struct err *e);
/* NULL, "en" or "ru"; ERR_USAGE. */
int user_check_locale(const char *locale, struct err *e);
/* NULL or a zone's name (1-64 of [A-Za-z0-9/_+-]), whether or not it opens
 * here; ERR_USAGE. */
int user_check_tz_name(const char *tz, struct err *e);
/* What a write of u must pass (user_add; user_update checks only the fields
 * it changes): its name (user_check_name), zone (user_check_tz) and
 * locale (user_check_locale); settings NULL or a JSON object of at most
 * USER_SETTINGS_MAX bytes of UTF-8 without control characters.
 * ERR_USAGE naming the field. */
int user_check(const struct user *u, struct err *e);
/* user_check() of the stored user id, the zone only a zone's name (a change
 * another device made may name a zone this device's tzdata lacks);
 * ERR_NOTFOUND when there is none. */
int user_check_stored(struct store *s, long long id, struct err *e);

void user_release(struct user *u);
void user_list_free(struct user *users, size_t n);

/* ERR_USAGE when the name is taken.  Sets u->id. */
int user_add(struct store *s, struct user *u, struct err *e);
/* By name; ERR_NOTFOUND naming it. */
int user_get(struct store *s, const char *name, struct user *out, struct err *e);
/* The first user (the device's own). */
int user_first(struct store *s, struct user *out, struct err *e);
/* Every user, by id. */
int user_list(struct store *s, struct user **out, size_t *n, struct err *e);
/* Write name, tz, locale, telegram_chat_id, settings back (by u->id). */
int user_update(struct store *s, const struct user *u, struct err *e);
/* Change the user called name in one write transaction: read it, let
 * edit change it (< 0: give up, with the reason set by edit), write it
 * back.  So a change committed meanwhile by another process (a Telegram
 * link, another edit) is never overwritten with what was read before it.
 * *out: the user as written (user_release it); nothing to release on
 * failure. */
int user_modify(struct store *s, const char *name, int (*edit)(void *arg, struct user *u),
		void *arg, struct user *out, struct err *e);
/* Remove a user with no data (ERR_USAGE saying what is left); the first
 * user stays. */
int user_rm(struct store *s, const char *name, struct err *e);
int user_count_data(struct store *s, long long id, struct user_data *d, struct err *e);

/* The id of the user called name; ERR_NOTFOUND when there is none. */
int user_find(struct store *s, const char *name, long long *id, struct err *e);
/* The name of user id (caller frees), or NULL when there is none. */
char *user_name(struct store *s, long long id);
/* The zone of user id (`user add/edit --tz`; caller frees), or NULL when
 * none is set (the process's zone is theirs) or there is no such user. */
char *user_tz(struct store *s, long long id);

/*
 * The calendar (every calendar and event of the store, local and Google)
 * is the first user's: the device's own, whose Google account and
 * PostgreSQL role it syncs with.  1 when the store's user (store_user) is
 * the first; 0 when another, with e (ERR_USAGE) the one-line refusal
 * naming the owner; -1 when the store cannot tell.
 */
int user_owns_calendar(struct store *s, struct err *e);

#endif
