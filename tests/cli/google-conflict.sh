# Google Calendar, a 412 conflict whose record cannot be written (a trigger
# makes the insert into sync_conflicts fail): the sync fails and changes
# nothing, so the next one records the conflict; the version overwritten is
# never lost unrecorded, whichever side wins.  A push Google refuses leaves
# no record of an overwrite that did not happen.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_start
fake_google_config
fake_google_signed_in
CAL=work@example.com
DB=$NESTOR_HOME/nestor.db
gctl /_seed '{"calendars": [{"id": "'$CAL'", "summary": "Work", "timeZone": "Europe/Berlin",
  "accessRole": "owner", "defaultReminders": []}]}' >/dev/null
nestor google sync >/dev/null
remote_summary() {
	gctl /_state | python3 -c 'import json, sys
for e in json.load(sys.stdin)["events"].get("'$CAL'", []):
    if e.get("status") != "cancelled":
        print(e.get("summary"))'
}
here() { nestor event show "$id" | sed -n 's/^summary *//p'; }
nconflicts() { sqlite3 "$DB" "SELECT count(*) FROM sync_conflicts"; }
block() { sqlite3 "$DB" "CREATE TRIGGER f BEFORE INSERT ON sync_conflicts BEGIN SELECT RAISE(ABORT, 'x'); END"; }
unblock() { sqlite3 "$DB" "DROP TRIGGER f"; }
pending() { sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE target = 'google'"; }
sync_fails() {
	set +e
	nestor google sync >out 2>err
	rc=$?
	set -e
	expect_eq "$1: exit" "$rc" 1
}
# both sides change the event: Google to THEIRS, this device to MINE
both_edit() {
	gctl /_edit '{"calendar": "'$CAL'", "id": "'$rid'", "patch": {"summary": "'"$1"'"}}' >/dev/null
	nestor event edit "$id" --summary "$2" >/dev/null
}

id=$(nestor event add Review --at "2026-06-03 10:00" --for 1h --calendar Work)
nestor google sync >/dev/null
rid=$(gctl /_state | python3 -c 'import json, sys
print(json.load(sys.stdin)["events"]["'$CAL'"][0]["id"])')

# Google wins (google.conflict remote): the record and the local overwrite
# are one transaction
nestor config set google.conflict remote >/dev/null
both_edit "Theirs 1" "Mine 1"
block
sync_fails "remote wins, record failing"
expect_eq "remote wins, record failing: kept here" "$(here)" "Mine 1"
expect_eq "remote wins, record failing: still to push" "$(pending)" 1
expect_eq "remote wins, record failing: no record" "$(nconflicts)" 0
unblock
nestor google sync >/dev/null
expect_eq "remote wins: Google's here" "$(here)" "Theirs 1"
expect_eq "remote wins: recorded" "$(nconflicts)" 1
expect_eq "remote wins: the record keeps mine" \
	"$(sqlite3 "$DB" "SELECT mine LIKE '%Mine 1%' FROM sync_conflicts")" 1

# this device wins (google.conflict local): recorded before the push
nestor config set google.conflict local >/dev/null
both_edit "Theirs 2" "Mine 2"
block
sync_fails "local wins, record failing"
expect_eq "local wins, record failing: Google keeps its own" "$(remote_summary)" "Theirs 2"
expect_eq "local wins, record failing: still to push" "$(pending)" 1
unblock
nestor google sync >/dev/null
expect_eq "local wins: ours in Google" "$(remote_summary)" "Mine 2"
expect_eq "local wins: recorded" "$(nconflicts)" 2
expect_eq "local wins: the record keeps theirs" \
	"$(sqlite3 "$DB" "SELECT mine LIKE '%Theirs 2%' FROM sync_conflicts ORDER BY id DESC LIMIT 1")" 1

# this device wins, but Google refuses the push for now: nothing was
# overwritten, no record; it waits (backoff), and the sync once it is due
# settles it and records it once
both_edit "Theirs 3" "Mine 3"
gctl /_control '{"fail": [{"method": "PATCH", "path": "'$rid'", "status": 412,
  "reason": "conditionNotMet", "count": 1}, {"method": "PATCH", "path": "'$rid'",
  "status": 403, "reason": "forbidden", "count": 1}]}' >/dev/null
sync_fails "local wins, push refused"
expect_eq "push refused: Google keeps its own" "$(remote_summary)" "Theirs 3"
expect_eq "push refused: no record" "$(nconflicts)" 2
expect_match "push refused: its message" "$(cat err)" "HTTP 403"
expect_eq "push refused: waits" "$(pending)" 1
NESTOR_NOW=$((TEST_T0 + 86400))@$TEST_REAL0 nestor google sync >/dev/null
expect_eq "after the refusal: ours in Google" "$(remote_summary)" "Mine 3"
expect_eq "after the refusal: recorded once" "$(nconflicts)" 3

# a push that fails for now says why
nestor event edit "$id" --summary "Mine 4" >/dev/null
gctl /_control '{"fail": [{"method": "PATCH", "path": "'$rid'", "status": 403,
  "reason": "forbidden", "count": 1}]}' >/dev/null
sync_fails "push failing"
expect_eq "push failing: its message" "$(cat err)" \
	"nestor: google sync: 1 changes could not be pushed (retried later): Google: push: HTTP 403: injected"
