/*
 * paths.h - where nestor keeps its files.
 *
 * XDG by default: config $XDG_CONFIG_HOME/nestor/config, data
 * $XDG_DATA_HOME/nestor/nestor.db, state (log, REPL history)
 * $XDG_STATE_HOME/nestor/.  NESTOR_HOME=DIR puts all three directly in DIR,
 * which is what the tests use.
 */
#ifndef NESTOR_PATHS_H
#define NESTOR_PATHS_H

#include "err.h"

struct paths {
	char *config_dir, *config; /* config file */
	char *data_dir, *db;	   /* database */
	char *state_dir, *log;	   /* log file; REPL history lives beside it */
};

/* Fill p from the environment.  Creates nothing. */
void paths_init(struct paths *p);
void paths_release(struct paths *p);

/* mkdir -p with mode 0700 for every missing component. */
int paths_mkdir(const char *dir, struct err *e);
/* The directory part of path, newly allocated. */
char *paths_dirname(const char *path);

#endif
