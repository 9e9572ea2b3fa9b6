#!/bin/sh
# The LLM client's cost per streamed token and the SSE parser's throughput,
# against tests/fake/openai.py (see bench/llm-bench.c for what is measured).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${BUILD:-$src/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
make -C "$src" --no-print-directory BUILD="${build#"$src"/}" "${build#"$src"/}/libnestor.a" >/dev/null
pkgs="libcurl libcjson sqlite3 libical libsecret-1"
# shellcheck disable=SC2046
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -I"$src/sync" -I"$src/src/time" -I"$src/src/base" \
	$(pkg-config --cflags $pkgs) -o "$tmp/llm-bench" "$here/llm-bench.c" \
	"$build/libnestor.a" $(pkg-config --libs $pkgs) -lm -lpthread
python3 "$src/tests/fake/openai.py" --ppid $$ > "$tmp/port" &
pid=$!
i=0
while ! grep -q PORT "$tmp/port" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "fake server did not start" >&2; exit 1; }
	sleep 0.05
done
"$tmp/llm-bench" "$(awk '{print $2}' "$tmp/port")" "${TOKENS:-500}"
