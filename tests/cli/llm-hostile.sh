# A model's answer is text from outside (tests/fake/openai.py sends bytes
# that are not UTF-8 when a script writes "\udcXX"): its reply, its tool
# names and its tool arguments reach the terminal, the database and the
# next request as UTF-8 (U+FFFD for what was not) without control
# characters, in `nestor ask`, the REPL and the TUI.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
HERE=$(pwd)
fake_openai_start
. "$SRC/tests/cli/tmux.sh"
trap 'term_stop; kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default > /dev/null
# evil: a tool name with an escape sequence, a byte 0xff and a C1 CSI;
# pie: "пирог" as bytes, so that the fake's fragments split its letters
evil='evil\u001b[7mname\udcff\u009b1m'
pie='\udcd0\udcbf\udcd0\udcb8\udcd1\udc80\udcd0\udcbe\udcd0\udcb3'

# -- nestor ask: a call of an unknown tool with a hostile name, a call of
# task_add whose arguments come in 7 fragments, then the answer
fake_script "[{\"calls\": [{\"name\": \"$evil\", \"arguments\": {}},
                          {\"name\": \"task_add\", \"arguments\": \"{\\\"title\\\": \\\"$pie\\\"}\", \"split\": 7}]},
              {\"say\": \"Done.\"}]"
nestor --json ask "bake" > ask.json
python3 - ask.json <<'PY'
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
names = [c["name"] for c in a["tool_calls"]]
assert names == ["evil[7mname\ufffd1m", "task_add"], names
assert a["tool_calls"][1]["arguments"] == {"title": "пирог"}, a["tool_calls"][1]
PY
expect_match "the title's letters kept whole" "$(nestor task list)" ' пирог$'
# what goes back to the server is what was stored: UTF-8, no controls
fake_py '
body = reqs[1]["body"]
assert "\x1b" not in body and "\ufffd" in body, body
names = [c["function"]["name"] for c in reqs[1]["json"]["messages"][-3]["tool_calls"]]
assert names == ["evil[7mname\ufffd1m", "task_add"], names
'
sqlite3 "$NESTOR_HOME/nestor.db" "SELECT tool_calls FROM messages WHERE tool_calls IS NOT NULL" > calls.txt
python3 - calls.txt <<'PY'
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert "\x1b" not in t and "\x9b" not in t and "evil[7mname\ufffd1m" in t, t
PY
