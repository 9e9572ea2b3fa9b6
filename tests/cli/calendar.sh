# The calendar end to end: events, recurrence, agenda, import/export round trip.
. "$(dirname "$0")/lib.sh"
TZ=Europe/Berlin
export TZ
DATA=$SRC/tests/data

# events, a phrase rule, a time zone, all-day
id=$(nestor event add Standup --at "2026-03-23 09:00" --for 30m --every "every weekday" --location "Room 1")
expect_eq "first id" "$id" 1
nestor event add "NY call" --at "2026-03-24 09:00" --tz America/New_York --every weekly >/dev/null
nestor event add Holiday --at 2026-03-27 >/dev/null
nestor event add Trip --at 2026-03-25 --end 2026-03-26 --calendar travel >/dev/null
out=$(nestor agenda --from 2026-03-26 --to 2026-03-27)
expect_eq "agenda by day" "$out" "Thu 2026-03-26
     4  all day      Trip
     1  09:00-09:30  Standup (Room 1) — every weekday

Fri 2026-03-27
     3  all day      Holiday
     1  09:00-09:30  Standup (Room 1) — every weekday"
# 09:00 New York is 14:00 Berlin before Berlin's DST change (03-29), 15:00 after
out=$(nestor agenda --from 2026-03-24 --to 2026-03-31 | grep "NY call")
expect_eq "NY across DST" "$out" "     2  14:00-15:00  NY call — every week
     2  15:00-16:00  NY call — every week"
out=$(nestor agenda --from 2026-03-24 --to 2026-03-31 --json | grep -c '"summary":	"NY call"')
expect_eq "json occurrences" "$out" 2
out=$(nestor agenda --from 2026-03-25 --to 2026-03-26 --calendar travel --json | grep -c '"uid"')
expect_eq "calendar filter" "$out" 1
out=$(nestor --json agenda --from 2026-03-27 --to 2026-03-27 | grep -A1 '"start":	"2026-03-27"' | tail -1)
expect_eq "all-day end is the next date" "$out" '		"end":	"2026-03-28",'

# one occurrence out, then the whole series
out=$(nestor event rm 1 --only 2026-03-25)
expect_eq "rm --only" "$out" "event 1: occurrence on 2026-03-25 removed"
out=$(nestor agenda --from 2026-03-25 --to 2026-03-25 | grep -c Standup || true)
expect_eq "exdate applied" "$out" 0
nestor event show 1 | grep -q "^except     2026-03-25T09:00:00+01:00" || fail "show lists the exdate"
nestor event edit 1 --summary "Daily standup" --location "" >/dev/null
out=$(nestor event search daily)
expect_match "search" "$out" "Daily standup — every weekday$"
# the rule in words for people, as RRULE text for scripts
expect_match "show says the rule in words" "$(nestor event show 1)" "^repeats +every weekday$"
expect_match "--json keeps the RRULE" "$(nestor event show 1 --json)" '"rrule":	"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"'

set +e
nestor event rm 3 --only 2026-03-27 2>err; rc=$?
set -e
expect_eq "rm --only on a single event" "$rc" 2
expect_eq "its message" "$(cat err)" "nestor: event rm: event 3 does not repeat (drop --only)"

# import (stdin), export, re-import into an empty database: same year
nestor import - < "$DATA/calendar.ics" >/dev/null
nestor import "$DATA/mixed.ics" 2>err >/dev/null
expect_eq "skipped report: a VTODO is a task now" "$(cat err)" "nestor: import: skipped 1 VJOURNAL"
nestor export -o all.ics
grep -q "^UID:weekly-berlin@test" all.ics || fail "export keeps UIDs"
nestor --db other.db import all.ics >/dev/null
nestor agenda --from 2026-01-01 --to 2026-12-31 --json | grep -v '"id"' > a.json
nestor --db other.db agenda --from 2026-01-01 --to 2026-12-31 --json | grep -v '"id"' > b.json
[ "$(grep -c '"uid"' a.json)" -gt 250 ] || fail "a year of occurrences expected"
cmp -s a.json b.json || fail "agendas differ after the round trip: $(diff a.json b.json | head -20)"
out=$(nestor --db other.db import all.ics)
expect_eq "re-import updates" "$out" "0 added, 10 updated; 0 tasks added, 1 updated; 0 alarms set, 1 in the past skipped"

