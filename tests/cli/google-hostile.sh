# Google Calendar, a hostile server: what it sends is checked before it is
# stored, and a pull that cannot be trusted stops with one line naming why.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_session
# sync_fails WHAT PATTERN [STATUS]: `nestor google sync` exits STATUS (2,
# what Google sent is refused) with one line matching PATTERN
sync_fails() {
	set +e
	nestor google sync >out 2>err
	_st=$?
	set -e
	expect_eq "$1: exit status" "$_st" "${3:-2}"
	expect_eq "$1: one line" "$(wc -l <err)" 1
	expect_match "$1" "$(cat err)" "$2"
}

# A calendar name over 1000 bytes is refused, and nothing is stored.
long=$(head -c 2000 /dev/zero | tr '\0' n)
gctl /_seed '{"calendars": [{"id": "evil@example.com", "summary": "'"$long"'", "accessRole": "owner"}]}' >/dev/null
sync_fails "long calendar name" \
	'Google calendar "evil@example.com": calendar: too long \(2000 bytes, at most 1000\)'
expect_eq "no Google calendar stored" "$(nestor calendar list --json 2>/dev/null | python3 -c 'import json, sys
print(sum(c["source"] == "google" for c in json.load(sys.stdin)))')" 0

# A calendar name with a control character is refused too.
gctl /_seed '{"replace": true, "calendars": [{"id": "evil@example.com", "summary": "c\u001b]0;p\u0007", "accessRole": "owner"}]}' >/dev/null
sync_fails "calendar name with an escape" \
	'Google calendar "evil@example.com": calendar: control character U\+001B \(byte 2\)'

# An event's texts: control characters left out (the CR of CR LF too), as
# the store refuses them and another device would.
gctl /_seed '{"replace": true, "calendars": [{"id": "work@example.com", "summary": "Work", "accessRole": "owner", "timeZone": "UTC"}],
 "events": {"work@example.com": [{"id": "ev1", "summary": "Meet \u001b[2Jhere\u009b",
   "description": "line 1\r\nline 2", "location": "\u0007room",
   "start": {"dateTime": "2026-06-02T10:00:00Z"}, "end": {"dateTime": "2026-06-02T11:00:00Z"}}]}}' >/dev/null
nestor google sync >out
expect_eq "sync with control characters" "$(cat out)" "1 calendars: pushed 0, pulled 1, removed 0"
nestor event show 1 --json | python3 -c 'import json, sys
e = json.load(sys.stdin)
assert (e["summary"], e["notes"], e["location"]) == ("Meet [2Jhere", "line 1\nline 2", "room"), e'

# Bidirectional isolates in a title (Hebrew within Latin text) are kept:
# pulled as Google has them, and pushed back unchanged by a local edit.
gctl /_edit '{"calendar": "work@example.com", "id": "ev1",
  "patch": {"summary": "Meet \u2067\u05e9\u05dc\u05d5\u05dd\u2069 here"}}' >/dev/null
bidi=$(printf 'Meet \342\201\247\327\251\327\234\327\225\327\235\342\201\251 here')
nestor google sync >out
expect_eq "sync of a title with isolates" "$(cat out)" "1 calendars: pushed 0, pulled 1, removed 0"
expect_eq "the isolates stored" "$(nestor event show 1 --json | python3 -c 'import json, sys
print(json.load(sys.stdin)["summary"])')" "$bidi"
nestor event edit 1 --location "Room 4" >/dev/null
nestor google sync >out
expect_eq "the local edit pushed" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"
expect_eq "Google's title unchanged" "$(gctl /_state | python3 -c 'import json, sys
e = [e for e in json.load(sys.stdin)["events"]["work@example.com"] if e["id"] == "ev1"][0]
print(e["summary"], "|", e["location"])')" "$bidi | Room 4"

# Times out of range (month 13, day 45, hour 99, an offset of -99:99) are
# refused, not carried into the next month or day: the new version is
# skipped, named on stderr and counted, and the copy stored before stays.
for when in '"date": "2026-13-45"' '"dateTime": "2026-06-02T99:00:00Z"' \
	'"dateTime": "2026-06-02T10:00:00-99:99"'; do
	gctl /_edit '{"calendar": "work@example.com", "id": "ev1", "patch": {"start": {'"$when"'}}}' >/dev/null
	nestor google sync >out 2>err
	expect_eq "start $when: skipped" "$(cat out)" "1 calendars: pushed 0, pulled 0, removed 0, skipped 1"
	expect_eq "start $when: why" "$(cat err)" \
		"nestor: warning: google: calendar \"Work\": event \"ev1\" skipped: bad start \"${when#*: \"}"
