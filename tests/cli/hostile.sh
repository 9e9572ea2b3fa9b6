# Text from outside: invalid UTF-8 is refused where it enters; control
# characters and escape sequences in titles, calendar files, error messages
# and config errors never reach a terminal raw (a pty made by script(1)).
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
command -v script >/dev/null || fail "script(1) is needed to give nestor a terminal"
ESC=$(printf '\033')
BEL=$(printf '\007')
# on_tty CMD...: nestor's output on a terminal (stdout and stderr)
on_tty() {
	script -qec "$NESTOR_BIN $*" /dev/null
}
# no_controls WHAT TEXT: no escape, bell or C1 CSI in TEXT
no_controls() {
	case $2 in
	*"$ESC"* | *"$BEL"* | *"$(printf '\302\233')"*) fail "$1: raw control characters: $(printf '%s' "$2" | od -c | head -5)" ;;
	esac
}

# Invalid UTF-8 on the command line: exit 2, nothing stored, JSON stays JSON.
set +e
err=$(nestor task add "$(printf 'bad \377 title')" 2>&1); st=$?
set -e
expect_eq "invalid UTF-8 title" "$st" 2
expect_eq "invalid UTF-8 message" "$err" "nestor: task add: argument 1: not valid UTF-8 (byte 5)"
# Control characters (C0 but tab and newline, DEL, C1) are refused where text
# enters, naming the field: another device would refuse them on a pull.
for t in 'evil \033]0;pwned\007|U+001B (byte 6)' 'pay \033]8;;http://x\033\\rent|U+001B (byte 5)' \
	'a\rb|U+000D (byte 2)' 'a\177|U+007F (byte 2)' 'a \302\233x|U+009B (byte 3)'; do
	set +e
	err=$(nestor task add "$(printf "${t%%|*}")" 2>&1); st=$?
	set -e
	expect_eq "control character in a title ($t)" "$st" 2
	expect_eq "control character message ($t)" "$err" "nestor: task add: title: control character ${t#*|}"
done
set +e
err=$(nestor remind add --at tomorrow "$(printf 'ring \033[5m')" 2>&1); st=$?
set -e
expect_eq "control character in a reminder" "$st" 2
expect_eq "reminder message" "$err" "nestor: remind add: text: control character U+001B (byte 6)"
set +e
err=$(nestor routine add --every "0 8 * * *" "$(printf 'say \033[2Jhi')" 2>&1); st=$?
set -e
expect_eq "control character in a routine" "$st" 2
expect_eq "routine message" "$err" "nestor: routine add: request: control character U+001B (byte 5)"
expect_eq "no routine stored" "$(nestor routine list --json)" "[]"
nestor task add "$(printf 'tab\there')" --notes "$(printf 'line 1\nline 2')" >/dev/null
expect_eq "nothing refused stored" "$(nestor task list --json | python3 -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['tab\\there']"
# A title stored before this rule (here written with sqlite3) still never
# reaches a terminal raw.
sqlite3 nestor.db "UPDATE tasks SET title = CAST(x'6576696c201b5d303b70776e656407201b5b324a72656420c29b78' AS TEXT)"
out=$(on_tty task list)
no_controls "task list on a terminal" "$out"
expect_match "the title still shows" "$out" 'evil \]0;pwned \[2Jred x'
# a table to a pipe is cleaned the same way; --json keeps the stored bytes
out=$(nestor task list)
no_controls "task list to a pipe" "$out"
expect_match "the title still shows in a pipe" "$out" 'evil \]0;pwned \[2Jred x'
expect_match "--json gets the bytes" "$(nestor --json task list | jq -r '.[0].title')" "$ESC"

# A request on stdin that is not UTF-8.
set +e
err=$(printf 'add task \377\376\n' | nestor ask 2>&1); st=$?
set -e
expect_eq "ask with invalid UTF-8" "$st" 2
expect_match "ask message" "$err" 'request on standard input: not valid UTF-8'
# A NUL byte on stdin would cut the request there.
set +e
err=$(printf 'add task buy milk\000 and more' | nestor ask 2>&1); st=$?
set -e
expect_eq "ask with a NUL byte" "$st" 2
expect_eq "ask NUL message" "$err" "nestor: ask: the text on stdin holds a NUL byte (byte 18)"
# CR LF line ends (a file from Windows) are line ends, not a control character.
expect_eq "ask with CR LF" "$(printf 'add task water plants\r\n' | nestor ask)" "Task 2 added: water plants"
nestor task rm 2 >/dev/null