# a malformed file is rejected with its line, and nothing is written
set +e
nestor --db bad.db import "$DATA/malformed.ics" 2>err; rc=$?
set -e
expect_eq "malformed exit" "$rc" 2
expect_match "malformed message" "$(cat err)" "line 12: bad DTSTART \"2026-BROKEN\"$"
out=$(nestor --db bad.db agenda --from 2026-03-01 --to 2026-03-31)
expect_eq "nothing written" "$out" "no events from 2026-03-01 to 2026-03-31"

# --end: a day it names is read from now, as --at is (the clock reads Mon
# 2026-06-01); earlier than --at is an error, not an event of 23 hours.  A
# time of day alone is on the start's day; a span counts from the start.
set +e
nestor --db end.db event add late --at "2026-06-03 10:00" --end "tomorrow 09:00" 2>err; rc=$?
set -e
expect_eq "--end before --at exits 2" "$rc" 2
expect_eq "its message" "$(cat err)" \
	"nestor: event add: --end (Tue 2 Jun 09:00) is before --at (Wed 3 Jun 10:00)"
set +e
nestor --db end.db event add early --at "2026-06-03 10:00" --end 09:00 2>err; rc=$?
set -e
expect_eq "a time of day before the start" "$rc" 2
expect_match "names both" "$(cat err)" "--end \(Wed 3 Jun 09:00\) is before --at"
nestor --db end.db event add a --at "2026-06-03 10:00" --end 10:45 >/dev/null
nestor --db end.db event add b --at "2026-06-03 10:00" --end "in 30 minutes" >/dev/null
nestor --db end.db event add c --at "2026-06-03 22:00" --end "thursday 01:00" >/dev/null
expect_eq "ends read as a person means them" \
	"$(nestor --db end.db agenda --from 2026-06-03 --to 2026-06-03)" "Wed 2026-06-03
     2  10:00-10:30  b
     1  10:00-10:45  a
     3  22:00-...    c"
expect_eq "nothing stored by the errors" "$(nestor --db end.db event search late early)" \
	'no events match "late early"'

# export carries only the part of a VTIMEZONE that covers its events: four
# events in New York time, not New York's rules back to 1883
for d in 02 03 04 05; do
	nestor --db ny.db event add "ny $d" --at "2026-06-$d 09:00" --tz America/New_York >/dev/null
done
nestor --db ny.db event add weekly --at "2026-07-01 09:00" --tz Asia/Tokyo --every weekly >/dev/null
nestor --db ny.db export -o ny.ics
vtz=$(awk '/^BEGIN:VTIMEZONE/,/^END:VTIMEZONE/' ny.ics | grep -A100 'TZID:America/New_York' | sed '/^END:VTIMEZONE/q')
[ "$(printf '%s\n' "$vtz" | wc -c)" -lt 400 ] || fail "New York's VTIMEZONE is not trimmed: $vtz"
grep -q '^DTSTART:18' ny.ics && fail "rules of the 1800s exported"
nestor --db ny2.db import ny.ics >/dev/null
nestor --db ny.db agenda --from 2026-06-01 --to 2026-12-31 --json | grep -v '"id"' > a.json
nestor --db ny2.db agenda --from 2026-06-01 --to 2026-12-31 --json | grep -v '"id"' > b.json
cmp -s a.json b.json || fail "a trimmed zone changes the occurrences: $(diff a.json b.json | head)"

# an option naming something unknown is an error naming it, not an empty result
set +e
nestor agenda --calendar travl 2>err; rc=$?
set -e
expect_eq "unknown calendar exits 2" "$rc" 2
expect_eq "names it and the calendars there are" "$(cat err)" \
	"nestor: agenda: no calendar named 'travl' (calendars: personal, travel)"
set +e
nestor export --calendar travl >/dev/null 2>err; rc=$?
set -e
expect_eq "export: unknown calendar" "$rc:$(cat err)" \
	"2:nestor: export: no calendar named 'travl' (calendars: personal, travel)"
