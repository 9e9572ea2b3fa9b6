# nestor as the client of MCP servers whose answers cannot be read
# (tests/fake/mcpserver.py --broken): a raw control character in a string,
# a message cut short; over stdio and Streamable HTTP (a JSON body and an
# SSE stream), and there an answer over 4 MiB.  The request waiting fails at once, not at mcp.timeout (300 s
# here: each command is given 60 s), with one line naming the server and
# what is wrong, and the server is not asked again in that turn.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
FAKE_MCP=$SRC/tests/fake/mcpserver.py
fake_openai_start
LOG=$FAKE_DIR/mcp-calls.log
: > "$LOG"
calls() { grep -c "^$1" "$LOG" || true; }
quick() { timeout 60 "$NESTOR_BIN" "$@"; }
nestor config set mcp.timeout 300 > /dev/null
CTL='answer refused: not JSON \(at byte [0-9]+: a control character \(U\+0007\) in a string, not escaped\)'
CUT='answer refused: not JSON \(at byte [0-9]+\)'

# -- the listing: `mcp list` names the server unreachable, at once
nestor mcp add lst -- python3 "$FAKE_MCP" --broken json --broken-on tools/list > /dev/null
quick mcp list > list.txt || fail "mcp list: $?"
expect_match "listing cut short" "$(grep -A1 '^lst ' list.txt | tail -1)" \
	"^  unreachable: mcp server \"lst\": $CUT\$"
nestor mcp rm lst > /dev/null

# -- a tool call over stdio: a raw BEL in the result's string
nestor mcp add bad -- python3 "$FAKE_MCP" --broken ctl --log "$LOG" > /dev/null
python3 "$FAKE_MCP" --http --ppid $$ --broken ctl > "$FAKE_DIR/ctl-port" &
python3 "$FAKE_MCP" --http --ppid $$ --broken json > "$FAKE_DIR/cut-port" &
wait_until "the fake MCP servers' ports" sh -c \
	"grep -qs '^PORT ' '$FAKE_DIR/ctl-port' && grep -qs '^PORT ' '$FAKE_DIR/cut-port'"
nestor mcp add sse --url "http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/ctl-port")/mcp" > /dev/null
nestor mcp add web --url "http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/cut-port")/mcp" > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default \
	--tools mcp:bad,mcp:sse,mcp:web > /dev/null

# the second call to the same server is not forwarded: it is used no more
fake_script '[{"calls": [{"name": "bad_echo", "arguments": {"text": "hi"}},
	{"name": "bad_add_numbers", "arguments": {"a": 1, "b": 2}},
	{"name": "sse_echo", "arguments": {"text": "over sse"}},
	{"name": "web_add_numbers", "arguments": {"a": 1, "b": 2}},
	{"name": "web_echo", "arguments": {"text": "again"}}]}, {"say": "Broken."}]'
quick --json ask --yes "use them" > ask.json 2> ask.err || fail "ask: $? $(cat ask.err)"
r() { python3 -c "import json; print(json.load(open('ask.json'))['tool_calls'][$1]['result']['error'])"; }
expect_match "stdio: a raw BEL" "$(r 0)" "^mcp server \"bad\": $CTL\$"
expect_eq "stdio: used no more" "$(r 1)" "$(r 0)"
expect_match "http: a raw BEL in an event" "$(r 2)" "^mcp server \"sse\": $CTL\$"
expect_match "http: a body cut short" "$(r 3)" "^mcp server \"web\": $CUT\$"
expect_eq "http: used no more" "$(r 4)" "$(r 3)"
expect_eq "one call reached the stdio server" "$(calls 'tools/call')" 1
expect_eq "never started again" "$(calls initialize)" 1
fake_py '
tool = [m for m in reqs[1]["json"]["messages"] if m["role"] == "tool"]
assert len(tool) == 5 and "answer refused" in tool[0]["content"], tool
assert "\x07" not in tool[0]["content"], tool[0]
'

# -- an HTTP answer over 4 MiB (5 MiB here), as an SSE stream (echo) and
# as a JSON body (add_numbers): refused as well, the server asked no more
LOG3=$FAKE_DIR/big-calls.log
LOG4=$FAKE_DIR/huge-calls.log
python3 "$FAKE_MCP" --http --ppid $$ --broken big --log "$LOG3" > "$FAKE_DIR/big-port" &
python3 "$FAKE_MCP" --http --ppid $$ --broken big --log "$LOG4" > "$FAKE_DIR/huge-port" &
wait_until "the big servers' ports" sh -c \
	"grep -qs '^PORT ' '$FAKE_DIR/big-port' && grep -qs '^PORT ' '$FAKE_DIR/huge-port'"
