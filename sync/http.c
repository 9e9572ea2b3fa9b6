/*
 * http.c - what every HTTP caller shares and needs no libcurl for: the
 * response's life cycle, error messages, URL pieces.  The transfer itself
 * is sync/http-curl.c, in the network module.
 */
#include "http.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int http_request(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	http_resp_init(resp);
	return http_transfer(rq, resp, e);
}

void http_resp_init(struct http_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
}

void http_resp_release(struct http_resp *resp)
{
	if (!resp)
		return;
	free(resp->body);
	free(resp->content_type);
	free(resp->retry_after);
	free(resp->kept);
	http_resp_init(resp);
}

int http_ok(const struct http_resp *resp)
{
	return resp->status >= 200 && resp->status <= 299;
}

/* Length of s[0..n) without a multibyte sequence cut short at the end. */
static size_t utf8_trim(const char *s, size_t n)
{
	size_t j = n, need;
	unsigned char lead;

	while (j && ((unsigned char)s[j - 1] & 0xc0) == 0x80)
		j--;
	if (!j || (lead = (unsigned char)s[j - 1]) < 0xc0)
		return n;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	return n - (j - 1) < need ? j - 1 : n;
}

int http_status_error(const struct http_req *rq, const struct http_resp *resp, struct err *e)
{
	char *host = http_host(rq->url);
	char ex[161];
	size_t i, n = 0;

	for (i = 0; resp->body && i < resp->len && n < sizeof(ex) - 1; i++) {
		unsigned char c = (unsigned char)resp->body[i];

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == ' ' && (n == 0 || ex[n - 1] == ' '))
			continue;
		ex[n++] = (char)c;
	}
	n = utf8_trim(ex, n);
	while (n && ex[n - 1] == ' ')
		n--;
	ex[n] = '\0';
	if (n)
		err_set(e, ERR_FAIL, "%s: HTTP %ld: %s", host, resp->status, ex);
	else
		err_set(e, ERR_FAIL, "%s: HTTP %ld", host, resp->status);
	free(host);
	return -1;
}

char *http_host(const char *url)
{
	char *host = NULL, *s;
	int port = -1;

	if (!url || !g_uri_split_network(url, G_URI_FLAGS_NON_DNS, NULL, &host, &port, NULL) ||
	    !host || !*host) {
		g_free(host);
		return xstrdup("?");
	}
	if (strchr(host, ':')) /* an IPv6 address keeps its brackets */
		s = port >= 0 ? xasprintf("[%s]:%d", host, port) : xasprintf("[%s]", host);
	else
		s = port >= 0 ? xasprintf("%s:%d", host, port) : xstrdup(host);
	g_free(host);
	return s;
}

char *http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = xmalloc(n * 3 + 1), *p = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}
