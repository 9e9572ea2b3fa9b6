# nestor daemon: notices a reminder added by another process at once (it
# would otherwise sleep up to a minute), reloads on SIGHUP, stops on SIGTERM,
# and detaches without --foreground.
. "$(dirname "$0")/lib.sh"
dir=$NESTOR_HOME
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT INT TERM
cat > "$dir/notify.sh" <<'SH'
#!/bin/sh
printf '%s\n' "$1" >> "$(dirname "$0")/delivered"
SH
chmod +x "$dir/notify.sh"
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
nestor remind list >/dev/null

"$NESTOR_BIN" daemon --foreground >"$dir/d.out" 2>&1 & pid=$!
# asleep, with nothing scheduled
wait_until "the daemon to start" grep -q 'daemon started' "$dir/nestor.log"
nestor remind add "stand up" --at "in 1 min" >/dev/null
nestor remind add "drink water" --at "$(test_date 1 '+%Y-%m-%dT%H:%M:%S%z')" >/dev/null
wait_until "a delivery" test -s "$dir/delivered"
expect_eq "woken by the new reminder, delivered within 5 s" "$(cat "$dir/delivered" 2>/dev/null)" "drink water"

kill -HUP "$pid"
wait_until "the reload" grep -q '"reloaded' "$dir/nestor.log"
grep -q '"reloaded' "$dir/nestor.log" || fail "SIGHUP did not reload the config"
kill -TERM "$pid"
st=0; wait "$pid" || st=$?
pid=
expect_eq "SIGTERM: clean exit" "$st" 0
expect_match "stop logged" "$(cat "$dir/nestor.log")" 'daemon stopping \(signal 15\)'

out=$(nestor daemon)
expect_match "detached: prints just its pid" "$out" '^[0-9]+$'
pid=$out
kill -0 "$pid" || fail "the detached daemon is not running"
# it said so only once ready: it holds the scheduler lock already
flock -n -x "$dir/nestor.db.sched.lock" true &&
	fail "nestor daemon returned before the daemon held the scheduler lock"
kill -TERM "$pid"
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_until "the detached daemon to stop" gone "$pid"
kill -0 "$pid" 2>/dev/null && fail "the detached daemon did not stop"
pid=

# a daemon that cannot open its descriptors (here the scheduler lock is a
# directory) says why and prints no pid
nestor --db "$dir/other.db" task list >/dev/null
mkdir "$dir/other.db.sched.lock"
st=0
out=$(nestor --db "$dir/other.db" daemon 2>"$dir/d.err") || st=$?
expect_eq "not started: status" "$st" 1
expect_eq "not started: no pid" "$out" ""
expect_eq "not started: why" "$(cat "$dir/d.err")" \
	"nestor: daemon: unable to open '$dir/other.db.sched.lock': Is a directory"
