# Google Calendar: a change Google refuses for good (a 4xx other than a
# timeout or a rate limit) is not sent at every sync: it goes into the
# conflicts, named by the event's id here; an insert whose answer was lost
# meets Google's later edit instead of overwriting it; a meeting the user
# declined is shown and not reminded.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_session
seed_work
npatches() { gctl /_requests | python3 -c 'import json, sys
print(sum(r["method"] == "PATCH" for r in json.load(sys.stdin)))'; }
here() { nestor event show "$1" --json | python3 -c 'import json, sys
e = json.load(sys.stdin); print(e.get("summary"), "|", e.get("location"))'; }
queued() { sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE target = 'google'"; }

# A change answered 400 (Google finds it invalid) or an update answered
# 404 is sent once: Google's version comes back, the change is in the
# conflicts (under the event's id here), the sync goes on.
nestor event edit 1 --summary "Invalid here" >/dev/null
nestor event edit 2 --summary "Not found there" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/eva001", "status": 400,
  "reason": "invalid"}, {"method": "PATCH", "path": "/events/eva002",
  "status": 404, "reason": "notFound"}]}' >/dev/null
p0=$(npatches)
nestor google sync >out 2>err || fail "a change refused for good: the sync failed: $(cat err)"
expect_eq "told" "$(cat out)" "1 calendars: pushed 0, pulled 0, removed 0, 2 conflicts: nestor sync conflicts"
expect_match "400: named" "$(cat err)" \
	'calendar "work@example.com": event "eva001": Google refuses the change made here \(invalid\)'
expect_match "404: named" "$(cat err)" \
	'event "eva002": Google refuses the change made here \(notFound\)'
expect_eq "400: Google's version back" "$(here 1)" "One | None"
expect_eq "404: Google's version back" "$(here 2)" "Two | None"
expect_eq "nothing queued" "$(queued)" 0
nestor sync conflicts >out
expect_match "recorded under its id" "$(grep 'Invalid here' out)" "^2026-06-01T09:00  event 1  \(google\)"
expect_match "the other too" "$(grep 'Not found there' out)" "  event 2  \(google\)"
nestor sync conflicts --json | python3 -c 'import json, sys
ids = sorted(c["id"] for c in json.load(sys.stdin))
assert ids == [1, 2], ids' || fail "the conflicts' ids in JSON"
NESTOR_NOW=$((TEST_T0 + 86400))@$TEST_REAL0 nestor google sync >out 2>err
expect_eq "the next day: quiet" "$(cat out) $(cat err)" "1 calendars: pushed 0, pulled 0, removed 0 "
expect_eq "each sent once" "$(($(npatches) - p0))" 2

# 408 and 429 are no refusal: the change waits and goes later.
nestor event edit 1 --location "Room 4" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "/events/eva001", "status": 408}]}' >/dev/null
nestor google sync >out 2>err && fail "a push answered 408: the sync did not fail: $(cat out err)"
expect_eq "408: still queued" "$(queued)" 1
NESTOR_NOW=$((TEST_T0 + 2 * 86400))@$TEST_REAL0 nestor google sync >out
expect_eq "408: sent later" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"

# An event deleted here that Google no longer has is done, nothing recorded.
nconf() { sqlite3 "$DB" "SELECT count(*) FROM sync_conflicts"; }
c0=$(nconf)
nestor event rm 2 >/dev/null
gctl /_control '{"fail": [{"method": "DELETE", "path": "/events/eva002", "status": 404}]}' >/dev/null
NESTOR_NOW=$((TEST_T0 + 2 * 86400))@$TEST_REAL0 nestor google sync >/dev/null
expect_eq "404 on a deletion: done" "$(queued) $(nconf)" "0 $c0"

# A deletion Google refuses for good: the event comes back here.
nestor event rm 1 >/dev/null
gctl /_control '{"fail": [{"method": "DELETE", "path": "/events/eva001", "status": 400,
  "reason": "badRequest"}]}' >/dev/null
NESTOR_NOW=$((TEST_T0 + 2 * 86400))@$TEST_REAL0 nestor google sync >/dev/null 2>err ||
	fail "a refused deletion: the sync failed: $(cat err)"
expect_match "a refused deletion: told" "$(cat err)" \
	'event "eva001": Google refuses the change made here \(badRequest\)'
expect_match "the event back here" \
	"$(nestor agenda --from 2026-06-02 --to 2026-06-02 --calendar Work)" "One"
expect_eq "a refused deletion: nothing queued" "$(queued)" 0

# An insert stored by Google whose answer was lost (SIGKILL), then edited
# in Google: the next push meets that edit (409, then the policy), it
# does not take Google's etag over the copy here and overwrite the edit.
NESTOR_NOW=$((TEST_T0 + 3 * 86400))@$TEST_REAL0
export NESTOR_NOW
google_insert_lost Standup --at "2026-06-04 09:00" --for 15m --calendar Work
gctl /_edit '{"calendar": "'$CAL'", "id": "'$rid'", "patch": {"summary": "Standup moved",
  "updated": "2030-01-01T00:00:00Z"}}' >/dev/null
nestor google sync >out
expect_eq "the insert met Google's edit" "$(cat out)" \
	"1 calendars: pushed 0, pulled 0, removed 0, 1 conflicts: nestor sync conflicts"
expect_eq "Google's edit here" "$(here "$id")" "Standup moved | None"
nestor event edit "$id" --location "Room 1" >/dev/null
nestor google sync >/dev/null
expect_eq "Google's edit kept there" "$(gctl /_state | python3 -c 'import json, sys
e = [e for e in json.load(sys.stdin)["events"]["'$CAL'"] if e["id"] == "'$rid'"][0]
print(e["summary"], "|", e.get("location"))')" "Standup moved | Room 1"

# A meeting the user declined (their attendee entry, self, answers
# "declined") is in the agenda and has no reminder; one accepted has.
gctl /_seed '{"events": {"'$CAL'": [{"id": "decl01", "summary": "Declined sync",
  "start": {"dateTime": "2026-06-10T10:00:00Z"}, "end": {"dateTime": "2026-06-10T11:00:00Z"},
  "attendees": [{"email": "boss@example.com", "organizer": true, "responseStatus": "accepted"},
   {"email": "me@example.com", "self": true, "responseStatus": "declined"}],
  "reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 10}]}},
  {"id": "acc01", "summary": "Accepted sync",
  "start": {"dateTime": "2026-06-11T10:00:00Z"}, "end": {"dateTime": "2026-06-11T11:00:00Z"},
  "attendees": [{"email": "boss@example.com", "organizer": true, "responseStatus": "declined"},
   {"email": "me@example.com", "self": true, "responseStatus": "accepted"}],
  "reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 10}]}}]}}' >/dev/null
nestor google sync >/dev/null
expect_match "declined: in the agenda" \
	"$(nestor agenda --from 2026-06-10 --to 2026-06-10 --calendar Work)" "Declined sync"
nestor remind list --all >out
expect_match "accepted: reminded" "$(cat out)" "Accepted sync"
grep -q "Declined sync" out && fail "a declined meeting is reminded: $(cat out)"
# accepted later in Google: reminded then
gctl /_edit '{"calendar": "'$CAL'", "id": "decl01", "patch": {"attendees": [{"email": "boss@example.com",
  "organizer": true, "responseStatus": "accepted"}, {"email": "me@example.com", "self": true,
  "responseStatus": "accepted"}]}}' >/dev/null
nestor google sync >/dev/null
expect_match "accepted later: reminded" "$(nestor remind list --all)" "Declined sync"