done
expect_match "the event kept" "$(nestor event show 1)" 'start +2026-06-02T10:00:00\+00:00'
# a full pull keeps it too: its Google id was seen
nestor google sync --full >out 2>err
expect_eq "full pull: skipped" "$(cat out)" "1 calendars: pushed 0, pulled 0, removed 0, skipped 1"
expect_match "the event kept by a full pull" "$(nestor event show 1)" 'start +2026-06-02T10:00:00\+00:00'

# Items nestor cannot store (a zone it does not know, an RRULE it cannot
# read, a day past 9999, no id at all) are skipped one by one, each named
# by its Google id, and the rest of the calendar still syncs, every time.
# An instance of a series skipped is skipped and named too.
gctl /_edit '{"calendar": "work@example.com", "id": "ev1", "patch": {"start": {"dateTime": "2026-06-02T10:00:00Z"}}}' >/dev/null
bad() { # ID FIELDS: an event of 2026-06-03 with more fields
	printf '{"id": "%s", "summary": "bad %s", "start": {"dateTime": "2026-06-03T10:00:00Z"}, "end": {"dateTime": "2026-06-03T11:00:00Z"}%s}' "$1" "$1" "${2-}"
}
gctl /_seed '{"events": {"work@example.com": ['"$(bad tz ', "start": {"dateTime": "2026-06-03T10:00:00Z", "timeZone": "Mars/Olympus"}')"',
  '"$(bad rule ', "recurrence": ["RRULE:FREQ=DAILY;BYDAY=XX"]')"',
  '"$(bad far ', "start": {"date": "9999-12-31"}, "end": {"date": "10000-01-01"}')"',
  '"$(bad noid)"', {"id": "rule_20260604T100000Z", "recurringEventId": "rule", "summary": "moved",
   "originalStartTime": {"dateTime": "2026-06-03T10:00:00Z"},
   "start": {"dateTime": "2026-06-04T12:00:00Z"}, "end": {"dateTime": "2026-06-04T13:00:00Z"}},
  {"id": "good", "summary": "Good", "start": {"dateTime": "2026-06-04T10:00:00Z"}, "end": {"dateTime": "2026-06-04T11:00:00Z"}}]}}' >/dev/null
gctl /_edit '{"calendar": "work@example.com", "id": "noid", "patch": {"id": ""}}' >/dev/null
pulled=2
for round in 1 2 3; do
	gctl /_control '{"expire_sync": true}' >/dev/null
	nestor google sync >out 2>err
	expect_eq "round $round: the rest pulled" "$(cat out)" "1 calendars: pushed 0, pulled $pulled, removed 0, skipped 5"
	pulled=0
	expect_eq "round $round: each named" "$(sort err)" 'nestor: warning: google: calendar "Work": an event without an id skipped
nestor: warning: google: calendar "Work": event "far" skipped: bad end "10000-01-01"
nestor: warning: google: calendar "Work": event "rule" skipped: bad RRULE "FREQ=DAILY;BYDAY=XX"
nestor: warning: google: calendar "Work": event "rule_20260604T100000Z" skipped: its series "rule" was skipped
nestor: warning: google: calendar "Work": event "tz" skipped: unknown time zone "Mars/Olympus"'
done
expect_eq "no copies of what has no id" "$(nestor agenda --from 2026-06-02 --to 2026-06-04 --json | python3 -c 'import json, sys
print(" ".join(sorted(o["summary"][:4] for o in json.load(sys.stdin))))')" "Good Meet"
nestor google sync --full --json >out 2>/dev/null
expect_eq "skipped in --json" "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["skipped"])' <out)" 5
expect_match "skipped in the log" "$(cat "$NESTOR_HOME/nestor.log")" 'event \\"tz\\" skipped: unknown time zone'

# Attendees: a name with an escape is cleaned; an address with a newline
# (that would add an attendee line of its own) is left out, and so is an
# empty one; one warning in the log names the event.
gctl /_seed '{"events": {"work@example.com": [{"id": "inv", "summary": "invite", "start": {"dateTime": "2026-06-03T10:00:00Z"}, "end": {"dateTime": "2026-06-03T11:00:00Z"},
   "attendees": [{"email": "eve@example.com", "displayName": "Eve \u009b31m \"E\"\nX", "responseStatus": "tentative"},
     {"email": "mal@example.com\nATTENDEE;CN=Your Boss;PARTSTAT=ACCEPTED:mailto:boss@example.com"},
     {"email": "", "displayName": "Nobody"}]}]}}' >/dev/null
