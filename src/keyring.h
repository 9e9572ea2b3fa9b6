/*
 * keyring.h - the Secret Service (GNOME Keyring, KWallet) through libsecret:
 * schema "org.nestor.Secret", one attribute "name".
 *
 * These are the network module's side of secret.h (src/keyring.c is built
 * into net.so, src/README): secret.h adds the checks, the environment
 * fallback and the messages people read, and is the way in.  Every call
 * fails with "cannot load .../net.so: ..." when the module cannot be
 * loaded.  Values returned are the caller's to free with secret_free().
 */
#ifndef NESTOR_KEYRING_H
#define NESTOR_KEYRING_H

#include <stddef.h>

#include "err.h"

/* NAME's value in *value; *value is NULL when the Secret Service has no
 * such secret or cannot be reached (not an error: the environment may have
 * it).  -1 only when the module cannot be loaded. */
int keyring_lookup(const char *name, char **value, struct err *e);

/* Store (replace) NAME in the default collection.  On failure, e holds
 * why the Secret Service cannot be used, as one line. */
int keyring_store(const char *name, const char *value, struct err *e);

/* Remove NAME; *removed tells whether there was one.  On failure, e holds
 * why the Secret Service cannot be used, as one line. */
int keyring_clear(const char *name, int *removed, struct err *e);

/* The names in the Secret Service, unsorted, appended to (*names, *n)
 * (an array of newly allocated strings).  On failure, e holds why the
 * Secret Service cannot be reached. */
int keyring_names(char ***names, size_t *n, struct err *e);

#endif
