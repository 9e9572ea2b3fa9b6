# Google Calendar: what a sync may not lose.  A list answer that is no
# list fails the sync and keeps every event and the sync token; the
# version that wins a conflict is the one both sides keep.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_session
seed_work
nevents() { sqlite3 "$DB" "SELECT count(*) FROM events"; }
token() { sqlite3 "$DB" "SELECT ifnull(sync_token, '-') FROM calendars WHERE name = 'Work'"; }
tok0=$(token)
[ "$tok0" != - ] || fail "no sync token after the first sync"

# A 200 whose body is no list of events: the sync fails with one line
# naming the calendar, the token and the events stay, and a full sync
# after it removes nothing.
bad_list() {
	gctl /_control '{"fail": [{"method": "GET", "path": "/events", "status": 200, "raw": '"$2"'}]}' >/dev/null
	set +e
	nestor google sync >out 2>err
	rc=$?
	set -e
	expect_eq "$1: exit" "$rc" 1
	expect_eq "$1: one line" "$(wc -l <err)" 1
	expect_match "$1" "$(cat err)" "calendar \"Work\": Google's list of events $3"
	expect_eq "$1: events kept" "$(nevents)" 2
	expect_eq "$1: token kept" "$(token)" "$tok0"
}
bad_list "not JSON" '"{\"items\": [\"\\ud800\"], "' "is not a JSON object"
bad_list "HTML" '"<html><body>Service Unavailable</body></html>"' "is not a JSON object"
bad_list "empty body" '""' "is not a JSON object"
bad_list "a raw tab in a string" '"{\"items\": [], \"nextSyncToken\": \"s\tx\"}"' "is not a JSON object"
bad_list "no items" '"{\"nextSyncToken\": \"s1\"}"' "has no list of items"
bad_list "no token" '"{\"kind\": \"calendar#events\", \"items\": []}"' \
	"has neither a next page token nor a sync token"
nestor google sync --full >out
expect_eq "a full sync after them" "$(cat out)" "1 calendars: pushed 0, pulled 0, removed 0"
expect_eq "every event still here" "$(nevents)" 2

# Two edits here of one event make one push of its latest state.
npatches() { gctl /_requests | python3 -c 'import json, sys
print(sum(r["method"] == "PATCH" for r in json.load(sys.stdin)))'; }
remote() { gctl /_state | python3 -c 'import json, sys
e = [e for e in json.load(sys.stdin)["events"]["'$CAL'"] if e["id"] == "'$1'"][0]
print(e.get("summary"), "|", e.get("location"))'; }
here() { nestor event show "$1" --json | python3 -c 'import json, sys
e = json.load(sys.stdin); print(e.get("summary"), "|", e.get("location"))'; }
p0=$(npatches)
nestor event edit 1 --location "Room A" >/dev/null
nestor event edit 1 --summary "One more" >/dev/null
nestor google sync >out
expect_eq "two edits, one push" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"
expect_eq "one PATCH" "$(($(npatches) - p0))" 1
expect_eq "Google has both edits" "$(remote eva001)" "One more | Room A"

# Two edits here and a later one in Google: Google's wins, and both sides
# keep it; the edits made here are in the conflict record.
nestor event edit 2 --location "Room B" >/dev/null
nestor event edit 2 --summary "Local title" >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "eva002", "patch": {"summary": "Remote title", "updated": "2030-01-01T00:00:00Z"}}' >/dev/null
nestor google sync >/dev/null
nestor google sync >out
expect_eq "after the conflict: nothing more to push" "$(cat out)" "1 calendars: pushed 0, pulled 0, removed 0"
expect_eq "Google keeps its version" "$(remote eva002)" "Remote title | None"
expect_eq "this device takes it" "$(here 2)" "Remote title | None"
expect_match "the edits here recorded" "$(nestor sync conflicts)" "Local title"
nestor google sync --full >/dev/null
expect_eq "after a full sync: the same" "$(here 2)" "Remote title | None"

# Later: each change waits for its retry (30 s) to be due.
NESTOR_NOW=$((TEST_T0 + 3600))@$TEST_REAL0
export NESTOR_NOW

# Edited here, deleted in Google, the push failing once: the deletion
# wins when the push is answered 410; the edit is in the conflict record.
nestor event edit 1 --location "Room 9" >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "eva001", "delete": true}' >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/eva001", "status": 503, "count": 3}]}' >/dev/null
nestor google sync >out 2>err && fail "a push answered 503: the sync did not fail"
expect_eq "still here while the push waits" "$(here 1)" "One more | Room 9"
NESTOR_NOW=$((TEST_T0 + 7200))@$TEST_REAL0 nestor google sync >out
expect_eq "deleted in Google: the sync" "$(cat out)" \
	"1 calendars: pushed 0, pulled 0, removed 0, 1 conflicts: nestor sync conflicts"
nestor event show 1 >/dev/null 2>&1 && fail "an event deleted in Google is still here"
expect_match "the edit lost recorded" "$(nestor sync conflicts)" "Room 9"
NESTOR_NOW=$((TEST_T0 + 7200))@$TEST_REAL0
export NESTOR_NOW

# An occurrence moved in Google while a change of its series waits here:
# the series goes first, the occurrence is pulled after it.
gctl /_seed '{"events": {"'$CAL'": [{"id": "evser1", "summary": "Weekly",
  "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
  "start": {"dateTime": "2026-06-08T09:00:00Z"}, "end": {"dateTime": "2026-06-08T10:00:00Z"}}]}}' >/dev/null
