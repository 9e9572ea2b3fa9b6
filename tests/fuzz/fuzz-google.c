/* Google Calendar's events as events.list returns them: each item mapped
 * to a nestor event (or, for an instance of a series, its override), and
 * what an event maps back to; each item read as an entry of the calendar
 * list too (gmap_calendar), whose fields kept must be clean. */
#include "fuzz.h"
#include "google.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether s holds a C0 control character or DEL. */
static bool has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void calendar(const cJSON *item)
{
	struct err e = { 0, "" };
	struct gmap_cal c;

	if (gmap_calendar(item, &c, &e) < 0) {
		if (!e.msg[0])
			abort();
		return;
	}
	if (!c.id || !*c.id || !c.summary || has_control(c.id) || has_control(c.tz) ||
	    (c.color && strlen(c.color) != 7) ||
	    (c.access && strcmp(c.access, "owner") && strcmp(c.access, "writer") &&
	     strcmp(c.access, "reader") && strcmp(c.access, "freeBusyReader")))
		abort();
}

static void one(const cJSON *item)
{
	struct err e = { 0, "" };
	struct event ev = { 0 };
	struct event_override *ov = NULL;
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(item, "start");
	time_t key, t;

	calendar(item);
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
