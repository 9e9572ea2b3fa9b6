/*
 * url.h - URLs people give (a base URL, a config key) hold no secret.
 *
 * A password or a key written into a URL ends up wherever the URL is
 * kept: the config file, the database, a log line, another device.
 * url_check_secretless() refuses one before it is kept, and its message
 * quotes neither the URL nor the secret:
 *
 *	if (url_check_secretless("--base-url", url, 0, NULL, e) < 0)
 *		return -1;   // "--base-url holds a password: take it out ..."
 *
 * A password is user information with a ':' ("https://bob:pw@host").
 * User information without a ':' is a password too ("https://sk-key@host"),
 * unless URL_USER_OK allows a plain user name (PostgreSQL, Redis).  A list
 * of hosts with ports ("h1:5432,h2:5433", libpq's) is no password.
 * A secret parameter is a query's or a fragment's ("?key=", "&token=",
 * "#access_token=") or a libpq keyword ("host=h password = pw") whose
 * name, percent-decoded (libpq decodes a URI's keywords) and without
 * case, '-' and '_', is key, authorization, sig, password, passwd, pwd
 * or sslpassword, or ends in apikey, token, secret or signature (api_key,
 * X-Api-Key, access_token, client_secret, "pass%77ord", X-Amz-Signature)
 * but is not pagetoken, nextpagetoken or synctoken (paging, no secret),
 * or ends in the word key ("_key", "-key", camelCase "Key": access_key,
 * subscription-key, accessKey; not sslkey, a file, nor monkey).  The
 * name is decoded, case-folded and rid of '-' and '_' before any compare;
 * of one still over 63 bytes, its last 63 are compared with the endings
 * ("x...x____apikey" is refused, "page____token" kept).  A quoted value of
 * libpq's keyword form ("dbname='my key=1'") is skipped;
 * "forgot_password=1" is none.  The message names the
 * parameter:
 * "--base-url holds a secret in its parameter \"key\": take it out ...".
 */
#ifndef NESTOR_URL_H
#define NESTOR_URL_H

#include "err.h"

enum {
	URL_USER_OK = 1 << 0,	    /* "scheme://user@host" is fine: only a password is refused */
	URL_INSTEAD_PARAM = 1 << 1, /* instead is for a parameter; a password gets the default */
};

/* 0 when url (NULL is fine) holds no password or secret parameter; else
 * ERR_USAGE "WHAT holds a password: take it out and INSTEAD" (or "WHAT
 * holds a secret in its parameter "NAME": ...") and -1.  instead NULL:
 * "store it with `nestor secret set NAME` (see nestor(1))". */
int url_check_secretless(const char *what, const char *url, unsigned flags, const char *instead,
			 struct err *e);

/* The byte a percent escape "%XX" at p stands for, 0..255, or -1 when p
 * is no escape (not a '%' followed by two hex digits).  It reads p[0..2]
 * only as far as a NUL, so a string ending in "%" or "%4" is safe. */
int url_pct_byte(const char *p);

#endif