nestor google sync >/dev/null
sid=$(sqlite3 "$DB" "SELECT id FROM events WHERE remote_id = 'evser1'")
nestor event edit "$sid" --location "Room S" >/dev/null
gctl /_seed '{"events": {"'$CAL'": [{"id": "evser1_20260615T090000Z", "recurringEventId": "evser1",
  "summary": "Weekly (moved)", "originalStartTime": {"dateTime": "2026-06-15T09:00:00Z"},
  "start": {"dateTime": "2026-06-16T14:00:00Z"}, "end": {"dateTime": "2026-06-16T15:00:00Z"}}]}}' >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/evser1", "status": 503, "count": 3}]}' >/dev/null
nestor google sync >out 2>err && fail "a series' push answered 503: the sync did not fail"
NESTOR_NOW=$((TEST_T0 + 10800))@$TEST_REAL0 nestor google sync >/dev/null
NESTOR_NOW=$((TEST_T0 + 10800))@$TEST_REAL0 nestor google sync >/dev/null
expect_match "the occurrence moved in Google" \
	"$(nestor agenda --from 2026-06-16 --to 2026-06-16 --calendar Work)" "Weekly \(moved\)"

# A calendar read-only for the user (reader, freeBusyReader) refuses a
# change here with one line naming it, and keeps the event as it is.
gctl /_seed '{"calendars": [{"id": "hol@example.com", "summary": "Holidays", "timeZone": "UTC",
  "accessRole": "reader"}], "events": {"hol@example.com": [{"id": "hol001", "summary": "Holiday",
  "start": {"date": "2026-06-10"}, "end": {"date": "2026-06-11"}}]}}' >/dev/null
nestor google sync >/dev/null
hid=$(sqlite3 "$DB" "SELECT id FROM events WHERE remote_id = 'hol001'")
for cmd in edit rm; do
	set +e
	if [ $cmd = edit ]; then nestor event edit "$hid" --summary Mine; else nestor event rm "$hid"; fi >out 2>err
	rc=$?
	set -e
	expect_eq "$cmd: exit" "$rc" 2
	expect_eq "$cmd: why" "$(cat err)" \
		"nestor: event $cmd: calendar \"Holidays\" is read-only (its Google role is reader): nothing changed"
done
expect_eq "the holiday unchanged" "$(here "$hid")" "Holiday | None"
# An import into it, or over one of its events (a UID it has), is
# refused the same way, naming the line of the event, nothing written.
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:ro1@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260701T100000Z\r\nDURATION:PT30M\r\nSUMMARY:Imported\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >ro.ics
huid=$(sqlite3 "$DB" "SELECT uid FROM events WHERE id = $hid")
sed "s/ro1@t/$huid/" ro.ics >ro2.ics
for f in "ro.ics --calendar Holidays" ro2.ics; do
	set +e
	nestor import $f >out 2>err
	rc=$?
	set -e
	expect_eq "import $f: exit" "$rc" 2
	expect_eq "import $f: why" "$(cat err)" \
		"nestor: import: ${f%% *}: line 4: calendar \"Holidays\" is read-only (its Google role is reader): nothing changed"
done
expect_eq "nothing imported" "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE summary = 'Imported'")" 0
expect_eq "nothing queued for it" "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE target = 'google'")" 0

# A change Google refuses for good (403 requiredAccessLevel) is not sent
# again and again: Google's version comes back, the change is recorded
# as lost and told once.
nestor event edit 2 --summary "Not allowed" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/eva002", "status": 403,
  "reason": "requiredAccessLevel", "count": 100}]}' >/dev/null
p0=$(npatches)
nestor google sync >out 2>err || fail "a refused change: the sync failed: $(cat err)"
expect_match "a refused change: told" "$(cat err)" \
	'calendar "work@example.com": event "eva002": Google refuses the change made here \(requiredAccessLevel\)'
