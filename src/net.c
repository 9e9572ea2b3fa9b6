/*
 * net.c - the executable's side of the network module (net.so): one stub
 * for each function the rest of nestor calls in it.  The first call loads
 * the module (src/base/module.h); when it cannot be loaded, the call fails
 * with "cannot load .../net.so: ..." like any other error.
 *
 * This list is the module's whole interface: the Makefile exports exactly
 * these names from net.so, and src/README says how a function joins it.
 * Only this file is linked into the executable, never the module's code;
 * the test runner links the module's code itself and not this file.
 */
#include "http.h"
#include "httpd.h"
#include "keyring.h"
#include "module.h"
#include "redis.h"

int http_transfer(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	MODULE_CALL("net", http_transfer, e, rq, resp, e);
}

int keyring_lookup(const char *name, char **value, struct err *e)
{
	*value = NULL;
	MODULE_CALL("net", keyring_lookup, e, name, value, e);
}

int keyring_store(const char *name, const char *value, struct err *e)
{
	MODULE_CALL("net", keyring_store, e, name, value, e);
}

int keyring_clear(const char *name, int *removed, struct err *e)
{
	*removed = 0;
	MODULE_CALL("net", keyring_clear, e, name, removed, e);
}

int keyring_names(char ***names, size_t *n, struct err *e)
{
	MODULE_CALL("net", keyring_names, e, names, n, e);
}

int httpd_run(const struct httpd_opts *o, struct err *e)
{
	MODULE_CALL("net", httpd_run, e, o, e);
}

int httpd_start(const struct httpd_opts *o, struct httpd **out, struct err *e)
{
	*out = NULL;
	MODULE_CALL("net", httpd_start, e, o, out, e);
}

int httpd_stop(struct httpd *h, struct err *e)
{
	MODULE_CALL("net", httpd_stop, e, h, e);
}

int httpd_drain_start(struct httpd *h, size_t *n, struct err *e)
{
	MODULE_CALL("net", httpd_drain_start, e, h, n, e);
}

int httpd_drain_wait(struct httpd *h, unsigned wait_s, int fd, struct err *e)
{
	MODULE_CALL("net", httpd_drain_wait, e, h, wait_s, fd, e);
}

int httpd_stream_write(struct httpd_stream *st, const char *data, size_t len, struct err *e)
{
	MODULE_CALL("net", httpd_stream_write, e, st, data, len, e);
}

int httpd_stream_end(struct httpd_stream *st, struct httpd_resp *rs, struct err *e)
{
	MODULE_CALL("net", httpd_stream_end, e, st, rs, e);
}

int rds_connect(const char *url, const char *password, long timeout_ms, struct rds **out,
		struct err *e)
{
	*out = NULL;
	MODULE_CALL("net", rds_connect, e, url, password, timeout_ms, out, e);
}

int rds_command(struct rds *r, int argc, const char **argv, const size_t *argvlen,
		struct rds_reply **out, struct err *e)
{
	*out = NULL;
	MODULE_CALL("net", rds_command, e, r, argc, argv, argvlen, out, e);
}

int rds_close(struct rds *r, struct err *e)
{
	if (!r)
		return 0;
	MODULE_CALL("net", rds_close, e, r, e);
}
