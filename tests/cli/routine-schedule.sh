# Routines' schedules: runs at least 5 minutes apart on add and edit (a
# cron expression, a BYMINUTE list, a phrase), a stored closer one still
# listed, edited and run as stored; a daily routine written at 02:30 of
# Berlin's spring-forward day runs at 03:30 that day and 02:30 after, from
# --at, from edit --at (in the routine's zone) and from a sentence.  The
# offline assistant answers, and refuses too frequent a routine before it
# offers it.  MINUTELY/SECONDLY read BYMINUTE/BYSECOND; a stored rule closer
# than 5 minutes keeps --at and --tz editable.
. "$(dirname "$0")/lib.sh"
TZ=Europe/Berlin
NESTOR_NOW=2026-03-20T12:00:00Z
export TZ NESTOR_NOW
cd "$NESTOR_HOME"

# -- the limit: one line naming the schedule and the limit, exit 2
limit='a routine runs at most every 5 minutes \("\*/5 \* \* \* \*"\)$'
refused "every minute" "^nestor: routine add: schedule \"\\* \\* \\* \\* \\*\" runs 1 minute apart: $limit" \
	routine add "my day" --every "* * * * *"
refused "*/1" "runs 1 minute apart: $limit" routine add "my day" --every "*/1 * * * *"
refused "two minutes" "schedule \"0,2 \\* \\* \\* \\*\" runs 2 minutes apart: $limit" \
	routine add "my day" --every "0,2 * * * *"
refused "across the hour" "runs 1 minute apart: $limit" routine add "my day" --every "59,0 * * * *"
refused "*/4" "runs 4 minutes apart" routine add "my day" --every "*/4 * * * *"
refused "a BYMINUTE list" "schedule \"FREQ=HOURLY;BYMINUTE=0,1\" runs 1 minute apart: $limit" \
	routine add "my day" --every "FREQ=HOURLY;BYMINUTE=0,1"
refused "a phrase" "^nestor: routine add: schedule \"every minute\" runs 1 minute apart: $limit" \
	routine add "my day" --every "every minute"
refused "seconds" "schedule \"every 30 seconds\" repeats within a minute: $limit" \
	routine add "my day" --every "every 30 seconds"
expect_eq "nothing made" "$(nestor routine list --all)" "no routines"
# 5 minutes apart, or one minute an hour with hours in a row, is fine
expect_eq "*/5" "$(nestor routine add "my day" --every "*/5 * * * *")" 1
expect_eq "59,0 at 09" "$(nestor routine add "my day" --every "59,0 9 * * *")" 2
expect_eq "every 5 minutes" "$(nestor routine add "my day" --every "every 5 minutes")" 3
# MINUTELY and SECONDLY read their BYMINUTE and BYSECOND too: hourly is fine
expect_eq "MINUTELY;BYMINUTE=0" \
	"$(nestor --db b.db routine add "my day" --every "FREQ=MINUTELY;BYMINUTE=0")" 1
expect_eq "every 300 seconds" \
	"$(nestor --db b.db routine add "my day" --every "every 300 seconds")" 2
refused "MINUTELY;BYMINUTE=0,2" "schedule \"FREQ=MINUTELY;BYMINUTE=0,2\" runs 2 minutes apart" \
	--db b.db routine add "my day" --every "FREQ=MINUTELY;BYMINUTE=0,2"
refused "every 120 seconds" "schedule \"every 120 seconds\" runs 2 minutes apart: $limit" \
	--db b.db routine add "my day" --every "every 120 seconds"
refused "edit" "^nestor: routine edit: schedule \"\\*/2 \\* \\* \\* \\*\" runs 2 minutes apart: $limit" \
	routine edit 1 --every "*/2 * * * *"
expect_match "edit refused: kept" "$(nestor routine show 1)" 'every +every 5 minutes'

# -- one stored before the limit (every minute): listed, edited, run as stored
python3 -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE jobs SET rule = ? WHERE id = 1", ("* * * * *",)); c.commit()' nestor.db
expect_match "stored: listed" "$(nestor routine list)" '^ +1 +.* every minute +- +my day$'
expect_eq "stored: other fields" "$(nestor routine edit 1 "what is due")" "routine 1 changed"
expect_match "stored: kept its rule" "$(nestor routine show 1)" 'every +every minute \(\* \* \* \* \*\)'
NESTOR_NOW=2026-03-20T12:05:00Z nestor remind fire >/dev/null
expect_match "stored: runs as stored" "$(NESTOR_NOW=2026-03-20T12:05:10Z nestor routine show 1)" \
	'next run +today 13:06'
nestor routine rm 1 >/dev/null; nestor routine rm 2 >/dev/null; nestor routine rm 3 >/dev/null
# a stored FREQ=MINUTELY closer than 5 minutes: --at and --tz still edit it
nestor --db r.db routine add "my day" --every "FREQ=MINUTELY;INTERVAL=5" >/dev/null
python3 -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE jobs SET rule = ? WHERE id = 1", ("FREQ=MINUTELY;INTERVAL=2",)); c.commit()' r.db
expect_eq "stored RRULE: --at" "$(nestor --db r.db routine edit 1 --at "2026-03-21 09:00" 2>&1)" \
	"routine 1 changed"
