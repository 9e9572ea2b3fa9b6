# What the offline engine makes of phrases it used to misread, seen by the
# commands that list what was stored: a range of hours across noon, a
# range of days, the weekday of next week, repeats within a day and by the
# place of a weekday in its month, ё and е alike in a search, and no
# bidirectional override echoed in a reply.  The clock: Monday 1 June
# 2026 09:00 UTC.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"

expect_eq "range across noon" "$(nestor ask 'add workshop tomorrow from 9 to 5')" \
	"Event 1 added: workshop, Tue 2 Jun 2026 09:00–17:00 (tomorrow)"
expect_eq "dash range across noon" "$(nestor ask 'add lunch tomorrow 12-1')" \
	"Event 2 added: lunch, Tue 2 Jun 2026 12:00–13:00 (tomorrow)"
expect_eq "range of days: the reply" "$(nestor ask 'add trip from friday to sunday')" \
	"Event 3 added: trip, Fri 5 Jun 2026 – Sun 7 Jun 2026, all day"
expect_match "range of days: saturday" "$(nestor agenda --from 2026-06-06 --to 2026-06-06)" "trip"
expect_match "range of days: sunday" "$(nestor agenda --from 2026-06-07 --to 2026-06-07)" "trip"
expect_eq "range of days: not monday" "$(nestor agenda --from 2026-06-08 --to 2026-06-08 | grep -c trip || true)" 0
nestor ask 'напомни в среду на следующей неделе продлить пропуск' > /dev/null
nestor ask 'remind me every hour to drink water' > /dev/null
nestor ask 'remind me every last friday to send the timesheet' > /dev/null
list=$(nestor remind list)
expect_match "weekday of next week" "$list" "2026-06-10 09:00 .* продлить пропуск$"
expect_match "every hour: from the next hour" "$list" "today 10:00 .* every hour .* drink water$"
expect_match "every last friday" "$list" "2026-06-26 09:00 .* send the timesheet$"

# ё and е are one letter in a search
nestor ask 'добавь встречу с Алёной в пятницу в 10' > /dev/null
expect_match "search: е finds ё" "$(nestor ask 'найди встречу с Аленой')" "встреча с Алёной"
nestor task add 'купить ёлку' > /dev/null
expect_match "task search: е finds ё" "$(nestor ask 'задача купить елку выполнена')" "купить ёлку"

# a bidirectional override in the text is not echoed in the reply
out=$(nestor ask "$(printf 'remind me tomorrow at 9 to pay \342\200\2569999 :tnuoma')")
expect_match "bidi: reply" "$out" "pay 9999 tnuoma"
case $out in *"$(printf '\342\200\256')"*) fail "bidi override in the reply: $out" ;; esac

# an hour range with no date said at 23:30 is tomorrow's, as an hour alone is
expect_eq "range at 23:30" \
	"$(NESTOR_NOW=2026-12-04T22:30:00Z TZ=Europe/Berlin nestor --db late.db ask 'add party from 8 to 10')" \
	"Event 1 added: party, Sat 5 Dec 2026 08:00–10:00 (tomorrow)"

# "every night at 2:30" said the evening before a fall-back night starts at
# the first of the two 02:30s (00:30 UTC), not a day later
expect_eq "fall-back night: the reply" \
	"$(NESTOR_NOW=2026-10-24T21:30:00Z TZ=Europe/Berlin nestor --db fall.db ask 'remind me every night at 2:30 to backup')" \
	"Reminder 1 set for Sun 25 Oct 2026 02:30 (tomorrow): backup (every day at 02:30)"
expect_match "fall-back night: the first 02:30" \
	"$(NESTOR_NOW=2026-10-24T21:30:00Z nestor --db fall.db remind list)" "tomorrow 00:30 .* backup$"

# "today at 8" said at 20:30: the time has passed, said in one line; no event
expect_eq "past today: reminder" \
	"$(NESTOR_NOW=2026-12-04T19:30:00Z TZ=Europe/Berlin nestor --db past.db ask 'remind me today at 8 to call')" \
	'08:00 today has passed; say "tomorrow at 8".'
expect_eq "past today: event" \
	"$(NESTOR_NOW=2026-12-04T19:30:00Z TZ=Europe/Berlin nestor --db past.db ask 'add call today at 8')" \
	'08:00 today has passed; say "tomorrow at 8".'
expect_eq "past today: nothing stored" "$(nestor --db past.db agenda --from 2026-12-04 --to 2026-12-04 | grep -c call || true)" 0

# "evening" in the title gives no half: said at 07:00, "at 8" is 08:00
expect_eq "title word: no half" \
	"$(NESTOR_NOW=2026-12-04T06:00:00Z TZ=Europe/Berlin nestor --db title.db ask 'add evening class at 8')" \
	"Event 1 added: evening class, Fri 4 Dec 2026 08:00–09:00 (today)"
