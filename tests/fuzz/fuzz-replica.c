/* Changes pulled from the server profile (replica.h): each input is what a
 * pull hands replica_apply(), a JSON array of changes as sync/pg.c builds
 * them from the server's rows (one object is taken as an array of one),
 * applied to a temporary store (fuzz_store) with capture on; then the
 * outbox is read back as a push would (replica_next) and the conflicts
 * listed.  Stores live for 256 inputs, so changes meet earlier ones. */
#include "fuzz.h"
#include "replica.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static struct store *enabled;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st = fuzz_store("replica");
	char *text = fuzz_text(data, size), *why = NULL;
	struct replica_stats rs;
	struct replica_batch b = { 0 };
	struct replica_conflict *cf = NULL;
	struct err e = { 0, "" };
	cJSON *j = cJSON_Parse(text), *arr = j;
	size_t n = 0;

	setenv("TZ", "Europe/Berlin", 1);
	if (st != enabled) {
		if (replica_enable(st, NULL, &e) < 0) {
			fprintf(stderr, "replica_enable: %s\n", e.msg);
			abort();
		}
		enabled = st;
	}
	if (cJSON_IsObject(j)) {
		arr = cJSON_CreateArray();
		cJSON_AddItemReferenceToArray(arr, j);
	}
	if (cJSON_IsArray(arr)) {
		/* bad changes are counted rejected: the pull as a whole goes on */
		if (replica_apply(st, arr, "postgres:fuzz", 1, FUZZ_NOW, &rs, &why, &e) < 0) {
			fprintf(stderr, "replica_apply: %s\n", e.msg);
			abort();
		}
		if (rs.rejected && !why)
			abort();
		free(why);
		if (replica_next(st, NULL, 0, 50, &b, &e) < 0) {
			fprintf(stderr, "replica_next: %s\n", e.msg);
			abort();
		}
		replica_batch_release(&b);
		if (replica_conflicts(st, 10, &cf, &n, &e) == 0)
			replica_conflicts_free(cf, n);
	}
	if (arr != j)
		cJSON_Delete(arr);
	cJSON_Delete(j);
	free(text);
	return 0;
}
