# MCP over Streamable HTTP at /mcp on nestor serve: the official TypeScript
# SDK client lists nestor's tools and calls task_add as the token's user,
# and hears notifications/tools/list_changed on its GET stream when the
# assistant's tools change; the transport's rules (Accept, sessions,
# MCP-Protocol-Version, Origin, bearer token, read-only tokens, the GET
# stream) with curl.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
PEERS=$(dirname "$NESTOR_BIN")/../mcp
[ -f "$PEERS/node_modules/.package-lock.json" ] && [ -f "$PEERS/client.mjs" ] ||
	fail "the MCP SDK is not installed in $PEERS (make test installs it from npm)"
command -v node >/dev/null || fail "node is needed (contrib/deps.sh)"
json() { python3 -c "import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; print($2)" "$1"; }

nestor user add bob >/dev/null
bob=$(nestor --user bob token add 2>/dev/null)
ro=$(nestor --user bob token add --read-only 2>/dev/null)
client=
trap 'kill $pid $client 2>/dev/null || true' EXIT
serve_start -k

# The SDK client, as bob: the tools, and task_add makes bob's task.
MCP_CALLS='[{"name":"task_add","arguments":{"title":"buy milk"}},{"name":"no_such_tool","arguments":{}}]' \
	node "$PEERS/client.mjs" http "$base/mcp" "$bob" >sdk.out 2>sdk.err ||
	fail "the SDK client failed: $(cat sdk.err)"
expect_eq "server" "$(json sdk.out 'd[0]["server"]["name"], d[0]["protocol"]')" "nestor 2025-11-25"
# bob is not the calendar's owner: its five tools are not listed
expect_eq "tools" "$(json sdk.out 'len(d[1]["tools"]), [t for t in d[1]["tools"] if t.startswith("calendar_")]')" \
	"$(nestor --json tools | python3 -c 'import json,sys; print(len([t for t in json.load(sys.stdin) if not t["function"]["name"].startswith("calendar_")]))') []"
expect_eq "task_add" "$(json sdk.out 'd[2]["isError"], d[2]["structured"]["task"]["title"]')" "False buy milk"
expect_eq "unknown tool" "$(json sdk.out 'd[3]["rpcError"]')" "-32602"
expect_eq "bob's task" "$(nestor --user bob task list --json | python3 -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['buy milk']"
expect_eq "not mine" "$(nestor task list --json)" "[]"

# The transport's rules, by hand.
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
both='Accept: application/json, text/event-stream'
mcp() { # TOKEN ARGS...: status; body in ./body, headers in ./hdr
	_t=$1
	shift
	curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $_t" "$@" "$base/mcp"
}
hdr() { sed -n "s/^$1: *//Ip" hdr | tr -d '\r'; }
expect_eq "no token" "$(mcp "" -H "$both" -d "$init")" 401
expect_eq "Accept" "$(mcp "$bob" -H 'Accept: application/json' -d "$init")" 406
expect_eq "GET without a session" "$(mcp "$bob" -H 'Accept: text/event-stream')" 400
expect_eq "PUT" "$(mcp "$bob" -X PUT -H "$both" -d "$init")" 405
expect_eq "Allow" "$(hdr Allow)" "GET, POST, DELETE"
expect_eq "no session" "$(mcp "$bob" -H "$both" -d '{"jsonrpc":"2.0","id":2,"method":"ping"}')" 400
expect_eq "foreign origin" "$(mcp "$bob" -H "$both" -H 'Origin: https://evil.example' -d "$init")" 403
expect_eq "loopback origin" "$(mcp "$bob" -H "$both" -H 'Origin: http://localhost:3000' -d "$init")" 200
expect_eq "negotiated" "$(python3 -c 'import json; print(json.load(open("body"))["result"]["protocolVersion"])')" 2025-06-18
sid=$(hdr Mcp-Session-Id)
expect_match "session id" "$sid" '^[0-9a-f]{32}$'
expect_eq "notification" "$(mcp "$bob" -H "$both" -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}')" 202
expect_eq "empty 202" "$(wc -c <body)" 0
expect_eq "ping" "$(mcp "$bob" -H "$both" -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-06-18' -d '{"jsonrpc":"2.0","id":2,"method":"ping"}')" 200
expect_eq "ping answer" "$(cat body)" '{"jsonrpc":"2.0","id":2,"result":{}}'
expect_eq "other version" "$(mcp "$bob" -H "$both" -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-03-26' -d '{"jsonrpc":"2.0","id":3,"method":"ping"}')" 400
expect_eq "another token's session" "$(mcp "$ro" -H "$both" -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","id":3,"method":"ping"}')" 404
expect_eq "read-only call" "$(mcp "$ro" -H "$both" -d "[$init,{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"task_add\",\"arguments\":{\"title\":\"nope\"}}}]")" 403
case $(nestor --user bob task list) in *nope*) fail "a read-only token called a tool" ;; esac
# The GET stream: Accept, the session's owner; it opens, and ending the
# session ends it.
expect_eq "GET Accept" "$(mcp "$bob" -H 'Accept: application/json' -H "Mcp-Session-Id: $sid")" 406
expect_eq "GET another's session" "$(mcp "$ro" -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $sid")" 404
: >stream.hdr
curl -sN -o stream.out -D stream.hdr -H "Authorization: Bearer $bob" -H 'Accept: text/event-stream' \
	-H "Mcp-Session-Id: $sid" "$base/mcp" &
get=$!
wait_until -s 'cat stream.hdr' "the stream to open" grep -qs '^: listening' stream.out
expect_match "stream status" "$(head -1 stream.hdr)" '^HTTP/1.1 200'
expect_match "stream type" "$(cat stream.hdr)" 'Content-Type: text/event-stream'
expect_eq "end" "$(mcp "$bob" -X DELETE -H "Mcp-Session-Id: $sid")" 204
wait $get || fail "the GET stream did not end cleanly with its session"
expect_eq "stream ended" "$(cat stream.out)" ": listening"

expect_eq "ended" "$(mcp "$bob" -H "$both" -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}')" 404

# The SDK client hears list_changed on its GET stream when the assistant
# its session serves (the default one) changes tools, by any process.
MCP_WATCH=$PWD/listening node "$PEERS/client.mjs" http "$base/mcp" "$bob" >watch.out 2>watch.err &
client=$!
wait_until -s 'cat watch.err' "the client to list the tools" test -f listening
nestor assistant edit nestor --tools task_add,task_list >/dev/null
heard() { [ "$(wc -l <watch.out)" -ge 3 ]; }
wait_until -s 'cat watch.out watch.err' "the client to hear list_changed" heard
wait $client || fail "the watching client failed: $(cat watch.err)"
expect_eq "list_changed" "$(json watch.out 'd[2]["changed"]')" "['task_add', 'task_list']"
expect_match "logged" "$(cat nestor.log)" 'the tool set changed'
