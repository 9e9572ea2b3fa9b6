# Two daemons and a `remind fire` loop on one database, 200 reminders due
# within three seconds: every one is delivered exactly once (counted through
# the command channel).
. "$(dirname "$0")/lib.sh"
N=200
dir=$NESTOR_HOME
pids=
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

cat > "$dir/notify.sh" <<'SH'
#!/bin/sh
# one short O_APPEND write per delivery: lines never interleave
printf '%s\n' "$1" >> "$(dirname "$0")/delivered"
SH
chmod +x "$dir/notify.sh"
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
: > "$dir/delivered"

# Start the daemons and the cron-like loop before adding: they must notice
# reminders written by other processes.
"$NESTOR_BIN" daemon --foreground >"$dir/d1.out" 2>&1 & d1=$!
"$NESTOR_BIN" daemon --foreground >"$dir/d2.out" 2>&1 & d2=$!
( while [ ! -e "$dir/stop" ]; do nestor remind fire >>"$dir/fire.out" 2>&1 || true; done ) &
loop=$!
pids="$d1 $d2 $loop"

base=$(( $(test_now) + 6 ))
i=0
while [ $i -lt $N ]; do
	at=$(date -d "@$(( base + i % 3 ))" '+%Y-%m-%dT%H:%M:%S%z')
	nestor remind add "reminder number $i" --at "$at" >/dev/null
	i=$((i + 1))
done
[ "$(test_now)" -lt "$base" ] || echo "note: adding took longer than planned" >&2

# Wait for all of them; then stop everyone and wait until they are gone, so
# a duplicate delivery under way has happened by the time we count.
all_delivered() { [ "$(wc -l < "$dir/delivered")" -ge $N ]; }
wait_until -t 30 -s 'echo "$(wc -l < "$dir/delivered") delivered"' "$N deliveries" all_delivered
touch "$dir/stop"
wait "$loop" # the loop ends after its current `remind fire`
# Both must still run: a daemon gone by now says why (its output, the log).
for p in "$d1" "$d2"; do
	kill "$p" 2>/dev/null || fail "daemon $p exited before it was stopped: $(tail -3 "$dir/d1.out" "$dir/d2.out"; grep -v '"level":"info"' "$dir/nestor.log" | tail -5)"
done
wait "$d1" "$d2" 2>/dev/null || true
pids=

dups=$(sort "$dir/delivered" | uniq -d | head -5)
expect_eq "duplicate deliveries" "$dups" ""
expect_eq "distinct deliveries" "$(sort -u "$dir/delivered" | wc -l | tr -d ' ')" $N
expect_eq "deliveries" "$(wc -l < "$dir/delivered" | tr -d ' ')" $N
i=0
while [ $i -lt $N ]; do
	grep -qx "reminder number $i" "$dir/delivered" || fail "reminder $i never delivered"
	i=$((i + 1))
done
# every job done, one ok run each
expect_eq "pending left" "$(nestor remind list)" "no pending reminders"
expect_eq "ok runs" "$(nestor jobs history --limit 1000 | grep -c ' ok ')" $N
# who fired them (for the record; the share varies from run to run)
echo "fired by remind fire: $(grep -c '^reminder ' "$dir/fire.out" || true)"
grep '"fired job' "$dir/nestor.log" | sed 's/.*"pid":\([0-9]*\).*/daemon \1/' | sort | uniq -c
