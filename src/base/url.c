#include "url.h"
#include "utf8.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_pct_byte(const char *p)
{
	int hi, lo;

	if (p[0] != '%' || (hi = hex_digit((unsigned char)p[1])) < 0 ||
	    (lo = hex_digit((unsigned char)p[2])) < 0)
		return -1;
	return hi * 16 + lo;
}

/* Whether [p, end) is a list of hosts each with an optional numeric port,
 * "h1:5432,h2:5433" or "[::1]:5432" (libpq takes several). */
static bool hosts_ports(const char *p, const char *end)
{
	while (p < end) {
		const char *next = memchr(p, ',', (size_t)(end - p)), *colon;

		if (!next)
			next = end;
		if (*p == '[') {
			const char *close = memchr(p, ']', (size_t)(next - p));

			if (!close)
				return false;
			colon = close + 1 < next ? close + 1 : NULL;
			if (colon && *colon != ':')
				return false;
		} else {
			colon = memchr(p, ':', (size_t)(next - p));
		}
		if (colon && strspn(colon + 1, "0123456789") < (size_t)(next - colon - 1))
			return false;
		p = next + (next < end);
	}
	return true;
}

/* Whether url has user information, and whether it holds a ':' (a
 * password).  The authority runs to the first '/', '?' or '#'; a password
 * holding one of those makes what looks like a port not a number, with an
 * '@' further on: that counts as a password too. */
static bool has_userinfo(const char *url, bool *password)
{
	const char *p = strstr(url, "://"), *end, *at;

	*password = false;
	if (!p)
		return false;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		*password = memchr(p, ':', (size_t)(at - p)) != NULL;
		return true;
	}
	if (!hosts_ports(p, end) && strchr(end, '@')) {
		*password = true;
		return true;
	}
	return false;
}

/* Whether raw, of n bytes, ends in the word "key": "_key", "-key", or
 * "Key" after a lower-case letter (access_key, subscription-key,
 * accessKey; not monkey, sslkey). */
static bool ends_in_key_word(const char *raw, size_t n)
{
	if (n < 4 || strcasecmp(raw + n - 3, "key"))
		return false;
	return raw[n - 4] == '_' || raw[n - 4] == '-' ||
	       (raw[n - 3] == 'K' && islower((unsigned char)raw[n - 4]));
}

/* Appends c to the tail buf (cap bytes with its NUL) of *n bytes: when
 * full, its first byte goes.  false: one went. */
static bool tail_add(char *buf, size_t cap, size_t *n, char c)
{
	bool kept = true;

	if (*n + 1 >= cap) {
		memmove(buf, buf + 1, --*n);
		kept = false;
	}
	buf[(*n)++] = c;
	buf[*n] = 0;
	return kept;
}

/* secret_name with a decoded NUL ending the name (cut) or left out. */
static bool secret_name_read(const char *p, const char *end, bool cut)
{
	static const char *const named[] = { "key",    "authorization", "sig",	      "password",
					     "passwd", "pwd",		"sslpassword" };
	static const char *const endings[] = { "apikey", "token", "secret", "signature" };
	static const char *const paging[] = { "pagetoken", "nextpagetoken", "synctoken" };
	char raw[8] = "", name[64] = "";
	size_t r = 0, n = 0;
	bool whole = true;

	for (; p < end; p++) {
		int c = (unsigned char)*p, d = end - p >= 3 ? url_pct_byte(p) : -1;

		if (d >= 0) {
			c = d;
			p += 2;
		}
		if (!c && cut)
			break;
		if (!c)
			continue;
		tail_add(raw, sizeof(raw), &r, (char)c);
		if (c != '-' && c != '_' && !tail_add(name, sizeof(name), &n, (char)tolower(c)))
			whole = false;
	}
	for (size_t i = 0; whole && i < sizeof(named) / sizeof(named[0]); i++)
		if (!strcmp(name, named[i]))
			return true;
	for (size_t i = 0; whole && i < sizeof(paging) / sizeof(paging[0]); i++)
		if (!strcmp(name, paging[i]))
			return false;
	for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		size_t k = strlen(endings[i]);

		if (n >= k && !strcmp(name + n - k, endings[i]))
			return true;
	}
	return ends_in_key_word(raw, r);
}

