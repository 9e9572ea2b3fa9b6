# nestor mcp: the official MCP TypeScript SDK client lists nestor's tools and
# calls them over stdio; the raw protocol: version negotiation, errors, batches,
# nothing but JSON-RPC on stdout; notifications/tools/list_changed
. "$(dirname "$0")/lib.sh"

PEERS=$(dirname "$NESTOR_BIN")/../mcp
[ -f "$PEERS/node_modules/.package-lock.json" ] && [ -f "$PEERS/client.mjs" ] ||
	fail "the MCP SDK is not installed in $PEERS (make test installs it from npm)"
command -v node >/dev/null || fail "node is needed (contrib/deps.sh)"
json() { python3 -c "import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; print($2)" "$1"; }

# as the user bob: tools listed with their schemas (not the calendar's), task_add stores bob's task
nestor user add bob > /dev/null
MCP_CALLS='[{"name":"task_add","arguments":{"title":"buy milk","due":"2026-06-02T17:00:00+00:00"}},
	{"name":"task_done","arguments":{"id":99}},
	{"name":"task_add","arguments":{"colour":"red"}},
	{"name":"no_such_tool","arguments":{}}]' \
	node "$PEERS/client.mjs" stdio "$NESTOR_BIN" --user bob mcp > sdk.out 2> sdk.err ||
	fail "the SDK client failed: $(cat sdk.err)"
expect_eq "server" "$(json sdk.out 'd[0]["server"]["name"]')" nestor
# bob is not the calendar's owner: its five tools are not listed
expect_eq "tools" "$(json sdk.out '",".join(d[1]["tools"][:3]) + " " + str(len(d[1]["tools"]))')" \
	"reminder_add,reminder_list,reminder_cancel $(nestor --json tools | python3 -c 'import json,sys; print(len([t for t in json.load(sys.stdin) if not t["function"]["name"].startswith("calendar_")]))')"
expect_match "output schemas" "$(json sdk.out '" ".join(d[1]["withOutputSchema"])')" "task_add .*task_list"
expect_eq "task_add" "$(json sdk.out 'd[2]["isError"], d[2]["structured"]["task"]["title"], d[2]["structured"]["task"]["due"]')" \
	"False buy milk 2026-06-02T17:00:00+00:00"
expect_eq "a failing tool is isError" "$(json sdk.out 'd[3]["isError"], d[3]["text"]')" "True no task with id 99"
expect_eq "bad arguments are isError" "$(json sdk.out 'd[4]["isError"], d[4]["text"]')" \
	'True task_add: missing argument "title"'
expect_eq "unknown tool" "$(json sdk.out 'd[5]["rpcError"]')" "-32602"
expect_eq "bob's task" "$(nestor --user bob task list --json | python3 -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['buy milk']"
expect_eq "not the first user's" "$(nestor task list --json)" "[]"

# the raw protocol: an unknown version gets the newest; 2025-03-26 has no
# structured results; a notification gets no answer; a batch gets an array
{
	echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
	echo '{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"ping"}'
	echo '[{"jsonrpc":"2.0","id":3,"method":"tools/list"},{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"task_list","arguments":{}}}]'
	echo '{"jsonrpc":"2.0","id":5,"method":"resources/list"}'
	echo 'not json'
	echo '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"task_list","arguments":{"all":"yes"}}}'
} | nestor mcp > raw.out 2> raw.err || fail "nestor mcp failed: $(cat raw.err)"
expect_eq "replies" "$(wc -l < raw.out)" 7
expect_eq "newest version" "$(json raw.out 'd[0]["result"]["protocolVersion"], d[0]["result"]["capabilities"]')" \
	"2025-11-25 {'tools': {'listChanged': True}}"
expect_eq "2025-03-26 kept" "$(json raw.out 'd[1]["id"], d[1]["result"]["protocolVersion"]')" "a 2025-03-26"
expect_eq "ping" "$(json raw.out 'd[2]')" "{'jsonrpc': '2.0', 'id': 2, 'result': {}}"
expect_eq "batch" "$(json raw.out '[r["id"] for r in d[3]], any("outputSchema" in t for t in d[3][0]["result"]["tools"]), "structuredContent" in d[3][1]["result"]')" \
	"[3, 4] False False"
expect_eq "unknown method" "$(json raw.out 'd[4]["error"]["code"]')" "-32601"
expect_eq "parse error" "$(json raw.out 'd[5]["id"], d[5]["error"]["code"]')" "None -32700"
expect_eq "wrong type" "$(json raw.out 'd[6]["result"]["isError"], d[6]["result"]["content"][0]["text"]')" \
	'True task_list: argument "all" must be a boolean'
[ ! -s raw.err ] || fail "stderr not empty: $(cat raw.err)"

# an assistant's tools are what it offers; changing them notifies the client
nestor assistant add helper --backend offline --tools task_add,task_list > /dev/null
MCP_WATCH=$PWD/listening node "$PEERS/client.mjs" stdio "$NESTOR_BIN" mcp --assistant helper \
	> watch.out 2> watch.err &
client=$!
wait_until "the client to list the tools" test -f listening
expect_eq "helper's tools" "$(json watch.out 'd[1]["tools"]')" "['task_add', 'task_list']"
nestor assistant edit helper --tools task_list > /dev/null
wait $client || fail "the watching client failed: $(cat watch.err)"
expect_eq "list_changed" "$(json watch.out 'd[2]["changed"]')" "['task_list']"
nestor mcp --assistant nobody < /dev/null 2> err.txt && fail "unknown assistant accepted"
expect_eq "unknown assistant" "$(cat err.txt)" "nestor: mcp: no assistant named 'nobody'"
