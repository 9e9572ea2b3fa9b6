/* Bearer tokens: made here, shown once, checked by hash (token.h). */
#include "api-int.h"
#include "token.h"
#include "xalloc.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define TOKEN_PREFIX "nst_"
#define SECRET_BYTES 32

static void hash_secret(const char *secret, char out[65])
{
	gchar *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, secret, -1);

	snprintf(out, 65, "%s", h);
	g_free(h);
}

/* 32 random bytes, base64url without padding: 43 characters. */
static int new_secret(char **out, struct err *e)
{
	unsigned char raw[SECRET_BYTES];
	size_t got = 0;
	gchar *b64;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, ERR_FAIL, "cannot make a token: %s", strerror(errno));
		got += (size_t)n;
	}
	b64 = g_base64_encode(raw, sizeof(raw));
	for (char *p = b64; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	*out = xstrdup(b64);
	g_free(b64);
	return 0;
}

int api_token_issue(struct store *s, long long user_id, const char *label, bool read_only,
		    time_t now, char **token, long long *id, struct err *e)
{
	struct api_token t;
	char *secret = NULL;

	*token = NULL;
	if (new_secret(&secret, e) < 0)
		return -1;
	memset(&t, 0, sizeof(t));
	t.user_id = user_id;
	t.label = (char *)label;
	t.read_only = read_only;
	hash_secret(secret, t.hash);
	if (token_add(s, &t, now, e) < 0) {
		free(secret);
		return -1;
	}
	*id = t.id;
	*token = xasprintf(TOKEN_PREFIX "%lld_%s", t.id, secret);
	free(secret);
	return 0;
}

/* Equal strings of the same length, in time independent of where they
 * differ. */
static bool same_hash(const char *a, const char *b)
{
	unsigned char d = 0;

	for (size_t i = 0; i < 64; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0 && strlen(a) == 64 && strlen(b) == 64;
}

int api_token_check(struct store *s, const char *bearer, struct api_token *out, struct err *e)
{
	char hash[65], *end;
	const char *secret;
	long long id;

	memset(out, 0, sizeof(*out));
	if (strncmp(bearer, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return err_set(e, ERR_USAGE, "malformed token");
	errno = 0;
	id = strtoll(bearer + strlen(TOKEN_PREFIX), &end, 10);
	if (errno || id <= 0 || *end != '_')
		return err_set(e, ERR_USAGE, "malformed token");
	secret = end + 1;
	if (token_get(s, id, out, e) < 0)
		return -1;
	hash_secret(secret, hash);
	if (!same_hash(hash, out->hash)) {
		token_release(out);
		return err_set(e, ERR_NOTFOUND, "unknown token");
	}
	return 0;
}
