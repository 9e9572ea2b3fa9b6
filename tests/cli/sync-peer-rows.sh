# Rows another device of the same user writes to a real PostgreSQL are held
# to what a write here allows, whatever their kind: a change forged straight
# into the server's table (an assistant with a tool list over its limit, a
# calendar name, a user's zone, locale or settings, a conversation's title,
# a message's text) is refused and named, the row here stays as it was, the
# sync goes on, and the row can still be edited here.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
trap 'pg_stop' EXIT
pg_start
admin
on admin user add alice >/dev/null
device a
device b
on a assistant add coder --backend llm --base-url http://127.0.0.1:9/v1 --model m >/dev/null
on a calendar add work >/dev/null
on a ask "hello there" >/dev/null || fail "ask on a"
on a sync >/dev/null
on b sync >/dev/null
# after b's first sync: its snapshot of its own user is no later edit
on a user edit alice --tz Europe/Berlin --locale en --setting brief=morning >/dev/null
on a sync >/dev/null
on b sync >/dev/null
db() { sqlite3 "$NESTOR_HOME/b/nestor.db" "$1"; }
expect_eq "b has what a wrote" "$(db "SELECT (SELECT count(*) FROM assistants WHERE name = 'coder'),
	(SELECT count(*) FROM calendars WHERE name = 'work'), (SELECT tz FROM users WHERE name = 'alice'),
	(SELECT count(*) FROM conversations), (SELECT count(*) FROM messages WHERE content = 'hello there')")" \
	"1|1|Europe/Berlin|1|1"

