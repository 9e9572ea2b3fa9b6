# An event with alarms (iCalendar text, its lines ending in CR LF) reaches
# the other device of the user, with its reminder, against a real
# PostgreSQL (other control characters are still refused: check_replica).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/synccase.sh"
trap pg_stop EXIT
pg_start
admin
on admin user add alice >/dev/null
device a alice
device b alice
printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:al@test\r\nDTSTART:20300110T100000Z\r\nSUMMARY:dentist\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >al.ics
on a import al.ics >/dev/null
on a sync >/dev/null
on b sync >out
case $(cat out) in *refused*) fail "B refused a change: $(cat out)" ;; esac
expect_match "B has the event" "$(on b event search dentist)" 'dentist'
expect_match "B has its alarm" "$(on b event show "$(on b event search dentist --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')")" 'alarms +yes'
expect_match "and the reminder" "$(on b remind list)" '2030-01-10 09:45 .*dentist'