nestor mcp add big --url "http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/big-port")/mcp" > /dev/null
nestor mcp add huge --url "http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/huge-port")/mcp" > /dev/null
nestor assistant add fat --base-url "$FAKE_URL" --model m --tools mcp:big,mcp:huge > /dev/null
fake_script '[{"calls": [{"name": "big_echo", "arguments": {"text": "hi"}},
	{"name": "big_add_numbers", "arguments": {"a": 1, "b": 2}},
	{"name": "huge_add_numbers", "arguments": {"a": 1, "b": 2}},
	{"name": "huge_echo", "arguments": {"text": "again"}}]}, {"say": "Too big."}]'
quick --json ask --yes --assistant fat "use them" > ask.json 2> ask.err ||
	fail "ask: $? $(cat ask.err)"
BIG='answer refused: an answer over 4 MiB'
expect_eq "http: an SSE stream over 4 MiB" "$(r 0)" "mcp server \"big\": $BIG"
expect_eq "http: that server used no more" "$(r 1)" "$(r 0)"
expect_eq "http: a JSON body over 4 MiB" "$(r 2)" "mcp server \"huge\": $BIG"
expect_eq "http: that one used no more" "$(r 3)" "$(r 2)"
expect_eq "one call reached each" "$(grep -c '^tools/call' "$LOG3") $(grep -c '^tools/call' "$LOG4")" "1 1"

# -- what is no message is skipped, not refused: a banner line on a stdio
# server's stdout before its first answer, an SSE event "ping"
python3 "$FAKE_MCP" --http --ppid $$ --sse-ping > "$FAKE_DIR/ping-port" &
wait_until "the pinging server's port" grep -qs '^PORT ' "$FAKE_DIR/ping-port"
nestor mcp add ban -- python3 "$FAKE_MCP" --banner > /dev/null
nestor mcp add png --url "http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/ping-port")/mcp" > /dev/null
quick mcp list > list.txt || fail "mcp list: $?"
expect_eq "a banner is no answer" "$(grep -A1 '^ban ' list.txt | grep -c unreachable)" 0
nestor assistant add two --base-url "$FAKE_URL" --model m --tools mcp:ban,mcp:png > /dev/null
fake_script '[{"calls": [{"name": "ban_echo", "arguments": {"text": "after a banner"}},
	{"name": "png_echo", "arguments": {"text": "after a ping"}}]}, {"say": "Fine."}]'
quick --json ask --yes --assistant two "echo" > ask.json 2> ask.err || fail "ask: $? $(cat ask.err)"
python3 -c '
import json
r = [c["result"] for c in json.load(open("ask.json"))["tool_calls"]]
assert r == [{"echo": "after a banner"}, {"echo": "after a ping"}], r
' || fail "banner and ping: $(cat ask.json)"

# -- a refusal lasts one turn: in a chat (one engine, as the Telegram bot
# keeps for all its chats) the next turn starts the server anew
LOG2=$FAKE_DIR/once-calls.log
: > "$LOG2"
nestor mcp add once -- python3 "$FAKE_MCP" --broken ctl --broken-once "$FAKE_DIR/once" \
	--log "$LOG2" > /dev/null
nestor assistant add one --base-url "$FAKE_URL" --model m --default --tools mcp:once > /dev/null
fake_script '[{"calls": [{"name": "once_echo", "arguments": {"text": "first"}}]}, {"say": "Broken."},
	{"calls": [{"name": "once_echo", "arguments": {"text": "second"}}]}, {"say": "Works."}]'
printf 'first\na\nsecond\n' | timeout 60 "$NESTOR_BIN" chat > chat.out 2>&1 ||
	fail "chat: $(cat chat.out)"
expect_match "the second turn answered" "$(cat chat.out)" "Works\."
fake_py '
tool = [m["content"] for m in reqs[-1]["json"]["messages"] if m["role"] == "tool"]
assert len(tool) == 2, tool
assert "answer refused" in tool[0], tool
assert "second" in tool[1] and "refused" not in tool[1], tool
'
expect_eq "started again for the second turn" "$(grep -c '^initialize' "$LOG2")" 2