# forge GID ENTITY DATA: a change of device deadbeef, newer than anything b
# has; DATA is a Python dict (its values may be long), each field at $V
n=0
forge() {
	n=$((n + 1))
	python3 - "$n" "$V" "$1" "$2" "$3" <<'EOF' | psql -X -q -At -v ON_ERROR_STOP=1 -U alice -d nestor >/dev/null || fail "forge $2"
import json, sys
n, v, gid, entity, data = sys.argv[1:]
data = eval(data)
q = lambda s: "'" + s.replace("'", "''") + "'"
print("INSERT INTO nestor.changes(change_id, device, gid, entity, data, vers, base) VALUES (%s, 'deadbeef', %s, %s, %s, %s, '{}')"
      % (q("forged" + n), q(gid), q(entity), q(json.dumps(data)), q(json.dumps({k: v for k in data}))))
EOF
}
next_version() {
	V=$(printf '%016x@deadbeef' $(($(db "SELECT hlc FROM sync_self") + 1)))
}
# refused WHAT MESSAGE: b's sync takes none of the one forged change and
# names it; the refused value is not in what it says
refused() {
	out=$(on b sync) || fail "$1: sync failed"
	expect_match "$1: pulled, none applied" "$out" "pulled 1 \(0 applied\)"
	expect_match "$1: named" "$out" "^refused 1 invalid changes, the first: $2"
	[ ${#out} -lt 1000 ] || fail "$1: the sync prints the value: ${#out} bytes"
}

AG=$(db "SELECT gid FROM assistants WHERE name = 'coder'")
next_version
forge "$AG" assistant '{"tools": "t" * 100000}'
refused "an assistant's tools" "assistant: tools: too long \(100000 bytes, at most 65536\)"
forge "$AG" assistant '{"system_prompt": "p" * 3000000}'
refused "an assistant's prompt" "assistant: prompt: too long \(3000000 bytes, at most 65536\)"
forge "$AG" assistant '{"model": "m" * 200000}'
refused "an assistant's model" "assistant: model: too long \(200000 bytes, at most 1000\)"
forge "$AG" assistant '{"token_budget": 4294975488}'
refused "an assistant's budget past 2^32" "assistant: token budget must be 256-1000000"
expect_eq "the assistant is as it was" \
	"$(db "SELECT model, tools IS NULL, system_prompt IS NULL, token_budget FROM assistants WHERE name = 'coder'")" "m|1|1|8192"
on b assistant edit coder --model m2 >/dev/null || fail "the assistant can still be edited on b"

CG=$(db "SELECT gid FROM calendars WHERE name = 'work'")
forge "$CG" calendar '{"name": "w" * 50000}'
refused "a calendar's name" "calendar: calendar: too long \(50000 bytes, at most 1000\)"
forge "$CG" calendar '{"name": ""}'
refused "an empty calendar name" "calendar: a calendar needs a name"
expect_eq "the calendar is as it was" "$(db "SELECT name FROM calendars WHERE gid = '$CG'")" work
on b event add "planning" --at "2026-06-02 10:00" --calendar work >/dev/null ||
	fail "the calendar can still take events on b"

UG=$(db "SELECT gid FROM users WHERE name = 'alice'")
forge "$UG" user '{"tz": "Z" * 10000}'
refused "a user's zone" "user: bad time zone name \"Z"
forge "$UG" user '{"locale": "zz"}'
refused "a user's locale" "user: locale must be en or ru \(got \"zz\"\)"
forge "$UG" user '{"settings": json.dumps({"k": "s" * 2000000})}'
refused "a user's settings" "user: settings: too long \(2000009 bytes, at most 65536\)"
forge "$UG" user '{"settings": "[1]"}'
refused "settings that are no object" "user: settings: not a JSON object"
forge "$UG" user '{"name": "Alice Smith"}'
refused "a user's name" "user: bad user name \"Alice Smith\""
expect_eq "the user is as it was" "$(db "SELECT name, tz, locale, settings FROM users WHERE gid = '$UG'")" \
	'alice|Europe/Berlin|en|{"brief":"morning"}'
expect_match "user show prints the zone b holds" "$(on b user show alice)" "Europe/Berlin"
on b user edit alice --tz Asia/Tokyo --setting brief=evening >/dev/null || fail "the user can still be edited on b"
# the settings' limit is the one a write here has
rc=0
on b user edit alice --setting "big=$(python3 -c 'print("s" * 70000)')" >/dev/null 2>err || rc=$?
expect_eq "settings over 64 KiB are refused here too" "$rc" 2
expect_match "named" "$(cat err)" "settings: too long \(700[0-9]{2} bytes, at most 65536\)"

VG=$(db "SELECT gid FROM conversations")
forge "$VG" conversation '{"title": "t" * 50000}'
refused "a conversation's title" "conversation: title: too long \(50000 bytes, at most 60\)"
forge "$VG" conversation '{"title": "two\nlines"}'
refused "a title of two lines" "conversation: title: control character U\+000A"
MG=$(db "SELECT gid FROM messages WHERE content = 'hello there'")
forge "$MG" message '{"content": "x" * (16 * 1024 * 1024 + 1)}'
refused "a message's content" "message: content: too long \(16777217 bytes, at most 16777216\)"
forge "$MG" message '{"tool_call_id": "c" * 1001}'
refused "a message's tool call id" "message: tool call id: too long \(1001 bytes, at most 1000\)"
forge "$MG" message '{"state": "bogus"}'
refused "a message's state" "message: state: not complete nor interrupted"
expect_eq "the conversation is as it was" \
	"$(db "SELECT title, (SELECT count(*) FROM messages WHERE gid = '$MG' AND content = 'hello there' AND tool_call_id IS NULL AND state = 'complete') FROM conversations")" \
	"hello there|1"
on b ask --conversation 1 "and again" >/dev/null || fail "the conversation can still go on on b"

# a zone the other device knows and this one's tzdata lacks is taken, not
# refused (it is a zone's name): the devices stay one; an unrelated edit of
# the user still works here
next_version
forge "$UG" user '{"tz": "Custom/Berlin-ish"}'
out=$(on b sync) || fail "sync of a zone unknown here"
expect_match "a zone unknown here is applied" "$out" "pulled 1 \(1 applied"
expect_eq "b holds the zone" "$(db "SELECT tz FROM users WHERE gid = '$UG'")" "Custom/Berlin-ish"
on b user edit alice --setting brief=noon >/dev/null || fail "an edit keeping a zone unknown here"
on b user edit alice --tz Asia/Tokyo --setting brief=evening >/dev/null || fail "the zone can be set again on b"

# what b did here reaches a; the forged changes do not
on b sync >/dev/null
out=$(on a sync) || fail "sync on a"
expect_match "a refuses the forged changes too" "$out" "refused 16 invalid changes"
expect_eq "a has b's edits" "$(sqlite3 "$NESTOR_HOME/a/nestor.db" "SELECT
	(SELECT model FROM assistants WHERE name = 'coder'), (SELECT tz FROM users WHERE name = 'alice'),
	(SELECT count(*) FROM events WHERE summary = 'planning'),
	(SELECT count(*) FROM messages WHERE content = 'and again')")" "m2|Asia/Tokyo|1|1"