set +e
nestor event add party --at 2026-07-04 --tz America/New_Yrok 2>err; rc=$?
set -e
expect_eq "an all-day event's --tz is still checked" "$rc:$(cat err)" \
	"2:nestor: event add: --tz: unknown time zone \"America/New_Yrok\""
set +e
nestor jobs history 999 2>err; rc=$?
set -e
expect_eq "jobs history of no job" "$rc:$(cat err)" "1:nestor: jobs history: no job with id 999"

# an occurrence shows under every day it reaches into, after those that
# began earlier and in order within a day (an end at midnight does not
# reach the next day); a decade of a daily series is 3,652 lines
nestor --db days.db event add daily --at "2026-01-01 07:00" --for 30m --every "every day" >/dev/null
nestor --db days.db event add before --at "2026-04-28 10:00" --end "2026-05-05 11:00" >/dev/null
nestor --db days.db event add trip --at "2026-05-04 18:00" --end "2026-05-06 09:00" >/dev/null
nestor --db days.db event add conf --at 2026-05-05 --end 2026-05-06 >/dev/null
nestor --db days.db event add night --at "2026-05-05 23:00" --end "2026-05-06 00:00" >/dev/null
expect_eq "days an occurrence reaches into" \
	"$(nestor --db days.db agenda --from 2026-05-04 --to 2026-05-06)" "Mon 2026-05-04
     2  ...-...      before
     1  07:00-07:30  daily — every day
     3  18:00-...    trip

Tue 2026-05-05
     2  ...-11:00    before
     3  ...-...      trip
     4  all day      conf
     1  07:00-07:30  daily — every day
     5  23:00-00:00  night

Wed 2026-05-06
     3  ...-09:00    trip
     4  all day      conf
     1  07:00-07:30  daily — every day"
nestor --db days.db agenda --from 2026-01-01 --to 2035-12-31 > decade
expect_eq "a decade's lines" "$(grep -c 'daily — every day$' decade):$(grep -c '^[A-Z][a-z][a-z] 20' decade)" \
	"3652:3652"
expect_eq "its last day" "$(tail -n 2 decade)" "Mon 2035-12-31
     1  07:00-07:30  daily — every day"

# the end of each series in words, through the memo that says series alike
# once: two series sharing a rule say each its own UNTIL, the date where
# the agenda is read (a UTC UNTIL at 20:00 is the next day in Kolkata), a
# leap day, a date alone, a COUNT, none; ids around the six columns and a line longer
# than the agenda's buffer (a location of 9,000 bytes)
nestor --db ends.db import "$DATA/series-ends.ics" >/dev/null
sqlite3 ends.db "UPDATE events SET id = 999999 WHERE uid = 'e@test';
	UPDATE events SET id = 1000000 WHERE uid = 'f@test';
	UPDATE events SET id = 123456789012 WHERE uid = 'i@test';
	UPDATE events SET location = printf('%.9000c', 'x') WHERE uid = 'd@test'"
TZ=Asia/Kolkata nestor --db ends.db agenda --from 2026-06-01 --to 2026-06-02 >ends
expect_eq "series ends" "$(sed 's/(x*)/(x...)/' ends)" "Mon 2026-06-01
    10  all day      Whole day — every year, until 2030-06-01
     2  13:30-14:00  Shared one (Room 1) — every Monday, until 2027-06-07
     3  14:30-15:00  Shared two — every Monday, until 2028-02-28
     4  15:30-16:00  Shared date (x...) — every Monday, until 2028-03-01
999999  16:30-17:00  Three times — every week, 3 times
1000000  17:30-18:00  Forever — every week
     7  18:30-19:00  Leap day — every week, until 2028-02-29
     8  19:30-20:00  Plain
123456789012  20:30        Instant
     1  23:30-...    Late in Kolkata — every week, until 2026-06-09

Tue 2026-06-02
     1  ...-00:30    Late in Kolkata — every week, until 2026-06-09"
expect_eq "the long line whole" "$(LC_ALL=C awk 'length > 9000 { print length }' ends)" 9070

