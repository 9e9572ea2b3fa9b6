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

/* The configuration every program has: defaults only (no file is read),
 * loaded once, never freed.  The tools take it from their context. */
struct config;
struct config *fuzz_config(void);

/* data as a NUL-terminated string (a NUL inside ends it); free() it. */
char *fuzz_text(const uint8_t *data, size_t size);

/*
 * No target reaches the network.  http_transfer() (sync/http.h) is
 * fuzz-util.c's: it calls fuzz_http when a target set it (the target plays
 * the server, answering from its input), else fails with "no network while
 * fuzzing".  An IPv4 or IPv6 socket opened by anything else aborts.
 */
struct http_req;
struct http_resp;
struct err;
extern int (*fuzz_http)(const struct http_req *rq, struct http_resp *resp, struct err *e);
/* For a fuzz_http: resp becomes an answer with status, Content-Type ctype
 * (may be NULL), the len bytes of body and the kept header kept (may be
 * NULL); 0. */
int fuzz_http_answer(struct http_resp *resp, long status, const char *ctype, const char *body,
		     size_t len, const char *kept);

#endif
