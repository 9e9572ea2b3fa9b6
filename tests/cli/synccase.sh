# The two-device scenario of sync.sh and sync-reverse.sh (sourced after
# lib.sh and pg.sh; run alone it only defines functions).
#
# run_case TAG USER FIRST SECOND: a fresh pair of devices TAG-a and TAG-b of
# USER against the running server; both add, edit and delete tasks, events
# and reminders while the server is down; then they sync in the order FIRST
# SECOND FIRST SECOND, and must hold the same rows (local ids aside), with
# every change there, the later of two edits of one field kept, and the
# losing edit recorded as a conflict where it was made.
# listing DEVICE: tasks, reminders and a month of agenda, local ids left out,
# sorted, so two devices can be compared byte for byte
listing() {
	{
		on "$1" task list --all --json
		echo '#'
		on "$1" remind list --all --json
		echo '#'
		on "$1" agenda --from 2030-01-01 --to 2030-02-01 --json
	} | python3 -c '
import json, sys
parts = sys.stdin.read().split("\n#\n")
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != "id"}
    if isinstance(v, list):
        return sorted((strip(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    return v
for p in parts:
    print(json.dumps(strip(json.loads(p)), sort_keys=True, indent=1))
'
}
# compact: JSON on one line, so a pattern can span an object
compact() {
	python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))'
}
# id_of DEVICE TITLE: the local id of a task
id_of() {
	on "$1" task list --all --json | python3 -c '
import json, sys
print(next(t["id"] for t in json.load(sys.stdin) if t["title"] == sys.argv[1]))' "$2"
}
rid_of() {
	on "$1" remind list --all --json | python3 -c '
import json, sys
print(next(t["id"] for t in json.load(sys.stdin) if t["text"] == sys.argv[1]))' "$2"
}
eid_of() {
	on "$1" agenda --from 2030-01-01 --to 2030-02-01 --json | python3 -c '
import json, sys
print(next(t["id"] for t in json.load(sys.stdin) if t["summary"] == sys.argv[1]))' "$2"
}

