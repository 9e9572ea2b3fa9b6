#!/bin/sh
# The scheduler's costs (nestor only; no peer runs a scheduler daemon):
#  - fire latency, due time to delivery through the command channel, with
#    10k other reminders pending: median and p99 over 100 reminders added
#    by another process while the daemon sleeps;
#  - a daemon with 100k pending reminders, nothing due: its RSS and the CPU
#    time it uses over 10 s of idling (from /proc/PID/stat and status).
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
command -v sqlite3 >/dev/null || { echo "sched: sqlite3 is needed" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
daemon=
trap '[ -n "$daemon" ] && kill "$daemon" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
export NESTOR_HOME="$work" NESTOR_LOG=warn
nestor() { "$NESTOR_BIN" "$@"; }

# N far-future pending reminders, written straight into the jobs table.
fill() {
	sqlite3 "$work/nestor.db" >/dev/null "PRAGMA busy_timeout = 10000;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
	INSERT INTO jobs(kind, payload, schedule, tzid, dtstart, next_run, occurrence, state, created_at)
	SELECT 'reminder', json_object('text', 'filler ' || i, 'channels', json_array('command')),
	       'at', 'UTC', 2000000000 + i * 60, 2000000000 + i * 60, 2000000000 + i * 60,
	       'pending', strftime('%s', 'now') FROM n;"
}

cat > "$work/notify.sh" <<'SH'
#!/bin/sh
# argument: the due time (epoch seconds); record it with the delivery time
printf '%s %s\n' "$1" "$(date +%s.%N)" >> "$(dirname "$0")/latency"
SH
chmod +x "$work/notify.sh"
nestor config set notify.command "$work/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
nestor remind list >/dev/null # creates the database
fill 10000
: > "$work/latency"

"$NESTOR_BIN" daemon --foreground >/dev/null 2>&1 & daemon=$!
base=$(( $(date +%s) + 3 ))
i=0
while [ $i -lt 100 ]; do
	due=$(( base + 1 + i / 10 ))
	nestor remind add "$due" --at "$(date -d "@$due" '+%Y-%m-%dT%H:%M:%S%z')" >/dev/null
	i=$((i + 1))
done
t=0
while [ "$(wc -l < "$work/latency")" -lt 100 ] && [ $t -lt 300 ]; do
	sleep 0.1; t=$((t + 1))
done
kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=
# All deliveries (ten are due in each second, delivered one after the
# other, so this includes queueing behind the command channel's fork and
# exec), and the first of each second alone (the wake-up latency).
report() {
	sort -n | awk -v what="$1" '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { print "fire latency: no delivery"; exit 1 }
		p99 = int(NR * 0.99 + 0.5); if (p99 < 1) p99 = 1
		printf "fire latency, 10k pending, %s (%d): median %.1f ms, p99 %.1f ms\n",
		       what, NR, v[int((NR + 1) / 2)], v[p99]
	}'
}
awk '{ print ($2 - $1) * 1000 }' "$work/latency" | report "all deliveries"
sort -k2 -n "$work/latency" | awk '!seen[$1]++ { print ($2 - $1) * 1000 }' |
	report "first of each second"

# Idle: 100k pending, nothing due.
fill 90000
"$NESTOR_BIN" daemon --foreground >/dev/null 2>&1 & daemon=$!
sleep 2
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$daemon/stat"; }
before=$(cpu)
sleep 10
after=$(cpu)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$daemon/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$daemon/status")
echo "idle daemon, $(sqlite3 "$work/nestor.db" "SELECT count(*) FROM jobs WHERE state = 'pending'") pending:" \
     "CPU $(( (after - before) * 1000 / ticks )) ms over 10 s, RSS ${rss} kB (peak ${hwm} kB)"
