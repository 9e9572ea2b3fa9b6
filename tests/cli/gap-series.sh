# A repeating reminder or event series written at a time the spring-forward
# change skips (02:30 on 29 March 2026 in Berlin): that day's 03:30, 02:30
# on the others, and the length written on every day.
. "$(dirname "$0")/lib.sh"
TZ=Europe/Berlin
export TZ
NESTOR_NOW=2026-03-20T12:00:00Z
cd "$NESTOR_HOME"

# a repeating reminder from 02:30 of the gap day: 03:30 that day, then 02:30
nestor --db r.db remind add stretch --at "2026-03-29 02:30" --every daily >/dev/null
expect_eq "reminder: the gap day's 03:30" "$(nestor --db r.db remind list)" \
	"  ID  DUE               EVERY                     TEXT
   1  2026-03-29 03:30  every day                 stretch"
expect_eq "reminder: 02:30 on the next days" \
	"$(nestor --db r.db remind done 1; nestor --db r.db remind done 1)" \
	"reminder 1 done; next 2026-03-30 02:30
reminder 1 done; next 2026-03-31 02:30"
# added after the gap day, it starts at the next 02:30
expect_eq "reminder: a past gap --at anchors 02:30" \
	"$(NESTOR_NOW=2026-04-02T12:00:00Z nestor --db r2.db remind add late \
		--at "2026-03-29 02:30" --every daily >/dev/null
	   NESTOR_NOW=2026-04-02T12:00:00Z nestor --db r2.db remind list --json |
		sed -n 's/.*"at":.*"\(.*\)".*/\1/p')" "2026-04-03T02:30:00+02:00"
# the offline assistant alike, and its reply says the time kept
expect_eq "reminder: the assistant's reply" \
	"$(nestor --db r3.db ask "remind me on 29 March at 2:30 every day to run")" \
	"Reminder 1 set for Sun 29 Mar 2026 03:30: run (every day at 02:30)"
expect_eq "reminder: the assistant's next day" "$(nestor --db r3.db remind done 1)" \
	"reminder 1 done; next 2026-03-30 02:30"

# an --end with the skipped hour between it and the start: the length
# written on every day (the gap day's start plus that length)
nestor --db e.db event add from-gap --at "2026-03-29 02:30" --end 04:00 --every daily >/dev/null
nestor --db e.db event add across --at "2026-03-29 01:30" --end 03:30 --every daily >/dev/null
nestor --db e.db event add to-gap --at "2026-03-29 01:30" --end 02:30 --every daily >/dev/null
nestor --db e.db event add once --at "2026-03-29 02:30" --end 04:00 >/dev/null
want="Sun 2026-03-29
     3  01:30-03:30  to-gap — every day
     2  01:30-04:30  across — every day
     4  03:30-04:00  once
     1  03:30-05:00  from-gap — every day

Mon 2026-03-30
     3  01:30-02:30  to-gap — every day
     2  01:30-03:30  across — every day
     1  02:30-04:00  from-gap — every day"
expect_eq "event add --end: the written length" \
	"$(nestor --db e.db agenda --from 2026-03-29 --to 2026-03-30)" "$want"
nestor --db e.db event edit 1 --end 05:00 >/dev/null
expect_eq "event edit --end: from the time written" \
	"$(nestor --db e.db agenda --from 2026-03-30 --to 2026-03-30 | grep from-gap)" \
	"     1  02:30-05:00  from-gap — every day"
nestor --db e.db event edit 1 --end 04:00 >/dev/null
# exported as a DURATION (a DTEND would say the gap day's instant), read back
nestor --db e.db export >e.ics
expect_eq "export: a DURATION" "$(grep -c '^DURATION:PT1H30M' e.ics)" 1
nestor --db e2.db import e.ics >/dev/null
expect_eq "export: round trip" "$(nestor --db e2.db agenda --from 2026-03-29 --to 2026-03-30)" \
	"$want"

# an imported series from 02:30 to 03:30 of the gap day (both that day's
# 03:30): the hour written, not nothing
printf '%s\r\n' BEGIN:VCALENDAR VERSION:2.0 PRODID:-//t//t//EN \
	BEGIN:VEVENT UID:g@t DTSTAMP:20260101T000000Z \
	"DTSTART;TZID=Europe/Berlin:20260329T023000" \
	"DTEND;TZID=Europe/Berlin:20260329T033000" RRULE:FREQ=DAILY SUMMARY:gap \
	END:VEVENT END:VCALENDAR >g.ics
nestor --db i.db import g.ics >/dev/null
want="Sun 2026-03-29
     1  03:30-04:30  gap — every day

Mon 2026-03-30
     1  02:30-03:30  gap — every day"
expect_eq "import: the written hour" "$(nestor --db i.db agenda --from 2026-03-29 --to 2026-03-30)" \
	"$want"
nestor --db i.db export >i.ics
expect_eq "import: exported as written" "$(grep -c -e '^DTSTART;TZID=Europe/Berlin:20260329T023000' \
	-e '^DURATION:PT1H' i.ics)" 2
nestor --db i2.db import i.ics >/dev/null
expect_eq "import: round trip" "$(nestor --db i2.db agenda --from 2026-03-29 --to 2026-03-30)" \
	"$want"

# a series of another zone moved with --tz to its own gap keeps the time
# written there, as a local one does
TZ=America/New_York nestor --db z.db event add s --at "2026-03-25 09:00" --tz Europe/Berlin \
	--every daily >/dev/null
TZ=America/New_York nestor --db z.db event edit 1 --at "2026-03-29 02:30" --tz Europe/Berlin \
	--end 04:00 >/dev/null
expect_eq "another zone: its own gap" "$(nestor --db z.db agenda --from 2026-03-29 --to 2026-03-30)" \
	"Sun 2026-03-29
     1  03:30-05:00  s — every day

Mon 2026-03-30
     1  02:30-04:00  s — every day"
