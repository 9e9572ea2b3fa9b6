#!/bin/sh
# Text output (tables and lists), to a terminal or a pipe, shows the
# control characters of the data cleaned as a terminal gets them, and a
# newline as a space, so one row is one line (`task list | wc -l`); --json
# keeps the string as stored.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
cd "$NESTOR_HOME"
nestor task add placeholder >/dev/null
nestor remind add placeholder --at "2026-06-03 10:00" >/dev/null
nestor event add placeholder --at "2026-06-02 10:00" --location here >/dev/null
# the data as an import, a sync or a model could store it
bad="'one'||char(10)||'two'||char(27)||'[31mred'||char(27)||']0;title'||char(7)"
sqlite3 nestor.db "UPDATE tasks SET title = $bad; UPDATE events SET summary = $bad, location = $bad;
	UPDATE jobs SET payload = json_object('text', $bad) WHERE kind = 'reminder';
	UPDATE jobs SET last_error = $bad WHERE kind = 'reminder'"
ESC=$(printf '\033')
# no_raw WHAT ARGS...: nestor ARGS to a pipe has WANT lines, no ESC nor BEL, "one two"
no_raw() {
	_what=$1 _want=$2
	shift 2
	nestor "$@" > out
	expect_eq "$_what: lines" "$(wc -l < out | tr -d ' ')" "$_want"
	if grep -q "$ESC" out || grep -q "$(printf '\a')" out; then
		fail "$_what: a control character reached the pipe: $(od -c out | head -5)"
	fi
	grep -qF 'one two[31mred]0;title' out || fail "$_what: the text lost: $(cat out)"
}
no_raw "task list" 2 task list
no_raw "task list --all" 2 task list --all
no_raw "remind list" 2 remind list
no_raw "jobs" 2 jobs
no_raw "agenda" 2 agenda --from 2026-06-02 --to 2026-06-03
no_raw "event search" 1 event search one
expect_eq "event show: the summary on one line" \
	"$(nestor event show 1 | sed -n 's/^summary *//p')" "one two[31mred]0;title"
# show views: notes and messages keep their line breaks (the lines after
# the first indented under it) and tabs, the other controls cleaned; a
# summary is one line
sqlite3 nestor.db "UPDATE events SET description = 'line one'||char(10)||'line'||char(9)||'two'||char(27)||'[31m'"
expect_eq "event show: notes keep their lines" "$(nestor event show 1 | sed -n '/^notes/,/^calendar/p')" \
	"$(printf 'notes      line one\n           line\ttwo[31m\ncalendar   personal')"
sqlite3 nestor.db "INSERT INTO conversations(channel, title, created_at, updated_at) VALUES ('cli', 't', 0, 0);
	INSERT INTO messages(conversation_id, role, content, created_at)
	VALUES (last_insert_rowid(), 'user', 'first'||char(10)||'second'||char(27)||']0;x'||char(7), 0)"
expect_eq "history show: a message keeps its lines" "$(nestor history show 1 | grep -A1 '^you:')" \
	"$(printf 'you: first\n     second]0;x')"
# --json: the string as stored
expect_eq "task list --json keeps it" "$(nestor --json task list | jq -r '.[0].title' | od -c | head -2)" \
	"$(printf 'one\ntwo\033[31mred\033]0;title\007\n' | od -c | head -2)"
# a lone CR and NEL end words as a newline does; bytes that are not UTF-8
# show as U+FFFD with or without a control beside them; a bidirectional
# override is dropped, as on a terminal
sqlite3 nestor.db "UPDATE tasks SET title = 'cr'||char(13)||'nel'||char(133)||'bad'||X'ff'"
expect_eq "task list: CR, NEL, a stray byte" "$(nestor task list | sed -n 's/^ *1  *0  -  *//p')" "cr nel bad$(printf '\357\277\275')"
sqlite3 nestor.db "UPDATE tasks SET title = 'bad'||CAST(X'ff' AS TEXT)||'rlo'||char(8238)||'x'"
expect_eq "task list: a stray byte alone, an override" "$(nestor task list | sed -n 's/^ *1  *0  -  *//p')" "bad$(printf '\357\277\275')rlox"
# telegram status's last error and the title and messages chat --resume
# shows, from a pipe too
sqlite3 nestor.db "INSERT INTO sync_state(target, last_ok, last_error, last_error_at)
	VALUES ('telegram', 0, 'bad'||char(27)||'[31m'||char(10)||'two', 1700000000);
	INSERT INTO conversations(channel, title, created_at, updated_at)
	VALUES ('repl', 'ti'||char(27)||']0;x'||char(10)||'tle', 1, 1)"
sqlite3 nestor.db "INSERT INTO messages(conversation_id, role, content, created_at)
	VALUES ((SELECT max(id) FROM conversations), 'user', 'hi'||char(27)||'[2J', 1)"
expect_match "telegram status: the last error cleaned" "$(nestor telegram status)" \
	'^last error: [^ ]*: bad\[31m two$'
echo /quit | nestor chat --resume > resumed 2>&1 || true
expect_match "chat --resume: the title cleaned" "$(cat resumed)" '^resuming conversation [0-9]*: ti\]0;x tle$'
expect_match "chat --resume: the message cleaned" "$(cat resumed)" '^you: hi\[2J$'
echo ok
