# Google Calendar: an event added here that Google refused for good is
# kept here only, and says so: `nestor status` counts such events on its
# Google line, `event show` marks each with Google's message; an edit
# Google takes clears the mark.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_session
seed_work
status() { nestor status >out 2>&1 || true; grep '^sync *google\|^ *google ' out; }
refuse() {
	gctl /_control '{"fail": [{"method": "POST", "path": "/events", "status": 400,
  "reason": "invalid", "message": "'"$1"'"}]}' >/dev/null
}

expect_eq "none refused: the Google line as before" "$(status)" "$(status | sed 's/;.*//')"
a=$(nestor event add "Outlook meeting" --at "2026-06-10 10:00" --for 1h --calendar Work)
refuse "Invalid time zone definition for start time."
nestor google sync >/dev/null 2>&1
b=$(nestor event add Lunch --at "2026-06-11 12:00" --for 1h --calendar Work)
refuse "Bad request"
nestor google sync >/dev/null 2>&1
expect_match "status: counted" "$(status)" \
	"; 2 events refused by Google, kept here only: see nestor sync conflicts$"
expect_match "event show: marked" "$(nestor event show "$a")" \
	"google     refused \(Invalid time zone definition for start time\.\); kept here only"
expect_eq "event show --json: the message" "$(nestor event show "$b" --json | python3 -c '
import json, sys; print(json.load(sys.stdin)["google_refused"])')" "Bad request"
expect_eq "an event Google has: no mark" "$(nestor event show 1 | grep -c '^google' || true)" 0

# edited here: marked until Google takes the edit
nestor event edit "$a" --location "Room 2" >/dev/null
expect_match "edited, not sent yet: still marked" "$(nestor event show "$a")" "kept here only"
nestor google sync >/dev/null
expect_eq "taken by Google: no mark" "$(nestor event show "$a" | grep -c '^google' || true)" 0
expect_match "status: one left" "$(status)" \
	"; 1 event refused by Google, kept here only: see nestor sync conflicts$"
nestor status --json | python3 -c 'import json, sys
g = [t for t in json.load(sys.stdin)["sync"] if t["target"] == "google"][0]
assert g["refused"] == 1, g' || fail "status --json: the count"

# refused again after an edit: the new message
nestor event edit "$b" --location Canteen >/dev/null
refuse "Still bad"
nestor google sync >/dev/null 2>&1
expect_match "refused again: the latest message" "$(nestor event show "$b")" \
	"google     refused \(Still bad\); kept here only"

# taken by Google later, then moved to a Google calendar whose sync is off
# (the move clears its etag, the put waits): the refusal Google's take
# settled is not counted again, and nestor sync conflicts says so
gctl /_seed '{"calendars": [{"id": "home@example.com", "summary": "Home", "timeZone": "UTC",
  "accessRole": "owner", "defaultReminders": []}]}' >/dev/null
nestor google sync >/dev/null
nestor calendar sync Home off >/dev/null
nestor event edit "$a" --calendar Home >/dev/null
expect_eq "moved after Google took it: no mark" \
	"$(nestor event show "$a" | grep -c '^google' || true)" 0
expect_match "status: only the one still refused" "$(status)" \
	"; 1 event refused by Google, kept here only: see nestor sync conflicts$"
expect_match "sync conflicts: the settled refusal says Google took a later change" \
	"$(nestor sync conflicts)" \
	"refused by Google: Invalid time zone definition for start time\.; it was kept here: .*; Google took a later change$"

# the count is the calendar's owner's (the first user): another user, who
# cannot read the calendar, is shown none of it
nestor user add bob >/dev/null
nestor --user bob status >out 2>&1 || true
expect_eq "another user's status: no count" "$(grep '^ *google ' out)" \
	"           google      configured"
nestor --user bob status --json | python3 -c 'import json, sys
g = [t for t in json.load(sys.stdin)["sync"] if t["target"] == "google"][0]
assert g["refused"] == 0, g' || fail "another user's status --json: the count"
expect_match "the first user's still counted" "$(status)" "; 1 event refused by Google"
