/*
 * user.h - the people a database serves (the users table).  A fresh
 * database has one, "me" (id 1); jobs and conversations belong to one.
 */
#ifndef NESTOR_USER_H
#define NESTOR_USER_H

#include "err.h"
#include "store.h"

/* The id of the user called name; ERR_NOTFOUND naming it when none is. */
int user_find(struct store *s, const char *name, long long *id, struct err *e);
/* The name of user id (caller frees), or NULL when there is none. */
char *user_name(struct store *s, long long id);

#endif
