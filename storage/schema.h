/* schema.h - numbered migrations: migration N (1-based) is schema_migrations[N-1]. */
#ifndef NESTOR_SCHEMA_H
#define NESTOR_SCHEMA_H

extern const char *const schema_migrations[];
extern const int schema_count;

#endif