# A calendar file: an invalid SUMMARY is refused with its line; escapes in a
# valid one, and in a bad value quoted by the error, stay off the terminal.
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@test\r\nDTSTART:20260601T100000Z\r\nSUMMARY:caf\351\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >latin1.ics
set +e
err=$(nestor import latin1.ics 2>&1); st=$?
set -e
expect_eq "latin-1 import" "$st" 2
expect_match "latin-1 message" "$err" 'latin1.ics: line 3: summary: not valid UTF-8 \(byte 4\)'
expect_eq "nothing imported" "$(nestor event search caf 2>&1)" 'no events match "caf"'
# A NUL byte would cut the line and glue the next one to it: refused with
# its line, and the file's other events are not imported either.
printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:n0@test\r\nDTSTART:20260601T100000Z\r\nSUMMARY:first\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:n1@test\r\nDTSTART:20260101T100000Z\r\nSUMMARY:hi\0j\r\nDESCRIPTION:notes\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >nul.ics
set +e
err=$(nestor import nul.ics 2>&1); st=$?
set -e
expect_eq "NUL byte import" "$st" 2
expect_eq "NUL byte message" "$err" "nestor: import: nul.ics: line 10: NUL byte"
expect_eq "NUL byte: nothing imported" "$(nestor event search first 2>&1)" 'no events match "first"'
# The UID, the calendar named in the file and the alarms are text too:
# UTF-8, and within the limits of a title (UID, calendar) and of notes
# (alarms).
ev() { printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n%bDTSTART:20260601T100000Z\r\nSUMMARY:probe\r\n%bEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1" "${2:-}"; }
ev 'UID:\0377\0033[31m\r\n' >uid.ics
ev 'UID:u@test\r\nX-NESTOR-CALENDAR:c\0033]0;p\0007\0303\r\n' >cal.ics
ev "UID:$(head -c 5000 /dev/zero | tr '\0' u)\r\n" >longuid.ics
ev 'UID:a@test\r\n' "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:$(head -c 70000 /dev/zero | tr '\0' d)\r\nEND:VALARM\r\n" >longalarm.ics
for f in "uid.ics:uid: not valid UTF-8 \(byte 1\)" "cal.ics:calendar: control character U\+001B \(byte 2\)" \
	"longuid.ics:uid: too long \(5000 bytes, at most 1000\)" \
	"longalarm.ics:alarms: too long \([0-9]+ bytes, at most 65536\)"; do
	set +e
	err=$(nestor import "${f%%:*}" 2>&1); st=$?
	set -e
	expect_eq "import ${f%%:*}" "$st" 2
	expect_match "import ${f%%:*} message" "$err" "^nestor: import: ${f%%:*}: line 2: ${f#*:}\$"
done
expect_eq "none of them imported" "$(nestor event search probe 2>&1)" 'no events match "probe"'
# A DURATION or a TRIGGER beyond 10000 years is refused with its line (an
# int would overflow: a wrong end, a reminder set years off).
ev 'UID:d@test\r\nDURATION:P999999999W\r\n' >duration.ics
ev 'UID:t@test\r\n' 'BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P999999999W\r\nEND:VALARM\r\n' >trigger.ics
for f in "duration.ics:line 4: DURATION" "trigger.ics:line 8: TRIGGER"; do
	set +e
	err=$(nestor import "${f%%:*}" 2>&1); st=$?
	set -e
	expect_eq "import ${f%%:*}" "$st" 2
	expect_eq "import ${f%%:*} message" "$err" "nestor: import: ${f%%:*}: ${f#*:} beyond 10000 years"
done
expect_eq "no reminder set" "$(nestor remind list)" "no pending reminders"
# An alarm's own DESCRIPTION becomes the reminder's text within the limit of
# a reminder's: cut to 1000 bytes, never inside a character.
ev 'UID:al@test\r\n' "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:x$(python3 -c "print('\u00e9' * 3000, end='')")\r\nEND:VALARM\r\n" >alarmtext.ics
expect_eq "long alarm text imported" "$(nestor import alarmtext.ics)" "1 added, 0 updated; 1 alarm set"
nestor remind list --json | python3 -c 'import json, sys
t = json.load(sys.stdin)[0]["text"]
assert t == "x" + "\u00e9" * 499, (len(t.encode()), t[:20])'
nestor event rm "$(nestor event search probe --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')" >/dev/null
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:b@test\r\nDTSTART:20260601T100000Z\r\nSUMMARY:Meet \033[2J\033]2;owned\007here\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >escape.ics
# A file's text loses its control characters on the way in: one stray
# character does not refuse the file.
expect_eq "escape import" "$(nestor import escape.ics)" "1 added, 0 updated"
expect_eq "escape import: controls dropped" "$(nestor event search Meet --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["summary"])')" "Meet [2J]2;ownedhere"
sqlite3 nestor.db "UPDATE events SET summary = CAST(x'4d656574201b5b324a1b5d323b6f776e65640768657265' AS TEXT)"
out=$(on_tty agenda --from 2026-06-01 --to 2026-06-01)
no_controls "agenda" "$out"
expect_match "agenda shows the event" "$out" 'Meet \[2J\]2;ownedhere'
out=$(on_tty event search Meet)
no_controls "event search" "$out"
# a bidi control, a byte that is no UTF-8 and a control in the location
# written behind nestor's back reach no terminal either
sqlite3 nestor.db "UPDATE events SET summary = CAST(x'4d656574201b5b324a20e280ae6f776e6564ff0768657265' AS TEXT),
	location = CAST(x'526f6f6d1b5d32' AS TEXT)"
out=$(on_tty agenda --from 2026-06-01 --to 2026-06-01)
no_controls "agenda, bidi" "$out"
case $out in *"$(printf '\342\200\256')"*) fail "agenda: a raw bidi control" ;; esac
expect_match "agenda shows the rest" "$out" 'Meet \[2J .*owned.*here \(Room\]2\)'
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:c@test\r\nDTSTART:2026\033[2J\033]2;x\007\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >badvalue.ics
out=$(on_tty import badvalue.ics || true)
no_controls "import error" "$out"
expect_match "import error names the line" "$out" 'line 5: bad DTSTART'

