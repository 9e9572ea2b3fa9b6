/* iCalendar import into a temporary store, then an export of what it
 * holds.  The store is made anew every 256 inputs so it stays small. */
#include "fuzz.h"
#include "ical.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct store *st;
static char dir[64];
static unsigned runs;

/* The database and its WAL files, then the directory. */
static void remove_store(void)
{
	static const char *const files[] = { "nestor.db", "nestor.db-wal", "nestor.db-shm" };
	char path[96];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
}

static void cleanup(void)
{
	store_free(st);
	remove_store();
	rmdir(dir);
}

/* On tmpfs when there is one: a commit's fsync would cost more than the
 * import it follows. */
static void reopen(void)
{
	struct err e = { 0, "" };
	char path[96];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/nestor-fuzz-ical.XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	store_free(st);
	remove_store();
	snprintf(path, sizeof(path), "%s/nestor.db", dir);
	st = store_open(path, &e);
	if (!st) {
		fprintf(stderr, "store: %s\n", e.msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out = NULL;
	struct ical_report rep;
	struct err e = { 0, "" };

	setenv("TZ", "Europe/Berlin", 1);
	if (!st || ++runs % 256 == 0)
		reopen();
	if (ical_import(st, text, NULL, FUZZ_NOW, NULL, NULL, &rep, &e) == 0) {
		ical_report_release(&rep);
		if (ical_export(st, NULL, NULL, NULL, &out, &e) == 0)
			free(out);
	}
	free(text);
	return 0;
}
