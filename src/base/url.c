#include "url.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

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

/* Whether s names a password parameter: "password" (any case) as a query
 * parameter or a libpq keyword ("?password=", "&password=",
 * " password = "), not inside another word ("forgot_password=1"). */
static bool password_param(const char *s)
{
	for (const char *p = s; (p = strcasestr(p, "password")) != NULL; p += 8) {
		const char *q = p + 8;

		if (p > s && !strchr("?&; \t", p[-1]))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '=')
			return true;
	}
	return false;
}

int url_check_secretless(const char *what, const char *url, unsigned flags, const char *instead,
			 struct err *e)
{
	bool password = false;
	bool user = url && has_userinfo(url, &password);

	if (!url)
		return 0;
	if (password || password_param(url) || (user && !(flags & URL_USER_OK)))
		return err_set(e, ERR_USAGE, "%s holds a password: take it out and %s", what,
			       instead ? instead
				       : "store it with `nestor secret set NAME` (see nestor(1))");
	return 0;
}
