# Google Calendar: what Google refuses or deleted never loses the user's
# event unrecorded.  An event added here that Google refuses stays here,
# told once with Google's message, and is not sent again until edited; a
# "this device wins" overwrite Google refuses does not stop the sync; an
# insert whose copy Google deleted is removed here too; a conflict names
# the event of the right calendar when one Google id is in two.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_session
seed_work
queued() { sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE target = 'google'"; }
posts() { gctl /_requests | python3 -c 'import json, sys
print(sum(r["method"] == "POST" and "/events" in r["path"] for r in json.load(sys.stdin)))'; }
in_google() { gctl /_state | python3 -c 'import json, sys
print(sum(e["summary"] == sys.argv[1] and e.get("status") != "cancelled"
          for e in json.load(sys.stdin)["events"]["'$CAL'"]))' "$1"; }

# An event added here that Google answers 400 (an Outlook zone name, say):
# it stays here, the warning names it with Google's message, the
# conflicts keep the refusal, and it is not sent at every sync.
id=$(nestor event add "Outlook meeting" --at "2026-06-10 10:00" --for 1h --calendar Work)
gctl /_control '{"fail": [{"method": "POST", "path": "/events", "status": 400, "reason": "invalid",
  "message": "Invalid time zone definition for start time."}]}' >/dev/null
nestor google sync >out 2>err || fail "a refused insert: the sync failed: $(cat err)"
expect_eq "refused insert: counted" "$(cat out)" \
	"1 calendars: pushed 0, pulled 0, removed 0, 1 conflicts: nestor sync conflicts"
expect_match "refused insert: told" "$(cat err)" \
	"event $id \"Outlook meeting\" added here is refused by Google \(invalid: \"Invalid time zone definition for start time\.\"\); it stays here"
expect_match "refused insert: kept here" \
	"$(nestor agenda --from 2026-06-10 --to 2026-06-10 --calendar Work)" "Outlook meeting"
expect_eq "refused insert: not queued" "$(queued)" 0
expect_match "refused insert: in the conflicts" "$(nestor sync conflicts)" \
	"  event $id  refused by Google: Invalid time zone definition for start time\.; it was kept here: "
p0=$(posts)
NESTOR_NOW=$((TEST_T0 + 86400))@$TEST_REAL0 nestor google sync >out 2>err
expect_eq "refused insert: the next day quiet" "$(cat out) $(cat err) $(($(posts) - p0))" \
	"1 calendars: pushed 0, pulled 0, removed 0  0"
nestor event edit "$id" --location "Room 2" >/dev/null
nestor google sync >out
expect_eq "edited: sent again" "$(cat out) $(in_google "Outlook meeting")" \
	"1 calendars: pushed 1, pulled 0, removed 0 1"

# An insert answered 404 is no success: kept and told the same way.
id=$(nestor event add Lunch --at "2026-06-06 12:00" --for 1h --calendar Work)
gctl /_control '{"fail": [{"method": "POST", "path": "/events", "status": 404,
  "reason": "notFound", "message": "Not Found"}]}' >/dev/null
nestor google sync >out 2>err
expect_match "insert 404: told" "$(cat err)" "event $id \"Lunch\" added here is refused by Google \(notFound: \"Not Found\"\)"
expect_eq "insert 404: not taken as sent" "$(sqlite3 "$DB" "SELECT count(etag) FROM events WHERE id = $id") $(queued)" "0 0"
nestor event edit "$id" --location Canteen >/dev/null
nestor google sync >/dev/null
expect_eq "insert 404: sent once edited" "$(in_google Lunch)" 1

# An update Google answers 404 for an event deleted there: removed here,
# and the warning says so (not that Google's version is back).
gctl /_edit '{"calendar": "'$CAL'", "id": "eva002", "patch": {"status": "cancelled"}}' >/dev/null
nestor event edit 2 --summary "Edited here" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/eva002", "status": 404,
  "reason": "notFound"}]}' >/dev/null
nestor google sync >out 2>err
expect_match "update 404, deleted there: told" "$(cat err)" \
	'event "eva002": Google refuses the change made here \(notFound\): the event was deleted in Google, so it is removed here too'
