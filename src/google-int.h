/*
 * google-int.h - what google-auth.c and google.c share: a signed-in
 * session and its calls.
 */
#ifndef NESTOR_GOOGLE_INT_H
#define NESTOR_GOOGLE_INT_H

#include "gcal.h"
#include "google.h"

struct gsess {
	struct config *cfg;
	struct store *s;
	char *client_id, *secret, *refresh, *access;
	struct gcal_api api;
	time_t now;
	/* the pull passed over a change in Google for one here not pushed
	 * yet: its sync token is not taken, so the next pull sees it again */
	bool held;
};

/* Open a session: the client, the refresh token, the access token if
 * kept.  Fails with the paused line when Google sync is paused, and with
 * "not signed in" without a refresh token. */
int gsess_open(struct gsess *g, struct config *cfg, struct store *s, time_t now, struct err *e);
void gsess_close(struct gsess *g);
/* A call (gcal_call) with the access token, refreshed and made once more
 * on a 401.  A refused refresh pauses sync and fails. */
int gsess_call(struct gsess *g, const char *method, const char *path, const char *query,
	       const struct cJSON *body, const char *if_match, struct gcal_resp *r, struct err *e);
/* A non-2xx answer r of what into e; returns -1. */
int gsess_status_error(const struct gcal_resp *r, const char *what, struct err *e);

/* The value of key in the query of a request line "GET /?a=b&c=d HTTP/1.1"
 * (the sign-in's redirect), percent-decoded, '+' a space; free() it.
 * NULL when key is not there or its value holds a '%' that is no "%XX"
 * escape, or "%00". */
char *google_query_value(const char *line, const char *key);

#endif
