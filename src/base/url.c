#include "url.h"

#include <stdbool.h>
#include <string.h>

/* Whether url has user information, and whether it holds a ':' (a
 * password).  The authority runs to the first '/', '?' or '#'; a password
 * holding one of those makes what looks like a port not a number, with an
 * '@' further on: that counts as a password too. */
static bool has_userinfo(const char *url, bool *password)
{
	const char *p = strstr(url, "://"), *end, *at, *colon;

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
	colon = *p == '[' ? NULL : memchr(p, ':', (size_t)(end - p));
	if (colon && strspn(colon + 1, "0123456789") != (size_t)(end - colon - 1) &&
	    strchr(end, '@')) {
		*password = true;
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
	if (password || strcasestr(url, "password=") || (user && !(flags & URL_USER_OK)))
		return err_set(e, ERR_USAGE, "%s holds a password: take it out and %s", what,
			       instead ? instead
				       : "store it with `nestor secret set NAME` (see nestor(1))");
	return 0;
}
