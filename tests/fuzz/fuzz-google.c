/* Google Calendar's events as events.list returns them: each item mapped
 * to a nestor event (or, for an instance of a series, its override), and
 * what an event maps back to. */
#include "fuzz.h"
#include "google.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static void one(const cJSON *item)
{
	struct err e = { 0, "" };
	struct event ev = { 0 };
	struct event_override *ov = NULL;
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(item, "start");
	time_t key, t;

	if (cJSON_GetObjectItemCaseSensitive(item, "recurringEventId")) {
		if (gmap_instance(item, cJSON_GetObjectItemCaseSensitive(start, "date") != NULL,
				  "Europe/Berlin", &key, &ov, &e) == 0 &&
		    ov) {
			event_override_release(ov);
			free(ov);
		}
		return;
	}
	if (gmap_event(item, "work", "Europe/Berlin", "[{\"method\":\"popup\",\"minutes\":10}]",
		       &ev, &e) == 0) {
		cJSON *back = gmap_to_json(&ev, "abc");

		cJSON_Delete(back);
	}
	event_release(&ev);
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "updated")))
		(void)gmap_time(cJSON_GetObjectItemCaseSensitive(item, "updated")->valuestring, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	cJSON *j = cJSON_Parse(text);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items"), *item;

	if (cJSON_IsArray(items)) {
		cJSON_ArrayForEach(item, items)
			one(item);
	} else if (cJSON_IsObject(j)) {
		one(j);
	}
	cJSON_Delete(j);
	free(text);
	return 0;
}
