/*
 * gcal.h - the Google wire: OAuth 2.0 for installed apps (authorization
 * code with PKCE S256, refresh, revoke) and the Calendar v3 calls nestor
 * makes.  Requests and answers only: no SQLite, no words for people; the
 * engine (src/google.c) maps events and keeps tokens.
 *
 * Every call goes through http_request (http.h), so 429 and 5xx are
 * retried with exponential backoff and jitter there; a 403 whose reason is
 * rateLimitExceeded or userRateLimitExceeded is retried here the same way.
 * An answer of any other status is returned, not failed: the caller reads
 * status and, for an error, gcal_reason().
 *
 *   struct gcal_api api = { .base = "https://www.googleapis.com", .token = access };
 *   struct gcal_resp r;
 *   if (gcal_call(&api, "GET", "/calendar/v3/users/me/calendarList", NULL, NULL, NULL,
 *                 &r, &e) < 0) ... transport failure ...
 *   if (r.status == 401) ... refresh and call again ...
 *   gcal_resp_release(&r);
 */
#ifndef NESTOR_GCAL_H
#define NESTOR_GCAL_H

#include <stddef.h>

#include "err.h"

struct cJSON;

#define GCAL_AUTH_URL	"https://accounts.google.com/o/oauth2/v2/auth"
#define GCAL_TOKEN_URL	"https://oauth2.googleapis.com/token"
#define GCAL_REVOKE_URL "https://oauth2.googleapis.com/revoke"
#define GCAL_API_URL	"https://www.googleapis.com"
#define GCAL_SCOPE	"https://www.googleapis.com/auth/calendar"

/* PKCE: a 64-character verifier and its S256 challenge (base64url, 43
 * characters), NUL-terminated. */
struct gcal_pkce {
	char verifier[65];
	char challenge[48];
	char state[33]; /* a random state for the redirect */
};
int gcal_pkce_new(struct gcal_pkce *p, struct err *e);
/* The S256 challenge of verifier into out (>= 44 bytes). */
void gcal_pkce_challenge(const char *verifier, char *out, size_t len);

/* The URL of the consent page (newly allocated). */
char *gcal_authorize_url(const char *auth_url, const char *client_id, const char *redirect,
			 const struct gcal_pkce *p);

/* What the token endpoint gave (strings newly allocated, NULL when absent). */
struct gcal_tokens {
	char *access;
	char *refresh;
	long expires_in;
	char *error; /* "invalid_grant"... on a 4xx answer; then *access is NULL */
};
void gcal_tokens_release(struct gcal_tokens *t);

/* The longest access or refresh token taken. */
#define GCAL_TOKEN_MAX 4096
/* The largest answer gcal_call takes: a page of 250 events with long
 * descriptions passes 4 MiB. */
#define GCAL_MAX_BODY ((size_t)32 << 20)
/* Exchange an authorization code (with the PKCE verifier), or refresh
 * (code NULL, refresh set).  A 4xx answer returns 0 with t->error set.
 * A token that is not 1 to GCAL_TOKEN_MAX bytes of printable ASCII
 * without spaces (it goes into a header and the keyring) fails with
 * ERR_USAGE naming the field, never quoting it. */
int gcal_token(const char *token_url, const char *client_id, const char *client_secret,
	       const char *code, const char *verifier, const char *redirect, const char *refresh,
	       struct gcal_tokens *t, struct err *e);
/* Revoke token (the refresh token revokes the grant). */
int gcal_revoke(const char *revoke_url, const char *token, struct err *e);

struct gcal_api {
	const char *base;  /* google.api_url */
	const char *token; /* the access token */
	long timeout_ms;   /* 0: 30 s */
};

struct gcal_resp {
	long status;
	struct cJSON *json; /* the parsed body, or NULL (204, not JSON) */
	size_t bytes;	    /* the body's length */
};
void gcal_resp_release(struct gcal_resp *r);

/* The error reason of a Google error answer ("fullSyncRequired",
 * "conditionNotMet"...), or "" */
const char *gcal_reason(const struct gcal_resp *r);

/* One call: method on base + path (path segments already escaped), query
 * "a=b&c=d" or NULL, a JSON body or NULL, If-Match etag or NULL. */
int gcal_call(const struct gcal_api *api, const char *method, const char *path, const char *query,
	      const struct cJSON *body, const char *if_match, struct gcal_resp *r, struct err *e);

/* "/calendar/v3/calendars/ID/events[/EID]" with both escaped (newly allocated;
 * eid may be NULL). */
char *gcal_events_path(const char *calendar, const char *eid);

#endif
