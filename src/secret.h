/*
 * secret.h - API keys and tokens, kept out of the database, the config,
 * the logs and argv.
 *
 * Secrets live in the Secret Service (GNOME Keyring, KWallet) through
 * libsecret: schema "org.nestor.Secret", one attribute "name".  With no
 * Secret Service reachable (a server, a container, a test), a secret NAME
 * is read from the environment variable NESTOR_SECRET_<NAME> (upper-cased,
 * every other character than A-Z and 0-9 turned into '_'); storing then
 * fails with a message that says why and names that variable.
 *
 * Values returned here are the caller's to free with secret_free(), which
 * wipes them first.  No function here logs or prints.
 */
#ifndef NESTOR_SECRET_H
#define NESTOR_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* A name is 1-64 characters of [A-Za-z0-9_.-], starting with a letter or digit. */
int secret_check_name(const char *name, struct err *e);

/* "NESTOR_SECRET_OPENAI" for "openai" (newly allocated). */
char *secret_env_var(const char *name);

/* Keep the secrets in memory out of a core dump: the process is made not
 * dumpable (no core, no ptrace or /proc/PID/mem reading by another
 * process of the user) and its core size limit 0 (what a crash handler
 * such as systemd-coredump may still honour).  secret_get() and
 * secret_set() call it before they touch a secret; call it at start when
 * secret_in_env() (those are in memory from the start).  Children keep
 * the limit, not the rest (execve() makes a program dumpable again). */
void secret_guard(void);

/* Whether the environment holds a NESTOR_SECRET_* variable. */
bool secret_in_env(void);

/* The value of NAME: from the Secret Service, else from the environment.
 * ERR_NOTFOUND when neither has it (the message names both places). */
int secret_get(const char *name, char **value, struct err *e);

/* Store (replace) NAME in the Secret Service's default collection. */
int secret_set(const char *name, const char *value, struct err *e);

/* Remove NAME; ERR_NOTFOUND when the Secret Service has no such secret. */
int secret_rm(const char *name, struct err *e);

struct secret_entry {
	char *name;
	bool from_env; /* NESTOR_SECRET_* rather than the Secret Service */
};

/* Names known to the Secret Service (sorted), then those only in the
 * environment.  When the Secret Service is unreachable, *service_error
 * (if not NULL) gets why, and only the environment is listed. */
int secret_list(struct secret_entry **out, size_t *n, char **service_error, struct err *e);
void secret_list_free(struct secret_entry *list, size_t n);

/* Wipe and free a value (NULL is fine). */
void secret_free(char *value);

#endif
