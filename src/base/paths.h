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

#include <stddef.h>

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

/* Keep the mode an existing file has, else 0666 less the umask (paths_replace). */
#define PATHS_MODE_KEEP (-1)
/*
 * Replace the file at path with len bytes of data, all or nothing: they go
 * to a temporary file beside it (path.XXXXXX), which is synced and renamed
 * over path, then the directory is synced.  A failed write or a crash leaves
 * the previous file whole; the temporary file is removed on failure.  mode:
 * the new file's permissions, or PATHS_MODE_KEEP.  A symbolic link is
 * followed, one to a file not made yet too (the file is made where it
 * points); something that is not a regular file (/dev/stdout, a FIFO) is
 * written in place, as there is nothing to keep; so is a file in a
 * directory where no temporary file can be made (EACCES, EPERM, EROFS).
 */
int paths_replace(const char *path, const void *data, size_t len, int mode, struct err *e);

#endif
