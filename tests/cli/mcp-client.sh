# nestor as an MCP client: mcp add/list/rm against tests/fake/mcpserver.py
# (stdio and Streamable HTTP) and the reference server-everything from npm;
# an llm assistant (tests/fake/openai.py) calling their tools: namespacing,
# approval (--yes, the chat's question, stored answers), errors, a dead
# server restarted once, the timeout
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
PEERS=$(dirname "$NESTOR_BIN")/../mcp
EVERYTHING=$PEERS/node_modules/@modelcontextprotocol/server-everything/dist/index.js
[ -f "$EVERYTHING" ] || fail "server-everything is not installed in $PEERS (make test installs it from npm)"
FAKE_MCP=$SRC/tests/fake/mcpserver.py
fake_openai_start
LOG=$FAKE_DIR/mcp-calls.log
calls() { grep -c "^$1" "$LOG" || true; }

# -- mcp add / list / rm
expect_eq "add stdio" "$(nestor mcp add fake -- python3 "$FAKE_MCP" --log "$LOG" --pidfile "$FAKE_DIR/pid")" \
	"MCP server 'fake' added"
python3 "$FAKE_MCP" --http --ppid $$ --log "$LOG" > "$FAKE_DIR/mcp-port" &
wait_until "the fake MCP server's port" grep -qs '^PORT ' "$FAKE_DIR/mcp-port"
MCP_URL=http://127.0.0.1:$(awk '{print $2}' "$FAKE_DIR/mcp-port")/mcp
nestor mcp add web --url "$MCP_URL" > /dev/null
nestor mcp add everything -- node "$EVERYTHING" stdio > /dev/null
nestor mcp add fake -- true 2> err.txt && fail "a second 'fake' was added"
expect_eq "name taken" "$(cat err.txt)" "nestor: mcp add: an MCP server named 'fake' exists"
nestor mcp add Bad/Name --url "$MCP_URL" 2> err.txt && fail "a bad name was accepted"
expect_eq "bad name" "$(cat err.txt)" "nestor: mcp add: bad name 'Bad/Name': use 1-32 of a-z, 0-9, _ and -"
nestor mcp add both --url "$MCP_URL" -- true 2> err.txt && fail "both a URL and a command accepted"
expect_eq "both" "$(cat err.txt)" "nestor: mcp add: give either a command (-- COMMAND [ARGS...]) or --url"
nestor mcp add gone -- /nonexistent/server > /dev/null
nestor mcp list > list.txt
expect_eq "list: fake" "$(sed -n '/^fake /,/^[a-z]/p' list.txt | sed -n 2,6p | awk '{print $1}' | tr '\n' ' ')" \
	"fake_echo fake_add_numbers fake_fail fake_die fake_slow "
expect_match "list: web over HTTP" "$(grep -A1 '^web ' list.txt)" "web_echo  Echo the text back"
expect_eq "session ended" "$(calls 'DELETE known')" 1
expect_match "list: everything" "$(cat list.txt)" "everything_echo  Echoes back the input string"
expect_eq "list: unreachable" "$(grep -A1 '^gone ' list.txt | tail -1)" \
	"  unreachable: gone: cannot run '/nonexistent/server': No such file or directory"
nestor --json mcp list | python3 -c '
import json, sys
d = {s["name"]: s for s in json.load(sys.stdin)}
assert d["fake"]["command"][:1] == ["python3"] and d["fake"]["url"] is None, d["fake"]
assert d["web"]["url"].endswith("/mcp") and d["web"]["command"] is None
assert {"name": "Add-Numbers", "as": "fake_add_numbers", "description": "Add two numbers",
        "left_out": None} in d["fake"]["tools"]
assert d["gone"]["tools"] == [] and "cannot run" in d["gone"]["error"], d["gone"]
' || fail "mcp list --json"
expect_eq "rm" "$(nestor mcp rm gone)" "MCP server 'gone' removed"
nestor mcp rm gone 2> err.txt && fail "rm of a server that is gone"
expect_eq "rm twice" "$(cat err.txt)" "nestor: mcp rm: no MCP server named 'gone'"

# -- an assistant's tools: mcp:NAME for all of a server's, mcp:NAME:TOOL for one
nestor assistant add gpt --base-url "$FAKE_URL" --model m --tools mcp:nope 2> err.txt &&
	fail "an unknown server accepted"
expect_eq "unknown server" "$(cat err.txt)" 'nestor: assistant add: no MCP server "nope" (see nestor mcp list)'
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default \
	--tools task_list,mcp:fake,mcp:web:echo,mcp:everything:get-sum > /dev/null

# without --yes and outside the chat, the first call is refused, never forwarded
fake_script '[{"calls": [{"name": "fake_echo", "arguments": {"text": "hi"}}]}, {"say": "Refused."}]'
nestor --json ask "echo hi" > ask.json
python3 -c '
import json, sys
r = json.load(open("ask.json"))["tool_calls"][0]["result"]
assert "needs the user" in r["error"] and "--yes" in r["error"], r
'|| fail "unapproved call: $(cat ask.json)"
expect_eq "never forwarded" "$(calls 'tools/call echo')" 0
fake_py '
names = sorted(t["function"]["name"] for t in reqs[0]["json"]["tools"])
assert names == ["everything_get_sum", "fake_add_numbers", "fake_die", "fake_echo", "fake_fail",
                 "fake_slow", "task_list", "web_echo"], names
