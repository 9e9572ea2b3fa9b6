/*
 * libFuzzer targets (`make fuzz`): each fuzz-NAME.c defines
 * LLVMFuzzerTestOneInput() for one parser of outside input and is linked
 * with libnestor.a under -fsanitize=fuzzer,address,undefined.  Seeds are
 * in tests/fuzz/corpus/NAME; a crash found becomes a file there and a
 * unit test.
 */
#ifndef NESTOR_FUZZ_H
#define NESTOR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The pinned "now" of every target: Tue 2026-03-10 12:00:00 UTC. */
#define FUZZ_NOW ((time_t)1773144000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct store;
/* A store in a temporary directory (on /dev/shm when there is one), made
 * anew every 256 calls so it stays small; removed at exit.  NAME names the
 * directory. */
struct store *fuzz_store(const char *name);

/* data as a NUL-terminated string (a NUL inside ends it); free() it. */
char *fuzz_text(const uint8_t *data, size_t size);

#endif
