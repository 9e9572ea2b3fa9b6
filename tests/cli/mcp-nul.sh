# MCP requests with a NUL in a string (\u0000, which a C string ends at,
# or a raw NUL byte) are refused, naming where, and nothing runs: over
# stdio (nestor mcp) and Streamable HTTP (/mcp on nestor serve).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
json() { python3 -c "import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; print($2)" "$1"; }
titles() { nestor task list --json | python3 -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])'; }

init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
call='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"abc\u0000def"}}}'
{
	printf '%s\n' "$init"
	printf '%s\n' "$call"
	printf '%s\n' '{"jsonrpc":"2.0","id":"a\u0000b","method":"tools/call","params":{"name":"task_add","arguments":{"title":"no"}}}'
	printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/x","params":{"y":"\u0000"}}'
	printf '%s\n' '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"x\\u0000y"}}}'
	printf '{"jsonrpc":"2.0","id":6,"method":"ping","params":{"x":"\000"}}\n'
} | nestor mcp >stdio.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_eq "answers" "$(wc -l <stdio.out)" 5
expect_eq "in params: invalid params" "$(json stdio.out 'd[1]["id"], d[1]["error"]["code"], d[1]["error"]["message"]')" \
	'2 -32602 params.arguments.title: a NUL character (\u0000) is not text'
expect_eq "in the id: no id" "$(json stdio.out 'd[2]["id"], d[2]["error"]["code"]')" 'None -32600'
expect_eq "an escaped backslash is no NUL" "$(json stdio.out 'd[3]["id"], "error" in d[3], d[3]["result"]["structuredContent"]["task"]["title"]')" '5 False x\u0000y'
expect_eq "a NUL byte: not JSON" "$(json stdio.out 'd[4]["id"], d[4]["error"]["code"]')" 'None -32700'
# a batch (2025-03-26, the version with batches): each message on its own
{
	printf '%s\n' "$(printf '%s' "$init" | sed 's/2025-06-18/2025-03-26/')"
	printf '%s\n' '[{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"ok"}}},{"jsonrpc":"2.0","id":4,"method":"tools/call\u0000x","params":{"name":"task_add","arguments":{"title":"no"}}}]'
} | nestor mcp >batch.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_eq "in a batch's method: invalid request" \
	"$(json batch.out '"result" in d[1][0], d[1][1]["id"], d[1][1]["error"]["code"], d[1][1]["error"]["message"]')" \
	'True 4 -32600 method: a NUL character (\u0000) is not text'
expect_eq "only the others stored" "$(titles)" "['x\\\\u0000y', 'ok']"

# /mcp
tok=$(nestor token add 2>/dev/null)
serve_start
both='Accept: application/json, text/event-stream'
mcp() { curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $tok" -H "$both" "$@" "$base/mcp"; }
expect_eq "initialize" "$(mcp -d "$init")" 200
sid=$(sed -n 's/^Mcp-Session-Id: *//Ip' hdr | tr -d '\r')
expect_eq "a NUL in params" "$(mcp -H "Mcp-Session-Id: $sid" -d "$call")" 200
expect_eq "invalid params" "$(json body 'd[0]["id"], d[0]["error"]["code"], d[0]["error"]["message"]')" \
	'2 -32602 params.arguments.title: a NUL character (\u0000) is not text'
printf '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"abc\000def"}}}' >raw.json
expect_eq "a NUL byte" "$(mcp -H "Mcp-Session-Id: $sid" --data-binary @raw.json)" 400
expect_eq "parse error" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32700'
expect_eq "nothing stored" "$(titles)" "['x\\\\u0000y', 'ok']"
kill $pid
wait $pid || true
trap - EXIT
