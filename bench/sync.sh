#!/bin/sh
# The server profile's throughput (nestor only: no peer syncs through
# PostgreSQL): 10,000 changes (new tasks, captured by the outbox triggers)
# pushed by one device in one `nestor sync`, then pulled and applied by a
# second device in one `nestor sync`; changes per second each way, the
# median of three runs, each with fresh devices of a fresh user.  The
# server is a throwaway PostgreSQL 15 on 127.0.0.1 (tests/cli/pg.sh).
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
command -v sqlite3 >/dev/null || { echo "sync: sqlite3 is needed" >&2; exit 1; }
N=${SYNC_BENCH_N:-10000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
fail() { echo "sync: $*" >&2; exit 1; }
NESTOR_HOME=$work
export NESTOR_LOG=warn
. "$here/../tests/cli/pg.sh"
trap 'pg_stop; rm -rf "$work"' EXIT INT TERM
pg_start
admin

now() { date +%s.%N; }
# rate COUNT START END: changes per second, and the seconds
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%d %.2f\n", n / (b - a), b - a }'; }

for run in 1 2 3; do
	u=bench$run
	on admin user add "$u" >/dev/null
	device "$u-a" "$u"
	device "$u-b" "$u"
	on "$u-a" sync >/dev/null # capture on: from now on every write is queued
	sqlite3 "$NESTOR_HOME/$u-a/nestor.db" >/dev/null "PRAGMA busy_timeout = 10000;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
		INSERT INTO tasks(title, notes, priority, due, created_at)
		SELECT 'task ' || i, 'notes of task ' || i, i % 10, 1800000000 + i * 60,
		       1790000000 + i FROM n"
	t0=$(now)
	on "$u-a" sync >/dev/null
	t1=$(now)
	on "$u-b" sync >/dev/null
	t2=$(now)
	got=$(sqlite3 "$NESTOR_HOME/$u-b/nestor.db" "SELECT count(*) FROM tasks")
	[ "$got" -eq "$N" ] || fail "run $run: $got of $N tasks arrived"
	echo "$(rate "$N" "$t0" "$t1") $(rate "$N" "$t1" "$t2")" >> "$work/runs"
done
sort -n -k1,1 "$work/runs" | sed -n 2p | awk -v n="$N" '{ printf "push %d changes: %d changes/s (%s s, median of 3)\n", n, $1, $2 }'
sort -n -k3,3 "$work/runs" | sed -n 2p | awk -v n="$N" '{ printf "pull and apply %d changes: %d changes/s (%s s, median of 3)\n", n, $3, $4 }'
