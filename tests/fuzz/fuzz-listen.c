/* The address `nestor serve` listens on (src/cli/cmd-serve.c: parse_listen,
 * loopback), as --listen or serve.listen give it: each input is one
 * value.  An accepted one is ADDR:PORT or [ADDR]:PORT with a non-empty
 * ADDR and a PORT of decimal digits only, at most 65535; written back the
 * same way it reads the same (localhost being 127.0.0.1).  A refused one is
 * a usage error naming the option.
 *
 * parse_listen is static: cmd-serve.c is compiled in here. */
#include "cmd-serve.c"

#include "fuzz.h"

#include <stdio.h>

/* cmd-serve.c's code is reached through no command table here. */
const struct cmd cmd_table[] = { { 0 } };

static void fail(const char *what, const char *text)
{
	fprintf(stderr, "fuzz: listen: %s: [%s]\n", what, text);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *addr = (char *)1, *again, *addr2;
	const char *colon = strrchr(text, ':');
	struct ctx ctx = { 0 };
	unsigned port = 70000, port2;

	if (parse_listen(&ctx, "--listen", text, &addr, &port) < 0) {
		if (addr || ctx.err.code != ERR_USAGE ||
		    strncmp(ctx.err.msg, "--listen must be ADDR:PORT", 26))
			fail("a refusal that is not a usage error naming --listen", text);
		free(text);
		return 0;
	}
	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		fail("accepted a port that is not all digits", text);
	if (port > 65535 || (unsigned long)strtoul(colon + 1, NULL, 10) != port)
		fail("a port other than the one given", text);
	if (!addr || !addr[0])
		fail("accepted without an address", text);
	(void)loopback(addr);
	if (!strchr(addr, '[') && !strchr(addr, ']')) {
		if (asprintf(&again, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port) < 0)
			abort();
		if (parse_listen(&ctx, "--listen", again, &addr2, &port2) < 0)
			fail("written back, refused", again);
		if (strcmp(addr, addr2) || port != port2)
			fail("written back, read otherwise", again);
		free(addr2);
		free(again);
	}
	free(addr);
	free(text);
	return 0;
}
