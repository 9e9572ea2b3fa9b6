/*
 * sqlmem.h - SQLite's memory for small blocks.
 *
 * Reading the schema at each open of a database is thousands of small
 * allocations that live until the close (every table, column, index and
 * trigger SQLite parses), and the C library's malloc and free were a
 * fifth of that read.  Blocks of up to SQLMEM_SMALL bytes come from free
 * lists, one per multiple of 16 bytes, carved from 64 KB chunks; larger
 * ones are the C library's.  A freed small block is kept for the next of
 * its size class, never given back: a process holds, for each class, the
 * most blocks of it it ever had at once (a long `nestor daemon` or
 * `serve` keeps the schemas and statements of its connections, a few
 * hundred KB), and sqlite3_release_memory() cannot free them.  One lock
 * (a spin on an atomic flag, held for a few instructions) makes it safe
 * from any thread and across fork() (pthread_atfork), for these lists;
 * a child that uses SQLite itself after fork() has SQLite's own mutexes
 * to fear, and nestor's children exec at once.  Builds with
 * AddressSanitizer keep SQLite's allocator, so that ASan sees every
 * SQLite block; valgrind's memcheck sees the chunks only.
 */
#ifndef NESTOR_SQLMEM_H
#define NESTOR_SQLMEM_H

/* The largest block served from the free lists, in bytes. */
#define SQLMEM_SMALL 512

/* Make this SQLite's allocator.  Only before SQLite's first use in the
 * process (sqlite3_config()); 0 (again 0 once installed), or -1 when
 * SQLite kept its own (already in use, or a build with AddressSanitizer,
 * which then keeps seeing every block). */
int sqlmem_install(void);

#endif
