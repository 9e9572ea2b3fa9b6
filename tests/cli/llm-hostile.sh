# A model's answer is text from outside (tests/fake/openai.py sends bytes
# that are not UTF-8 when a script writes "\udcXX"): its reply, its tool
# names and its tool arguments reach the terminal, the database and the
# next request as UTF-8 (U+FFFD for what was not) without control
# characters, in `nestor ask`, the REPL and the TUI; bidirectional
# overrides, embeddings and isolates are stored (mixed-direction text needs
# them) but never reach the terminal; the TUI draws what an older nestor
# stored the same way; an MCP server's result is stored and sent back as UTF-8.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
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

# -- the reply, streamed (cut in two) and whole: bytes that are not UTF-8
# (a stray 0xff, an overlong "/", a surrogate, a letter cut short at the
# end), an erase, an OSC 52 clipboard write, a bell, a CR, a C1 NEL, and a
# bidirectional override, an isolate and its end (stored as sent; on a
# terminal, which may show what follows them reversed or moved, dropped)
head='A\udcffB \udcc0\udcaf C \udced\udca0\udc80 D \u001b[2J'
tail=' E \u001b]52;c;aGk=\u0007 F\r G \u0085H \u202eI\u2066J\u2069 K \ud83d\ude00 L\udce2\udc82'
want='A�B �� C ��� D [2J E ]52;c;aGk= F G H IJ K 😀 L�'
kept=$(printf 'A�B �� C ��� D [2J E ]52;c;aGk= F G H \342\200\256I\342\201\246J\342\201\251 K 😀 L�')
fake_script "[{\"say\": [\"$head\", \"$tail\"]}, {\"say\": \"$head$tail\", \"plain\": true}]"
expect_eq "streamed reply" "$(nestor ask "stream")" "$kept"
expect_eq "whole reply" "$(nestor ask "whole")" "$kept"
conv=$(nestor --json history list | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
expect_eq "stored reply" "$(nestor --json history show "$conv" | jq -r '.messages[-1].content')" "$kept"
# history show, as a table does: the overrides and isolates dropped
expect_eq "shown reply" "$(nestor history show "$conv" | sed -n 3p)" "gpt: $want"

# -- the TUI: a conversation stored by an older nestor, whose tool names
# and reply kept bytes that are not UTF-8 and C1 controls, is drawn with
# U+FFFD and without them (ncurses drew "~[" for a C1 CSI, and nothing or
# "M-" forms for the bytes: not what was measured)
sqlite3 "$NESTOR_HOME/nestor.db" > /dev/null <<'SQL'
INSERT INTO conversations(assistant_id, channel, title, created_at, updated_at)
  VALUES (1, 'tui', 'old', 2000000000, 2000000000);
INSERT INTO messages(conversation_id, role, content, created_at)
  VALUES (last_insert_rowid(), 'user', 'hi', 2000000001);
INSERT INTO messages(conversation_id, role, content, tool_calls, created_at)
  SELECT conversation_id, 'assistant', CAST(x'6f6c64ff20c29b33316d7265706c79' AS TEXT),
         CAST(x'5b7b226964223a2263222c2274797065223a2266756e6374696f6e222c2266756e6374696f6e223a7b226e616d65223a226576696cff5f6e616d65c29b316d222c22617267756d656e7473223a227b7d227d7d5d' AS TEXT),
         2000000002 FROM messages WHERE rowid = last_insert_rowid();
SQL
term_start "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$NESTOR_BIN'"
term_wait -F 'F1 help'
term_wait -F ': old� 31mreply'
expect_match "the stored tool line" "$(cat screen)" '^  -> evil�_name1m$'
tm capture-pane -e -p -t "$S" > colours
if grep -q '~' colours; then fail "ncurses' ~ forms on the screen: $(grep '~' colours)"; fi
# the same reply, live in a new conversation: drawn without the override
# and the isolates
fake_script "[{\"say\": [\"$head\", \"$tail\"]}]"
term_keys '/assistant gpt' Enter
term_keys 'hello' Enter
term_wait -F "gpt: ${want% K *} K"
tm capture-pane -e -p -t "$S" > colours
if grep -q "$(printf '\342\200\256\\|\342\201\246\\|\342\201\251\\|\033]52')" colours; then fail "the override, an isolate or the OSC 52 reached the screen"; fi

# -- the REPL, on a terminal
fake_script "[{\"say\": [\"$head\", \"$tail\"]}]"
term_start "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$NESTOR_BIN' chat"
term_wait '^gpt>$'
term_keys 'hello' Enter
term_wait -F "${want% K *} K"
tm capture-pane -e -p -t "$S" > colours
if grep -q "$(printf '\342\200\256\\|\342\201\246\\|\342\201\251\\|\033]52')" colours; then fail "the override, an isolate or the OSC 52 reached the REPL"; fi

# -- arguments that are not JSON go back to the model quoted, cut at 200
# bytes between letters (here byte 200 falls inside a "я")
bad="{\\\"title\\\": \\\"$(python3 -c 'print("я" * 100, end="")')"
fake_script "[{\"calls\": [{\"name\": \"task_add\", \"arguments\": \"$bad\"}]}, {\"say\": \"Sorry.\"}]"
expect_eq "reply after bad arguments" "$(nestor ask 'add a task')" "Sorry."
fake_py '
tool = [m for m in reqs[-1]["json"]["messages"] if m["role"] == "tool"][-1]["content"]
assert "\ufffd" not in tool and tool.endswith("я\"}"), tool
'

# -- an MCP server whose results end with an escape sequence, a bell and
# bytes that are not UTF-8: the result is stored, printed and sent back as
# UTF-8 (U+FFFD)
nestor mcp add garbler -- python3 "$SRC/tests/fake/mcpserver.py" --garble > /dev/null
nestor assistant add mcpgpt --base-url "$FAKE_URL" --model m --tools mcp:garbler > /dev/null
fake_script '[{"calls": [{"name": "garbler_add_numbers", "arguments": {"a": 2, "b": 3}}]}, {"say": "Five."}]'
nestor --json ask --yes --assistant mcpgpt "add two and three" > mcp.json
python3 - mcp.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["tool_calls"][0]["result"]
assert r == {"text": "5 \x1b]0;owned\x07 \ufffd\ufffd\ufffd"}, r
PY
sqlite3 "$NESTOR_HOME/nestor.db" "SELECT content FROM messages WHERE role = 'tool'" > tool.txt
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' tool.txt