expect_eq "Google's version back" "$(here 2)" "Remote title | None"
expect_match "the change recorded" "$(nestor sync conflicts)" "Not allowed"
NESTOR_NOW=$((TEST_T0 + 90000))@$TEST_REAL0 nestor google sync >out 2>err
expect_eq "the next day: not told again" "$(cat err)" ""
expect_eq "sent once" "$(($(npatches) - p0))" 1

# An event added here that Google refuses for good is not sent again and
# again either: it stays here, recorded in the conflicts, told once.
nestor event add "Refused add" --at "2026-07-01 10:00" --for 1h --calendar Work >/dev/null
gctl /_control '{"fail": [{"method": "POST", "path": "/events", "status": 403,
  "reason": "requiredAccessLevel"}]}' >/dev/null
nestor google sync >out 2>err || fail "a refused insert: the sync failed: $(cat err)"
expect_match "a refused insert: told" "$(cat err)" 'event [0-9]* "Refused add" added here is refused by Google \(requiredAccessLevel'
expect_match "the insert recorded" "$(nestor sync conflicts)" "Refused add"
expect_eq "no longer queued" "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE target = 'google'")" 0
expect_eq "kept here" "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE summary = 'Refused add'")" 1

# A change made here while a sync runs (between the read of the queued
# change and the 412 Google answers it) is not lost with the change
# that lost: it stays queued, and its push goes by the policy too.
gctl /_seed '{"events": {"'$CAL'": [{"id": "eva003", "summary": "Three",
  "start": {"dateTime": "2026-06-04T10:00:00Z"}, "end": {"dateTime": "2026-06-04T11:00:00Z"}}]}}' >/dev/null
nestor google sync >/dev/null
id3=$(sqlite3 "$DB" "SELECT id FROM events WHERE remote_id = 'eva003'")
nestor config set google.conflict remote >/dev/null
nestor event edit "$id3" --summary "Three here" >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "eva003", "patch": {"summary": "Three there"}}' >/dev/null
gctl /_control '{"hold": {"path": "/events/eva003", "flag": "'"$PWD/held"'", "release": "'"$PWD/go"'"}}' >/dev/null
nestor google sync >out 2>&1 &
sp=$!
wait_until "the sync to wait" test -f held
nestor event edit "$id3" --location "Meanwhile" >/dev/null
touch go
wait $sp || fail "the held sync failed: $(cat out)"
expect_eq "the change lost: not pushed" "$(cat out)" \
	"2 calendars: pushed 0, pulled 0, removed 0, 2 conflicts: nestor sync conflicts"
nestor google sync >/dev/null
expect_match "the later change recorded" "$(nestor sync conflicts)" "Meanwhile"

# Google's copy changed between the read before a PATCH and the PATCH
# (412), in a field not sent: not taken for our own change come back.
nestor event edit "$id3" --summary "Three again" >/dev/null
rm -f held go
gctl /_control '{"hold": {"path": "/events/eva003", "flag": "'"$PWD/held"'", "release": "'"$PWD/go"'"}}' >/dev/null
nestor google sync >out 2>&1 &
sp=$!
wait_until "the sync to wait" test -f held
gctl /_edit '{"calendar": "'$CAL'", "id": "eva003", "patch": {"summary": "Three again", "location": "Room there"}}' >/dev/null
touch go
wait $sp || fail "the held sync failed: $(cat out)"
nestor google sync >/dev/null
expect_match "Google's other change kept" "$(here "$id3")" "Room there"

# A push that fails does not hold the sync token (Google expires it:
# every sync would list the whole calendar): the change skipped in the
# pull meets the push when it goes, and the policy decides.
gctl /_seed '{"events": {"'$CAL'": [{"id": "eva004", "summary": "Four",
  "start": {"dateTime": "2026-06-05T10:00:00Z"}, "end": {"dateTime": "2026-06-05T11:00:00Z"}}]}}' >/dev/null
nestor google sync >/dev/null
id4=$(sqlite3 "$DB" "SELECT id FROM events WHERE remote_id = 'eva004'")
tokb=$(token)
nestor event edit "$id4" --summary "Four failing" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/eva004", "status": 503, "count": 3}]}' >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "eva004", "patch": {"location": "Room far"}}' >/dev/null
set +e
nestor google sync >out 2>err
rc=$?
set -e
expect_eq "a failing push: exit" "$rc" 1
expect_eq "a failing push: the token goes on" "$([ "$(token)" != "$tokb" ] && echo moved)" moved
NESTOR_NOW=$((TEST_T0 + 86400))@$TEST_REAL0 nestor google sync >/dev/null
expect_match "the push met Google's change" "$(nestor sync conflicts)" "Four failing"
expect_match "Google's change here" "$(here "$id4")" "Room far"
nestor config set google.conflict newest >/dev/null

