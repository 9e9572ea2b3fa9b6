# A sub-assistant (ask_assistant) with MCP servers of its own is offered
# and runs its own servers' tools; its caller's are its caller's again once
# it answered, for the rest of the turn.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
fake_openai_start
cd "$NESTOR_HOME"
nestor mcp add one -- python3 "$SRC/tests/fake/mcpserver.py" --log "$FAKE_DIR/one.log" > /dev/null
nestor mcp add two -- python3 "$SRC/tests/fake/mcpserver.py" --log "$FAKE_DIR/two.log" > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default \
	--tools mcp:one,mcp:two:echo,ask_assistant > /dev/null
nestor assistant add helper --base-url "$FAKE_URL" --model m --tools mcp:two:echo > /dev/null
fake_script '[{"calls": [{"name": "ask_assistant", "arguments": {"assistant": "helper", "question": "echo it"}}]},
	{"calls": [{"name": "two_echo", "arguments": {"text": "from helper"}}]}, {"say": "Helper echoed."},
	{"calls": [{"name": "one_echo", "arguments": {"text": "from gpt"}}]}, {"say": "Both echoed."}]'
expect_eq "answered" "$(nestor ask --yes echo twice 2>&1)" "Both echoed."
fake_py '
names = lambda r: sorted(t["function"]["name"] for t in r["json"].get("tools", []))
assert len(reqs) == 5, len(reqs)
assert "two_echo" in names(reqs[1]) and "one_echo" not in names(reqs[1]), names(reqs[1])
assert "one_echo" in names(reqs[3]), names(reqs[3])
tool = reqs[3]["json"]["messages"][-1]
assert tool["role"] == "tool" and "Helper echoed." in tool["content"], tool
tool = reqs[4]["json"]["messages"][-1]
assert tool["role"] == "tool" and "from gpt" in tool["content"], tool
'
expect_eq "the helper called two" "$(grep -c '^tools/call echo' "$FAKE_DIR/two.log")" 1
expect_eq "gpt called one" "$(grep -c '^tools/call echo' "$FAKE_DIR/one.log")" 1
echo ok
