#!/bin/sh
# Google Calendar sync (nestor only: gcalcli keeps no local store to sync
# into): the first sync of a calendar of 5,000 events (4,500 single events
# and 500 weekly series, over a year, with attendees and reminders) in
# pages of 250, then an incremental sync of 10 changes made in Google; the
# median of three runs, each into a fresh store.  Google is the fake of
# tests/fake/google.py on 127.0.0.1, so the times include its own (Python)
# work of serving the pages.
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
N=${GOOGLE_BENCH_N:-5000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
SRC=$here/..
NESTOR_HOME=$work
export NESTOR_HOME SRC NESTOR_LOG=warn
fail() { echo "google: $*" >&2; exit 1; }
wait_until() {
	while [ "$1" = -s ] || [ "$1" = -t ]; do shift 2; done
	_what=$1
	shift
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || fail "timed out waiting for $_what"
		sleep 0.05
	done
}
nestor() { "$NESTOR_BIN" "$@"; }
. "$here/../tests/fake/google.sh"
fake_google_start
trap 'kill $GFAKE 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
CAL=bench@example.com
python3 - "$N" "$CAL" > "$work/seed.json" <<'PY'
import json, sys
n, cal = int(sys.argv[1]), sys.argv[2]
evs = []
for i in range(n):
    day, hour = 1 + i * 365 // n, 8 + i % 10
    start = "2026-%02d-%02dT%02d:00:00+02:00" % (1 + (day - 1) // 31 % 12, 1 + (day - 1) % 28, hour)
    end = start.replace("T%02d:" % hour, "T%02d:" % (hour + 1))
    ev = {"id": "ev%06d" % i, "summary": "Event %d" % i, "location": "Room %d" % (i % 40),
          "start": {"dateTime": start, "timeZone": "Europe/Berlin"},
          "end": {"dateTime": end, "timeZone": "Europe/Berlin"},
          "attendees": [{"email": "p%d@example.com" % (i % 50), "responseStatus": "accepted"}],
          "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 10}]}}
    if i % 10 == 0:
        ev["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=20"]
    evs.append(ev)
print(json.dumps({"calendars": [{"id": cal, "summary": "Bench", "timeZone": "Europe/Berlin",
                                 "accessRole": "owner"}], "events": {cal: evs}}))
PY
curl -sf -X POST -H "Content-Type: application/json" --data-binary @"$work/seed.json" "$GBASE/_seed" >/dev/null
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", b - a }'; }
for run in 1 2 3; do
	NESTOR_HOME=$work/run$run
	mkdir -p "$NESTOR_HOME"
	fake_google_config
	fake_google_signed_in
	t0=$(now)
	nestor google sync >/dev/null
	t1=$(now)
	got=$(nestor calendar list --json | grep -c '"events":	'"$N"'$' || true)
	[ "$got" = 1 ] || fail "run $run: the calendar does not hold $N events"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		id=$(printf 'ev%06d' $((run * 1000 + i * 10 + 1)))
		gctl /_edit '{"calendar": "'$CAL'", "id": "'$id'", "patch": {"summary": "Moved"}}' >/dev/null
	done
	t2=$(now)
	nestor google sync > "$work/out"
	t3=$(now)
	grep -q 'pulled 10,' "$work/out" || fail "run $run: $(cat "$work/out")"
	echo "$(secs "$t0" "$t1") $(secs "$t2" "$t3")" >> "$work/runs"
done
sort -n -k1,1 "$work/runs" | sed -n 2p | awk -v n="$N" '{ printf "first sync of %d events (pages of 250): %s s, %d events/s (median of 3)\n", n, $1, n / $1 }'
sort -n -k2,2 "$work/runs" | sed -n 2p | awk '{ printf "incremental sync of 10 changes: %s s (median of 3)\n", $2 }'
