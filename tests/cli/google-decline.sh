# Google Calendar: one occurrence of a series the user declined alone
# (Google's instance, recurringEventId and originalStartTime, whose
# attendee entry for the user, self, answers "declined") is shown and not
# reminded; the others are; the agenda marks it "(declined)" (and
# "declined": true in its JSON); accepted again, it is reminded again.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_session
seed_work
who() { echo '[{"email": "boss@example.com", "organizer": true, "responseStatus": "accepted"},
 {"email": "me@example.com", "self": true, "responseStatus": "'$1'"}]'; }
due() { nestor remind list --all --json | python3 -c 'import json, sys
print(" ".join(r["at"] for r in json.load(sys.stdin) if r["text"].startswith("Weekly sync")))'; }
gctl /_seed '{"events": {"'$CAL'": [{"id": "wk01", "summary": "Weekly sync",
  "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
  "start": {"dateTime": "2026-06-08T10:00:00Z"}, "end": {"dateTime": "2026-06-08T11:00:00Z"},
  "attendees": '"$(who accepted)"',
  "reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 10}]}}]}}' >/dev/null
nestor google sync >/dev/null
expect_eq "the series: its first occurrence reminded" "$(due)" "2026-06-08T09:50:00+00:00"

# the first occurrence declined in Google, that one alone
gctl /_seed '{"events": {"'$CAL'": [{"id": "wk01_20260608T100000Z", "recurringEventId": "wk01",
  "summary": "Weekly sync", "originalStartTime": {"dateTime": "2026-06-08T10:00:00Z"},
  "start": {"dateTime": "2026-06-08T10:00:00Z"}, "end": {"dateTime": "2026-06-08T11:00:00Z"},
  "attendees": '"$(who declined)"',
  "reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 10}]}}]}}' >/dev/null
nestor google sync >/dev/null
nestor agenda --from 2026-06-08 --to 2026-06-15 --calendar Work >agenda
expect_match "declined: still in the agenda, marked" "$(cat agenda)" "Weekly sync \(declined\) — every"
expect_eq "declined: the next one not marked" "$(grep -c 'Weekly sync — every' agenda)" 1
expect_eq "declined: agenda --json marks that occurrence alone" \
	"$(nestor agenda --from 2026-06-08 --to 2026-06-15 --calendar Work --json | python3 -c '
import json, sys; print([(o["start"][:10], o["declined"]) for o in json.load(sys.stdin)])')" \
	"[('2026-06-08', True), ('2026-06-15', False)]"
expect_eq "declined: not reminded, the next one is" "$(due)" "2026-06-15T09:50:00+00:00"
sid=$(sqlite3 "$DB" "SELECT id FROM events WHERE remote_id = 'wk01'")
expect_match "declined: event show says so" "$(nestor event show "$sid")" \
	"changes    1 changed occurrence, 1 declined"
expect_eq "declined: event show --json counts it" "$(nestor event show "$sid" --json |
	python3 -c 'import json, sys; e = json.load(sys.stdin); print(e["overrides"], e["declined"])')" "1 1"

# the series edited here (and sent): the occurrence stays declined
nestor event edit "$sid" --location "Room 7" >/dev/null
expect_eq "edited here: still not reminded" "$(due)" "2026-06-15T09:50:00+00:00"
nestor google sync >/dev/null
expect_eq "sent: still not reminded" "$(due)" "2026-06-15T09:50:00+00:00"

expect_match "edited here: the agenda still marks it" \
	"$(nestor agenda --from 2026-06-08 --to 2026-06-08 --calendar Work)" "Weekly sync \(declined\) \(Room 7\)"

# accepted again in Google: reminded again
gctl /_edit '{"calendar": "'$CAL'", "id": "wk01_20260608T100000Z",
  "patch": {"attendees": '"$(who accepted)"'}}' >/dev/null
nestor google sync >/dev/null
expect_eq "accepted again: reminded again" "$(due)" "2026-06-08T09:50:00+00:00"
expect_eq "accepted again: no mark" \
	"$(nestor agenda --from 2026-06-08 --to 2026-06-08 --calendar Work | grep -c declined || true)" 0
