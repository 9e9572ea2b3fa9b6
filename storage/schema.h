/* schema.h - numbered migrations: migration N (1-based) is schema_migrations[N-1]; a
 * NULL one is a number not used (nothing to run). */
#ifndef NESTOR_SCHEMA_H
#define NESTOR_SCHEMA_H

#include <sqlite3.h>

extern const char *const schema_migrations[];
extern const int schema_count;

/* Register on db the SQL functions migrations call (migration 5 reads the
 * old text form of a VALARM's rule with nestor_alarm_rule_v4()).  0 or -1. */
int schema_functions(sqlite3 *db);

#endif
