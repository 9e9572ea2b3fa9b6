# nestor as the client of a stdio MCP server that answers a cancelled call
# anyway (tests/fake/mcpserver.py: slow until cancelled): in the chat,
# Ctrl-C cancels the turn while the tool works; the server, which starts
# with SIGINT ignored, lives on and is told (notifications/cancelled); the
# next turn's tool call gets its own answer, not the late one the server
# sends first.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/cli/tmux.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
HERE=$(pwd)
fake_openai_start
trap 'term_stop; kill $FAKE_PID 2>/dev/null || true; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
LOG=$FAKE_DIR/mcp-calls.log
: > "$LOG"
calls() { grep -c "^$1" "$LOG" || true; }
nestor mcp add fake -- python3 "$SRC/tests/fake/mcpserver.py" --log "$LOG" > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default --tools mcp:fake > /dev/null
nestor config set mcp.timeout 60 > /dev/null

fake_script '[{"calls": [{"name": "fake_slow", "arguments": {"until": "cancelled"}}]},
	{"calls": [{"name": "fake_echo", "arguments": {"text": "on time"}}]}, {"say": "Echoed."}]'
term_start -x 100 -y 30 "'$NESTOR_BIN' chat 2> '$HERE/chat.err'"
term_wait "^gpt>"
term_keys "take your time" Enter
term_wait -F 'allow it? [o]nce, [a]lways, [n]ever (else: not now)'
term_keys a Enter
reached() { [ "$(calls 'tools/call slow')" -ge 1 ]; }
wait_until -s "cat '$LOG'" "the slow call to reach the server" reached
term_keys C-c
term_wait "cancelled$"
term_keys "echo it" Enter
term_wait -n 2 -F 'allow it? [o]nce'
term_keys a Enter
term_wait "^Echoed\.$"
expect_eq "the server told" "$(calls 'notification notifications/cancelled')" 1
expect_eq "the echo forwarded" "$(calls 'tools/call echo')" 1
expect_eq "the server lived on (never started again)" "$(calls initialize)" 1
fake_py '
assert len(reqs) == 3, len(reqs)
tool = reqs[2]["json"]["messages"][-1]
assert tool["role"] == "tool" and "on time" in tool["content"], tool
assert not any("too late" in str(m.get("content")) for m in reqs[2]["json"]["messages"]), reqs[2]
'
term_keys C-d
