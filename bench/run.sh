#!/bin/sh
# make bench: run every bench/*.sh (except this one) in turn.
# Each prints its own figures: medians and ratios against peers measured in
# the same run, never a single absolute time.
set -eu
here=$(dirname "$0")
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
export NESTOR_BIN
status=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || { echo "bench $(basename "$b") failed" >&2; status=1; }
done
exit $status