# a UTC UNTIL (RFC 5545's form when DTSTART has a zone) is said as the date
# where the agenda is read, the zone its times are shown in: the last
# Monday 21:00 in New York ends at 02:30 UTC on Tuesday; a series at 01:00
# in Kolkata ends at 19:30 UTC the day before; one across New York's change
# to standard time ends at 23:30 EST, 04:30 UTC the next day.  A date and a
# floating UNTIL, and any of an all-day series, are said as written.
TZ=America/New_York nestor --db until.db event add Yoga --at "2026-11-02 21:00" --for 30m \
	--every "FREQ=WEEKLY;UNTIL=20261124T023000Z" >/dev/null
TZ=America/New_York nestor --db until.db event add Late --at "2026-10-05 23:30" --for 15m \
	--every "FREQ=WEEKLY;UNTIL=20261110T043000Z" >/dev/null
TZ=Asia/Kolkata nestor --db until.db event add Early --at "2026-11-03 01:00" --for 15m \
	--every "FREQ=WEEKLY;UNTIL=20261123T193000Z" >/dev/null
TZ=America/New_York nestor --db until.db event add Written --at "2026-11-02 08:00" --for 15m \
	--every "FREQ=WEEKLY;UNTIL=20261124T023000" >/dev/null
TZ=America/New_York nestor --db until.db event add Fair --at 2026-11-02 --all-day \
	--every "FREQ=WEEKLY;UNTIL=20261124T000000Z" >/dev/null
out=$(TZ=America/New_York nestor --db until.db agenda --from 2026-11-09 --to 2026-11-09)
expect_eq "UTC until, New York, across DST" "$out" "Mon 2026-11-09
     5  all day      Fair — every week, until 2026-11-24
     4  08:00-08:15  Written — every week, until 2026-11-24
     3  14:30-14:45  Early — every week, until 2026-11-23
     1  21:00-21:30  Yoga — every week, until 2026-11-23
     2  23:30-23:45  Late — every week, until 2026-11-09"
out=$(TZ=America/New_York nestor --db until.db agenda --from 2026-11-23 --to 2026-11-30)
expect_eq "UTC until, New York, the last" "$out" "Mon 2026-11-23
     5  all day      Fair — every week, until 2026-11-24
     4  08:00-08:15  Written — every week, until 2026-11-24
     3  14:30-14:45  Early — every week, until 2026-11-23
     1  21:00-21:30  Yoga — every week, until 2026-11-23"
out=$(TZ=Asia/Kolkata nestor --db until.db agenda --from 2026-11-24 --to 2026-11-30)
expect_eq "UTC until, Kolkata" "$out" "Tue 2026-11-24
     3  01:00-01:15  Early — every week, until 2026-11-24
     1  07:30-08:00  Yoga — every week, until 2026-11-24"
out=$(for id in 1 5; do TZ=America/New_York nestor --db until.db event show $id; done | grep repeats)
expect_eq "UTC until, event show" "$out" "repeats    every week, until 2026-11-23
repeats    every week, until 2026-11-24"

# --tz: wall times are read in that zone, spans count from now or the start
start() { nestor --db tz.db event show "$1" | sed -n 's/^start *//p'; }
end() { nestor --db tz.db event show "$1" | sed -n 's/^end *//p'; }
NESTOR_NOW=2027-05-01T09:00:00Z nestor --db tz.db event add Rel --at "in 2 hours" \
	--tz America/New_York >/dev/null
expect_eq "--tz, a span from now" "$(start 1)" "2027-05-01T13:00:00+02:00"
nestor --db tz.db event add Span --at "2027-05-01 12:00" --end "in 45 minutes" \
	--tz America/New_York >/dev/null
expect_eq "--tz, wall time in the zone" "$(start 2)" "2027-05-01T18:00:00+02:00"
expect_eq "--tz, --end span from the start" "$(end 2)" "2027-05-01T18:45:00+02:00"
# 02:30 on Berlin's spring-forward day exists in New York, and the reverse
nestor --db tz.db event add Gap --at "2027-03-28 02:30" --tz America/New_York >/dev/null
expect_eq "--tz, local gap exists there" "$(start 3)" "2027-03-28T08:30:00+02:00"
TZ=America/New_York nestor --db tz.db event add Gap2 --at "2027-03-14 02:30" \
	--tz Europe/Berlin >/dev/null
expect_eq "--tz, New York gap in Berlin" "$(start 4)" "2027-03-14T02:30:00+01:00"

