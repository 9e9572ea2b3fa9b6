# nestor daemon and Google: a round when it starts, another right after a
# local change of a Google event, and reminders delivered on time while a
# round is stuck waiting for Google.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
dir=$NESTOR_HOME
pid=
fake_google_start
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; kill $GFAKE 2>/dev/null || true' EXIT INT TERM
fake_google_config
fake_google_signed_in
CAL=work@example.com
gctl /_seed '{"calendars": [{"id": "'$CAL'", "summary": "Work", "timeZone": "UTC",
  "accessRole": "owner"}], "events": {"'$CAL'": [{"id": "kickoff01", "summary": "Kickoff",
  "start": {"dateTime": "2026-06-02T10:00:00Z"}, "end": {"dateTime": "2026-06-02T11:00:00Z"}}]}}' >/dev/null
nestor config set google.interval 3600 >/dev/null
cat > "$dir/notify.sh" <<'SH'
#!/bin/sh
printf '%s\n' "$1" >> "$(dirname "$0")/delivered"
SH
chmod +x "$dir/notify.sh"
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null

"$NESTOR_BIN" daemon --foreground >"$dir/d.out" 2>&1 & pid=$!
pulled() { nestor agenda --from 2026-06-02 --to 2026-06-02 | grep -q Kickoff; }
wait_until -s 'cat "$dir/nestor.log"' "the first round to pull" pulled

# a local change goes to Google at once, not after google.interval
nestor event add Retro --at "2026-06-04 15:00" --for 1h --calendar Work >/dev/null
in_google() { [ "$(gctl /_state | grep -o "\"summary\": \"$1\"" | wc -l)" = 1 ]; }
wait_until -s 'cat "$dir/nestor.log"' "the new event in Google" in_google Retro

# Google stops answering in the middle of a round: reminders still fire
gctl /_control '{"hang_insert": true}' >/dev/null
nestor event add Stuck --at "2026-06-05 15:00" --for 1h --calendar Work >/dev/null
wait_until "the stuck insert" in_google Stuck
nestor remind add "stretch" --at "$(test_date 1 '+%Y-%m-%dT%H:%M:%S%z')" >/dev/null
wait_until "a delivery while Google hangs" test -s "$dir/delivered"
expect_eq "delivered" "$(cat "$dir/delivered")" stretch
kill -TERM "$pid"
st=0; wait "$pid" || st=$?
pid=
expect_eq "SIGTERM: clean exit" "$st" 0
