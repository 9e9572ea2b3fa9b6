# How often a rule may repeat: never every second; an event at most every
# hour, a reminder every 5 minutes; from the CLI, the model's tools and an
# imported file (where only that event is skipped, with its line).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
cd "$NESTOR_HOME"
count() { nestor --json "$@" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

refused "remind: every second" 'nestor: remind add: RRULE "FREQ=SECONDLY" repeats within a minute' \
	remind add a --at "tomorrow 9:00" --every FREQ=SECONDLY
refused "remind: every 2 minutes" 'RRULE "FREQ=MINUTELY;INTERVAL=2": a reminder repeats at most every 5 minutes' \
	remind add a --at "tomorrow 9:00" --every "every 2 minutes"
refused "remind: two seconds a day" "repeats within a minute" \
	remind add a --at "tomorrow 9:00" --every "FREQ=DAILY;BYSECOND=0,30"
nestor remind add a --at "tomorrow 9:00" --every "every 5 minutes" > /dev/null
expect_eq "every 5 minutes is a reminder" "$(count remind list)" 1
refused "event: every minute" 'nestor: event add: --every: RRULE "FREQ=MINUTELY;INTERVAL=30": an event repeats at most every hour' \
	event add e --at "tomorrow 9:00" --every "FREQ=MINUTELY;INTERVAL=30"
refused "event: every second" "repeats within a minute" event add e --at "tomorrow 9:00" --every FREQ=SECONDLY
nestor event add e --at "2026-06-02 09:00" --every FREQ=HOURLY > /dev/null
expect_eq "one event" "$(count agenda --from 2026-06-02 --to "2026-06-02 12:00")" 3
# a rule stored before the limit: the event is still edited, its rule kept
sqlite3 "$NESTOR_HOME/nestor.db" "UPDATE events SET rrule = 'FREQ=MINUTELY;INTERVAL=30' WHERE id = 1"
nestor event edit 1 --at "2026-06-02 10:00" > /dev/null 2> err || fail "an old rule: event edit refused: $(cat err)"
expect_eq "an old rule: moved" "$(count agenda --from 2026-06-02 --to "2026-06-02 11:00")" 2
refused "an old rule: a new one still limited" "an event repeats at most every hour" \
	event edit 1 --every FREQ=MINUTELY
nestor event edit 1 --at "2026-06-02 09:00" --every FREQ=HOURLY > /dev/null

# a file: that event is skipped and said so, the others are imported
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20260603T090000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:bomb\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b@x\r\nDTSTART:20260603T100000Z\r\nSUMMARY:fine\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' > bomb.ics
nestor import bomb.ics > out 2> err || fail "import refused the file: $(cat err)"
expect_eq "import: the rest" "$(cat out)" "1 added, 0 updated"
expect_match "import: the warning" "$(cat err)" '^nestor: warning: import: line 7: RRULE "FREQ=SECONDLY" repeats within a minute: .*; the event is skipped$'
expect_match "import: skipped" "$(cat err)" "skipped 1 too frequent RRULE"
expect_eq "import: the agenda" "$(nestor agenda --from 2026-06-03 --to 2026-06-04 | grep -c 'bomb\|fine')" 1

# the model's tools
fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default > /dev/null
told() { # TOOL ARGS WANT: the model called TOOL and was told an error matching WANT
	fake_script "[{\"calls\": [{\"name\": \"$1\", \"arguments\": $2}]}, {\"say\": \"Done.\"}]"
	expect_eq "$1: the reply" "$(nestor ask do it 2>&1)" "Done."
	fake_py "
import json, re
got = json.loads(reqs[-1]['json']['messages'][-1]['content']).get('error') or ''
assert re.search(r'''$3''', got), got
" || fail "$1 $2: the model was not told [$3]"
}
told reminder_add '{"text": "t", "at": "tomorrow 9:00", "every": "FREQ=SECONDLY"}' "repeats within a minute"
told calendar_add '{"summary": "s", "start": "tomorrow 9:00", "every": "FREQ=SECONDLY"}' "repeats within a minute"
told calendar_add '{"summary": "s", "start": "tomorrow 9:00", "every": "FREQ=MINUTELY"}' "an event repeats at most every hour"
expect_eq "no reminder more" "$(count remind list)" 1
expect_eq "no event more" "$(count agenda --from 2026-06-02 --to 2026-06-02T09:30)" 1
echo ok
