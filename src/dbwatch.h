/*
 * dbwatch.h - wake up when another process changes the database.
 *
 * The daemon and the TUI use it: an inotify watch on the database's
 * directory, filtered to the database and its -wal file (the directory,
 * because SQLite deletes and recreates the -wal file as connections come
 * and go).  A write shows up at once, so a front refreshes within
 * milliseconds and sleeps while nothing happens.  An event only says "look
 * again": the write that wakes the watcher may come just before its commit
 * is visible, so a front confirms with store_data_version() (it changes
 * only when another connection committed) and looks once more a moment
 * later.  Without inotify (dbwatch_new() fails) poll data_version.
 */
#ifndef NESTOR_DBWATCH_H
#define NESTOR_DBWATCH_H

#include <stdbool.h>

#include "err.h"

struct dbwatch;

/* NULL with e filled when the directory cannot be watched. */
struct dbwatch *dbwatch_new(const char *db_path, struct err *e);
void dbwatch_free(struct dbwatch *w);
/* Readable when something happened; -1 for NULL. */
int dbwatch_fd(const struct dbwatch *w);
/* Drain the events: whether any touched the database or its -wal file. */
bool dbwatch_changed(struct dbwatch *w);

#endif
