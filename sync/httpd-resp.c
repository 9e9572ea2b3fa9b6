/* The response of httpd.h, kept on the executable's side of the module. */
#include "httpd.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void httpd_resp_init(struct httpd_resp *rs)
{
	memset(rs, 0, sizeof(*rs));
	sbuf_init(&rs->body);
	rs->status = 200;
}

void httpd_resp_release(struct httpd_resp *rs)
{
	sbuf_release(&rs->body);
	for (int i = 0; i < rs->nheaders; i++) {
		free(rs->names[i]);
		free(rs->values[i]);
	}
	rs->nheaders = 0;
}

void httpd_resp_header(struct httpd_resp *rs, const char *name, const char *value)
{
	if (rs->nheaders >= HTTPD_MAX_HEADERS)
		return;
	rs->names[rs->nheaders] = xstrdup(name);
	rs->values[rs->nheaders] = xstrdup(value);
	rs->nheaders++;
}
