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
#include "keyring.h"
#include "module.h"

/* The body of a stub: call f in the module with the same arguments. */
#define NET_CALL(f, ...)                                                   \
	static void *slot_;                                                \
	__typeof__(f) *fn_ = (__typeof__(f) *)module_sym("net", #f, &slot_, e); \
	return fn_ ? fn_(__VA_ARGS__) : -1

int http_transfer(const struct http_req *rq, struct http_resp *resp, struct err *e)
{
	NET_CALL(http_transfer, rq, resp, e);
}

int keyring_lookup(const char *name, char **value, struct err *e)
{
	*value = NULL;
	NET_CALL(keyring_lookup, name, value, e);
}

int keyring_store(const char *name, const char *value, struct err *e)
{
	NET_CALL(keyring_store, name, value, e);
}

int keyring_clear(const char *name, int *removed, struct err *e)
{
	*removed = 0;
	NET_CALL(keyring_clear, name, removed, e);
}

int keyring_names(char ***names, size_t *n, struct err *e)
{
	NET_CALL(keyring_names, names, n, e);
}
