# Google Calendar, an event moved between calendars: to a local calendar,
# its copy in Google goes; back into a Google calendar, it is inserted
# again; from one Google calendar to another, it leaves the first and is
# in the second.  A delete that fails for now is not lost when a later
# change of the same event goes through.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_start
fake_google_config
fake_google_signed_in
W=work@example.com T=team@example.com
gctl /_seed '{"calendars": [
  {"id": "'$W'", "summary": "Work", "timeZone": "UTC", "accessRole": "owner", "defaultReminders": []},
  {"id": "'$T'", "summary": "Team", "timeZone": "UTC", "accessRole": "owner", "defaultReminders": []}]}' >/dev/null
nestor google sync >/dev/null
# live SUMMARYs in Google calendar CAL
live() {
	gctl /_state | python3 -c 'import json, sys
for e in json.load(sys.stdin)["events"].get("'$1'", []):
    if e.get("status") != "cancelled":
        print(e.get("summary"))'
}

id=$(nestor event add standup --at "2026-06-03 10:00" --for 15m --calendar Work)
nestor google sync >/dev/null
expect_eq "in Work" "$(live $W)" standup

nestor event edit "$id" --calendar personal >/dev/null
nestor google sync >/dev/null
expect_eq "moved to personal: gone from Work" "$(live $W)" ""
expect_match "still here, in personal" "$(nestor event show "$id")" 'calendar +personal'
nestor google sync --full >/dev/null
expect_match "a full pull keeps it here" "$(nestor event show "$id")" 'calendar +personal'

nestor event edit "$id" --calendar Work >/dev/null
nestor google sync >/dev/null
expect_eq "moved back: in Work again" "$(live $W)" standup

nestor event edit "$id" --calendar Team >/dev/null
nestor google sync >/dev/null
expect_eq "moved to Team: gone from Work" "$(live $W)" ""
expect_eq "and in Team" "$(live $T)" standup
nestor google sync --full >/dev/null
expect_eq "one event here after a full pull" \
	"$(nestor agenda --from 2026-06-03 --to 2026-06-03 | grep -c standup)" 1

# the delete from Team fails for now; the insert into Work that follows
# goes through, and the delete is still sent at the next round
gctl /_control '{"fail": [{"method": "DELETE", "path": "team", "status": 503, "count": 3}]}' >/dev/null
nestor event edit "$id" --calendar Work >/dev/null
nestor google sync >/dev/null 2>&1 && fail "the failed delete was not reported"
expect_eq "in Work" "$(live $W)" standup
expect_eq "Team's copy waits" "$(live $T)" standup
# an hour later the retry is due
NESTOR_NOW=$((TEST_T0 + 3600))@$TEST_REAL0 nestor google sync >/dev/null
expect_eq "Team's copy gone at the retry" "$(live $T)" ""
expect_eq "Work's stays" "$(live $W)" standup

# while Work's sync is off its delete waits; the copy in Team is Google's
# to change meanwhile, and a pull takes that change
nestor calendar sync Work off >/dev/null
nestor event edit "$id" --calendar Team >/dev/null
nestor google sync >/dev/null
rid=$(gctl /_state | python3 -c 'import json, sys
print([e["id"] for e in json.load(sys.stdin)["events"].get("'$T'", []) if e.get("status") != "cancelled"][0])')
gctl /_edit '{"calendar": "'$T'", "id": "'$rid'", "patch": {"summary": "standup, moved by a colleague"}}' >/dev/null
nestor google sync >/dev/null
expect_match "Google's change to the moved event, pulled while the delete waits" \
	"$(nestor event show "$id")" 'standup, moved by a colleague'
expect_eq "Work's delete still waits" \
	"$(sqlite3 "$NESTOR_HOME/nestor.db" "SELECT count(*) FROM outbox WHERE target = 'google' AND op = 'del'")" 1
