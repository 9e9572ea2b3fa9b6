/* A stream entry as Redis could hand it back (sync/rstream.h): the input is
 * a reply in Redis's wire format (RESP2: +status, -error, :integer,
 * $bulk, *array, nested), decoded here into the tree redis.c would build,
 * then read by rstream_entry_parse(). */
#include "fuzz.h"
#include "rstream.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct in {
	const uint8_t *p, *end;
};

/* The digits up to "\r\n" as a number; -1 when malformed. */
static long long line_num(struct in *in)
{
	long long v = 0;
	int neg = 0, digits = 0;

	if (in->p < in->end && *in->p == '-') {
		neg = 1;
		in->p++;
	}
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9' && digits < 12) {
		v = v * 10 + (*in->p++ - '0');
		digits++;
	}
	if (!digits || in->end - in->p < 2 || in->p[0] != '\r' || in->p[1] != '\n')
		return -2;
	in->p += 2;
	return neg ? -v : v;
}

static int decode(struct in *in, struct rds_reply *r, int depth)
{
	uint8_t t;
	long long n;

	memset(r, 0, sizeof(*r));
	if (in->p >= in->end || depth > 8)
		return -1;
	t = *in->p++;
	if (t == '+' || t == '-') {
		const uint8_t *nl = memchr(in->p, '\r', (size_t)(in->end - in->p));

		if (!nl)
			return -1;
		r->type = t == '+' ? RDS_STATUS : RDS_ERROR;
		r->len = (size_t)(nl - in->p);
		r->str = xmalloc(r->len + 1);
		memcpy(r->str, in->p, r->len);
		r->str[r->len] = '\0';
		in->p = nl + 1 < in->end ? nl + 2 : in->end;
		return 0;
	}
	n = line_num(in);
	if (n < -1)
		return -1;
	if (t == ':') {
		r->type = RDS_INTEGER;
		r->integer = n;
		return 0;
	}
	if (n == -1) {
		r->type = RDS_NIL;
		return 0;
	}
	if (t == '$') {
		if (n > in->end - in->p)
			return -1;
		r->type = RDS_STRING;
		r->len = (size_t)n;
		r->str = xmalloc(r->len + 1);
		memcpy(r->str, in->p, r->len);
		r->str[r->len] = '\0';
		in->p += n;
		if (in->end - in->p >= 2)
			in->p += 2;
		return 0;
	}
	if (t != '*' || n > 64)
		return -1;
	r->type = RDS_ARRAY;
	r->elem = xcalloc((size_t)n + 1, sizeof(*r->elem));
	for (r->n = 0; r->n < (size_t)n; r->n++)
		if (decode(in, &r->elem[r->n], depth + 1) < 0) {
			r->n++; /* what it holds is freed with the rest */
			return -1;
		}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, data + size };
	struct rds_reply *r = xcalloc(1, sizeof(*r));
	struct rstream_entry en;
	struct err e = { 0, "" };

	decode(&in, r, 0);
	if (rstream_entry_parse(r, &en, &e) == 0) {
		if (!en.why[0] && (!en.body || strlen(en.body) > RSTREAM_MAX))
			abort();
		free(en.body);
	}
	rds_reply_free(r);
	return 0;
}
