# Calendar benchmark: nestor against calcurse, khal and remind on the same
# synthetic data (bench/gen_calendar.py), timed with hyperfine.  Prints
# medians and how many times slower each peer is than nestor.
#   BENCH_SIZES   event counts (default "1000 10000 100000")
#   KHAL_MAX      largest size given to khal (default 10000: its first run
#                 indexes one file per event, minutes at 100k)
#   CALCURSE_YEAR_MAX  largest size for calcurse's year agenda (default
#                 10000; its week agenda alone takes minutes at 100k)
# calcurse reads an `apts` file the generator writes (its import is
# quadratic); its import is timed up to 10000 events only.
set -eu
BIN=${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}
HERE=$(cd "$(dirname "$0")" && pwd)
SIZES=${BENCH_SIZES:-1000 10000 100000}
KHAL_MAX=${KHAL_MAX:-10000}
CALCURSE_YEAR_MAX=${CALCURSE_YEAR_MAX:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TZ=UTC
NESTOR_HOME=$WORK/home
export TZ NESTOR_HOME
mkdir -p "$NESTOR_HOME"
RESULTS=$WORK/results
: > "$RESULTS"
have() { command -v "$1" >/dev/null 2>&1; }
have hyperfine || { echo "bench: hyperfine is missing (sh contrib/deps.sh bench)" >&2; exit 1; }

# measure SIZE TASK TOOL RUNS COMMAND [PREPARE]: median seconds into $RESULTS
measure() {
	size=$1 task=$2 tool=$3 runs=$4 cmd=$5 prep=${6:-}
	json=$WORK/h.json
	if [ -n "$prep" ]; then
		hyperfine -N --style none --runs "$runs" --prepare "$prep" \
			--export-json "$json" "$cmd" >/dev/null 2>&1 || { echo "bench: failed: $cmd" >&2; return 0; }
	else
		hyperfine -N --style none --warmup 1 --runs "$runs" \
			--export-json "$json" "$cmd" >/dev/null 2>&1 || { echo "bench: failed: $cmd" >&2; return 0; }
	fi
	python3 -c 'import json,sys; print(sys.argv[1], sys.argv[2], sys.argv[3], json.load(open(sys.argv[4]))["results"][0]["median"])' \
		"$size" "$task" "$tool" "$json" >> "$RESULTS"
	printf '.' >&2
}

for n in $SIZES; do
	d=$WORK/$n
	novdir=--no-vdir
	[ "$n" -le "$KHAL_MAX" ] && novdir=
	python3 "$HERE/gen_calendar.py" "$n" "$d" $novdir
	printf 'bench: %s events ' "$n" >&2
	runs=10
	[ "$n" -ge 100000 ] && runs=3

	# import
	measure "$n" import nestor 3 "$BIN --db $d/import.db import $d/events.ics" \
		"rm -f $d/import.db $d/import.db-wal $d/import.db-shm"
	if [ "$n" -le 10000 ] && have calcurse; then
		mkdir -p "$d/cci"
		measure "$n" import calcurse 3 "calcurse -D $d/cci -q -i $d/events.ics" \
			"rm -f $d/cci/apts"
	fi

	# the databases the agendas read
	"$BIN" --db "$d/n.db" import "$d/events.ics" >/dev/null
	mkdir -p "$d/cc" && cp "$d/apts" "$d/cc/apts"
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

	# the same week by every tool: a correctness check before timing
	nw=$("$BIN" --db "$d/n.db" agenda --from 2026-06-01 --to 2026-06-07 --json | grep -c '"uid"' || true)
	printf '%s week-count nestor %s\n' "$n" "$nw" >> "$RESULTS"

	measure "$n" week nestor "$runs" "$BIN --db $d/n.db agenda --from 2026-06-01 --to 2026-06-07"
	measure "$n" year nestor "$runs" "$BIN --db $d/n.db agenda --from 2026-01-01 --to 2026-12-31"
	if have calcurse; then
		cr=$runs
		[ "$n" -ge 100000 ] && cr=1
		if [ "$n" -lt 100000 ]; then # minutes per run at 100k: counted at 10k
			cw=$(calcurse -D "$d/cc" -Q --from 06/01/2026 --days 7 | grep -c '^ - ' || true)
			printf '%s week-count calcurse %s\n' "$n" "$cw" >> "$RESULTS"
		fi
		measure "$n" week calcurse "$cr" "calcurse -D $d/cc -Q --from 06/01/2026 --days 7"
		[ "$n" -le "$CALCURSE_YEAR_MAX" ] &&
			measure "$n" year calcurse "$cr" "calcurse -D $d/cc -Q --from 01/01/2026 --days 365"
	fi
	if have khal && [ "$n" -le "$KHAL_MAX" ]; then
		kw=$(khal -c "$d/khal.conf" list 2026-06-01 7d | grep -c '^[0-9][0-9]:' || true)
		printf '%s week-count khal %s\n' "$n" "$kw" >> "$RESULTS"
		measure "$n" week khal "$runs" "khal -c $d/khal.conf list 2026-06-01 7d"
		measure "$n" year khal 3 "khal -c $d/khal.conf list 2026-01-01 365d"
	fi
	if have remind; then
		measure "$n" week remind "$runs" "remind -ms+1 $d/reminders 2026-06-01"
		measure "$n" year remind 3 "remind -s12 $d/reminders 2026-01-01"
	fi
	echo >&2
done

python3 - "$RESULTS" <<'PY'
import sys
rows, counts = {}, {}
for line in open(sys.argv[1]):
    size, task, tool, val = line.split()
    if task == "week-count":
        counts.setdefault(int(size), {})[tool] = val
    else:
        rows.setdefault((int(size), task), {})[tool] = float(val)
peers = ["calcurse", "khal", "remind"]
print("calendar bench (TZ=UTC, medians from hyperfine; ratio = peer / nestor)")
print("%-7s %-7s %10s" % ("events", "task", "nestor") +
      "".join(" %10s %7s" % (p, "ratio") for p in peers))
for (size, task) in sorted(rows, key=lambda k: (k[0], ["import", "week", "year"].index(k[1]))):
    r = rows[(size, task)]
    n = r.get("nestor")
    line = "%-7d %-7s %9.4fs" % (size, task, n) if n else "%-7d %-7s %10s" % (size, task, "-")
    for p in peers:
        if p in r and n:
            line += " %9.4fs %6.1fx" % (r[p], r[p] / n)
        else:
            line += " %10s %7s" % ("-", "")
    print(line)
print("occurrences in the week 2026-06-01..07 (all tools should agree):")
for size in sorted(counts):
    print("  %d events: %s" % (size, ", ".join("%s %s" % kv for kv in sorted(counts[size].items()))))
PY
