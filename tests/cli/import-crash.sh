# An import is one transaction: killed half-way (SIGKILL, no chance to clean
# up), it leaves the database as it was, and the same import then succeeds.
# The file comes through a FIFO: once `cat` has put 400 KB into a pipe that
# holds 64 KB, the importer has read (and written, in its transaction) at
# least 336 KB of events, and it is still waiting for the rest.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
python3 - <<'PY'
with open("head.ics", "w") as f:
    f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    for i in range(4000):
        f.write("BEGIN:VEVENT\r\nUID:crash-%d@test\r\nDTSTART:20260601T%02d0000Z\r\n"
                "DTEND:20260601T%02d3000Z\r\nSUMMARY:Event %d\r\n"
                "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n" % (i, i % 20, i % 20, i))
with open("tail.ics", "w") as f:
    f.write("END:VCALENDAR\r\n")
PY
[ "$(wc -c <head.ics)" -gt 400000 ] || fail "head.ics is too small to fill the pipe"
nestor event add "Before" --at "2026-06-01 08:00" >/dev/null
before=$(nestor agenda --from 2026-06-01 --to 2026-06-01 --json)

mkfifo in.ics
nestor import in.ics >out 2>err &
pid=$!
exec 3>in.ics
cat head.ics >&3
kill -KILL $pid
wait $pid 2>/dev/null || true
exec 3>&-

expect_eq "agenda after the killed import" \
	"$(nestor agenda --from 2026-06-01 --to 2026-06-01 --json)" "$before"
expect_eq "integrity" "$(sqlite3 nestor.db 'PRAGMA integrity_check')" ok
expect_eq "events after the killed import" "$(sqlite3 nestor.db 'SELECT count(*) FROM events')" 1

cat head.ics tail.ics >all.ics
expect_eq "the import again" "$(nestor import all.ics)" "4000 added, 0 updated"
expect_eq "its occurrences" \
	"$(nestor agenda --from 2026-06-01 --to 2026-06-01 --json | grep -c '"uid"')" 4001
# The import's WAL is emptied when it closes: left full, every later
# command would read it again and copy it back.
expect_eq "WAL after the import" "$(wc -c <nestor.db-wal)" 0
