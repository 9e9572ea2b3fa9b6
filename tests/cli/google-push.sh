# Google Calendar, the push: local add, edit and delete reach the fake Google
# with the event's own id and If-Match; a 412 is settled by each
# google.conflict policy and recorded; an insert interrupted by SIGKILL
# after Google stored it is not duplicated when sent again, nor is a patch
# Google applied recorded as a conflict when sent again.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_start
fake_google_config
fake_google_signed_in
CAL=work@example.com
gctl /_seed '{"calendars": [{"id": "'$CAL'", "summary": "Work", "timeZone": "Europe/Berlin",
  "accessRole": "owner", "defaultReminders": []}]}' >/dev/null
nestor google sync >/dev/null
# what the fake holds: "ID SUMMARY LOCATION ETAG" for each live event
remote() {
	gctl /_state | python3 -c 'import json, sys
for e in json.load(sys.stdin)["events"].get("'$CAL'", []):
    if e.get("status") != "cancelled":
        print(e["id"], e.get("summary"), e.get("location"), e["etag"])'
}
# the If-Match of the last request of METHOD
last_if_match() {
	gctl /_requests | python3 -c 'import json, sys
print([r for r in json.load(sys.stdin) if r["method"] == "'$1'"][-1]["if_match"])'
}
nconflicts() {
	nestor sync conflicts --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
# a sync killed (SIGKILL) once CHECK holds: sync_killed_when WHAT CHECK
sync_killed_when() {
	"$NESTOR_BIN" google sync > out 2>&1 &
	pid=$!
	wait_until "$1" "$2"
	kill -9 $pid
	wait $pid 2>/dev/null || true
}

# add: an insert with a client id of base32hex digits
id=$(nestor event add Review --at "2026-06-03 10:00" --for 1h --calendar Work)
nestor google sync > out
expect_eq "sync after add" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"
set -- $(remote)
expect_eq "Google has the event" "$2" Review
expect_match "client id" "$1" '^[0-9a-v]{20,}$'
RID=$1 ETAG=$4
# edit: a patch with the etag Google gave
nestor event edit "$id" --location "Room 4" >/dev/null
nestor google sync >/dev/null
expect_eq "edit sent with If-Match" "$(last_if_match PATCH)" "$ETAG"
set -- $(remote)
expect_eq "Google has the edit" "$3" "Room"
ETAG=$5

# 412, google.conflict newest: the remote change is newer: it wins here
gctl /_edit '{"calendar": "'$CAL'", "id": "'$RID'", "patch": {"summary": "Review (theirs)"}}' >/dev/null
nestor event edit "$id" --summary "Review (mine)" >/dev/null
nestor google sync --json > out
expect_match "one conflict" "$(cat out)" '"conflicts":[[:space:]]*1'
expect_eq "newest: Google's edit here" "$(nestor event show "$id" | sed -n 's/^summary *//p')" \
	"Review (theirs)"
nestor sync conflicts > out
expect_match "conflict recorded" "$(cat out)" 'Review \(theirs\).* from google replaced yours.*Review \(mine\)'
# newest, the local change newer (Google's pinned in the past): it wins there
gctl /_edit '{"calendar": "'$CAL'", "id": "'$RID'",
  "patch": {"summary": "Old theirs", "updated": "2020-01-01T00:00:00.000Z"}}' >/dev/null
nestor event edit "$id" --summary "Newer mine" >/dev/null
nestor google sync >/dev/null
expect_eq "newest: local edit in Google" "$(remote | cut -d' ' -f2-3)" "Newer mine"

# google.conflict remote: Google's wins whatever the times
nestor config set google.conflict remote >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "'$RID'",
  "patch": {"summary": "Remote wins", "updated": "2020-01-01T00:00:00.000Z"}}' >/dev/null
nestor event edit "$id" --summary "Lost here" >/dev/null
nestor google sync >/dev/null
expect_eq "remote: Google's edit here" "$(nestor event show "$id" | sed -n 's/^summary *//p')" \
	"Remote wins"
expect_eq "remote: Google unchanged" "$(remote | cut -d' ' -f2-3)" "Remote wins"

# google.conflict local: ours wins whatever the times
nestor config set google.conflict local >/dev/null
gctl /_edit '{"calendar": "'$CAL'", "id": "'$RID'", "patch": {"summary": "Lost there"}}' >/dev/null
nestor event edit "$id" --summary "Local wins" >/dev/null
nestor google sync >/dev/null
expect_eq "local: our edit in Google" "$(remote | cut -d' ' -f2-3)" "Local wins"
expect_eq "local: kept here" "$(nestor event show "$id" | sed -n 's/^summary *//p')" "Local wins"
n=$(nconflicts)
expect_eq "conflicts recorded" "$n" 4

# delete: with If-Match, and the event is gone in Google
set -- $(remote)
ETAG=$(remote | awk '{print $NF}')
nestor event rm "$id" >/dev/null
nestor google sync >/dev/null
expect_eq "delete sent with If-Match" "$(last_if_match DELETE)" "$ETAG"
expect_eq "gone in Google" "$(remote)" ""

# SIGKILL after Google stored the insert, before its answer was kept
gctl /_control '{"hang_insert": true}' >/dev/null
nestor event add Standup --at "2026-06-04 09:00" --for 15m --calendar Work >/dev/null
inserted() { gctl /_state | grep -q '"summary": "Standup"'; }
sync_killed_when "the insert to reach Google" inserted
nestor google sync > out
expect_eq "insert sent again" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"
expect_eq "one event in Google" "$(remote | grep -c Standup)" 1
nestor google sync --full >/dev/null
expect_eq "one event here" "$(nestor agenda --from 2026-06-04 --to 2026-06-04 | grep -c Standup)" 1

# SIGKILL after Google applied a patch, before its answer was kept: sent
# again with the old etag it gets 412, but Google holds this very change:
# it is taken as pushed, with Google's etag, and no conflict is recorded
nestor config set google.conflict newest >/dev/null
id=$(nestor event add Kickoff --at "2026-06-05 09:00" --for 1h --calendar Work)
nestor google sync >/dev/null
before=$(nconflicts)
gctl /_control '{"hang_patch": true}' >/dev/null
nestor event edit "$id" --summary "Kickoff v2" >/dev/null
patched() { gctl /_state | grep -q '"summary": "Kickoff v2"'; }
sync_killed_when "the patch to reach Google" patched
nestor google sync > out
expect_eq "patch taken as pushed" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"
n=$(nconflicts)
expect_eq "no conflict recorded" "$n" "$before"
expect_eq "kept here" "$(nestor event show "$id" | sed -n 's/^summary *//p')" "Kickoff v2"
expect_eq "kept in Google" "$(remote | grep -c 'Kickoff v2')" 1
# the next edit goes with the etag Google has
ETAG=$(remote | grep Kickoff | awk '{print $NF}')
nestor event edit "$id" --summary "Kickoff v3" >/dev/null
nestor google sync > out
expect_eq "next edit pushed" "$(cat out)" "1 calendars: pushed 1, pulled 0, removed 0"
expect_eq "with Google's etag" "$(last_if_match PATCH)" "$ETAG"
