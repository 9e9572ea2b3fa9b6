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
/* Remove a user with no data (ERR_USAGE saying what is left); the first
 * user stays. */
int user_rm(struct store *s, const char *name, struct err *e);
int user_count_data(struct store *s, long long id, struct user_data *d, struct err *e);

/* The id of the user called name; ERR_NOTFOUND when there is none. */
int user_find(struct store *s, const char *name, long long *id, struct err *e);
/* The name of user id (caller frees), or NULL when there is none. */
char *user_name(struct store *s, long long id);

/*
 * The calendar (every calendar and event of the store, local and Google)
 * is the first user's: the device's own, whose Google account and
 * PostgreSQL role it syncs with.  1 when the store's user (store_user) is
 * the first; 0 when another, with e (ERR_USAGE) the one-line refusal
 * naming the owner; -1 when the store cannot tell.
 */
int user_owns_calendar(struct store *s, struct err *e);

#endif
