# The build refuses an #include that points the wrong way between layers:
# one object at a time, in a scratch copy of the tree, through the real
# Makefile rule.
. "$(dirname "$0")/lib.sh"
tree=$NESTOR_HOME/tree
mkdir -p "$tree"
(cd "$SRC" && tar cf - Makefile contrib src storage sync tui) | (cd "$tree" && tar xf -)
rm -rf "$tree/build"

# compile OBJECT: make's output and status for one object of the scratch tree
compile() { make -s -C "$tree" BUILD=b "b/$1" 2>&1; }
# wrong FILE LINE OBJECT PATTERN: FILE with LINE put first must not build,
# and the error must say PATTERN
wrong() {
	rm -f "$tree/b/$3"
	cp "$tree/$1" "$tree/$1.orig"
	{ printf '%s\n' "$2"; cat "$tree/$1.orig"; } >"$tree/$1"
	if out=$(compile "$3"); then
		fail "$1 with '$2' built"
	fi
	expect_match "$1 with '$2'" "$out" "$4"
	[ ! -e "$tree/b/$3" ] || fail "$3 left behind after a refused include"
	mv "$tree/$1.orig" "$tree/$1"
}

# The untouched files build.
compile storage/task.o >/dev/null || fail "storage/task.o does not build"
compile src/engine.o >/dev/null || fail "src/engine.o does not build"
compile sync/http.o >/dev/null || fail "sync/http.o does not build"

wrong storage/task.c '#include "engine.h"' storage/task.o 'engine.h: No such file'
wrong storage/task.c '#include "../../src/engine.h"' storage/task.o 'above this layer'
wrong sync/http.c '#include "task.h"' sync/http.o 'task.h: No such file'
wrong src/engine.c '#include <ncurses.h>' src/engine.o 'ncurses is not for this layer'
wrong src/tool-task.c '#include <sqlite3.h>' src/tool-task.o 'sqlite3 is not for this layer'
wrong src/time/tz.c '#include "store.h"' src/time/tz.o 'store.h: No such file'
wrong src/tool.c '#include "cmd.h"' src/tool.o 'cmd.h: No such file'
wrong src/cli/cmd-task.c '#include <curl/curl.h>' src/cli/cmd-task.o 'curl is not for this layer'
# libcurl and libsecret belong to the network module's files alone: the
# executable does not link them.
wrong sync/llm.c '#include <curl/curl.h>' sync/llm.o 'curl is only for a module'
wrong src/secret.c '#include <libsecret/secret.h>' src/secret.o 'secret is only for a module'
compile sync/http-curl.o >/dev/null || fail "sync/http-curl.o does not build"

# After all that, the tree is as it was and the same objects build again.
compile storage/task.o >/dev/null || fail "storage/task.o no longer builds"
