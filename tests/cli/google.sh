# Google Calendar, the pull: the first sync of a calendar (paged) with a
# weekly series with one moved and one cancelled instance, an all-day
# event, an event in another zone, attendees and a popup reminder gives the
# agenda the fake Google expands; then incremental syncs with the sync
# token, a 410 resync without duplicates, and 401/429/500 ridden out.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_start
fake_google_config
fake_google_signed_in
CAL=primary-cal@example.com
gctl /_seed "$(cat "$SRC/tests/data/google-seed.json")" >/dev/null
nestor config set google.page_size 2 >/dev/null

nestor google sync > out
expect_eq "first sync" "$(cat out)" "2 calendars: pushed 0, pulled 5, removed 0"
# the calendars, named by their summaries
nestor calendar list --json | python3 -c 'import json, sys
for c in json.load(sys.stdin):
    print(c["name"], c["source"], c["remote_id"], c["color"], c["access"], c["sync"])' > out
expect_eq "calendar list" "$(cat out)" "Holidays google holidays@group.v.calendar.google.com #16a765 reader True
Work google primary-cal@example.com #9fe1e7 owner True
personal local None None owner False"
# paged: the first list of Work took three pages, and never a sync token
pages=$(gctl /_requests | python3 -c 'import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["path"].endswith("'$CAL'/events")))')
expect_eq "pages of the first list" "$pages" 3

# the agenda equals Google's own expansion (singleEvents), instant by instant
window='timeMin=2026-06-01T00:00:00Z&timeMax=2026-07-15T00:00:00Z'
same_as_google() {
	gctl "/_expand?calendar=$CAL&$window" > want.json
	nestor agenda --from 2026-06-01 --to 2026-07-14 --calendar Work --json > got.json
	python3 - <<'PY'
import json
from datetime import datetime, timezone
def key(s, all_day):
    if all_day:
        return s[:10]
    return datetime.fromisoformat(s).astimezone(timezone.utc).isoformat()
want = [(o["summary"], key(o["start"], o["all_day"]), key(o["end"], o["all_day"]))
        for o in json.load(open("want.json"))]
got = [(o["summary"], key(o["start"], o["all_day"]), key(o["end"], o["all_day"]))
       for o in json.load(open("got.json"))]
if want != got:
    raise SystemExit("agenda differs from Google's expansion:\n got %s\nwant %s" % (got, want))
PY
}
cd "$NESTOR_HOME"
same_as_google
n=$(python3 -c 'import json; print(len(json.load(open("got.json"))))')
expect_eq "occurrences (6 weekly - 1 cancelled + all-day + New York)" "$n" 7
# the moved instance, the zone of the New York call, attendees, the reminder
nestor agenda --from 2026-06-09 --to 2026-06-09 > out
expect_match "moved instance" "$(cat out)" '09:00-09:15  Standup \(moved\)'
nestor agenda --from 2026-06-03 --to 2026-06-03 > out
expect_match "event in New York time" "$(cat out)" '14:00-15:00  Call with New York'
nestor event show 1 > out
expect_match "attendee with name and answer" "$(cat out)" \
	'ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com'
expect_match "attendee without name" "$(cat out)" 'PARTSTAT=TENTATIVE:mailto:eve@example.com'
expect_match "cancelled instance excluded" "$(cat out)" 'except +2026-06-16T07:00:00'
# the popup 5 minutes before the 09:00 Berlin standup (07:00 UTC)
nestor remind list > out
expect_match "popup reminder" "$(cat out)" '06:55 .*Standup at 09:00 Europe/Berlin'
expect_match "default reminder of the calendar" "$(cat out)" '13:50 .*Call with New York'

# incremental: the sync token, and only what changed
gctl /_edit '{"calendar": "'$CAL'", "id": "nycall01", "patch": {"summary": "Call with NYC"}}' >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "offsite01", "delete": true}' >/dev/null
nestor google sync > out
expect_eq "incremental sync" "$(cat out)" "2 calendars: pushed 0, pulled 1, removed 1"
tok=$(gctl /_requests | python3 -c 'import json, sys
print([r for r in json.load(sys.stdin) if r["path"].endswith("'$CAL'/events")][-1]["query"].get("syncToken", "none"))')
expect_match "incremental list uses the sync token" "$tok" '^s[0-9]+$'
same_as_google

# 410 Gone: a full list again; nothing twice, nothing lost
nestor event add "Local only" --at "2026-06-05 08:00" --for 30m >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "nycall01", "delete": true}' >/dev/null
gctl /_control '{"expire_sync": true}' >/dev/null
nestor google sync --json > out
expect_match "410: full sync" "$(cat out)" '"full":[[:space:]]*2'
same_as_google
expect_eq "events in Work after the resync" \
	"$(nestor calendar list --json | python3 -c 'import json, sys
print([c["events"] for c in json.load(sys.stdin) if c["name"] == "Work"][0])')" 1
expect_match "local event kept" "$(nestor agenda --from 2026-06-05 --to 2026-06-05)" 'Local only'

# an expired access token is refreshed and the call made again; 429, 403
# rateLimitExceeded and 500 are retried
gctl /_control '{"expire_access": true, "fail": [{"path": "/calendarList", "status": 429},
  {"path": "/events", "status": 403, "reason": "rateLimitExceeded"},
  {"path": "/events", "status": 500}]}' >/dev/null
nestor google sync > out
expect_eq "sync through 401, 429, 403 and 500" "$(cat out)" "2 calendars: pushed 0, pulled 0, removed 0"

# a calendar that does not sync is left alone; a local one cannot sync
nestor calendar sync Work off >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "standup01", "patch": {"summary": "Not pulled"}}' >/dev/null
nestor google sync > out
expect_eq "Work off" "$(cat out)" "1 calendars: pushed 0, pulled 0, removed 0"
nestor calendar sync personal on 2> err && fail "a local calendar synced"
expect_match "local calendar refused" "$(cat err)" 'calendar "personal" is local'
nestor calendar sync Nowhere on 2> err && fail "an unknown calendar synced"
expect_match "unknown calendar" "$(cat err)" 'no calendar named "Nowhere"'
nestor calendar add Family > out
expect_eq "calendar add" "$(cat out)" 'calendar "Family" added'
nestor calendar add Family 2> err && fail "a calendar added twice"
expect_match "calendar add twice" "$(cat err)" 'a calendar named "Family" exists'
