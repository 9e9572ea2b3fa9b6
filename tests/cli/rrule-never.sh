# A recurrence rule that never matches a date (or a reminder's, none after
# now): refused where it comes in (event add/edit, import, remind add), and
# left out with a warning by the agenda, ask and search when a database
# holds one already.
. "$(dirname "$0")/lib.sh"
DB=$NESTOR_HOME/nestor.db
FEB30="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"
APR31="FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4"

# nestor ARGS... must fail with exit 2 and the one line WANT on stderr
refused() {
	_want=$1
	shift
	if nestor "$@" >out 2>err; then
		fail "nestor $* was accepted"
	else
		_st=$?
	fi
	expect_eq "exit of nestor $*" "$_st" 2
	expect_eq "error of nestor $*" "$(cat err)" "$_want"
}
count() { sqlite3 "$DB" "SELECT count(*) FROM $1"; }
# the rule as nestor writes it back (libical's order of the parts)
canon() { echo "$1" | sed 's/\(BYMONTH=[0-9]*\);\(BYMONTHDAY=[0-9]*\)/\2;\1/'; }

nestor event add lunch --at "tomorrow 12:00" >/dev/null
for rule in "$FEB30" "$APR31"; do
	refused "nestor: event add: --every: RRULE \"$(canon "$rule")\" never matches a date" \
		event add x --at "tomorrow 10:00" --every "$rule"
	refused "nestor: event add: --every: RRULE \"$(canon "$rule")\" never matches a date" \
		event add x --at 2026-06-05 --every "$rule"
	refused "nestor: event edit: --every: RRULE \"$(canon "$rule")\" never matches a date" \
		event edit 1 --every "$rule"
	refused "nestor: remind add: every: RRULE \"$(canon "$rule")\" never matches a date" \
		remind add call --at "tomorrow 10:00" --every "$rule"
done
refused 'nestor: event add: --every: RRULE "FREQ=DAILY;UNTIL=20200101" has no occurrence from the start' \
	event add x --at "tomorrow 10:00" --every "FREQ=DAILY;UNTIL=20200101"
refused 'nestor: remind add: every: RRULE "FREQ=DAILY;UNTIL=20200101" has no occurrence from the time given' \
	remind add call --at "tomorrow 10:00" --every "FREQ=DAILY;UNTIL=20200101"
# a repeating reminder's past --at anchors its rule: a rule ended before
# now, or whose occurrence after now is too far from --at to be found, is
# refused, not kept due at --at
refused 'nestor: remind add: every: RRULE "FREQ=DAILY;COUNT=3" has no occurrence after now' \
	remind add call --at "2020-01-01 09:00" --every "FREQ=DAILY;COUNT=3"
refused 'nestor: remind add: every: RRULE "FREQ=MINUTELY;COUNT=99999999;INTERVAL=5": no occurrence found after 200000 steps from the time given (give a later one)' \
	remind add call --at "2020-01-01 09:00" --every "FREQ=MINUTELY;INTERVAL=5;COUNT=99999999"
expect_eq "nothing written" "$(count events):$(count jobs)" "1:0"
nestor event show 1 | grep -q "^repeats" && fail "the edit gave lunch a rule"

# an import refuses the file at the rule's line, as for any bad property
for rule in "$FEB30" "$APR31"; do
	cat >never.ics <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:fine@test
DTSTART:20260603T090000Z
DTEND:20260603T100000Z
SUMMARY:fine
END:VEVENT
BEGIN:VEVENT
UID:never@test
DTSTART;VALUE=DATE:20260603
RRULE:$rule
SUMMARY:never
END:VEVENT
END:VCALENDAR
EOF
	refused "nestor: import: never.ics: line 13: RRULE \"$(canon "$rule")\" never matches a date" \
		import never.ics
done
expect_eq "nothing imported" "$(count events)" 1

# a database that holds such a series already (an older nestor, a pull)
sqlite3 "$DB" "INSERT INTO events(calendar_id, uid, summary, start, \"end\", tzid, all_day, rrule, updated_at)
	SELECT calendar_id, 'old@test', 'never', start - 7200, \"end\" - 7200, tzid, 0, '$FEB30', updated_at
	FROM events WHERE id = 1"
old=$(sqlite3 "$DB" "SELECT id FROM events WHERE uid = 'old@test'")
warning="nestor: warning: event $old: RRULE \"$FEB30\" cannot be expanded; the series is left out"
nestor agenda --from 2026-06-01 --to 2026-06-30 >out 2>err || fail "agenda failed: $(cat err)"
expect_eq "agenda shows the rest" "$(cat out)" "Tue 2026-06-02
     1  12:00-13:00  lunch"
expect_eq "agenda warns once" "$(cat err)" "$warning"
nestor ask "what do I have tomorrow" >out 2>err || fail "ask failed: $(cat err)"
expect_match "ask shows the rest" "$(cat out)" "12:00.*lunch"
expect_eq "ask warns once" "$(cat err)" "$warning"
nestor event search never >out 2>err || fail "search failed: $(cat err)"
expect_eq "search warns" "$(cat err)" "$warning"
# the rule can be mended
nestor event edit "$old" --every yearly >/dev/null
nestor agenda --from 2026-06-01 --to 2026-06-30 >out 2>err
expect_eq "mended: no warning" "$(cat err)" ""
expect_match "mended: shown" "$(cat out)" "10:00-11:00  never"
echo "rrule-never: ok"
