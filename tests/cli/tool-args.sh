# What a model gives a tool is read as it was sent, or refused by name:
# a NUL inside a value is not cut there, a C1 control character is refused
# as the chat's and the CLI's are, not dropped unseen, and a channel name
# with a comma is not made two channels.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
cd "$NESTOR_HOME"
fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default > /dev/null
count() { nestor --json "$@" list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# told CALL WANT: the model called CALL ('name': {args} as python) and got WANT back
told() {
	fake_script "[{\"calls\": [{\"name\": \"$1\", \"arguments\": $2}]}, {\"say\": \"Done.\"}]"
	expect_eq "$1 $2: the reply" "$(nestor ask do it 2>&1)" "Done."
	fake_py "
import json
tool = reqs[-1]['json']['messages'][-1]
assert tool['role'] == 'tool', tool
got = json.loads(tool['content']).get('error') or ''
assert got == '''$3''', (got, tool)
" || fail "$1 $2: the model was not told [$3]"
}

told task_add '{"title": "a\u0000b"}' "title: a NUL character is not text"
told reminder_add '{"text": "a\u0000b", "at": "tomorrow 9:00"}' "text: a NUL character is not text"
expect_eq "no task" "$(count task)" 0

# U+009B (CSI) is refused as ESC is, and as the CLI refuses it
told task_add '{"title": "x\u009b31my"}' "title: control character U+009B (byte 2)"
told task_add '{"title": "x\u001b31my"}' "title: control character U+001B (byte 2)"
expect_eq "no task with a control" "$(count task)" 0
refused "CLI: the same words" "title: control character U\+009B \(byte 2\)" task add "$(printf 'x\302\23331my')"

# a comma inside one channel's name
told reminder_add '{"text": "t", "at": "tomorrow 9:00", "channels": ["telegram,stdout"]}' \
	'reminder_add: channels: "telegram,stdout" holds a comma: give each one apart'
expect_eq "no reminder" "$(count remind)" 0
told reminder_add '{"text": "t", "at": "tomorrow 9:00", "channels": ["telegram", "stdout"]}' ""
expect_eq "two channels" "$(nestor --json remind list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["channels"])')" \
	"['telegram', 'stdout']"
echo ok