# A request with a control character is refused; the error quoting it
# stays off the terminal raw.
out=$(on_tty ask "$(printf 'add task \033[5mblink')" || true)
no_controls "ask reply" "$out"
expect_match "ask refused" "$out" 'request: control character U\+001B \(byte 10\)'


# A config file of binary garbage: GLib's error quotes it; the line is
# cleaned and short.
head -c 3000 /dev/urandom | tr -d '\n' >garbage.conf
printf '\n\033]2;owned\007\n' >>garbage.conf
out=$(on_tty --config garbage.conf task list || true)
no_controls "config error" "$out"
expect_match "config error names the file" "$out" 'nestor: config: .*garbage.conf'
[ "$(printf '%s' "$out" | wc -c)" -lt 400 ] || fail "config error is $(printf '%s' "$out" | wc -c) bytes"

# Limits: a title of white space, a title over 1000 bytes, notes over 64 KiB.
long=$(head -c 1001 /dev/zero | tr '\0' x)
for args in "task add" "remind add --at tomorrow" "event add --at tomorrow"; do
	set +e
	err=$(nestor $args "  	 " 2>&1); st=$?
	expect_eq "$args blank" "$st" 2
	expect_match "$args blank message" "$err" 'needs a (title|text|summary)$'
	err=$(nestor $args "$long" 2>&1); st=$?
	expect_eq "$args long" "$st" 2
	expect_match "$args long message" "$err" ': too long \(1001 bytes, at most 1000\)$'
	set -e
done
nestor task add "$(head -c 1000 /dev/zero | tr '\0' y)" >/dev/null
set +e
err=$(nestor task add ok --notes "$(head -c 65537 /dev/zero | tr '\0' n)" 2>&1); st=$?
set -e
expect_eq "notes too long" "$st" 2
expect_match "notes message" "$err" 'notes: too long \(65537 bytes, at most 65536\)'
set +e
err=$(nestor task edit 1 --title " " 2>&1); st=$?
set -e
expect_eq "edit to a blank title" "$st" 2
expect_eq "tasks kept" "$(nestor task list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