# run_case TAG USER FIRST SECOND: a fresh pair of devices TAG-a and TAG-b of
# USER, offline edits, then syncs in the order FIRST SECOND FIRST SECOND
run_case() {
	a=$1-a
	b=$1-b
	on admin user add "$2" >/dev/null
	device "$a" "$2"
	device "$b" "$2"
	# what both start with
	on "$a" task add "fields" >/dev/null
	on "$a" task add "same field" >/dev/null
	on "$a" task add "doomed" >/dev/null
	on "$a" remind add "water the plants" --at "2030-01-10 09:00" >/dev/null
	on "$a" remind add "pay rent" --at "2030-01-05 10:00" >/dev/null
	on "$a" event add "standup" --at "2030-01-07 09:00" --for 15m >/dev/null
	on "$a" event add "dentist" --at "2030-01-08 14:00" --for 1h >/dev/null
	on "$a" sync >/dev/null
	on "$b" sync >/dev/null
	expect_eq "$1: B has A's tasks" "$(on "$b" task list --json | grep -c '"title"')" 3

	pg_kill
	# A, offline
	on "$a" task edit "$(id_of "$a" fields)" --priority 7 >/dev/null
	on "$a" task edit "$(id_of "$a" "same field")" --title "same field (A)" >/dev/null
	on "$a" task add "only on A" --due 2030-01-03 >/dev/null
	on "$a" task rm "$(id_of "$a" doomed)" >/dev/null
	on "$a" remind cancel "$(rid_of "$a" "pay rent")" >/dev/null
	on "$a" remind add "A's new reminder" --at "2030-01-20 08:00" >/dev/null
	on "$a" event edit "$(eid_of "$a" standup)" --location "room 4" >/dev/null
	on "$a" event add "A's event" --at "2030-01-15 12:00" --for 1h >/dev/null
	# B, offline, later
	on "$b" task edit "$(id_of "$b" fields)" --notes "from B" >/dev/null
	on "$b" task edit "$(id_of "$b" "same field")" --title "same field (B)" >/dev/null
	on "$b" task add "only on B" >/dev/null
	on "$b" task done "$(id_of "$b" "only on B")" >/dev/null
	on "$b" task edit "$(id_of "$b" doomed)" --notes "edited while A deleted it" >/dev/null
	on "$b" remind snooze "$(rid_of "$b" "water the plants")" 1h >/dev/null
	on "$b" event rm "$(eid_of "$b" dentist)" >/dev/null
	on "$b" event edit "$(eid_of "$b" standup)" --summary "daily standup" >/dev/null

	# the server is down: sync fails with one line, and nothing is lost
	if on "$a" sync >out 2>err; then fail "$1: sync worked with the server down"; fi
	expect_match "$1: error" "$(cat err)" '^nestor: sync: server: '
	expect_eq "$1: error lines" "$(wc -l < err | tr -d ' ')" 1
	expect_match "$1: status shows the error" "$(on "$a" sync status)" 'last error .* ago: server'
	expect_match "$1: status shows pending" "$(on "$a" sync status --json)" '"pending":[[:space:]]*[1-9]'

	pg_up
	first=$1-$3
	second=$1-$4
	on "$first" sync >/dev/null
	on "$second" sync >/dev/null
	on "$first" sync >/dev/null
	on "$second" sync >/dev/null
	listing "$a" >"$1.a"
	listing "$b" >"$1.b"
	cmp -s "$1.a" "$1.b" || fail "$1: the devices differ: $(diff "$1.a" "$1.b" | head -20)"

	# every change is there
	t=$(on "$a" task list --all --json | compact)
	expect_match "$1: both fields" "$t" '"title":[[:space:]]*"fields",[^}]*"notes":[[:space:]]*"from B",[^}]*"priority":[[:space:]]*7'
	expect_match "$1: later title wins" "$t" '"same field \(B\)"'
	case $t in *'"same field (A)"'*) fail "$1: the earlier title survived" ;; esac
	expect_match "$1: A's task" "$t" '"only on A"'
	expect_match "$1: B's done task" "$t" '"only on B",[^}]*"status":[[:space:]]*"done"'
	case $t in *'"doomed"'*) fail "$1: a deleted task came back" ;; esac
	r=$(on "$b" remind list --all --json | compact)
	expect_match "$1: cancelled on A" "$r" '"pay rent",[^}]*"state":[[:space:]]*"cancelled"'
	expect_match "$1: snoozed on B" "$r" '"water the plants",[^}]*"state":[[:space:]]*"pending"'
	expect_match "$1: A's reminder" "$r" "\"A's new reminder\""
	g=$(on "$a" agenda --from 2030-01-01 --to 2030-02-01 --json | compact)
	expect_match "$1: event fields from both" "$g" '"daily standup",[^}]*"location":[[:space:]]*"room 4"'
	case $g in *'"dentist"'*) fail "$1: a deleted event came back" ;; esac
	expect_match "$1: A's event" "$g" "\"A's event\""
	# counts: nothing duplicated
	expect_eq "$1: tasks" "$(echo "$t" | grep -o '"title"' | wc -l | tr -d ' ')" 4
	expect_eq "$1: reminders" "$(echo "$r" | grep -o '"text"' | wc -l | tr -d ' ')" 3

	# the losing edits are recorded where they were made
	c=$(on "$a" sync conflicts)
	expect_match "$1: A's lost title" "$c" 'title: "same field \(B\)" from '"$b"' replaced yours, "same field \(A\)"'
	c=$(on "$b" sync conflicts --json | compact)
	expect_match "$1: B's edit of a deleted task" "$c" '"field":[[:space:]]*"\(deleted\)"'
	case $c in *'"title"'*) fail "$1: B lost no title but records it" ;; esac
	# local ids differ, global ids match
	expect_eq "$1: status clean" "$(on "$a" sync status --json | grep -c '"last_error":[[:space:]]*null')" 1
}

