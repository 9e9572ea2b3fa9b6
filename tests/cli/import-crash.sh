# An import is one transaction: killed half-way (SIGKILL, no chance to clean
# up), it leaves the database as it was, and the same import then succeeds;
# killed at 12 more random points, it is all or nothing, the database intact
# (IMPORT_CRASH_SEED=N repeats a run's points).
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
"$NESTOR_BIN" import in.ics >out 2>err &
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

# Killed at 8 more random points of the stream (a prefix of random length
# fed, the importer then blocked on the rest): nothing written each time.
seed=${IMPORT_CRASH_SEED:-$$}
size=$(wc -c <head.ics)
for n in $(python3 -c "import random, sys; r = random.Random($seed)
print(*(r.randrange(70000, $size) for _ in range(8)))"); do
	"$NESTOR_BIN" import in.ics >out 2>err &
	pid=$!
	exec 3>in.ics
	head -c "$n" head.ics >&3
	kill -KILL $pid
	wait $pid 2>/dev/null || true
	exec 3>&-
	expect_eq "integrity, killed after $n bytes (seed $seed)" \
		"$(sqlite3 nestor.db 'PRAGMA integrity_check')" ok
	expect_eq "nothing written, killed after $n bytes (seed $seed)" \
		"$(sqlite3 nestor.db 'SELECT count(*) FROM events')" 1
done

cat head.ics tail.ics >all.ics
sqlite3 nestor.db ".backup before.db"
t0=$(date +%s%N)
expect_eq "the import again" "$(nestor import all.ics)" "4000 added, 0 updated"
took=$(( ($(date +%s%N) - t0) / 1000000 ))

# Killed at 4 random instants of a whole import (parsing, writing,
# committing, or done): all of it or none, never a part, and intact.
for ms in $(python3 -c "import random; r = random.Random($seed + 1)
print(*(r.randrange(0, $took + 1) for _ in range(4)))"); do
	cp before.db crash.db
	"$NESTOR_BIN" --db crash.db import all.ics >out 2>err &
	pid=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -KILL $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	expect_eq "integrity, killed at $ms of $took ms (seed $seed)" \
		"$(sqlite3 crash.db 'PRAGMA integrity_check')" ok
	expect_match "all or nothing, killed at $ms of $took ms (seed $seed)" \
		"$(sqlite3 crash.db 'SELECT count(*) FROM events')" '^(1|4001)$'
	rm -f crash.db crash.db-wal crash.db-shm
done
expect_eq "its occurrences" \
	"$(nestor agenda --from 2026-06-01 --to 2026-06-01 --json | grep -c '"uid"')" 4001
# The import's WAL is emptied when it closes: left full, every later
# command would read it again and copy it back.
expect_eq "WAL after the import" "$(wc -c <nestor.db-wal)" 0
