/*
 * module.h - code nestor loads the first time a command needs it.
 *
 * The nestor executable links only what every command uses (SQLite,
 * GLib), so `nestor task list` starts as fast as a program of that size
 * can.  The rest comes with dlopen on first use:
 *
 *  - nestor's own modules, NAME.so in the directory ../lib/nestor beside
 *    the executable's (found through /proc/self/exe): "net" holds all code
 *    that talks to another program -- libcurl, the Secret Service through
 *    libsecret, later libpq, hiredis and libmicrohttpd; "term" the TUI
 *    (ncurses) and the chat (readline).  Found relative to the executable,
 *    an installed copy works from any directory and from a moved prefix.
 *    src/README says what crosses into a module and how a library joins
 *    one.
 *  - system libraries by soname, such as libical (whose ICU and libstdc++
 *    cost more at start-up than the rest of nestor together): the build
 *    writes a stub for every libical function nestor calls
 *    (contrib/lazy-stubs.sh), and the first call loads the library;
 *    cJSON the same way, which a command writing text never calls.
 *
 * Nothing here is loaded twice or unloaded; every function is thread-safe.
 *
 *	static void *slot;
 *
 *	fn = module_sym("net", "http_transfer", &slot, &err);
 *	if (!fn)
 *		return -1;	// "cannot load /opt/nestor/lib/nestor/net.so: ..."
 */
#ifndef NESTOR_MODULE_H
#define NESTOR_MODULE_H

#include "err.h"

/*
 * The address of symbol in nestor's module name ("net"), loading the module
 * on the first call.  *slot caches the address (start it at NULL; keep it
 * static), so a later call costs one load.  NULL with e filled when the
 * module or the symbol cannot be found.
 */
void *module_sym(const char *name, const char *symbol, void **slot, struct err *e);

/*
 * The same for a system library given by its soname ("libical.so.3").  A
 * library nestor is built against missing at run time is a broken
 * installation: the program stops with a message, as for out-of-memory.
 */
void *module_lib_sym(const char *soname, const char *symbol, void **slot);

/*
 * The body of a stub for f, a function of module mod that returns 0 or -1
 * and reports into struct err *e: load f on the first call, then call it
 * with the arguments that follow.  When the module cannot be loaded the
 * stub returns -1 with e saying why.  The Makefile exports from mod.so
 * exactly the functions named this way (src/net.c, src/cli/term.c).
 *
 *	int http_transfer(const struct http_req *rq, struct http_resp *resp, struct err *e)
 *	{
 *		MODULE_CALL("net", http_transfer, e, rq, resp, e);
 *	}
 */
#define MODULE_CALL(mod, f, e, ...)                                                                \
	static void *module_slot_;                                                                 \
	__typeof__(f) *module_fn_ = (__typeof__(f) *)module_sym(mod, #f, &module_slot_, e);        \
	return module_fn_ ? module_fn_(__VA_ARGS__) : -1

/* The directory modules are loaded from, newly allocated: the executable's
 * directory followed by "/../lib/nestor" ("/opt/nestor/bin/../lib/nestor"). */
char *module_dir(void);

#endif
