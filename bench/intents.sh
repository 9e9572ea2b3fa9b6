#!/bin/sh
# The offline intent parser against its corpus: the tuned part
# (tests/data/intents.tsv, which `make test` requires at 100%) and the part
# held back while the rules were written (tests/data/intents-heldout.tsv):
# the share of the held-back part measures how well the rules generalise.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${BUILD:-$src/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
make -C "$src" --no-print-directory BUILD="${build#"$src"/}" "${build#"$src"/}/libnestor.a" >/dev/null
pkgs="libcurl libcjson sqlite3 libical libsecret-1 glib-2.0 hiredis libmicrohttpd"
# shellcheck disable=SC2046
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -I"$src/src" -I"$src/src/time" -I"$src/src/base" \
	-I"$src/storage" -I"$src/sync" $(pkg-config --cflags $pkgs) -o "$tmp/intent-bench" \
	"$here/intent-bench.c" "$build/libnestor.a" $(pkg-config --libs $pkgs) -lm -lpthread
if [ "${1:-}" = -p ]; then
	"$tmp/intent-bench" -p "$2"
	exit
fi
"$tmp/intent-bench" "$src/tests/data/intents.tsv" "$src/tests/data/intents-heldout.tsv" |
	if [ -n "${VERBOSE:-}" ]; then cat; else grep -v '^ '; fi
