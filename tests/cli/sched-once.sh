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
"$NESTOR_BIN" daemon --foreground >"$dir/d1.out" 2>&1 & pids="$pids $!"
"$NESTOR_BIN" daemon --foreground >"$dir/d2.out" 2>&1 & pids="$pids $!"
( while [ ! -e "$dir/stop" ]; do nestor remind fire >>"$dir/fire.out" 2>&1 || true; done ) &
pids="$pids $!"

base=$(( $(date +%s) + 6 ))
i=0
while [ $i -lt $N ]; do
	at=$(date -d "@$(( base + i % 3 ))" '+%Y-%m-%dT%H:%M:%S%z')
	nestor remind add "reminder number $i" --at "$at" >/dev/null
	i=$((i + 1))
done
[ "$(date +%s)" -lt "$base" ] || echo "note: adding took longer than planned" >&2

# Wait (at most 30 s) for all of them, then a little more for any duplicate.
t=0
while [ "$(wc -l < "$dir/delivered")" -lt $N ] && [ $t -lt 300 ]; do
	sleep 0.1; t=$((t + 1))
done
sleep 1
touch "$dir/stop"
cleanup
wait 2>/dev/null || true

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