nestor google sync >out
expect_eq "the invitation pulled" "$(cat out)" "1 calendars: pushed 0, pulled 1, removed 0"
id=$(nestor agenda --from 2026-06-03 --to 2026-06-03 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
expect_eq "attendees as Google has them, cleaned" "$(nestor event show "$id" --json | python3 -c 'import json, sys
print("|".join(json.load(sys.stdin)["attendees"]))')" "ATTENDEE;CN=Eve 31m 'E' X;PARTSTAT=TENTATIVE:mailto:eve@example.com"
expect_eq "no attendee made up in the export" "$(nestor export | grep -c -e 'boss@' -e 'mal@')" 0
expect_match "the attendee left out is logged" "$(cat "$NESTOR_HOME/nestor.log")" \
	'calendar \\"Work\\": event \\"inv\\": 2 attendees left out \(an address that is empty, not UTF-8, or holds a control character'
expect_eq "one warning for it" "$(grep -c 'attendee.* left out' "$NESTOR_HOME/nestor.log")" 1

# Pages that never end: a next page token seen before stops the list at
# once, and a list stops after 1000 pages; nothing of it is stored.
gctl /_edit '{"calendar": "work@example.com", "id": "ev1", "patch": {"start": {"dateTime": "2026-06-02T10:00:00Z"}}}' >/dev/null
gctl /_control '{"expire_sync": true, "pages": "loop"}' >/dev/null
sync_fails "a repeated page token" 'calendar "Work": page 2 repeats the token of page 1$' 1
gctl /_control '{"pages": "endless"}' >/dev/null
sync_fails "endless pages" 'calendar "Work": more than 1000 pages of events$' 1
expect_eq "pages asked for" "$(gctl /_requests | python3 -c 'import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["path"].endswith("/events") and r["query"].get("pageToken", "").startswith("p")))')" 999
gctl /_control '{"pages": null}' >/dev/null
nestor google sync >out
expect_match "then a sync that ends" "$(cat out)" 'pulled 1, removed 0'

# Tokens from the token endpoint go into an Authorization header and the
# keyring: one with a line break (a header of its own), a space, or over
# 4096 bytes is refused with one line naming the field, not quoting it;
# 4096 bytes is still a token (the fake then wants a fresh one).
gctl /_control '{"token_fields": {"access_token": "tok\r\nX-Injected: yes"}}' >/dev/null
sync_fails "an access token with a line break" \
	'^nestor: google sync: 127\.0\.0\.1:[0-9]+: the answer.s access_token is no token \(printable ASCII without spaces, at most 4096 bytes\)$'
if grep -q 'Injected' err; then fail "the bad token quoted: $(cat err)"; fi
gctl /_control '{"token_fields": {"refresh_token": "1//a b"}}' >/dev/null
sync_fails "a refresh token with a space" "the answer.s refresh_token is no token"
gctl /_control '{"token_fields": {"access_token": "'"$(printf '%04097d' 0)"'"}}' >/dev/null
sync_fails "an access token over 4096 bytes" "the answer.s access_token is no token"
gctl /_control '{"token_fields": {"access_token": "'"$(printf '%04096d' 0)"'"}}' >/dev/null
nestor google sync >out
expect_match "a token of 4096 bytes, then a sync" "$(cat out)" 'pulled 0, removed 0'

# A calendar list entry's other fields: an id with a control character
# skips the calendar with a warning naming it (escaped); a role Google
# does not document is taken as reader, a colour that is not #rrggbb and
# a zone that is no zone name are left out.
gctl /_seed '{"calendars": [{"id": "evil\u001b]0;x\u0007@example.com", "summary": "Evil", "accessRole": "owner"},
  {"id": "odd@example.com", "summary": "Odd", "accessRole": "owner\u001b[31m",
   "backgroundColor": "#fff\u001b[2J", "timeZone": "Europe/Berlin\r\nX"},
  {"id": "fine@example.com", "summary": "Fine", "accessRole": "freeBusyReader",
   "backgroundColor": "#9FE1e7", "timeZone": "America/New_York"}]}' >/dev/null
nestor google sync >out 2>err
expect_eq "the bad id named" "$(cat err)" \
	'nestor: warning: google: calendar "evil\x1b]0;x\x07@example.com" skipped: calendar id: control character U+001B (byte 5)'
