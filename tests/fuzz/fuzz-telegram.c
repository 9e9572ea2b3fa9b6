/* The Telegram Bot API's updates as getUpdates returns them (an array, or
 * one object), each also read as a failed call's answer (retry_after), what
 * the poller reads in one to route it (a /start's code, a button's device),
 * then the HTML escaping and the splitting of a reply.  The first byte
 * picks the piece size of the split. */
#include "fuzz.h"
#include "telegram-int.h"
#include "tgapi.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void one(const cJSON *u)
{
	struct tg_update up;
	struct tg_status st;

	/* as a failed call's answer: retry_after within its bounds */
	tg_status_parse(u, 200, &st);
	if (st.retry_after < 0 || st.retry_after > TG_RETRY_MAX)
		abort();

	if (tg_update_parse(u, &up) == 0 && up.text) {
		char *html = tg_html_escape(up.text), code[33];
		const char *c = tg_start_code(&up, code, sizeof(code));
		const char *d = tg_callback_device(&up);

		if ((c && (c != code || strlen(c) >= sizeof(code) || strchr(c, ' '))) ||
		    (d && (d < up.text || d > up.text + strlen(up.text))))
			abort();
		free(html);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *html, **pieces = NULL;
	const cJSON *u;
	cJSON *j;
	size_t n, max;

	if (size < 1)
		return 0;
	max = data[0] % 64 + 1;
	text = fuzz_text(data + 1, size - 1);
	j = cJSON_Parse(text);
	if (cJSON_IsArray(j)) {
		cJSON_ArrayForEach(u, j)
			one(u);
	} else if (j) {
		one(j);
	}
	cJSON_Delete(j);
	html = tg_html_escape(text);
	n = tg_split(html, max, &pieces);
	for (size_t i = 0; i < n; i++)
		if (!pieces[i])
			abort();
	tg_pieces_free(pieces, n);
	free(html);
	free(text);
	return 0;
}
