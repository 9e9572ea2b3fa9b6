#!/bin/sh
# layers.sh - refuse a header that points the wrong way between nestor's layers.
#
#   sh contrib/layers.sh LAYER DEPFILE...
#
# DEPFILE is what the compiler wrote with -MD: every header the object saw,
# system headers included.  The Makefile already gives each folder only the
# include paths of the layers below it, so a wrong-way "x.h" does not even
# compile; this catches what include paths cannot: a system header of a
# library the layer must not use (<ncurses.h> in the engine, <sqlite3.h>
# above storage/, <curl/curl.h> outside sync/), seen directly or through a
# lower layer's header.  The arrows (src/README says why):
#
#   tui/ -> src/cli/ -> src/ (engine) -> storage/, sync/ -> src/time/ -> src/base/
#
# Prints one line per offending header, "LAYER: OBJECT: HEADER (why)",
# and exits 1; exits 0 when every header is allowed.
#
#   sh contrib/layers.sh --tree BUILD
#
# checks every dependency file under BUILD, each against the layer of its
# folder (`make lint` does this).
set -u
if [ "$1" = --tree ]; then
	bad=0
	for d in $(find "$2" -name '*.d' | sort); do
		src=${d#"$2"/}
		[ -f "${src%.d}.c" ] || continue	# left over from a moved file
		case $src in
		src/base/*) l=base ;; src/time/*) l=time ;; src/cli/*) l=cli ;;
		src/*) l=engine ;; storage/*) l=storage ;; sync/*) l=sync ;;
		tui/*) l=tui ;; *) continue ;;
		esac
		sh "$0" "$l" "$d" || bad=1
	done
	exit $bad
fi
layer=$1
shift

# Project folders a layer may include from.
case $layer in
base)	dirs="src/base" ;;
time)	dirs="src/time src/base" ;;
storage) dirs="storage src/time src/base" ;;
sync)	dirs="sync src/time src/base" ;;
engine)	dirs="src storage sync src/time src/base" ;;
cli)	dirs="src/cli src storage sync src/time src/base" ;;
tui)	dirs="tui src/cli src storage sync src/time src/base" ;;
tests)	exit 0 ;;
*)	echo "layers.sh: unknown layer '$layer'" >&2; exit 2 ;;
esac

# Libraries a layer may see: its own and those its lower layers' headers
# expose.  sqlite3 stays inside storage/ (store.h is opaque), libcurl, libpq,
# hiredis and libmicrohttpd inside sync/, readline in the command line,
# ncurses in the TUI.
case $layer in
base)	libs="cjson" ;;
time)	libs="cjson glib libical" ;;
storage) libs="cjson glib libical sqlite3" ;;
sync)	libs="cjson glib libical curl pq hiredis microhttpd" ;;
engine)	libs="cjson glib libical secret" ;;
cli)	libs="cjson glib libical secret readline" ;;
tui)	libs="cjson glib libical secret ncurses" ;;
esac

# The libraries of nestor's modules (the network's, the terminal's) are
# loaded with the module, which only the files in MODULE_SRC (set by the
# Makefile) go into: the executable does not link them.  libpq is neither:
# sync/pg.c opens it with dlopen() itself (DL_PKGS), so only its headers
# are seen.  Without MODULE_SRC this check is off.
modlibs=
if [ -n "${MODULE_SRC+set}" ]; then
	# the first .c named (clang lists its sanitizer ignore lists before it)
	src=$(tr ' \\' '\n\n' <"$1" | grep '\.c$' | head -n 1)
	case " $MODULE_SRC " in
	*" $src "*) ;;
	*) modlibs="curl secret hiredis microhttpd ncurses readline" ;;
	esac
fi

cat "$@" | tr ' \\' '\n\n' | grep '\.h$' | sort -u | awk -v layer="$layer" \
	-v dirs="$dirs" -v libs="$libs" -v obj="$*" -v modlibs="$modlibs" '
function lib_of(h) {
	if (h ~ /(^|\/)sqlite3(ext)?\.h$/) return "sqlite3"
	if (h ~ /\/curl\//) return "curl"
	if (h ~ /(^|\/)(n?curses[^\/]*|term|unctrl|termcap|panel|menu|form)\.h$/ || h ~ /\/ncursesw?\//) return "ncurses"
	if (h ~ /\/readline\//) return "readline"
	if (h ~ /\/libsecret/) return "secret"
	if (h ~ /\/libical\//) return "libical"
	if (h ~ /\/cjson\//) return "cjson"
	if (h ~ /glib-2\.0|\/gio-unix|\/libmount\/|\/blkid\//) return "glib"
	if (h ~ /libpq|\/postgresql\//) return "pq"
	if (h ~ /\/hiredis\//) return "hiredis"
	if (h ~ /microhttpd\.h$/) return "microhttpd"
	return ""
}
BEGIN {
	n = split(dirs, d, " "); for (i = 1; i <= n; i++) okdir[d[i]] = 1
	n = split(libs, l, " "); for (i = 1; i <= n; i++) oklib[l[i]] = 1
	n = split(modlibs, l, " "); for (i = 1; i <= n; i++) modlib[l[i]] = 1
	bad = 0
}
{
	h = $0
	if (h ~ /^\//) {
		lib = lib_of(h)
		if (lib in oklib && lib in modlib) {
			printf "%s: %s: %s (%s is only for a module: MODULES in the Makefile)\n", layer, obj, h, lib
			bad = 1
		} else if (lib != "" && !(lib in oklib)) {
			printf "%s: %s: %s (%s is not for this layer)\n", layer, obj, h, lib
			bad = 1
		}
		next
	}
	dir = h; sub(/\/[^\/]*$/, "", dir)
	if (dir !~ /^(tests|build)/ && !(dir in okdir)) {
		printf "%s: %s: %s (%s/ is above this layer)\n", layer, obj, h, dir
		bad = 1
	}
}
END { exit bad }'
