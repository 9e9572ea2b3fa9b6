# Tasks in iCalendar: VTODOs import as tasks (UID kept for re-import) and
# export as VTODOs; a calcurse export, its todos included, round-trips
# through nestor back into calcurse.
. "$(dirname "$0")/lib.sh"
TZ=Europe/Berlin
export TZ
DATA=$SRC/tests/data
command -v calcurse >/dev/null || fail "calcurse is missing (sh contrib/deps.sh test)"

# the fields of a VTODO
expect_eq "import counts tasks" "$(nestor import "$DATA/tasks.ics")" \
	"0 added, 0 updated; 4 tasks added, 0 updated"
nestor task list --all --json > t.json
python3 - <<'PY' || fail "the tasks' fields"
import json
t = {x["title"]: x for x in json.load(open("t.json"))}
r = t["Pay the rent"]
assert r["notes"] == "transfer to the landlord" and r["priority"] == 9, r
assert r["due"] == "2026-06-05T23:59:59+02:00" and r["due_date_only"], r
c = t["Call the plumber"]
assert c["due"] == "2026-06-02T15:00:00+02:00" and not c["due_date_only"], c
assert c["priority"] == 1 and c["status"] == "todo", c
d = t["File the taxes"]
assert d["status"] == "done" and d["done_at"] == "2026-05-20T14:00:00+02:00", d
assert t["Learn the banjo"]["status"] == "cancelled"
PY
expect_eq "imported again: updated, not doubled" "$(nestor import "$DATA/tasks.ics")" \
	"0 added, 0 updated; 0 tasks added, 4 updated"
expect_eq "four tasks" "$(nestor task list --all --json | grep -c '"title"')" 4

# export: VTODOs with the UIDs kept; another store reads them back alike
nestor task add "a task of nestor's own" --due "tomorrow 17:00" --priority 3 >/dev/null
nestor export -o all.ics
grep -q '^UID:rent@test' all.ics || fail "export keeps a VTODO's UID"
grep -q '^DUE;VALUE=DATE:20260605' all.ics || fail "a task due on a day is a DATE"
grep -q '^STATUS:COMPLETED' all.ics || fail "a done task is COMPLETED"
expect_eq "five VTODOs" "$(grep -c '^BEGIN:VTODO' all.ics)" 5
nestor --db other.db import all.ics >/dev/null
nestor task list --all --json | grep -v '"id"' > a.json
nestor --db other.db task list --all --json | grep -v '"id"' > b.json
cmp -s a.json b.json || fail "tasks differ after the round trip: $(diff a.json b.json | head)"
expect_eq "nestor's own task found again by its UID" "$(nestor import all.ics)" \
	"0 added, 0 updated; 0 tasks added, 5 updated"
expect_eq "--calendar leaves tasks out" "$(nestor export --calendar personal | grep -c VTODO || true)" 0

# calcurse -> nestor -> calcurse: the same todo list and appointments
mkdir cc
printf '%s\n' '[1] call the bank' '[5] buy milk' '[-3] pay rent' '[0] someday: learn Go' > cc/todo
printf '%s\n' '06/02/2026 @ 10:00 -> 06/02/2026 @ 11:00|dentist' > cc/apts
calcurse -D cc --export > cc.ics
expect_eq "calcurse's file" "$(nestor --db cc.db import cc.ics)" \
	"1 added, 0 updated; 4 tasks added, 0 updated"
expect_eq "calcurse's file again" "$(nestor --db cc.db import cc.ics)" \
	"0 added, 1 updated; 0 tasks added, 4 updated"
expect_match "calcurse's priority 1 is the most urgent" "$(nestor --db cc.db task list)" \
	"^ +[0-9]+ +9  - +call the bank$"
nestor --db cc.db export -o back.ics
mkdir cc2
calcurse -D cc2 -q -i back.ics
expect_eq "the todos round-trip" "$(sort cc2/todo)" "$(sort cc/todo)"
# calcurse's times are floating: nestor keeps them in the zone of the
# import and names it (TZID), which calcurse, reading the time as written,
# leaves in a note of the appointment
expect_eq "the appointment too" "$(sed 's/>[0-9a-f]* |/|/' cc2/apts)" "$(cat cc/apts)"
grep -qx "Import: TZID=Europe/Berlin" cc2/notes/* || fail "calcurse notes the zone"
