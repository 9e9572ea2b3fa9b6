# A task's iCalendar UID syncs: the same .ics imported on a second device
# updates the task the first device imported, instead of adding it again;
# a task imported on each device before either synced is one task after.
# A store whose capture triggers are of the older shape (no task uid)
# gets the new ones at its next sync and sends the uids it had.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
trap pg_stop EXIT
pg_start
admin
on admin user add alice >/dev/null
device a alice
device b alice
device c alice
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
on c import u.ics >/dev/null
on a import u.ics >/dev/null
on c sync >/dev/null
on a sync >/dev/null
on c sync >/dev/null
expect_eq "A has the bank once" "$(on a task list --json | grep -c 'call the bank')" 1
expect_eq "C has the bank once" "$(on c task list --json | grep -c 'call the bank')" 1

# a device whose capture triggers are of the older shape (made before a
# task's uid synced): a task imported then goes out without its uid; at
# its next sync the device gets the new triggers and sends the uids it has
device d alice
on d sync >/dev/null
python3 - "$NESTOR_HOME/d/nestor.db" <<'PY' || fail "could not make the older triggers"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for name in ("tasks_sync_ai", "tasks_sync_au"):
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    old = (sql.replace(", 'uid')", ")").replace(" OR OLD.uid IS NOT NEW.uid", "")
           .replace(", iif(OLD.uid IS NOT NEW.uid, 'uid', NULL)", ""))
    assert old != sql and "uid'" not in old.replace("'gid'", ""), old
    db.execute("DROP TRIGGER " + name)
    db.execute(old)
db.execute("UPDATE sync_self SET capture = 1")
db.commit()
PY
vtodo todo-44@example.com "renew the passport" >v.ics
on d import v.ics >/dev/null
on d sync >/dev/null
on a sync >/dev/null
on a export -o a.ics
grep -q '^UID:todo-44@example.com' a.ics || fail "A lacks the UID the older triggers left out"
expect_match "A imports it again: updated" "$(on a import v.ics)" '0 tasks added, 1 updated'
expect_eq "the triggers are the new ones" \
	"$(sqlite3 "$NESTOR_HOME/d/nestor.db" "SELECT capture FROM sync_self")" 2