expect_eq "update 404, deleted there: gone here" \
	"$(nestor agenda --from 2026-06-03 --to 2026-06-03 --calendar Work)" "no events from 2026-06-03 to 2026-06-03"

# "This device wins" over Google's edit, the overwrite refused for good:
# Google's version comes back, the sync goes on and pushes the rest.
nestor config set google.conflict local >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "eva001", "patch": {"location": "Google room"}}' >/dev/null
nestor event edit 1 --summary "Edited here" >/dev/null
nestor event edit "$id" --summary "Lunch edited here" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/eva001", "status": 412, "count": 1},
  {"method": "PATCH", "path": "/events/eva001", "status": 400, "reason": "invalid", "count": 1}]}' >/dev/null
nestor google sync >out 2>err || fail "a refused overwrite: the sync failed: $(cat err)"
expect_match "refused overwrite: told" "$(cat err)" \
	'event "eva001": Google refuses the change made here \(invalid\); Google.s version is back'
expect_eq "refused overwrite: the rest pushed" "$(in_google "Lunch edited here") $(queued)" "1 0"
expect_eq "refused overwrite: Google's version here" \
	"$(nestor event show 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["location"])')" \
	"Google room"
nestor config set google.conflict newest >/dev/null

# An insert that reached Google (its answer lost), then deleted there: the
# 409 meets a cancelled copy, and the deletion wins here too.
now0=$NESTOR_NOW
NESTOR_NOW=$((TEST_T0 + 3 * 86400))@$TEST_REAL0
google_insert_lost Standup --at "2026-06-04 09:00" --for 15m --calendar Work
gctl /_edit '{"calendar": "'$CAL'", "id": "'$rid'", "patch": {"status": "cancelled"}}' >/dev/null
nestor google sync >out 2>err
expect_eq "409, cancelled there: counted" "$(cat out)" \
	"1 calendars: pushed 0, pulled 0, removed 0, 1 conflicts: nestor sync conflicts"
expect_eq "409, cancelled there: gone here" \
	"$(nestor agenda --from 2026-06-04 --to 2026-06-04 --calendar Work)" "no events from 2026-06-04 to 2026-06-04"
expect_match "409, cancelled there: recorded" "$(nestor sync conflicts | head -1)" \
	"event google:$CAL/$rid  \(google\): null from google \(deleted there\)"
NESTOR_NOW=$now0

# One Google id in two calendars: the conflict names the event edited.
MEET='"summary": "Team sync", "start": {"dateTime": "2026-06-05T10:00:00Z"}, "end": {"dateTime": "2026-06-05T11:00:00Z"}'
gctl /_seed '{"calendars": [{"id": "team@example.com", "summary": "Team", "timeZone": "UTC",
  "accessRole": "owner", "defaultReminders": []}],
 "events": {"team@example.com": [{"id": "shared01", '"$MEET"'}], "'$CAL'": [{"id": "shared01", '"$MEET"'}]}}' >/dev/null
nestor google sync >/dev/null
tid=$(sqlite3 "$DB" "SELECT e.id FROM events e JOIN calendars c ON c.id = e.calendar_id
  WHERE e.remote_id = 'shared01' AND c.name = 'Work'")
oid=$(sqlite3 "$DB" "SELECT e.id FROM events e JOIN calendars c ON c.id = e.calendar_id
  WHERE e.remote_id = 'shared01' AND c.name = 'Team'")
[ "$oid" -lt "$tid" ] || fail "the test needs the other copy first: $oid, $tid"
nestor event edit "$tid" --summary "Team sync (edited)" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/shared01", "status": 400,
  "reason": "invalid"}]}' >/dev/null
nestor google sync >/dev/null 2>&1
expect_match "two calendars: the event edited" "$(nestor sync conflicts | head -1)" "  event $tid  \(google\)"

# An event in a zone only its calendar file defines (an Outlook name
# Google does not know) goes to Google as its UTC times, without the name.
nestor import "$SRC/tests/data/outlook-zone.ics" --calendar Work >/dev/null
nestor google sync >out 2>err
expect_eq "Outlook zone: sent" "$(in_google "Outlook review") $(cat err)" "1 "
expect_eq "Outlook zone: its UTC times alone" "$(gctl /_state | python3 -c 'import json, sys
e = [e for e in json.load(sys.stdin)["events"]["'$CAL'"] if e["summary"] == "Outlook review"][0]
print(e["start"], e["end"])')" "{'dateTime': '2026-06-12T08:00:00Z'} {'dateTime': '2026-06-12T09:00:00Z'}"
nestor event edit "$(sqlite3 "$DB" "SELECT id FROM events WHERE summary = 'Outlook review'")" \
	--location "Room 5" >/dev/null
