# What was stored, said on a terminal (through a pseudo-terminal); a pipe
# keeps the bare id for scripts.  The clock reads Monday 2026-06-01 09:00 UTC.
. "$(dirname "$0")/lib.sh"
B=$NESTOR_BIN

# a pipe: the bare id, as before
expect_eq "task add, piped" "$(nestor task add buy milk --due "tomorrow 17:00")" 1
expect_eq "remind add, piped" "$(nestor remind add call mom --at "tomorrow 17:00")" 1
expect_eq "event add, piped" "$(nestor event add dentist --at "2026-06-08 10:00" --for 1h)" 1
expect_eq "task edit, piped" "$(nestor task edit 1 --priority 2)" 1
expect_eq "event edit, piped" "$(nestor event edit 1 --location "Main St")" 1
expect_match "--json keeps the object" "$(on_tty "$B" --json task add x)" '^\{$'

# a terminal: the id, the title, the full date with weekday, the time, how
# far away, the rule in words.  "monday 23:00" typed on a Monday morning
# means next Monday: said so.
expect_eq "task add on a terminal" "$(on_tty "$B" task add call bank --due "monday 23:00")" \
	"Task 3: call bank — due Mon 8 Jun 23:00 (in 7 days)"
expect_eq "a date alone, a priority" "$(on_tty "$B" task add bread --due tomorrow --priority 3)" \
	"Task 4: bread — due Tue 2 Jun (tomorrow), priority 3"
expect_eq "task edit on a terminal" "$(on_tty "$B" task edit 4 --title "rye bread")" \
	"Task 4 updated: rye bread — due Tue 2 Jun (tomorrow), priority 3"
expect_eq "reminder with a rule" \
	"$(on_tty "$B" remind add call mom --at "friday 16:00" --every "every friday")" \
	"Reminder 2: call mom — Fri 5 Jun 16:00 (in 4 days), every Friday"
expect_eq "reminder with a cron rule" "$(on_tty "$B" remind add standup --every "30 8 * * 1-5")" \
	"Reminder 3: standup — Tue 2 Jun 08:30 (tomorrow), every weekday at 08:30"
expect_eq "event add on a terminal" \
	"$(on_tty "$B" event add review --at "2026-06-03 09:00" --tz America/New_York --for 30m --every weekly)" \
	"Event 2: review — Wed 3 Jun 13:00–13:30 (in 2 days; 09:00 America/New_York), every week"
expect_eq "all-day event" "$(on_tty "$B" event add Trip --at 2026-06-05 --end 2026-06-07)" \
	"Event 3: Trip — Fri 5 Jun – Sun 7 Jun, all day (in 4 days)"
expect_eq "event edit on a terminal" "$(on_tty "$B" event edit 1 --at "2026-06-01 15:00")" \
	"Event 1 updated: dentist — Mon 1 Jun 15:00–16:00 (today), at Main St"
# a title with a control character is refused where it enters (tests/cli/hostile.sh)
expect_eq "a title's control character refused on a terminal" \
	"$(on_tty "$B" task add "$(printf 'bell\007 here')" || true)" \
	"nestor: task add: title: control character U+0007 (byte 5)"

# the rule in words where people read it; RRULE text only in --json
expect_match "remind list says the rule" "$(nestor remind list)" \
	"^ +2  2026-06-05 16:00  every Friday +call mom$"
expect_match "remind list, cron" "$(nestor remind list)" "^ +3  tomorrow 08:30 +every weekday at 08:30 +standup$"
expect_match "--json keeps the rule" "$(nestor remind list --json)" '"every":	"FREQ=WEEKLY;BYDAY=FR"'

# overdue tasks are marked; a task due today (a day) is not, yet
nestor --db due.db task add rent --due yesterday >/dev/null
nestor --db due.db task add call --due "today 08:00" >/dev/null
nestor --db due.db task add milk --due today >/dev/null
out=$(nestor --db due.db task list)
expect_match "yesterday's task is overdue" "$out" "^ +1 +0  yesterday +rent \(overdue\)$"
expect_match "this morning's too" "$out" "^ +2 +0  today 08:00 +call \(overdue\)$"
expect_match "today's is not" "$out" "^ +3 +0  today +milk$"
