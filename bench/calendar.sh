#!/bin/sh
# Start-up and calendar benchmark: nestor against calcurse, remind and khal
# on the same synthetic data (bench/gen_calendar.py), timed with hyperfine
# in one run.  Prints medians (wall), CPU (user + system) and peak RSS, with
# how many times slower each peer is, and writes the same table as Markdown
# to $BENCH_MD (the README's performance table: bench/readme.sh).
#
# Before any timing, the occurrences of a week and of a year must agree
# between nestor and the peers (calcurse and khal up to 10k events, remind
# at every size); the bench fails if they do not.
#   BENCH_SIZES   event counts (default "10000 100000")
#   PEER_MAX      largest size given to calcurse and khal (default 10000:
#                 at 100k calcurse's import grows quadratically and its week
#                 agenda takes minutes; khal indexes one file per event)
# The "floor" column is bench/floor.c's: no program can do the row's work on
# this machine in less (see there).
#   NESTOR_BEFORE another nestor binary (an older build) measured beside
#                 this one, each row right after it, on its own database:
#                 the "before" column
set -eu
BIN=${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}
OLD=${NESTOR_BEFORE:-}
HERE=$(cd "$(dirname "$0")" && pwd)
SIZES=${BENCH_SIZES:-10000 100000}
PEER_MAX=${PEER_MAX:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TZ=UTC
NESTOR_HOME=$WORK/home
NESTOR_LOG=warn
export TZ NESTOR_HOME NESTOR_LOG
mkdir -p "$NESTOR_HOME"
RESULTS=$WORK/results
: > "$RESULTS"
have() { command -v "$1" >/dev/null 2>&1; }
for t in hyperfine calcurse remind python3 /usr/bin/time; do
	have "$t" || { echo "bench: $t is missing (sh contrib/deps.sh bench)" >&2; exit 1; }
done

# measure ROW TOOL RUNS COMMAND [PREPARE]: median wall and mean CPU seconds
measure() {
	row=$1 tool=$2 runs=$3 cmd=$4 prep=${5:-}
	json=$WORK/h.json
	if [ -n "$prep" ]; then
		hyperfine -N --style none --runs "$runs" --prepare "$prep" \
			--export-json "$json" "$cmd" >/dev/null 2>&1 || { echo "bench: failed: $cmd" >&2; return 0; }
	else
		hyperfine -N --style none --warmup 2 --runs "$runs" \
			--export-json "$json" "$cmd" >/dev/null 2>&1 || { echo "bench: failed: $cmd" >&2; return 0; }
	fi
	python3 -c 'import json,sys; r=json.load(open(sys.argv[3]))["results"][0]
print(sys.argv[1], sys.argv[2], "wall", r["median"]); print(sys.argv[1], sys.argv[2], "cpu", r["user"] + r["system"])' \
		"$row" "$tool" "$json" >> "$RESULTS"
	printf '.' >&2
}

# rss ROW TOOL COMMAND: the largest peak RSS (KiB) of three runs, by GNU
# time (a small C program: what the child held before exec is little)
rss() {
	peak=0
	for _ in 1 2 3; do
		# shellcheck disable=SC2086
		k=$(/usr/bin/time -f %M $3 2>&1 >/dev/null | tail -1)
		[ "$k" -gt "$peak" ] && peak=$k
	done
	printf '%s %s rss %s\n' "$1" "$2" "$peak" >> "$RESULTS"
}

# count ROW TOOL N: an occurrence count, to be compared with nestor's
count() { printf '%s %s count %s\n' "$1" "$2" "$3" >> "$RESULTS"; }

# The floor (bench/floor.c): a C program that prints a line, and the same
# opening a store as nestor does and reading its schema, linked with the
# same static SQLite.  No program that reads the store runs faster here.
FLOOR=
cc -O2 -o "$WORK/floor" "$HERE/floor.c" -Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic -lm 2>/dev/null &&
	FLOOR=$WORK/floor || echo "bench: bench/floor.c did not build: no floor column" >&2

# Start-up: a command that needs nothing, and one that reads an empty store.
mkdir -p "$WORK/cc-empty"
"$BIN" task list > /dev/null
measure version nestor 100 "$BIN --version"
[ -n "$FLOOR" ] && measure version floor 100 "$FLOOR"
[ -n "$FLOOR" ] && measure tasks floor 100 "$FLOOR $NESTOR_HOME/nestor.db"
[ -n "$OLD" ] && measure version before 100 "$OLD --version"
measure version calcurse 100 "calcurse --version"
measure tasks nestor 100 "$BIN task list"
[ -n "$OLD" ] && measure tasks before 100 "$OLD --db $WORK/before.db task list"
measure tasks calcurse 100 "calcurse -D $WORK/cc-empty -t"
rss version nestor "$BIN --version"
rss version calcurse "calcurse --version"
rss tasks nestor "$BIN task list"
if [ -n "$OLD" ]; then
	rss version before "$OLD --version"
	rss tasks before "$OLD --db $WORK/before.db task list"
fi
rss tasks calcurse "calcurse -D $WORK/cc-empty -t"

for n in $SIZES; do
	d=$WORK/$n
	novdir=--no-vdir
	peers=0
	[ "$n" -le "$PEER_MAX" ] && { novdir=; peers=1; }
	python3 "$HERE/gen_calendar.py" "$n" "$d" $novdir
	printf 'bench: %s events ' "$n" >&2
	# peers at 100k take seconds a run (remind's year: half a minute); nestor's
	# own commands take milliseconds, where the median of 3 is the machine's
	# noise more than the program's (bench/PROFILE.md, twelfth round)
	runs=10
	[ "$n" -ge 100000 ] && runs=3
	nruns=21

	# import
	measure "import-$n" nestor 3 "$BIN --db $d/import.db import $d/events.ics" \
		"rm -f $d/import.db $d/import.db-wal $d/import.db-shm"
	rm -f "$d/import.db"*
	rss "import-$n" nestor "$BIN --db $d/import.db import $d/events.ics"
	if [ -n "$OLD" ]; then
		measure "import-$n" before 3 "$OLD --db $d/oimport.db import $d/events.ics" \
			"rm -f $d/oimport.db $d/oimport.db-wal $d/oimport.db-shm"
		rm -f "$d/oimport.db"*
		rss "import-$n" before "$OLD --db $d/oimport.db import $d/events.ics"
		"$OLD" --db "$d/o.db" import "$d/events.ics" > /dev/null
	fi
	if [ $peers = 1 ]; then
		mkdir -p "$d/cci"
		measure "import-$n" calcurse 3 "calcurse -D $d/cci -q -i $d/events.ics" \
			"rm -f $d/cci/apts"
	fi

	# the stores the agendas read, and the same week and year by every tool
	"$BIN" --db "$d/n.db" import "$d/events.ics" > /dev/null
	mkdir -p "$d/cc" && cp "$d/apts" "$d/cc/apts"
	# the imports' pages written out before any read is timed: the
	# kernel's writeback of tens of MB took a core from the first rows
	sync
	cat > "$d/khal.conf" <<CONF
[calendars]
[[bench]]
path = $d/vdir
type = calendar
[locale]
local_timezone = UTC
default_timezone = UTC
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
[sqlite]
path = $d/khal.db
CONF
	for span in week year; do
		if [ $span = week ]; then
			na="--from 2026-06-01 --to 2026-06-07" cc="--from 06/01/2026 --days 7"
			rm_="-ms+1 $d/reminders 2026-06-01" kh="2026-06-01 7d"
		else
			na="--from 2026-01-01 --to 2026-12-31" cc="--from 01/01/2026 --days 365"
			rm_="-s12 $d/reminders 2026-01-01" kh="2026-01-01 365d"
		fi
		# shellcheck disable=SC2086
		count "$span-$n" nestor "$("$BIN" --db "$d/n.db" agenda $na --json | grep -c '"uid"' || true)"
		# shellcheck disable=SC2086
		count "$span-$n" remind "$(remind $rm_ | wc -l)"
		if [ $peers = 1 ]; then
			# shellcheck disable=SC2086
			count "$span-$n" calcurse "$(calcurse -D "$d/cc" -Q $cc | grep -c '^ - ' || true)"
			if have khal; then
				# shellcheck disable=SC2086
				count "$span-$n" khal "$(khal -c "$d/khal.conf" list $kh | grep -c '^[0-9][0-9]:' || true)"
			fi
		fi
		measure "$span-$n" nestor "$nruns" "$BIN --db $d/n.db agenda $na"
		[ -n "$FLOOR" ] && measure "$span-$n" floor "$nruns" "$FLOOR $d/n.db"
		if [ -n "$OLD" ]; then
			# shellcheck disable=SC2086
			count "$span-$n" before "$("$OLD" --db "$d/o.db" agenda $na --json | grep -c '"uid"' || true)"
			measure "$span-$n" before "$nruns" "$OLD --db $d/o.db agenda $na"
		fi
		measure "$span-$n" remind "$runs" "remind $rm_"
		if [ $peers = 1 ]; then
			measure "$span-$n" calcurse "$([ $span = week ] && echo "$runs" || echo 3)" \
				"calcurse -D $d/cc -Q $cc"
			have khal && measure "$span-$n" khal 3 "khal -c $d/khal.conf list $kh"
		fi
	done
	rss "week-$n" nestor "$BIN --db $d/n.db agenda --from 2026-06-01 --to 2026-06-07"
	[ -n "$OLD" ] && rss "week-$n" before "$OLD --db $d/o.db agenda --from 2026-06-01 --to 2026-06-07"
	echo >&2
done

# The largest size's week again, from a store of the smallest size holding
# every event of that week: the same lines, a tenth of the store.  What the
# two times differ by is what the store's size costs the window.
# shellcheck disable=SC2086 # the sizes, one word each
small=$(printf '%s\n' $SIZES | sort -n | head -n 1)
# shellcheck disable=SC2086
large=$(printf '%s\n' $SIZES | sort -n | tail -n 1)
if [ "$small" != "$large" ]; then
	d=$WORK/same
	mkdir -p "$d"
	printf 'bench: the %s week from %s events ' "$large" "$small" >&2
	inside=$(python3 "$HERE/same_week.py" "$WORK/$large/events.ics" "$d/events.ics" "$small" \
		2026-06-01 2026-06-07)
	"$BIN" --db "$d/n.db" import "$d/events.ics" > /dev/null
	sync
	count "same-$small" nestor "$("$BIN" --db "$d/n.db" agenda --from 2026-06-01 --to 2026-06-07 --json |
		grep -c '"uid"' || true)"
	count "same-$small" events "$inside"
	measure "same-$small" nestor "$nruns" "$BIN --db $d/n.db agenda --from 2026-06-01 --to 2026-06-07"
	measure "same-$small" big "$nruns" "$BIN --db $WORK/$large/n.db agenda --from 2026-06-01 --to 2026-06-07"
	echo >&2
fi

BENCH_MD=${BENCH_MD:-$WORK/bench.md} python3 "$HERE/report.py" "$RESULTS" "$SIZES" "$PEER_MAX"
