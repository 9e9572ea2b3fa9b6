# Google Calendar: an event's zone changed here from a tzdata zone to one
# only a calendar file defines (an Outlook name), its instants the same,
# sends nothing: Google cannot take that name, and the times alone (UTC)
# would put the event in the calendar's zone in Google instead of the one
# it has.  The zone here stays, through a full pull and a later edit.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_session
seed_work
patches() { gctl /_requests | python3 -c 'import json, sys
print(" ".join(r["body"] for r in json.load(sys.stdin) if r["method"] == "PATCH"))'; }
there() { gctl /_state | python3 -c 'import json, sys
e = [e for e in json.load(sys.stdin)["events"]["'$CAL'"] if e["summary"] == "Berlin review"][0]
print(e["start"]["dateTime"], e["start"].get("timeZone"), e["end"]["dateTime"], e["end"].get("timeZone"))'; }
zone() { sqlite3 "$DB" "SELECT tzid FROM events WHERE id = $id"; }
nestor import "$SRC/tests/data/outlook-zone.ics" --calendar personal >/dev/null
id=$(nestor event add "Berlin review" --at "2026-06-12 10:00" --for 1h --tz Europe/Berlin --calendar Work)
nestor google sync >/dev/null
want="2026-06-12T08:00:00Z Europe/Berlin 2026-06-12T09:00:00Z Europe/Berlin"
expect_eq "sent in its zone" "$(there)" "$want"

nestor event edit "$id" --tz "W. Europe Standard Time" >/dev/null
expect_eq "the same instants here" "$(nestor event show "$id" | grep '^start')" \
	"start      2026-06-12T08:00:00+00:00"
nestor google sync >out 2>err
expect_eq "nothing sent" "$(patches) $(cat err)" " "
expect_eq "nothing left queued" "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE target = 'google'")" 0
expect_eq "Google keeps its zone" "$(there)" "$want"
expect_eq "the zone here stays" "$(zone)" "W. Europe Standard Time"
nestor google sync --full >/dev/null
expect_eq "a full pull: the zone here stays" "$(zone)" "W. Europe Standard Time"

# a later edit sends what changed, not the times
nestor event edit "$id" --location "Room 9" >/dev/null
nestor google sync >/dev/null
nestor google sync >/dev/null
expect_eq "an edit: the edit alone" "$(patches)" '{"location":"Room 9"}'
expect_eq "an edit: Google keeps its zone" "$(there)" "$want"
expect_eq "an edit: the zone here stays" "$(zone)" "W. Europe Standard Time"