# a wall time a fall-back change repeats is its first instance, one in a gap
# takes the offset from before the gap; one-off, series and import agree
now0=$NESTOR_NOW
NESTOR_NOW=2027-03-01T00:00:00Z
nestor --db amb.db event add Once --at "2027-10-31 02:30" >/dev/null
nestor --db amb.db event add Daily --at "2027-10-30 02:30" --every daily >/dev/null
nestor --db amb.db event add Spring --at "2027-03-28 02:30" >/dev/null
TZ=America/New_York nestor --db amb.db event add NY --at "2027-11-07 01:45" >/dev/null
TZ=Australia/Lord_Howe nestor --db amb.db event add LH --at "2027-04-04 01:45" >/dev/null
out=$(for id in 1 3 4 5; do TZ=UTC nestor --db amb.db event show $id | sed -n 's/^start *//p'; done)
expect_eq "repeated wall time, first instance" "$out" "2027-10-31T00:30:00+00:00
2027-03-28T01:30:00+00:00
2027-11-07T05:45:00+00:00
2027-04-03T14:45:00+00:00"
out=$(nestor --db amb.db agenda --from 2027-10-31 --to 2027-10-31)
expect_eq "one-off and series agree" "$out" "Sun 2027-10-31
     1  02:30-02:30  Once
     2  02:30-02:30  Daily — every day"
nestor --db amb.db export >amb.ics
nestor --db amb2.db import - <amb.ics >/dev/null
out=$(TZ=UTC nestor --db amb2.db event show 1 | sed -n 's/^start *//p')
expect_eq "repeated wall time, round trip" "$out" "2027-10-31T00:30:00+00:00"
# an instant in the second instance of a repeated wall time (an end, a time
# given in UTC) goes out in UTC, which a TZID time cannot say; a series
# keeps its zone and starts at the first instance, as its occurrences do
NESTOR_NOW=2026-10-01T00:00:00Z
nestor --db sec.db event add Late --at 2026-10-24T23:30:00Z --for 2h \
	--tz Europe/Berlin >/dev/null
nestor --db sec.db event add NY --at 2026-11-01T06:30:00Z --for 1h \
	--tz America/New_York >/dev/null
nestor --db sec.db event add NYdaily --at 2026-11-01T06:30:00Z --for 1h \
	--tz America/New_York --every daily >/dev/null
nestor --db sec.db export >sec.ics
out=$(tr -d '\r' <sec.ics | sed -n '/^BEGIN:VEVENT/,/^END:VEVENT/p' |
	grep -E '^(SUMMARY|DTSTART|DTEND)[:;]')
expect_eq "second instance exported in UTC" "$out" "DTSTART;TZID=Europe/Berlin:20261025T013000
DTEND:20261025T013000Z
SUMMARY:Late
DTSTART;X-NESTOR-TZID=America/New_York:20261101T063000Z
DTEND;TZID=America/New_York:20261101T023000
SUMMARY:NY
DTSTART;TZID=America/New_York:20261101T013000
DTEND:20261101T063000Z
SUMMARY:NYdaily"
nestor --db sec2.db import - <sec.ics >/dev/null
for db in sec sec2; do
	TZ=UTC nestor --db $db.db agenda --from 2026-10-24 --to 2026-11-02 >$db.txt
done
expect_eq "second instance, round trip" "$(cat sec2.txt)" "$(cat sec.txt)"
expect_eq "second instance, the zone kept" \
	"$(nestor --db sec2.db event show 2 | sed -n 's/^zone *//p')" America/New_York
# X-NESTOR-TZID names a zone for nestor alone: one it does not know is UTC
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x@test\r\n%s\r\n%s\r\n' \
	'DTSTART;X-NESTOR-TZID=No/Such:20261101T063000Z' 'SUMMARY:X' >x.ics
printf 'END:VEVENT\r\nEND:VCALENDAR\r\n' >>x.ics
nestor --db x.db import x.ics >/dev/null
expect_eq "X-NESTOR-TZID unknown" "$(TZ=UTC nestor --db x.db event show 1 |
	sed -n 's/^\(start\|zone\) *//p' | tr '\n' ' ')" "2026-11-01T06:30:00+00:00 UTC "
