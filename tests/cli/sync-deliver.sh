# Reminders on a global channel, synced to two devices with a daemon on
# each: every one is delivered exactly once across both (the claim in
# PostgreSQL is the commit point), while the local channel (stdout) fires
# on each device.  A daemon also pulls at once when the other device pushes
# (NOTIFY), and keeps going when the server goes away and comes back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
N=6
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	pg_stop
}
trap cleanup EXIT INT TERM
pg_start
admin
on admin user add alice >/dev/null
cat > "$NESTOR_HOME/notify.sh" <<'SH'
#!/bin/sh
# one short O_APPEND write per delivery: lines never interleave
printf '%s %s\n' "$DEVICE" "$1" >> "$(dirname "$0")/delivered"
SH
chmod +x "$NESTOR_HOME/notify.sh"
: > "$NESTOR_HOME/delivered"
for d in a b; do
	device "$d"
	on "$d" config set notify.command "$NESTOR_HOME/notify.sh" >/dev/null
	on "$d" config set notify.channels command,stdout >/dev/null
	on "$d" config set notify.global command >/dev/null
done
# due already (late) on both devices once they synced
i=0
while [ $i -lt $N ]; do
	(export NESTOR_NOW=2019-12-31T00:00:00Z; on a remind add "global $i" --at "2020-01-0$((i + 1)) 10:00" >/dev/null)
	i=$((i + 1))
done
on a sync >/dev/null
on b sync >/dev/null
expect_eq "b has them" "$(on b remind list --json | grep -c '"text"')" $N

# wait_for WHAT CMD...: until CMD succeeds (at most 60 s)
wait_for() {
	_what=$1
	shift
	_t=0
	until "$@"; do
		[ $_t -lt 600 ] || fail "timed out waiting for $_what"
		sleep 0.1
		_t=$((_t + 1))
	done
}
# runs DEVICE: command-channel runs recorded there (ok or skipped)
runs() {
	on "$1" jobs history --limit 1000 --json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["channel"] == "command" and r["result"] in ("ok", "skipped")))'
}
both_done() { [ "$(runs a)" -ge $N ] && [ "$(runs b)" -ge $N ]; }

DEVICE=a NESTOR_LOG=debug NESTOR_HOME=$NESTOR_HOME/a "$NESTOR_BIN" daemon --foreground >a.out 2>&1 &
pids="$pids $!"
DEVICE=b NESTOR_LOG=debug NESTOR_HOME=$NESTOR_HOME/b "$NESTOR_BIN" daemon --foreground >b.out 2>&1 &
pids="$pids $!"
wait_for "both daemons to run every reminder" both_done

expect_eq "deliveries" "$(wc -l < "$NESTOR_HOME/delivered" | tr -d ' ')" $N
expect_eq "distinct" "$(cut -d' ' -f2- "$NESTOR_HOME/delivered" | sort -u | wc -l | tr -d ' ')" $N
expect_eq "server records" \
	"$(pg_sql "SELECT count(*) FROM nestor.deliveries WHERE state = 'delivered' AND channel = 'command'")" $N
# the local channel fired on both devices
expect_eq "stdout on a" "$(grep -c 'global' a.out)" $N
expect_eq "stdout on b" "$(grep -c 'global' b.out)" $N
# the device that did not deliver says who did
expect_match "skips name the device" "$(on a jobs history --limit 100; on b jobs history --limit 100)" \
	"delivered by device '[ab]'"

# a change on one device reaches the other daemon's store without a
# `nestor sync`: push on a local commit, NOTIFY, pull
on a task add "pushed by the daemon" >/dev/null
wait_for "b's daemon to pull the task" sh -c "NESTOR_HOME='$NESTOR_HOME/b' '$NESTOR_BIN' task list | grep -q 'pushed by the daemon'"
grep -q 'woken by the server' "$NESTOR_HOME/b/nestor.log" || fail "b pulled without a NOTIFY"

# the server goes away and comes back: the daemons carry on
pg_kill
on b task add "written while the server was down" >/dev/null
wait_for "b's daemon to notice" sh -c "NESTOR_HOME='$NESTOR_HOME/b' '$NESTOR_BIN' sync status | grep -q 'last error'"
pg_up
wait_for "a to get it after the restart" sh -c "NESTOR_HOME='$NESTOR_HOME/a' '$NESTOR_BIN' task list | grep -q 'written while the server was down'"