echo = [t for t in reqs[0]["json"]["tools"] if t["function"]["name"] == "fake_echo"][0]
assert echo["function"]["parameters"]["required"] == ["text"], echo
'

# --yes: forwarded; structured results as they are, text as {"text"}, errors as errors
fake_script '[{"calls": [{"name": "fake_echo", "arguments": {"text": "hi"}},
	{"name": "fake_add_numbers", "arguments": {"a": 2, "b": 3}},
	{"name": "web_echo", "arguments": {"text": "over http"}},
	{"name": "everything_get_sum", "arguments": {"a": 40, "b": 2}},
	{"name": "fake_fail", "arguments": {}}]}, {"say": "Done."}]'
nestor --json ask --yes "use them" > ask.json
python3 -c '
import json
r = [c["result"] for c in json.load(open("ask.json"))["tool_calls"]]
assert r[0] == {"echo": "hi"}, r[0]
assert r[1] == {"text": "5"}, r[1]
assert r[2] == {"echo": "over http"}, r[2]
assert "42" in json.dumps(r[3]), r[3]
assert r[4] == {"error": "it broke"}, r[4]
' || fail "forwarded calls: $(cat ask.json)"

# the chat asks; "always" is stored for the assistant and holds for `ask`
fake_script '[{"calls": [{"name": "fake_add_numbers", "arguments": {"a": 1, "b": 2}}]}, {"say": "Three."},
	{"calls": [{"name": "fake_echo", "arguments": {"text": "no\u202e'"$(printf '%0400d' 0)"'"}}]}, {"say": "Not allowed."}]'
printf 'add one and two\na\necho no\nn\n' | nestor chat > chat.out 2>&1 || fail "chat: $(cat chat.out)"
expect_match "asked" "$(cat chat.out)" '^the assistant wants to call a tool of the MCP server fake with \{"a":1,"b":2\} \(fake_add_numbers\)$'
# arguments shown cleaned (no bidirectional override) and cut
asked=$(grep 'fake_echo' chat.out)
expect_match "long arguments cut" "$asked" '^the assistant wants to call a tool of the MCP server fake with \{"text":"no0000*\.\.\. \(fake_echo\)$'
expect_eq "at most 300 bytes of them" "$(printf '%s' "$asked" | wc -c | tr -d ' ')" 335
expect_match "answered" "$(cat chat.out)" "Three\."
fake_script '[{"calls": [{"name": "fake_add_numbers", "arguments": {"a": 5, "b": 5}}]}, {"say": "Ten."}]'
nestor --json ask "add five and five" > ask.json
expect_eq "always holds" "$(python3 -c 'import json; print(json.load(open("ask.json"))["tool_calls"][0]["result"])')" \
	"{'text': '10'}"
# "never" holds even with --yes
before=$(calls 'tools/call echo')
fake_script '[{"calls": [{"name": "fake_echo", "arguments": {"text": "again"}}]}, {"say": "No."}]'
nestor --json ask --yes "echo again" > ask.json
expect_match "never holds" "$(cat ask.json)" "the user does not allow fake_echo"
expect_eq "never forwarded" "$(calls 'tools/call echo')" "$before"

# a dead server is started again once; a second death is a tool error
fake_call POST /_control '{"reset": true}' > /dev/null
fake_script '[{"calls": [{"name": "fake_add_numbers", "arguments": {"a": 0, "b": 1}}]},
	{"calls": [{"name": "fake_add_numbers", "arguments": {"a": 1, "b": 1}}], "hold_after": 1},
	{"calls": [{"name": "fake_die", "arguments": {}}]}, {"say": "Dead."}]'
starts=$(calls initialize)
nestor assistant edit gpt --tools mcp:fake > /dev/null
"$NESTOR_BIN" --json ask --yes "go" > ask.json 2> ask.err &
ask=$!
wait_until "the second request" fake_py 'assert len(reqs) == 2' 2> /dev/null
kill "$(cat "$FAKE_DIR/pid")"
fake_release
wait $ask || fail "ask: $(cat ask.err)"
python3 -c '
import json
r = [c["result"] for c in json.load(open("ask.json"))["tool_calls"]]
assert r[1] == {"text": "2"}, r
assert r[2]["error"] == "after a restart: fake: the server exited", r[2]
' || fail "restart: $(cat ask.json)"
# started for the listing, again after the kill, again after the first death
expect_eq "starts" "$(($(calls initialize) - starts))" 3

# a tool that takes longer than mcp.timeout is an error naming the server
nestor config set mcp.timeout 1 > /dev/null
fake_script '[{"calls": [{"name": "fake_slow", "arguments": {"seconds": 60}}]}, {"say": "Slow."}]'
nestor --json ask --yes "slow" > ask.json
expect_match "timeout" "$(cat ask.json)" '"error":[[:space:]]*"fake: no answer within 1 s"'
