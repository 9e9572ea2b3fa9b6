/*
 * config.h - the INI configuration file, through GLib's GKeyFile.
 *
 * Keys are "section.name".  Known keys live in one table (config.c) with
 * their type, default and one line of help; that table drives validation,
 * `nestor config list`, and man/nestor.conf.5.  Unknown keys produce a
 * warning, never an error; an invalid value is an error naming the file,
 * line and key.  Saving keeps comments and other keys.
 *
 * Threads: every function may be called from any thread on one config (the
 * TUI reads it on its UI and scheduler threads while a `/config set` runs on
 * its worker); a mutex inside guards it.  config_load and config_free are
 * the owner's, with no other thread using the config.
 */
#ifndef NESTOR_CONFIG_H
#define NESTOR_CONFIG_H

#include <stdbool.h>

#include "err.h"

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_ENUM,
	CONFIG_ZONE, /* an IANA time zone of the system's tzdata, or UTC */
};

struct config_key {
	const char *key; /* "general.timezone" */
	enum config_type type;
	const char *def;     /* default as text, or NULL */
	const char *choices; /* CONFIG_ENUM: "once|all|skip"; CONFIG_INT: "min..max" or NULL */
	const char *help;
};

extern const struct config_key config_keys[];

struct config;

/* Load path (a missing file is an empty config).  Unknown keys are reported
 * through warn (may be NULL) one line each.  NULL on a parse error or an
 * invalid value. */
struct config *config_load(const char *path, void (*warn)(const char *line), struct err *e);
void config_free(struct config *c);
const char *config_path(const struct config *c);

/* The value (or the key's default, or NULL), as text.  The string stays
 * valid until config_free(), even after config_set() changes the key. */
const char *config_get(struct config *c, const char *key);
/* Put general.timezone into TZ and general.date_order into when.h's
 * parser: what every process does once its configuration is loaded. */
void config_apply_time(struct config *c);
long config_get_int(struct config *c, const char *key);
bool config_get_bool(struct config *c, const char *key);
/* Whether the key is set in the file (not just defaulted). */
bool config_is_set(struct config *c, const char *key);

/* Validate and set key, by the rules config_load() applies to the file.
 * config_save() writes the keys set since the last save into the file as
 * it is now, under an exclusive flock(2) on PATH.lock: it reads the file
 * again, sets them, writes it atomically (0600) and syncs the directory,
 * so a key another process saved meanwhile is kept. */
int config_set(struct config *c, const char *key, const char *value, struct err *e);
int config_save(struct config *c, struct err *e);

/* The table entry for key, or NULL. */
const struct config_key *config_lookup(const char *key);

#endif