expect_eq "second instance, the agenda" \
	"$(grep -c -E '[.]-01:30 +Late$|06:30-07:30 +NY$|05:30-06:30 +NYdaily' sec.txt)" 3
# Pacific/Apia skipped 2011-12-30 (UTC-10, then UTC+14): a daily series has
# no occurrence that day, rather than the 31st's twice
NESTOR_NOW=2011-12-01T00:00:00Z
TZ=Pacific/Apia nestor --db apia.db event add Daily --at "2011-12-25 09:00" --for 1h \
	--every daily >/dev/null
out=$(TZ=Pacific/Apia nestor --db apia.db agenda --from 2011-12-29 --to 2011-12-31 |
	grep -v '^$' | tr '\n' '|')
expect_eq "skipped day, in the zone" "$out" \
	"Thu 2011-12-29|     1  09:00-10:00  Daily — every day|Sat 2011-12-31|     1  09:00-10:00  Daily — every day|"
out=$(TZ=UTC nestor --db apia.db agenda --from 2011-12-28 --to 2011-12-31 --json |
	grep -c '"start"')
expect_eq "skipped day, in UTC" "$out" 4
NESTOR_NOW=$now0

# a floating time (no TZID, no Z) is read in the zone of the import and
# kept there: an export from another zone names it, and the agenda of a
# second database shows the same 09:00 Berlin
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:fl@test\r\n%s\r\n' \
	'DTSTART:20260610T090000' >fl.ics
printf 'DTEND:20260610T100000\r\nSUMMARY:Floating\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >>fl.ics
TZ=Europe/Berlin nestor --db fl.db import fl.ics >/dev/null
expect_eq "floating: the import's zone" \
	"$(nestor --db fl.db event show 1 | sed -n 's/^zone *//p')" Europe/Berlin
TZ=America/New_York nestor --db fl.db export -o fl-out.ics
grep -q '^DTSTART;TZID=Europe/Berlin:20260610T090000' fl-out.ics ||
	fail "floating: export names the zone: $(grep DTSTART fl-out.ics)"
TZ=Europe/Berlin nestor --db fl2.db import fl-out.ics >/dev/null
expect_eq "floating: round trip across zones" \
	"$(TZ=Europe/Berlin nestor --db fl2.db agenda --from 2026-06-10 --to 2026-06-10 | grep Floating)" \
	"     1  09:00-10:00  Floating"
# a local zone tzdata does not name (a POSIX TZ string): kept as UTC, and
# an export writes it in UTC, never floating
TZ=EST5 nestor --db fl3.db import fl.ics >/dev/null
expect_eq "floating: unnamed zone is UTC" \
	"$(TZ=UTC nestor --db fl3.db event show 1 | sed -n 's/^\(start\|zone\) *//p' | tr '\n' ' ')" \
	"2026-06-10T14:00:00+00:00 UTC "
expect_eq "floating: never exported floating" \
	"$(TZ=Europe/Berlin nestor --db fl3.db export | grep '^DTSTART' | tr -d '\r')" "DTSTART:20260610T140000Z"

# an event with no zone (--tz "") is shown, and repeated, in the local
# zone: an export names that zone, so a weekly 09:00 stays 09:00 after the
# change to summer time in another database
nestor --db nz.db event add Weekly --at "2026-03-20 09:00" --tz "" --every weekly >/dev/null
nestor --db nz.db export -o nz.ics
grep -q '^DTSTART;TZID=Europe/Berlin:20260320T090000' nz.ics ||
	fail "no zone: export names the local zone: $(grep DTSTART nz.ics)"
grep -q '^TZID:Europe/Berlin' nz.ics || fail "no zone: the local zone's VTIMEZONE"
nestor --db nz2.db import nz.ics >/dev/null
expect_eq "no zone: a series keeps its wall time" \
	"$(nestor --db nz2.db agenda --from 2026-04-03 --to 2026-04-03 | grep Weekly | tr -s ' ')" \
	" 1 09:00-10:00 Weekly — every week"
