# nestor as the client of a Streamable HTTP MCP server (tests/fake/
# mcpserver.py --http, its tool "slow" waiting until it is cancelled): a
# tools/call with no answer within mcp.timeout is an error for the
# assistant, and the server is told (notifications/cancelled, a POST of its
# own in the call's session, naming the call's id), so it stops the work.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
FAKE_MCP=$SRC/tests/fake/mcpserver.py
fake_openai_start
REC=$FAKE_DIR/mcp-record.jsonl
: > "$REC"
python3 "$FAKE_MCP" --http --ppid $$ --record "$REC" > "$FAKE_DIR/mcp-port" &
trap 'kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
wait_until "the fake MCP server's port" grep -qs '^PORT ' "$FAKE_DIR/mcp-port"
nestor mcp add web --url "http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/mcp-port")/mcp" > /dev/null
nestor config set mcp.timeout 1 > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default --tools mcp:web:slow > /dev/null

fake_script '[{"calls": [{"name": "web_slow", "arguments": {"until": "cancelled"}}]}, {"say": "Too slow."}]'
nestor --json ask --yes "slow" > ask.json 2> ask.err || fail "ask failed: $(cat ask.err)"
expect_match "the timeout" "$(cat ask.json)" '"error":[[:space:]]*"web: 127\.0\.0\.1:[0-9]+ timed out after 1 s"'
# what the server received: the call, then the cancel naming its id, in the
# same session
python3 - "$REC" <<'EOF' || fail "the record: $(cat "$REC")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
calls = [r for r in recs if r["message"].get("method") == "tools/call"]
cancels = [r for r in recs if r["message"].get("method") == "notifications/cancelled"]
assert len(calls) == 1 and len(cancels) == 1, (calls, cancels)
call, cancel = calls[0], cancels[0]
assert "id" not in cancel["message"], cancel
assert cancel["message"]["params"]["requestId"] == call["message"]["id"], (call, cancel)
assert cancel["session"] is not None and cancel["session"] == call["session"], (call, cancel)
assert recs.index(cancel) > recs.index(call)
EOF
