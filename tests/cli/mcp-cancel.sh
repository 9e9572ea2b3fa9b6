# Ctrl-C in `nestor ask` while an MCP server's tool works (tests/fake/
# mcpserver.py, stdio and Streamable HTTP, its tool "slow" taking 60 s,
# mcp.timeout 60 s): the turn ends at once, cancelled, instead of when the
# tool answers or times out; the HTTP server is told the call was
# cancelled (notifications/cancelled).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
FAKE_MCP=$SRC/tests/fake/mcpserver.py
fake_openai_start
LOG=$FAKE_DIR/mcp-calls.log
: > "$LOG"
nestor mcp add fake -- python3 "$FAKE_MCP" --log "$LOG" > /dev/null
python3 "$FAKE_MCP" --http --ppid $$ --log "$LOG" > "$FAKE_DIR/mcp-port" &
wait_until "the fake MCP server's port" grep -qs '^PORT ' "$FAKE_DIR/mcp-port"
nestor mcp add web --url "http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/mcp-port")/mcp" > /dev/null
nestor config set mcp.timeout 60 > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default \
	--tools mcp:fake:slow,mcp:web:slow > /dev/null
calls() { grep -c "^$1" "$LOG" || true; }

ask=
trap 'kill $ask $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
for tool in fake_slow web_slow; do
	n=$(calls 'tools/call slow')
	fake_call POST /_control '{"reset": true}' > /dev/null
	fake_script '[{"calls": [{"name": "'$tool'", "arguments": {"seconds": 60}}]}, {"say": "Slow."}]'
	"$NESTOR_BIN" ask --yes "slow" > ask.out 2> ask.err &
	ask=$!
	reached() { [ "$(calls 'tools/call slow')" -gt "$n" ]; }
	wait_until -s "cat ask.err ask.out $LOG" "$tool to reach its server" reached
	kill -INT $ask
	gone() { ! kill -0 $ask 2>/dev/null; }
	wait_until -s 'cat ask.err' "$tool: the turn to end" gone
	st=0
	wait $ask || st=$?
	ask=
	[ "$st" -ne 0 ] || fail "$tool: a cancelled ask exited 0"
	expect_match "$tool: cancelled" "$(cat ask.err)" "cancelled \\(conversation [0-9]+\\)$"
done
expect_eq "the HTTP server told" "$(calls 'notification notifications/cancelled')" 1
