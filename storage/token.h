/*
 * token.h - the bearer tokens of `nestor serve`.
 *
 * A token is "nst_ID_SECRET": ID is its row, SECRET 43 random characters
 * shown once when it is made.  The row keeps only the SHA-256 of the
 * secret (hex), so neither the database nor a backup of it can be used to
 * call the API; the server finds the row by ID and compares the hash of
 * what it was sent with the stored one in constant time (src/api-auth.c).
 * A token acts as its user; a read-only one may only read.
 */
#ifndef NESTOR_TOKEN_H
#define NESTOR_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

struct api_token {
	long long id;
	long long user_id;
	char *user;  /* the user's name */
	char *label; /* or NULL */
	char hash[65];
	bool read_only;
	time_t created_at;
	time_t last_used; /* 0: never */
};

void token_release(struct api_token *t);
void token_list_free(struct api_token *ts, size_t n);

/* Insert t (user_id, label, hash, read_only); sets t->id. */
int token_add(struct store *s, struct api_token *t, time_t now, struct err *e);
/* ERR_NOTFOUND for an unknown id. */
int token_get(struct store *s, long long id, struct api_token *out, struct err *e);
/* Every token, by id. */
int token_list(struct store *s, struct api_token **out, size_t *n, struct err *e);
/* ERR_NOTFOUND for an unknown id. */
int token_rm(struct store *s, long long id, struct err *e);
/* Record a use at now (best effort: the request does not fail on it). */
void token_touch(struct store *s, long long id, time_t now);

#endif