# A page of events over 4 MiB (250 events with long descriptions) is
# taken, and a calendar whose pull fails does not hold the others back.
# seed_meetings NAME N MONTH: a calendar NAME (id name@example.com) of
# N meetings with long descriptions in MONTH of 2026, seeded.
seed_meetings() {
	python3 -c 'import json, sys
name, n, month = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cal = name.lower() + "@example.com"
desc = ("Join the meeting. Meeting ID: 123 456 789. Passcode: abc. " * 300)[:17000]
evs = [{"id": "%s%05d" % (name.lower(), i), "summary": "Meeting %d" % i, "description": desc,
        "start": {"dateTime": "2026-%02d-%02dT09:00:00Z" % (month, 1 + i % 28)},
        "end": {"dateTime": "2026-%02d-%02dT10:00:00Z" % (month, 1 + i % 28)}} for i in range(n)]
print(json.dumps({"calendars": [{"id": cal, "summary": name, "timeZone": "UTC",
  "accessRole": "owner", "defaultReminders": [{"method": "popup", "minutes": 30}]}], "events": {cal: evs}}))' "$@" >seed.json
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary @seed.json "$GBASE/_seed" >/dev/null
}
seed_meetings Big 250 6
gctl /_control '{"fail": [{"method": "GET", "path": "/calendars/'$CAL'/events", "status": 500, "count": 10}]}' >/dev/null
set +e
NESTOR_NOW=$((TEST_T0 + 90000))@$TEST_REAL0 nestor google sync >out 2>err
rc=$?
set -e
expect_eq "one calendar failing: exit" "$rc" 1
expect_match "one calendar failing: named" "$(cat err)" 'Google: Work: HTTP 500'
expect_eq "the big calendar pulled" "$(sqlite3 "$DB" "SELECT count(*) FROM events e JOIN calendars c
  ON c.id = e.calendar_id WHERE c.name = 'Big'")" 250

# A change here sends only the fields it changed: what this device cannot
# hold (an RDATE line, an email reminder, the calendar's default
# reminders) stays as Google has it.
NESTOR_NOW=$((TEST_T0 + 90000))@$TEST_REAL0
export NESTOR_NOW
gctl /_seed '{"events": {"big@example.com": [{"id": "rdate01", "summary": "Course",
  "start": {"dateTime": "2026-07-02T09:00:00+02:00", "timeZone": "Europe/Berlin"},
  "end": {"dateTime": "2026-07-02T10:00:00+02:00", "timeZone": "Europe/Berlin"},
  "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3", "RDATE;TZID=Europe/Berlin:20260705T090000"],
  "reminders": {"useDefault": false, "overrides": [{"method": "email", "minutes": 60},
   {"method": "popup", "minutes": 10}]}},
  {"id": "usedef01", "summary": "Default reminders", "reminders": {"useDefault": true},
  "start": {"dateTime": "2026-07-03T09:00:00Z"}, "end": {"dateTime": "2026-07-03T10:00:00Z"}}]}}' >/dev/null
nestor google sync --calendar Big >/dev/null
for rid in rdate01 usedef01; do
	nestor event edit "$(sqlite3 "$DB" "SELECT id FROM events WHERE remote_id = '$rid'")" \
		--location "Room 7" >/dev/null
done
nestor google sync --calendar Big >out
expect_eq "two edits pushed" "$(cat out)" "1 calendars: pushed 2, pulled 0, removed 0"
gctl /_state | python3 -c 'import json, sys
evs = {e["id"]: e for e in json.load(sys.stdin)["events"]["big@example.com"]}
r, d = evs["rdate01"], evs["usedef01"]
assert r["location"] == "Room 7" and d["location"] == "Room 7", (r, d)
assert r["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=3", "RDATE;TZID=Europe/Berlin:20260705T090000"], r["recurrence"]
assert r["reminders"]["overrides"][0] == {"method": "email", "minutes": 60}, r["reminders"]
assert d["reminders"] == {"useDefault": True}, d["reminders"]' || fail "a location edit overwrote Google's other fields"
expect_eq "only the location sent" "$(gctl /_requests | python3 -c 'import json, sys
print(" ".join(sorted(set(r["body"] for r in json.load(sys.stdin) if r["method"] == "PATCH" and "big@" in r["path"]))))')" '{"location":"Room 7"}'

# A list of events over 64 MiB in all (each page under the limit of one
# answer) fails with one line, nothing changed: it is held in memory.
seed_meetings Huge 4200 8
google_sync_fails "a huge list" 1 \
	"nestor: google sync: calendar \"Huge\": Google's list of events is over 64 MiB; nothing changed" \
	--calendar Huge
expect_eq "a huge list: nothing taken" "$(sqlite3 "$DB" "SELECT count(*) FROM events e JOIN calendars c
  ON c.id = e.calendar_id WHERE c.name = 'Huge'")" 0
