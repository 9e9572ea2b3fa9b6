# The first call of an MCP server's tool asks in a real terminal: the chat
# (readline) and the TUI (a popup), and what is answered holds afterwards
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/cli/tmux.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
HERE=$(pwd)
fake_openai_start
trap 'term_stop; kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
LOG=$FAKE_DIR/mcp-calls.log
calls() { grep -c "^$1" "$LOG" || true; }
nestor mcp add fake -- python3 "$SRC/tests/fake/mcpserver.py" --log "$LOG" > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default --tools mcp:fake > /dev/null

# the chat: "o" allows this call only, so the next one asks again
fake_script '[{"calls": [{"name": "fake_add_numbers", "arguments": {"a": 1, "b": 2}}]}, {"say": "It is three."},
	{"calls": [{"name": "fake_add_numbers", "arguments": {"a": 2, "b": 2}}]}, {"say": "Refused, fine."}]'
term_start -x 100 -y 30 "'$NESTOR_BIN' chat 2> '$HERE/chat.err'"
term_wait "^gpt>"
term_keys "add one and two" Enter
term_wait -F 'the assistant wants to call a tool of the MCP server fake with {"a":1,"b":2} (fake_add_numbers)'
term_wait -F 'allow it? [o]nce, [a]lways, [n]ever (else: not now)'
term_keys o Enter
term_wait "^It is three\.$"
term_keys "add two and two" Enter
term_wait -n 2 -F 'allow it? [o]nce'
term_keys x Enter
term_wait "^Refused, fine\.$"
expect_eq "forwarded once" "$(calls 'tools/call Add-Numbers')" 1
fake_py '
tool = reqs[-1]["json"]["messages"][-1]
assert tool["role"] == "tool" and "declined fake_add_numbers" in tool["content"], tool
'
term_keys C-d

# the TUI: a popup asks; "a" is stored, and the next call runs unasked
fake_script '[{"calls": [{"name": "fake_echo", "arguments": {"text": "from the tui"}}]}, {"say": "Echoed."},
	{"calls": [{"name": "fake_echo", "arguments": {"text": "again"}}]}, {"say": "Echoed again."}]'
term_start "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$NESTOR_BIN' 2> '$HERE/tui.err'"
term_wait -F 'F1 help'
term_keys 'echo it' Enter
term_wait -F 'Allow an MCP tool?'
term_wait -F 'o: once   a: always   n: never'
expect_match "the question" "$(tr -d '\n' < screen | tr -s ' │' ' ')" "wants to call a tool of the MCP server fake with \{\"text\":\"from the tui\"\} \(fake_echo\)"
term_keys a
term_wait -F 'gpt: Echoed.'
term_keys 'echo again' Enter
term_wait -F 'gpt: Echoed again.'
expect_eq "asked once" "$(grep -c 'Allow an MCP tool' screen)" 0
expect_eq "forwarded twice" "$(calls 'tools/call echo')" 2