# a local zone tzdata does not name: the series goes out floating (its
# UNTIL too), as nestor repeats it, a single time in UTC
P='CET-1CEST,M3.5.0,M10.5.0/3'
TZ=$P nestor --db nzp.db event add Weekly --at "2026-03-20 09:00" --every weekly >/dev/null
TZ=$P nestor --db nzp.db event add Once --at "2026-06-10 09:00" >/dev/null
TZ=$P nestor --db nzp.db export -o nzp.ics
expect_eq "unnamed zone: series floating, single time in UTC" \
	"$(grep '^DTSTART' nzp.ics | tr -d '\r' | sort | tr '\n' ' ')" \
	"DTSTART:20260320T090000 DTSTART:20260610T070000Z "
TZ=$P nestor --db nzp2.db import nzp.ics >/dev/null
expect_eq "unnamed zone: a series keeps its wall time" \
	"$(TZ=$P nestor --db nzp2.db agenda --from 2026-04-03 --to 2026-04-03 | grep Weekly | tr -s ' ')" \
	" 1 09:00-10:00 Weekly — every week"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:until@test\r\n%s\r\n' \
	'DTSTART:20260320T090000' >nzu.ics
printf 'RRULE:FREQ=WEEKLY;UNTIL=20260403T070000Z\r\nSUMMARY:U\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >>nzu.ics
TZ=$P nestor --db nzu.db import nzu.ics >/dev/null
expect_eq "unnamed zone: a floating series' UNTIL is floating" \
	"$(TZ=$P nestor --db nzu.db export | grep -e '^DTSTART' -e '^RRULE' | tr -d '\r' | tr '\n' ' ')" \
	"DTSTART:20260320T090000 RRULE:FREQ=WEEKLY;UNTIL=20260403T090000 "
# a series written inside the spring-forward gap (02:30 on 2026-03-29 in
# Berlin): that day at 03:30 (RFC 5545 3.3.5), the other days at 02:30 as
# written; an EXDATE at 02:30 removes its day; export and import keep it
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:gap@test\r\n' >gap.ics
printf '%s\r\n' 'DTSTART;TZID=Europe/Berlin:20260329T023000' \
	'DTEND;TZID=Europe/Berlin:20260329T043000' 'RRULE:FREQ=DAILY' \
	'EXDATE;TZID=Europe/Berlin:20260401T023000' 'SUMMARY:Night' 'END:VEVENT' \
	'END:VCALENDAR' >>gap.ics
gap_week() { nestor --db "$1" agenda --from 2026-03-28 --to 2026-04-02 | grep Night | tr -s ' ' | tr '\n' '|'; }
want=" 1 03:30-04:30 Night — every day| 1 02:30-03:30 Night — every day| 1 02:30-03:30 Night — every day| 1 02:30-03:30 Night — every day|"
nestor --db gap.db import gap.ics >/dev/null
expect_eq "gap: 03:30 on the day, 02:30 after, EXDATE at 02:30" "$(gap_week gap.db)" "$want"
nestor --db gap.db export -o gap-out.ics
expect_eq "gap: export writes DTSTART as written" \
	"$(grep -e '^DTSTART;TZID=Europe' -e '^EXDATE' gap-out.ics | tr -d '\r' | tr '\n' ' ')" \
	"DTSTART;TZID=Europe/Berlin:20260329T023000 EXDATE;TZID=Europe/Berlin:20260401T023000 "
nestor --db gap2.db import gap-out.ics >/dev/null
expect_eq "gap: export and import round-trip" "$(gap_week gap2.db)" "$want"
nestor --db gap3.db event add Night --at "2026-03-29 02:30" --tz Europe/Berlin --for 1h \
	--every daily >/dev/null
expect_eq "gap: event add keeps the time written" \
	"$(nestor --db gap3.db agenda --from 2026-03-29 --to 2026-03-30 | grep Night | tr -s ' ' | tr '\n' '|')" \
	" 1 03:30-04:30 Night — every day| 1 02:30-03:30 Night — every day|"
nestor --db gap4.db event add Night --at "2026-03-29 02:30" --tz Europe/Berlin --for 1h >/dev/null
nestor --db gap4.db event edit 1 --every daily >/dev/null
expect_eq "gap: a rule added later keeps the time written" \
	"$(nestor --db gap4.db agenda --from 2026-03-29 --to 2026-03-30 | grep Night | tr -s ' ' | tr '\n' '|')" \
	" 1 03:30-04:30 Night — every day| 1 02:30-03:30 Night — every day|"
