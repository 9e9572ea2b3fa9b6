# An imported event's VALARM becomes a reminder; re-import keeps one; event rm removes it.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin
day=$(test_date $((3 * 86400)) +%Y%m%d)
cat > f.ics <<ICS
BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:dentist@cli
SUMMARY:Dentist
DTSTART;TZID=Europe/Berlin:${day}T140000
DTEND;TZID=Europe/Berlin:${day}T150000
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Reminder
TRIGGER:-PT15M
END:VALARM
END:VEVENT
BEGIN:VEVENT
UID:old@cli
SUMMARY:Brunch
DTSTART:20200101T100000Z
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER:-PT5M
END:VALARM
END:VEVENT
END:VCALENDAR
ICS

out=$(nestor import f.ics)
expect_eq "import summary" "$out" "2 added, 0 updated; 1 alarm set, 1 in the past skipped"
json=$(nestor remind list --json)
expect_match "alarm text" "$json" '"text":	"Dentist at 14:00"'
expect_match "alarm time" "$json" "\"at\":	\"$(date -d "$day" +%Y-%m-%d)T13:45:00\+0[12]:00\""
expect_match "alarm trigger" "$json" '"alarm":	"-PT15M"'
expect_match "alarm event" "$json" '"event_id":	1'
expect_match "listed like any reminder" "$(nestor remind list)" ' Dentist at 14:00$'

out=$(nestor import f.ics)
expect_eq "re-import" "$out" "0 added, 2 updated; 1 alarm set, 1 in the past skipped"
expect_eq "no duplicate" "$(nestor remind list --json | grep -c '"alarm"')" 1

nestor event rm 1 >/dev/null
expect_eq "event rm removes it" "$(nestor remind list)" "no pending reminders"

# A series in a zone only the file's VTIMEZONE defines (Berlin's rules under
# another name): its alarm is set, and another process follows the zone.
cat > custom.ics <<ICS
BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VTIMEZONE
TZID:Custom/Berlin-ish
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:standup@cli
SUMMARY:Standup
DTSTART;TZID=Custom/Berlin-ish:${day}T090000
DTEND;TZID=Custom/Berlin-ish:${day}T091500
RRULE:FREQ=WEEKLY
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER:-PT10M
END:VALARM
END:VEVENT
END:VCALENDAR
ICS
out=$(nestor import custom.ics)
expect_eq "custom zone import" "$out" "1 added, 0 updated; 1 alarm set"
json=$(nestor remind list --json)
expect_match "custom zone alarm time" "$json" "\"at\":	\"$(date -d "$day" +%Y-%m-%d)T08:50:00\+0[12]:00\""
expect_match "custom zone named" "$json" '"text":	"Standup at 09:00 Custom/Berlin-ish"'
id=$(printf '%s\n' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_eq "next week in the zone" "$(nestor remind done "$id")" \
	"reminder $id done; next $(date -d "$day + 7 days" +%Y-%m-%d) 08:50"

# A daily series written at 02:30 on Berlin's spring-forward day starts at
# 03:30 that day and keeps 02:30 on the others; its reminder follows it, and
# an occurrence deleted (at its 02:30 key) no longer reminds.
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:gap@alarm\r\n' >gap.ics
printf '%s\r\n' 'SUMMARY:Night' 'DTSTART;TZID=Europe/Berlin:20260329T023000' \
	'DURATION:PT30M' 'RRULE:FREQ=DAILY' 'BEGIN:VALARM' \
	'ACTION:DISPLAY' 'TRIGGER:-PT10M' 'END:VALARM' 'END:VEVENT' 'END:VCALENDAR' >>gap.ics
gap_at() { nestor --db gap.db remind list --json | grep '"at"' | tr -d ' \t'; }
NESTOR_NOW=2026-03-28T12:00:00Z nestor --db gap.db import gap.ics >/dev/null
expect_eq "gap: the reminder 10 minutes before 03:30 on the day" "$(gap_at)" \
	'"at":"2026-03-29T03:20:00+02:00",'
expect_match "gap: the text names the time written" \
	"$(nestor --db gap.db remind list --json)" '"text":	"Night at 02:30"'
id=$(nestor --db gap.db remind list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_eq "gap: then before 02:30" \
	"$(NESTOR_NOW=2026-03-29T02:00:00Z nestor --db gap.db remind done "$id")" \
	"reminder $id done; next tomorrow 02:20"
NESTOR_NOW=2026-12-03T12:00:00Z nestor --db gap.db event rm 1 --only 2026-12-04 >/dev/null
expect_eq "gap: a deleted occurrence does not remind" "$(gap_at)" \
	'"at":"2026-12-05T02:20:00+01:00",'
