/* url_check_secretless() (src/base/url.h) on its own: each input is a URL
 * or a libpq connection string as a person may give one, checked with
 * each flag set.  Its message quotes neither the URL nor the secret: a
 * refused input (which has an '@' or a '=' the message cannot have) is
 * never in it. */
#include "fuzz.h"
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = { 0, URL_USER_OK, URL_INSTEAD_PARAM,
					  URL_USER_OK | URL_INSTEAD_PARAM };
	char *url = fuzz_text(data, size);

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct err e = { 0, "" };
		int rc = url_check_secretless("W", url, flags[i], i & 1 ? "do I" : NULL, &e);

		if (rc != 0 && (rc != -1 || e.code != ERR_USAGE || !e.msg[0])) {
			fprintf(stderr, "fuzz: url: %d, code %d, [%s]\n", rc, (int)e.code, e.msg);
			abort();
		}
		if (rc < 0 && url[0] && strstr(e.msg, url)) {
			fprintf(stderr, "fuzz: url: the message quotes the URL: [%s]\n", e.msg);
			abort();
		}
	}
	free(url);
	return 0;
}
