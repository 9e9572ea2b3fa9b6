/* The cron parser, the next run and the fewest minutes between two runs of
 * what it accepts; an RRULE's fewest minutes of any text. */
#include "cron.h"
#include "fuzz.h"
#include "recur.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz *zone;
	char *text = fuzz_text(data, size);
	struct err e = { 0, "" };
	struct cron c;
	time_t next;

	if (!zone && !(zone = tz_open("Europe/Berlin", &e)))
		abort();
	(void)cron_is_expr(text);
	if (cron_parse(text, &c, &e) == 0) {
		(void)cron_next(&c, zone, FUZZ_NOW, &next, &e);
		(void)cron_min_gap(&c);
	}
	(void)recur_min_gap("rrule", text, &e);
	free(text);
	return 0;
}