expect_eq "stored RRULE: --tz" "$(nestor --db r.db routine edit 1 --tz UTC 2>&1)" "routine 1 changed"
expect_match "stored RRULE: kept" "$(nestor --db r.db routine show 1)" \
	'every +every 2 minutes \(FREQ=MINUTELY;INTERVAL=2\) in UTC'

# -- the offline assistant says the limit before offering, not after a yes
expect_eq "ask: too often" "$(nestor --db q.db ask "every 2 minutes at 9:00 tell me my day")" \
	'A routine runs at most every 5 minutes: for example, "every 5 minutes tell me my day".'
expect_eq "ask: nothing to say yes to" "$(nestor --db q.db ask --conversation 1 yes)" \
	"There is nothing to confirm."
expect_eq "ask: none made" "$(nestor --db q.db routine list --all)" "no routines"

# -- 02:30 on the gap day: 03:30 that day, 02:30 the next
# fire ONE_UTC NEXT_UTC DB: the scheduler at ONE, then routine 1's next run at NEXT
fire() {
	NESTOR_NOW=$1 nestor --db "$3" remind fire >/dev/null
	NESTOR_NOW=$2 nestor --db "$3" routine list
}
nestor --db a.db routine add "my day" --every daily --at "2026-03-29 02:30" >/dev/null
expect_match "--at: the gap day" "$(nestor --db a.db routine list)" '^ +1 +Sun 29 Mar 03:30 '
expect_match "--at: 02:30 after" "$(fire 2026-03-29T01:31:00Z 2026-03-29T01:32:00Z a.db)" \
	'^ +1 +tomorrow 02:30 +every day'
expect_match "--at: 02:30 the day after" "$(fire 2026-03-30T00:31:00Z 2026-03-30T00:32:00Z a.db)" \
	'^ +1 +tomorrow 02:30 +every day'
# edited to the gap day's 02:30, and another field edited after
nestor --db e.db routine add "my day" --every daily --at "2026-03-25 09:00" >/dev/null
nestor --db e.db routine edit 1 --at "2026-03-29 02:30" >/dev/null
nestor --db e.db routine edit 1 "what is due" >/dev/null
expect_match "edit --at: 02:30 after" "$(fire 2026-03-29T01:31:00Z 2026-03-29T01:32:00Z e.db)" \
	'^ +1 +tomorrow 02:30 +every day'
# edit --at without --tz reads the time in the routine's zone, not the machine's
TZ=UTC nestor --db u.db routine add "my day" --every daily --tz Europe/Berlin \
	--at "2026-03-29 02:30" >/dev/null
TZ=UTC nestor --db u.db routine edit 1 --at "2026-03-29 02:30" >/dev/null
expect_match "edit --at: the routine's zone" "$(TZ=UTC nestor --db u.db routine show 1)" \
	'next run +Sun 29 Mar 01:30'
expect_match "edit --at: its wall time kept" \
	"$(TZ=UTC fire 2026-03-29T01:31:00Z 2026-03-29T01:32:00Z u.db)" '^ +1 +tomorrow 00:30 +every day'
# said in a sentence the day before
NESTOR_NOW=2026-03-28T12:00:00Z nestor --db s.db ask "every day at 02:30 list my tasks" >/dev/null
NESTOR_NOW=2026-03-28T12:00:00Z nestor --db s.db ask --conversation 1 yes >/dev/null
expect_match "sentence: 02:30 after" "$(fire 2026-03-29T01:31:00Z 2026-03-29T01:32:00Z s.db)" \
	'^ +1 +tomorrow 02:30 +every day'
# a cron expression keeps 02:30 by itself (cron.h): 03:00 on the gap day
nestor --db c.db routine add "my day" --every "30 2 * * *" >/dev/null
expect_match "cron: the gap day" "$(fire 2026-03-28T01:31:00Z 2026-03-28T01:32:00Z c.db)" \
	'^ +1 +tomorrow 03:00 '
expect_match "cron: 02:30 after" "$(fire 2026-03-29T01:01:00Z 2026-03-29T01:02:00Z c.db)" \
	'^ +1 +tomorrow 02:30 '
# the limit reads the written times (nestor(1)): 01:59 then 03:00, the end of
# the skipped hour, a minute apart on the spring-forward day
expect_eq "written times" "$(NESTOR_NOW=2026-03-28T12:00:00Z nestor --db w.db routine add \
	"my day" --every "59 1,2 * * *")" 1
expect_match "written times: a minute apart" \
	"$(fire 2026-03-29T00:59:10Z 2026-03-29T00:59:20Z w.db)" '^ +1 +today 03:00 '
echo ok