/* Whether the parameter name [p, end) names a secret (url.h): percent-
 * decoded (libpq decodes a URI's keywords: "pass%77ord" is "password"),
 * without case, '-' and '_', it is one of named or ends with one of
 * endings (and is not one of paging), or it ends in the word key.  The
 * name is made so first; of a longer one its last 63 bytes are compared,
 * and it is one of named or paging only when it is all of it.  A %00
 * is read two ways, and the name is a secret if either reading is: cut
 * there, as a C program decoding it does ("token%00x" is "token"), or
 * left out, as one dropping it does ("x%00token" is "xtoken"). */
static bool secret_name(const char *p, const char *end)
{
	return secret_name_read(p, end, true) || secret_name_read(p, end, false);
}

/* Whether s is a URI ("scheme://..."), not libpq's keyword form. */
static bool is_uri(const char *s)
{
	size_t n = isalpha((unsigned char)*s) ? strspn(s, "abcdefghijklmnopqrstuvwxyz"
							  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
					      : 0;

	return n > 0 && !strncmp(s + n, "://", 3);
}

/* Whether the quote at p opens a libpq keyword's value (" dbname =
 * 'my key=1'": a keyword from the start or after a blank, then "=", then
 * the quote) that ends; its closing quote in *close. */
static bool quoted_value(const char *s, const char *p, const char **close)
{
	const char *q = p, *k;

	while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q == s || q[-1] != '=')
		return false;
	for (q--; q > s && (q[-1] == ' ' || q[-1] == '\t'); q--)
		;
	for (k = q; k > s && (isalnum((unsigned char)k[-1]) || k[-1] == '_'); k--)
		;
	if (k == q || (k > s && k[-1] != ' ' && k[-1] != '\t'))
		return false;
	for (q = p + 1; *q && *q != '\''; q++)
		if (*q == '\\' && q[1])
			q++;
	*close = q;
	return *q == '\'';
}

/* The first parameter of s that names a secret (secret_name): a query
 * parameter or a fragment's ("?key=", "&access_token=", "#token="), or a
 * libpq keyword (" password = "), not inside another word
 * ("forgot_password=1") nor a keyword's quoted value; its name's length
 * in *len.  NULL: none. */
static const char *secret_param(const char *s, size_t *len)
{
	bool keywords = !is_uri(s);

	for (const char *p = s; *p; p++) {
		const char *end, *q;

		/* a keyword's quoted value ('my key=1') is no keyword */
		if (keywords && *p == '\'' && quoted_value(s, p, &q)) {
			p = q;
			continue;
		}
		if (p > s && !strchr("?&;# \t", p[-1]))
			continue;
		end = p + strcspn(p, "=?&;# \t");
		for (q = end; *q == ' ' || *q == '\t'; q++)
			;
		if (end > p && *q == '=' && secret_name(p, end)) {
			*len = (size_t)(end - p);
			return p;
		}
	}
	return NULL;
}

int url_check_secretless(const char *what, const char *url, unsigned flags, const char *instead,
			 struct err *e)
{
	bool password = false;
	bool user = url && has_userinfo(url, &password);
	const char *dflt = "store it with `nestor secret set NAME` (see nestor(1))";
	const char *param;
	size_t len;

	if (!url)
		return 0;
	if (!instead)
		instead = dflt;
	if (password || (user && !(flags & URL_USER_OK)))
		return err_set(e, ERR_USAGE, "%s holds a password: take it out and %s", what,
			       flags & URL_INSTEAD_PARAM ? dflt : instead);
	param = secret_param(url, &len);
	if (param) {
		char *name = xstrndup(param, len < 64 ? len : 64);

		err_set(e, ERR_USAGE, "%s holds a secret in its parameter %s: take it out and %s",
			what, utf8_q(name), instead);
		free(name);
		return -1;
	}
	return 0;
}