nestor calendar list --json | python3 -c 'import json, sys
cals = {c["remote_id"]: c for c in json.load(sys.stdin) if c["source"] == "google"}
assert not [i for i in cals if i.startswith("evil")], list(cals)
odd, fine = cals["odd@example.com"], cals["fine@example.com"]
assert (odd["access"], odd.get("color"), odd.get("timezone")) == ("reader", None, None), odd
assert (fine["access"], fine["color"], fine["timezone"]) == ("freeBusyReader", "#9FE1e7", "America/New_York"), fine' ||
	fail "calendar list: control characters kept"
expect_match "an unknown role is read-only" "$(nestor calendar list)" 'Odd  google, sync (on|off), read-only'

# The name a Google calendar is stored under is one a calendar can have, here
# and on another device: a name taken already gets " (Google)" within 1000
# bytes (cut between characters), an empty summaryOverride the calendar's id.
e500=$(python3 -c 'print("\u00e9" * 500)')
nestor calendar add "$e500" >/dev/null
gctl /_seed '{"calendars": [{"id": "taken@example.com", "summary": "'"$e500"'", "accessRole": "owner"},
  {"id": "blank@example.com", "summary": "Blank", "summaryOverride": "", "accessRole": "owner"}]}' >/dev/null
nestor google sync >out 2>err || fail "calendar names: the sync failed: $(cat err)"
nestor calendar list --json | python3 -c 'import json, sys
cals = {c["remote_id"]: c for c in json.load(sys.stdin) if c["source"] == "google"}
taken, blank = cals["taken@example.com"]["name"], cals["blank@example.com"]["name"]
assert taken == "\u00e9" * 495 + " (Google)", (len(taken.encode()), taken[-12:])
assert blank == "blank@example.com", repr(blank)' || fail "calendar names: not names a calendar can have"

# A calendar an older nestor stored under an id now refused keeps neither
# pulling nor pushing: its sync is turned off with a warning naming it,
# whether Google still lists it or not, and its events stay; named, it is
# refused.  Its changes wait in the outbox.
sqlite3 "$NESTOR_HOME/nestor.db" "INSERT INTO calendars(name, source, remote_id, access, sync)
  VALUES ('Legacy', 'google', 'old' || char(27) || '@example.com', 'owner', 1)"
nestor event add Kept --at "2026-06-05 10:00" --for 1h --calendar Legacy >/dev/null
legacy_warn='nestor: warning: google: calendar "old\x1b@example.com" skipped: calendar id: control character U+001B (byte 4); sync of "Legacy" turned off, its events stay'
legacy() { nestor calendar list --json | python3 -c 'import json, sys
c = [c for c in json.load(sys.stdin) if c["name"] == "Legacy"][0]
print(c["sync"], c["access"], c["events"])'; }
nestor google sync >out 2>err || fail "an unlisted legacy id: the sync failed: $(cat err)"
expect_eq "an unlisted legacy id: warned" "$(grep old err)" "$legacy_warn"
expect_eq "an unlisted legacy id: sync off" "$(legacy)" "False owner 1"
nestor calendar sync Legacy on >/dev/null
gctl /_seed '{"calendars": [{"id": "old\u001b@example.com", "summary": "Legacy", "accessRole": "reader"}],
 "events": {"old\u001b@example.com": [{"id": "lg1", "summary": "pulled", "start": {"dateTime": "2026-06-05T12:00:00Z"}, "end": {"dateTime": "2026-06-05T13:00:00Z"}}]}}' >/dev/null
nestor google sync --json >out 2>err || fail "a listed legacy id: the sync failed: $(cat err)"
expect_eq "a listed legacy id: warned" "$(grep old err)" "$legacy_warn"
expect_eq "a listed legacy id: sync off" "$(legacy)" "False owner 1"
expect_eq "a listed legacy id: nothing pulled or pushed" "$(python3 -c 'import json, sys
r = json.load(sys.stdin); print(r["pulled"], r["pushed"], r["pending"])' <out)" "0 0 1"
expect_eq "nothing of it sent to Google" "$(gctl /_state | python3 -c 'import json, sys
print(" ".join(sorted(e["id"] for e in json.load(sys.stdin)["events"]["old\x1b@example.com"])))')" "lg1"
# still listed, its sync off already: skipped, not turned off again
nestor google sync >out 2>err || fail "a listed legacy id, off: the sync failed: $(cat err)"
expect_eq "a listed legacy id, off: skipped" "$(grep old err)" "${legacy_warn%%; sync of*}"
google_sync_fails "a legacy id named" 2 \
	'nestor: google sync: calendar "Legacy" is not synced: its Google id "old\x1b@example.com" is refused: calendar id: control character U+001B (byte 4)' --calendar Legacy
