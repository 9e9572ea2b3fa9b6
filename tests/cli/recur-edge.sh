# Recurrence at its edges: a time inside a DST gap said to the assistant,
# COUNT over days a rule skips, a DATE-valued UNTIL on a timed series.
. "$(dirname "$0")/lib.sh"
TZ=Europe/Berlin
export TZ
NESTOR_NOW=2026-03-20T12:00:00Z
start() { TZ=UTC nestor --db "$1" event show "$2" | sed -n 's/^start *//p'; }

# 02:30 on Berlin's spring-forward day, said to the offline assistant: that
# day's 03:30 and 02:30 on the others, as event add --at keeps it
nestor --db gap.db ask "add meeting on 29 March at 02:30 every day" >/dev/null
nestor --db gap.db ask "add yoga every day at 02:30 starting March 29" >/dev/null
nestor --db gap.db event add Cli --at "2026-03-29 02:30" --every daily >/dev/null
expect_eq "assistant: the gap day's start" "$(start gap.db 1)" "2026-03-29T01:30:00+00:00"
out=$(nestor --db gap.db agenda --from 2026-03-29 --to 2026-03-30)
expect_eq "assistant: 02:30 kept after the gap day" "$out" "Sun 2026-03-29
     1  03:30-04:30  meeting — every day
     2  03:30-04:30  yoga — every day
     3  03:30-04:30  Cli — every day

Mon 2026-03-30
     1  02:30-03:30  meeting — every day
     2  02:30-03:30  yoga — every day
     3  02:30-03:30  Cli — every day"

# a range from a time in the gap: the series keeps the written length, as
# event add --for does (the gap day's 03:30 plus 90 minutes)
nestor --db range.db ask "add run every day from 2:30 to 4:00 starting March 29" >/dev/null
nestor --db range.db ask "add swim every day 2:30-3:30 starting March 29" >/dev/null
expect_eq "assistant: a range from the gap keeps its length" \
	"$(nestor --db range.db agenda --from 2026-03-29 --to 2026-03-30)" "Sun 2026-03-29
     2  03:30-04:30  swim — every day
     1  03:30-05:00  run — every day

Mon 2026-03-30
     2  02:30-03:30  swim — every day
     1  02:30-04:00  run — every day"
# the reply says the time the series keeps
expect_eq "assistant: the reply says 02:30" \
	"$(TZ=America/New_York NESTOR_NOW=2026-03-01T12:00:00Z \
		nestor --db ny.db ask "add yoga every day at 02:30 starting March 8")" \
	"Event 1 added: yoga, Sun 8 Mar 2026 03:30–04:30, every day at 02:30"
# a series the assistant moves into the gap keeps the time too
nestor --db move.db event add yoga --at "2026-03-27 09:00" --every daily >/dev/null
nestor --db move.db event add run --at "2026-03-29 09:00" --every daily >/dev/null
nestor --db move.db ask "move all yoga to 29 March 2:30" >/dev/null
nestor --db move.db ask "move all run to 02:45" >/dev/null
expect_eq "assistant: a series moved into the gap" \
	"$(nestor --db move.db agenda --from 2026-03-29 --to 2026-03-30)" "Sun 2026-03-29
     1  03:30-04:30  yoga — every day
     2  03:45-04:45  run — every day

Mon 2026-03-30
     1  02:30-03:30  yoga — every day
     2  02:45-03:45  run — every day"
# one series word goes, and only before a date: "new beginning" is a name
names() { for q; do nestor --db names.db ask "$q" | sed 's/^Event [0-9]* added: \([^,]*\),.*/\1/'; done; }
expect_eq "assistant: series words in names" "$(names \
	"add new beginning every day at 9 starting March 29" \
	"add new beginning every day at 9" \
	"add starting lineup every day at 9 starting from March 29" \
	"add pickup from school every day at 3 from March 29" \
	"add lunch starting soon every day at 12")" "new beginning
new beginning
starting lineup
pickup from school
lunch starting soon"
# "from" alone before the date is the one series word: "beginning" stays
expect_eq "assistant: \"from\" pairs only with \"starting\"" \
	"$(names "add new beginning from March 29 every day at 9")" "new beginning"
# a series kept at a gap time of another zone (New York's 02:30 on its
# spring-forward day) moved or asked about from Berlin: Berlin's time of it
printf '%s\r\n' BEGIN:VCALENDAR VERSION:2.0 PRODID:-//t//t//EN \
	BEGIN:VEVENT UID:ny@t DTSTAMP:20260101T000000Z \
	"DTSTART;TZID=America/New_York:20260308T023000" \
	"DTEND;TZID=America/New_York:20260308T033000" RRULE:FREQ=DAILY SUMMARY:standup \
	END:VEVENT END:VCALENDAR >nygap.ics
nestor --db nymove.db import nygap.ics >/dev/null
nestor --db nyask.db import nygap.ics >/dev/null
expect_eq "assistant: another zone's gap series moved to a day" \
	"$(NESTOR_NOW=2026-03-10T12:00:00Z nestor --db nymove.db ask "move all standup to Friday")" \
	"Event 1 changed: standup, Fri 13 Mar 2026 08:30–09:30, every day at 08:30 — the whole series changed"
