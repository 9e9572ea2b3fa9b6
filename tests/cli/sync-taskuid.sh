# A task's iCalendar UID syncs: the same .ics imported on a second device
# updates the task the first device imported, instead of adding it again;
# a task imported on each device before either synced is one task after.
# A store whose capture triggers are of the older shape (no task uid)
# gets the new ones at its next sync and sends the uids it had; two such
# stores that each hold the other's copy of a task without its uid end
# with one task, the same on both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
trap pg_stop EXIT
pg_start
admin
on admin user add alice >/dev/null
device a alice
device b alice
device c alice
# the capture triggers of the older shape on device $1, capture version $2
older_triggers() {
	python3 - "$NESTOR_HOME/$1/nestor.db" "$2" <<'PY' || fail "could not make the older triggers"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for name in ("tasks_sync_ai", "tasks_sync_au"):
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    old = (sql.replace(", 'uid')", ")").replace(" OR OLD.uid IS NOT NEW.uid", "")
           .replace(", iif(OLD.uid IS NOT NEW.uid, 'uid', NULL)", ""))
    assert old != sql and "uid'" not in old.replace("'gid'", ""), old
    db.execute("DROP TRIGGER " + name)
    db.execute(old)
db.execute("UPDATE sync_self SET capture = ?", (int(sys.argv[2]),))
db.commit()
PY
}
# apart FILE X Y: FILE imported on X and on Y, then X, Y and X sync
apart() {
	on "$2" import "$1" >/dev/null
	on "$3" import "$1" >/dev/null
	on "$2" sync >/dev/null
	on "$3" sync >/dev/null
	on "$2" sync >/dev/null
}
vtodo() {
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:%s\r\nSUMMARY:%s\r\nEND:VTODO\r\nEND:VCALENDAR\r\n' "$1" "$2"
}
vtodo todo-42@example.com "water the plants" >t.ics
on a import t.ics >/dev/null
on a sync >/dev/null
on b sync >/dev/null
on a sync >/dev/null
on b export -o b.ics
grep -q '^UID:todo-42@example.com' b.ics || fail "B exports another UID: $(grep '^UID' b.ics)"
expect_match "B imports it again: updated" "$(on b import t.ics)" '0 tasks added, 1 updated'
expect_eq "B has it once" "$(on b task list --json | grep -c '"title"')" 1

# imported apart on two devices before they synced: one task
vtodo todo-43@example.com "call the bank" >u.ics
apart u.ics c a
expect_eq "A has the bank once" "$(on a task list --json | grep -c 'call the bank')" 1
expect_eq "C has the bank once" "$(on c task list --json | grep -c 'call the bank')" 1

# a device whose capture triggers are of the older shape (made before a
# task's uid synced): a task imported then goes out without its uid; at
# its next sync the device gets the new triggers and sends the uids it has
device d alice
on d sync >/dev/null
older_triggers d 1
vtodo todo-44@example.com "renew the passport" >v.ics
on d import v.ics >/dev/null
on d sync >/dev/null
on a sync >/dev/null
on a export -o a.ics
grep -q '^UID:todo-44@example.com' a.ics || fail "A lacks the UID the older triggers left out"
expect_match "A imports it again: updated" "$(on a import v.ics)" '0 tasks added, 1 updated'
expect_eq "the triggers are the new ones" \
	"$(sqlite3 "$NESTOR_HOME/d/nestor.db" "SELECT capture FROM sync_self")" 4

# imported on two devices that synced while their triggers were of the
# older shape: each has its task with the UID and the other's copy without
# one; once both send their uids, each device has one task, the same one
device e alice
device f alice
on e sync >/dev/null
on f sync >/dev/null
older_triggers e 2
older_triggers f 2
vtodo todo-45@example.com "book the dentist" >w.ics
apart w.ics e f
expect_eq "F has both copies before" "$(on f task list --json | grep -c 'book the dentist')" 2
sqlite3 "$NESTOR_HOME/e/nestor.db" "UPDATE sync_self SET capture = 1"
sqlite3 "$NESTOR_HOME/f/nestor.db" "UPDATE sync_self SET capture = 1"
out=$(on e sync 2>&1; on f sync 2>&1; on e sync 2>&1; on f sync 2>&1)
case $out in *refused*) fail "a device refused the uid: $out" ;; esac
for x in e f; do
	expect_eq "$x has the dentist once" "$(on $x task list --json | grep -c 'book the dentist')" 1
	expect_eq "$x has it under the UID" \
		"$(sqlite3 "$NESTOR_HOME/$x/nestor.db" "SELECT count(*) FROM tasks WHERE uid = 'todo-45@example.com'")" 1
done
expect_eq "E and F keep the same one" "$(sqlite3 "$NESTOR_HOME/e/nestor.db" "SELECT gid FROM tasks WHERE uid = 'todo-45@example.com'")" \
	"$(sqlite3 "$NESTOR_HOME/f/nestor.db" "SELECT gid FROM tasks WHERE uid = 'todo-45@example.com'")"
