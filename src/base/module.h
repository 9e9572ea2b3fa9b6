/*
 * module.h - code nestor loads the first time a command needs it.
 *
 * The nestor executable links only what most commands use (SQLite, cJSON,
 * GLib, readline, ncurses), so `nestor task list` starts as fast as a
 * program of that size can.  The rest comes with dlopen on first use:
 *
 *  - nestor's own modules, NAME.so in the directory ../lib/nestor beside
 *    the executable's (found through /proc/self/exe): "net" holds all code
 *    that talks to another program -- libcurl, the Secret Service through
 *    libsecret, later libpq, hiredis and libmicrohttpd.  Found relative to
 *    the executable, an installed copy works from any directory and from a
 *    moved prefix.  src/README says what crosses into a module and how a
 *    library joins one.
 *  - system libraries by soname, such as libical (whose ICU and libstdc++
 *    cost more at start-up than the rest of nestor together): the build
 *    writes a stub for every libical function nestor calls
 *    (contrib/lazy-stubs.sh), and the first call loads the library.
 *
 * Nothing here is loaded twice or unloaded; every function is thread-safe.
 *
 *	void *slot;
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

/* The directory modules are loaded from, newly allocated: the executable's
 * directory followed by "/../lib/nestor" ("/opt/nestor/bin/../lib/nestor"). */
char *module_dir(void);

#endif
