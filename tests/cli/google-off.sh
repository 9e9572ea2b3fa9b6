# Google Calendar: an edit made while a calendar's sync is off goes to
# Google once it is on again; an event whose insert reached Google with its
# answer lost (no etag kept here) and that is then deleted here is deleted
# in Google too.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_start
fake_google_config
fake_google_signed_in
W=work@example.com
gctl /_seed '{"calendars": [{"id": "'$W'", "summary": "Work", "timeZone": "UTC",
  "accessRole": "owner", "defaultReminders": []}]}' >/dev/null
nestor google sync >/dev/null
# "SUMMARY LOCATION" of each live event in Work
remote() {
	gctl /_state | python3 -c 'import json, sys
for e in json.load(sys.stdin)["events"].get("'$W'", []):
    if e.get("status") != "cancelled":
        print(e.get("summary"), e.get("location"))'
}

id=$(nestor event add Review --at "2026-06-03 10:00" --for 1h --calendar Work)
nestor google sync >/dev/null
expect_eq "in Google" "$(remote)" "Review None"
nestor calendar sync Work off >/dev/null
nestor event edit "$id" --location "Room 9" >/dev/null
nestor google sync >/dev/null
expect_eq "sync off: Google unchanged" "$(remote)" "Review None"
expect_match "the edit waits" "$(nestor google sync --json)" '"pending":[[:space:]]*1'
nestor calendar sync Work on >/dev/null
nestor google sync >/dev/null
expect_eq "sync on: the edit reaches Google" "$(remote)" "Review Room 9"
expect_match "here too" "$(nestor event show "$id")" 'Room 9'

# the insert stored by Google, its answer never kept (SIGKILL), then the
# event deleted here before another round
gctl /_control '{"hang_insert": true}' >/dev/null
id2=$(nestor event add Standup --at "2026-06-04 09:00" --for 15m --calendar Work)
"$NESTOR_BIN" google sync >/dev/null 2>&1 &
pid=$!
inserted() { gctl /_state | grep -q '"summary": "Standup"'; }
wait_until "the insert to reach Google" inserted
kill -9 $pid
wait $pid 2>/dev/null || true
nestor event rm "$id2" >/dev/null
nestor google sync >/dev/null
expect_eq "deleted in Google too" "$(remote)" "Review Room 9"
