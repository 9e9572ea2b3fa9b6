/* The stderr line a notifier command's failure is told with
 * (src/notify.c: errline_read, errline_end): each input is its first byte,
 * the size of the pieces the child's writes arrive in (1 to 256 bytes; the
 * line is read after each, as wait_child does while it waits), then what
 * the child wrote on stderr.  The line is the first non-empty one (a
 * newline or a carriage return ends a line), cut to NOTIFY_ERRLINE bytes,
 * each control character a space and no space at its end; NUL-terminated,
 * and the pipe is closed once it ended.
 *
 * The reader is static: notify.c is compiled in here. */
#include "notify.c"

#include "fuzz.h"

#include <poll.h>
#include <stdio.h>

static void fail(const char *what, const struct errline *l)
{
	fprintf(stderr, "fuzz: errline: %s: [%.*s]\n", what, (int)l->n, l->text);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errline l = { -1, false, 0, "" };
	char want[NOTIFY_ERRLINE + 1];
	size_t piece, i = 1, n = 0;
	int fds[2];

	if (size < 1)
		return 0;
	piece = (size_t)data[0] + 1;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		abort();
	l.fd = fds[0];
	for (size_t off = 1; off < size; off += piece) {
		size_t len = size - off < piece ? size - off : piece;

		if (write(fds[1], data + off, len) != (ssize_t)len)
			abort(); /* a pipe holds 64 KiB: inputs are smaller */
		errline_read(&l);
		if (l.fd != fds[0])
			fail("the pipe closed before its end", &l);
	}
	close(fds[1]);
	/* the end is waited for as wait_child() does, with poll(): once in
	 * some 10^6 runs (under load, with libFuzzer's threads) the read just
	 * after close() still said EAGAIN; a pipe never closed fails here */
	for (int tries = 0; tries < 50 && l.fd >= 0; tries++) {
		struct pollfd p = { l.fd, POLLIN, 0 };

		if (tries)
			poll(&p, 1, 100);
		errline_read(&l);
	}
	if (l.fd != -1)
		fail("the pipe left open at its end", &l);
	errline_end(&l);

	/* what it should be: the first line with a byte in it */
	while (i < size && (data[i] == '\n' || data[i] == '\r'))
		i++;
	for (; i < size && data[i] != '\n' && data[i] != '\r' && n < NOTIFY_ERRLINE; i++)
		want[n++] = data[i] < 0x20 || data[i] == 0x7f ? ' ' : (char)data[i];
	while (n && want[n - 1] == ' ')
		n--;
	if (l.n > NOTIFY_ERRLINE || l.text[l.n] != '\0')
		fail("not NUL-terminated within NOTIFY_ERRLINE", &l);
	if (l.n != n || memcmp(l.text, want, n))
		fail("not the first line", &l);
	for (size_t k = 0; k < l.n; k++)
		if ((unsigned char)l.text[k] < 0x20 || l.text[k] == 0x7f)
			fail("a control character kept", &l);
	return 0;
}
