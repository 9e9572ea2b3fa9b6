# Never a reminder that reaches no one: remind add warns when none of its
# channels can reach the person now, and nestor jobs shows such reminders.
. "$(dirname "$0")/lib.sh"
dir=$NESTOR_HOME
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT INT TERM
# no notify-send on nestor's PATH, and no graphical session
nestor() { PATH=/nonexistent "$NESTOR_BIN" "$@"; }
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

# nothing runs the scheduler yet: stdout reaches whoever fires it next
nestor remind add water --at "tomorrow 10:00" --channel stdout >/dev/null 2>err
expect_eq "stdout with no daemon: no warning" "$(cat err)" ""
nestor remind add stretch --at "tomorrow 10:00" --channel desktop >/dev/null 2>err
expect_eq "desktop without notify-send" "$(cat err)" \
	"nestor: warning: reminder 2 reaches no one now (desktop: notify-send not found on PATH)"
nestor remind add both --at "tomorrow 10:00" --channel desktop,stdout >/dev/null 2>err
expect_eq "one channel that works is enough" "$(cat err)" ""

# a detached daemon: its standard output is /dev/null
pid=$(nestor daemon)
expect_match "daemon detached" "$pid" '^[0-9]+$'
nestor remind add call mom --at "tomorrow 17:00" --channel stdout >out 2>err
expect_eq "the id still printed" "$(cat out)" 4
expect_eq "stdout under a detached daemon" "$(cat err)" \
	"nestor: warning: reminder 4 reaches no one now (stdout: the daemon (pid $pid) is detached, its output goes nowhere)"
nestor config set notify.channels stdout,desktop >/dev/null
nestor remind add pay rent --at "tomorrow 09:00" 2>err >/dev/null
expect_match "the default channels too" "$(cat err)" "reminder 5 reaches no one now \(stdout: .*; desktop: notify-send not found on PATH\)"
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor remind add ping --at "tomorrow 09:00" --channel stdout,command 2>err >/dev/null
expect_eq "a command reaches" "$(cat err)" ""

# nestor jobs shows them; --json says why in "unreached"
out=$(nestor jobs)
expect_match "jobs marks reminder 4" "$(printf '%s\n' "$out" | grep -A1 '^ *4  reminder')" \
	"reaches no one now: stdout: the daemon \(pid $pid\) is detached"
# under the daemon, every stdout-only or desktop reminder (1-5) reaches no one
expect_eq "jobs: five reach no one" "$(printf '%s\n' "$out" | grep -c 'reaches no one now')" 5
nestor jobs --json > jobs.json
python3 - <<'PY' || fail "jobs --json: unreached"
import json
j = {x["id"]: x["unreached"] for x in json.load(open("jobs.json"))}
assert j[1] is not None and "detached" in j[1], j   # stdout, now under the daemon
assert j[2] == "desktop: notify-send not found on PATH", j
assert j[3] is not None, j
assert j[6] is None, j
PY
kill "$pid"
wait_until "the daemon to stop" sh -c "! kill -0 $pid 2>/dev/null"
pid=
nestor remind add later --at "tomorrow 09:00" --channel stdout 2>err >/dev/null
expect_eq "no daemon, no warning again" "$(cat err)" ""

# notify.channels unset: the defaults are what works where the reminder
# fires.  A detached daemon with no notify-send: nothing does, and remind
# add says so for a reminder given no channel
nestor config set notify.channels '' >/dev/null
pid=$(nestor daemon)
nestor remind add unset --at "tomorrow 09:00" 2>err >/dev/null
expect_eq "the default channels, unset, under a detached daemon" "$(cat err)" \
	"nestor: warning: reminder 8 reaches no one now (stdout: the daemon (pid $pid) is detached, its output goes nowhere; desktop: notify-send not found on PATH; tui: the daemon fires it, not a TUI; telegram: no Telegram chat is linked (nestor telegram link))"
kill "$pid"
wait_until "the daemon to stop" sh -c "! kill -0 $pid 2>/dev/null"
# ... with notify-send and a session, the same daemon fires it on the
# desktop alone, not into its /dev/null
mkdir "$dir/bin"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >> "%s/desktop.log"\n' "$dir" > "$dir/bin/notify-send"
chmod +x "$dir/bin/notify-send"
pid=$(PATH="$dir/bin:$PATH" DISPLAY=:9 "$NESTOR_BIN" daemon)
PATH="$dir/bin:$PATH" DISPLAY=:9 "$NESTOR_BIN" remind add tea \
	--at "$(test_date 1 '+%Y-%m-%dT%H:%M:%S%z')" 2>err >/dev/null
expect_eq "notify-send and a session: reached" "$(cat err)" ""
wait_until "the desktop notification" grep -qs "tea" "$dir/desktop.log"
expect_eq "the notification" "$(cat "$dir/desktop.log")" "--app-name=nestor -- nestor tea"
wait_until "the run recorded" sh -c "'$NESTOR_BIN' jobs history 9 --json | grep -q '\"finished\":	\"'"
nestor jobs history 9 --json > runs.json
python3 - <<'PY' || fail "the channels the daemon used: $(cat runs.json)"
import json
runs = json.load(open("runs.json"))
assert [r["channel"] for r in runs] == ["desktop"], runs
assert runs[0]["result"] == "ok", runs
PY
kill "$pid"
wait_until "the daemon to stop" sh -c "! kill -0 $pid 2>/dev/null"
pid=
