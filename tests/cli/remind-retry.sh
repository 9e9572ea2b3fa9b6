# remind fire: a reminder whose other channel fails is printed on stdout once
# for its occurrence, not again at every retry (cron mails each one), also
# when a daemon made the first attempt.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin
printf '#!/bin/sh\nexit 3\n' > "$NESTOR_HOME/fail.sh"
chmod +x "$NESTOR_HOME/fail.sh"
nestor config set notify.command "$NESTOR_HOME/fail.sh" >/dev/null
export NESTOR_NOW=2026-12-03T07:00:00Z
id=$(nestor remind add stretch --at "09:00" --channel command,stdout)
: > out
# (retries come 30 s, 1, 2 and 4 min after an attempt; each run's clock
# starts at its NESTOR_NOW and runs on, so each is due with time to spare)
for t in 08:00:00 08:00:45 08:02:30 08:05:00 08:10:00; do
	(export NESTOR_NOW=2026-12-03T${t}Z; nestor remind fire >>out 2>err) || true
done
expect_eq "printed once" "$(grep -c stretch out)" 1
# the fifth attempt is the last: it says so, and leaves no retry's row
expect_match "the last attempt given up" "$(cat err)" 'failed, given up after the last attempt'
expect_eq "one printed row" "$(nestor jobs history "$id" | grep -c printed)" 1
expect_match "retried" "$(nestor jobs history "$id")" 'command +failed'

# an occurrence the daemon tried first (its command failed there) is
# printed once by the `remind fire` that retries it: cron mails it once,
# whoever made the first attempt
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT
export NESTOR_NOW=2026-12-03T07:00:00Z
id=$(nestor remind add walk --at "10:00" --channel command,stdout)
export NESTOR_NOW=2026-12-03T09:00:00Z
"$NESTOR_BIN" daemon --foreground >daemon.out 2>&1 &
pid=$!
# its attempt over: both channels recorded, the reminder pending its retry
daemon_tried() {
	nestor jobs history "$id" | grep -Eq 'stdout +ok' &&
		[ "$(nestor remind list --json | python3 -c "import json,sys
print([r['state'] for r in json.load(sys.stdin) if r['id'] == $id])")" = "['pending']" ]
}
wait_until -s 'cat daemon.out' "the daemon's attempt" daemon_tried
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=
expect_match "the daemon printed it" "$(cat daemon.out)" 'walk'
: > out
for t in 09:00:45 09:02:30 09:05:00 09:10:00; do
	(export NESTOR_NOW=2026-12-03T${t}Z; nestor remind fire >>out 2>/dev/null) || true
done
expect_eq "printed once by remind fire" "$(grep -c walk out)" 1