expect_match "assistant: another zone's gap series asked about" \
	"$(NESTOR_NOW=2026-03-10T12:00:00Z nestor --db nyask.db ask "move standup to 7:00")" \
	'repeats \(every day at 08:30\)'
TZ=America/New_York nestor --db nyrun.db event add run --at "2026-03-08 02:30" --every daily >/dev/null
NESTOR_NOW=2026-03-10T12:00:00Z nestor --db nyrun.db ask "move all run to Friday" >/dev/null
expect_eq "assistant: a New York gap series moved from Berlin" \
	"$(TZ=America/New_York nestor --db nyrun.db agenda --from 2026-03-13 --to 2026-03-13)" "Fri 2026-03-13
     1  03:30-04:30  run — every day"

# a DATE UNTIL on a timed series (RFC 5545 wants a DATE-TIME; files have
# it): its day is the last one, as Google and Apple read it; the export
# writes the last second of that day, in UTC with a TZID
NESTOR_NOW=2026-01-01T00:00:00Z
printf '%s\r\n' BEGIN:VCALENDAR VERSION:2.0 PRODID:-//t//t//EN \
	BEGIN:VEVENT UID:d1@t DTSTAMP:20260101T000000Z \
	"DTSTART;TZID=Europe/Berlin:20260105T090000" \
	"DTEND;TZID=Europe/Berlin:20260105T100000" \
	"RRULE:FREQ=WEEKLY;BYDAY=MO,SA;UNTIL=20260110" SUMMARY:Zoned END:VEVENT \
	BEGIN:VEVENT UID:d2@t DTSTAMP:20260101T000000Z DTSTART:20260105T090000 \
	DURATION:PT1H "RRULE:FREQ=DAILY;UNTIL=20260110" SUMMARY:Floating END:VEVENT \
	END:VCALENDAR >until.ics
nestor --db until.db import until.ics >/dev/null
want="Sat 2026-01-10
     1  09:00-10:00  Zoned — every Monday and Saturday, until 2026-01-10
     2  09:00-10:00  Floating — every day, until 2026-01-10"
expect_eq "DATE UNTIL: its day is in" \
	"$(nestor --db until.db agenda --from 2026-01-10 --to 2026-01-11)" "$want"
nestor --db until.db event add Added --at "2026-01-05 09:00" \
	--every "FREQ=DAILY;UNTIL=20260110" >/dev/null
expect_eq "DATE UNTIL: event add alike" \
	"$(nestor --db until.db agenda --from 2026-01-10 --to 2026-01-10 | grep -c Added)" 1
nestor --db until.db export >back.ics
expect_eq "DATE UNTIL: exported" "$(grep -c 'UNTIL=20260110T225959Z' back.ics)" 3
nestor --db back.db import back.ics >/dev/null
expect_eq "DATE UNTIL: round trip" \
	"$(nestor --db back.db agenda --from 2026-01-10 --to 2026-01-11 | grep -c ' 09:00')" 3

# a second import defining a zone of the same TZID with other rules: the
# events of the first keep theirs, the new ones go by "TZID (2)" (with a
# warning), and the same rules written otherwise are the same zone
zone_ics() { # uid summer-offset winter-offset tzname
	printf '%s\r\n' BEGIN:VCALENDAR VERSION:2.0 PRODID:-//t//t//EN BEGIN:VTIMEZONE \
		TZID:Corp/Zone BEGIN:STANDARD DTSTART:19701025T030000 \
		"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" TZOFFSETFROM:$2 TZOFFSETTO:$3 \
		TZNAME:$4 END:STANDARD BEGIN:DAYLIGHT DTSTART:19700329T020000 \
		"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" TZOFFSETFROM:$3 TZOFFSETTO:$2 \
		TZNAME:$4 END:DAYLIGHT END:VTIMEZONE BEGIN:VEVENT UID:$1@t \
		DTSTAMP:20260101T000000Z "DTSTART;TZID=Corp/Zone:20260105T090000" \
		DURATION:PT1H RRULE:FREQ=WEEKLY SUMMARY:$1 END:VEVENT END:VCALENDAR
}
zone_ics first +0600 +0500 A >first.ics
zone_ics second +0500 +0500 B >second.ics
zone_ics third +0600 +0500 C >third.ics
TZ=UTC nestor --db zone.db import first.ics >/dev/null
TZ=UTC nestor --db zone.db import second.ics >/dev/null 2>warn
expect_match "redefined zone: warned" "$(cat warn)" 'time zone "Corp/Zone" has other rules.*"Corp/Zone \(2\)"'
TZ=UTC nestor --db zone.db import third.ics >/dev/null
TZ=UTC nestor --db zone.db import second.ics >/dev/null
want="Mon 2026-07-06
     1  03:00-04:00  first — every week
     3  03:00-04:00  third — every week
     2  04:00-05:00  second — every week"
expect_eq "redefined zone: the first events stay" \
	"$(TZ=UTC nestor --db zone.db agenda --from 2026-07-06 --to 2026-07-06)" "$want"
TZ=UTC nestor --db zone.db export >zone.ics
TZ=UTC nestor --db zone2.db import zone.ics >/dev/null
expect_eq "redefined zone: round trip" \
	"$(TZ=UTC nestor --db zone2.db agenda --from 2026-07-06 --to 2026-07-06)" "$want"