nestor google sync >out 2>err
expect_eq "Outlook zone: an edit sent" "$(cat out) $(cat err)" "2 calendars: pushed 1, pulled 0, removed 0 "
expect_match "Outlook zone: kept here" \
	"$(nestor agenda --from 2026-06-12 --to 2026-06-12 --calendar Work)" "08:00-09:00  Outlook review"
expect_eq "Outlook zone: the edit alone, not its times" "$(gctl /_requests | python3 -c 'import json, sys
r = [r for r in json.load(sys.stdin) if r["method"] == "PATCH"][-1]
print(sorted(json.loads(r["body"])))')" "['location']"

# Its insert reached Google, the answer lost: Google's copy, in the
# calendar's zone, is what was sent (the same instants): no conflict, and
# the zone here stays.
sed 's/outlook1@/outlook2@/; s/Outlook review/Outlook lost/; s/20260612T/20260613T/' "$SRC/tests/data/outlook-zone.ics" >lost.ics
gctl /_control '{"hang_insert": true}' >/dev/null
nestor import lost.ics --calendar Work >/dev/null
"$NESTOR_BIN" google sync >out 2>&1 &
pid=$!
wait_until "the insert to reach Google" eval "[ \$(in_google 'Outlook lost') = 1 ]"
kill -9 $pid
wait $pid 2>/dev/null || true
nestor google sync >out 2>err
expect_eq "Outlook zone, answer lost: no conflict" "$(cat out) $(cat err)" \
	"2 calendars: pushed 1, pulled 0, removed 0 "
expect_eq "Outlook zone, answer lost: its zone here" \
	"$(sqlite3 "$DB" "SELECT tzid FROM events WHERE summary = 'Outlook lost'")" "W. Europe Standard Time"

# A refused event deleted here, or moved out of Google's calendars: Google
# never had it, nothing is sent; its record names it while it is here.
refuse() { gctl /_control '{"fail": [{"method": "POST", "path": "/events", "status": 400,
  "reason": "invalid", "message": "Bad"}]}' >/dev/null; }
id=$(nestor event add "Refused gone" --at "2026-06-15 10:00" --for 1h --calendar Work)
refuse
nestor google sync >/dev/null 2>&1
n0=$(gctl /_requests | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
nestor event rm "$id" >/dev/null
id=$(nestor event add "Refused moved" --at "2026-06-16 10:00" --for 1h --calendar Work)
refuse
nestor google sync >/dev/null 2>&1
nestor event edit "$id" --calendar personal >/dev/null
nestor google sync >out 2>err
expect_eq "refused, then deleted or moved: nothing sent" "$(cat out) $(cat err) $(queued) $(gctl /_requests |
	python3 -c 'import json, sys
print([r["method"] for r in json.load(sys.stdin)[int(sys.argv[1]):] if "/events/" in r["path"]])' "$n0")" \
	"2 calendars: pushed 0, pulled 0, removed 0  0 []"
expect_match "refused, then moved: named by its id here" "$(nestor sync conflicts | head -1)" \
	"  event $id  refused by Google: Bad; it was kept here: "

# An edit made while the refused insert was on its way is not lost: it is
# sent after the refusal.
id=$(nestor event add "Refused in flight" --at "2026-06-17 10:00" --for 1h --calendar Work)
refuse
gctl /_control '{"hold": {"method": "POST", "path": "/events", "flag": "'"$PWD/held"'",
  "release": "'"$PWD/go"'"}}' >/dev/null
nestor google sync >out 2>err &
pid=$!
wait_until "the insert to be held" test -e held
nestor event edit "$id" --location "Room 9" >/dev/null
: >go
wait $pid || fail "a refused insert edited meanwhile: the sync failed: $(cat err)"
expect_eq "refused, edited meanwhile: sent" "$(in_google "Refused in flight") $(queued)" "1 0"
