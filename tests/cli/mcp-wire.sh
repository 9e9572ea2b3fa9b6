# MCP's JSON-RPC on the wire, over stdio (nestor mcp) and Streamable HTTP
# (/mcp): every answer is JSON text with the request's id as sent, and what
# is no single valid request is refused whole, nothing of it run: bytes
# that are not UTF-8, more after the value, a member name twice, an id no
# client could get back as sent (1e2, 1.0), jsonrpc not "2.0", a batch
# outside 2025-03-26, white space RFC 8259 has not, a raw control character
# in a string, a result without an id; over HTTP, notifications
# that cannot be taken are 400; a tool's result is held to 1 MiB.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
# json FILE EXPR: each line of FILE parsed strictly (d[i]), EXPR printed
json() { python3 -c "
import json,sys
def strict(pairs):
    keys=[k for k,_ in pairs]
    assert len(keys)==len(set(keys)), 'a key twice'
    return dict(pairs)
d=[json.loads(l.encode('utf-8','strict'), object_pairs_hook=strict) for l in open(sys.argv[1], encoding='utf-8', errors='strict')]
print($2)" "$1"; }
titles() { nestor task list --json | python3 -c 'import json,sys; print(sorted(t["title"] for t in json.load(sys.stdin)))'; }
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
init0326=$(printf '%s' "$init" | sed 's/2025-06-18/2025-03-26/')
add() { printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"%s"}}}' "$1" "$2"; }

# (the pings first: one that comes while a call waits is answered at once)
{
	printf '%s\n' "$init"
	printf '{"jsonrpc":"2.0","id":"a\377b","method":"ping"}\n'
	for id in 9223372036854775807 9007199254740993 1e999 1.5 -0; do
		printf '{"jsonrpc":"2.0","id":%s,"method":"ping"}\n' "$id"
	done
	printf '{"jsonrpc":"2.0","id":9007199254740991,"method":"ping"}\n'
	printf '%s\n' '{"jsonrpc":"2.0","id":6,"id":7,"method":"ping"}'
	printf '{"id":9,"method":"ping"}\n'
	printf '{"jsonrpc":"1.0","id":10,"method":"ping"}\n'
	printf '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"task_add","arguments":{"\377":"\\u0000"}}}\n'
	printf '%s xyz\n' "$(add 4 trailing)"
	printf '%s\n' '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"a","title":"b"}}}'
	printf '[%s]\n' "$(add 8 batched)"
	printf '%s \n' "$(add 11 fine)"
} | nestor mcp >stdio.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_eq "answers, all JSON" "$(json stdio.out 'len(d)')" 16
expect_eq "an id not UTF-8" "$(json stdio.out 'd[1]["id"], d[1]["error"]["code"], d[1]["error"]["message"]')" \
	'None -32700 parse error: message: not valid UTF-8 (byte 25)'
expect_eq "ids no client gets back" "$(json stdio.out '[(r["id"], r["error"]["code"]) for r in d[2:7]]')" \
	"[(None, -32600), (None, -32600), (None, -32600), (None, -32600), (None, -32600)]"
expect_eq "the largest id, as sent" "$(sed -n 8p stdio.out)" '{"jsonrpc":"2.0","id":9007199254740991,"result":{}}'
expect_eq "an id twice" "$(json stdio.out 'd[8]["id"], d[8]["error"]["code"]')" 'None -32600'
expect_eq "no jsonrpc" "$(json stdio.out 'd[9]["id"], d[9]["error"]["code"], d[9]["error"]["message"]')" '9 -32600 jsonrpc must be "2.0"'
expect_eq "jsonrpc 1.0" "$(json stdio.out 'd[10]["id"], d[10]["error"]["code"]')" '10 -32600'
expect_eq "a member name not UTF-8" "$(json stdio.out 'd[11]["id"], d[11]["error"]["code"]')" 'None -32700'
expect_eq "more after the value" "$(json stdio.out 'd[12]["id"], d[12]["error"]["code"]')" 'None -32700'
expect_eq "a title twice" "$(json stdio.out 'd[13]["id"], d[13]["error"]["code"], d[13]["error"]["message"]')" \
	'5 -32602 params.arguments.title: given twice (a member name once per object)'
expect_eq "a batch in 2025-06-18" "$(json stdio.out 'd[14]["id"], d[14]["error"]["code"]')" 'None -32600'
expect_eq "only the valid call ran" "$(titles)" "['fine']"
# a batch where the session agreed 2025-03-26
{
	printf '%s\n' "$init0326"
	printf '[%s,{"jsonrpc":"2.0","id":13,"method":"ping"}]\n' "$(add 12 batched)"
} | nestor mcp >batch.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_eq "a batch in 2025-03-26" "$(json batch.out '[r["id"] for r in d[1]]')" "[12, 13]"
expect_eq "the batch ran" "$(titles)" "['batched', 'fine']"

# integer arguments: out of a double's exact range, or no integer, are
# refused naming the argument (9223372036854775808 was "no task with id 0")
{
	printf '%s\n' "$init"
	for a in 9223372036854775808 1e999 9007199254740993 '" 1"'; do
		printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"task_done","arguments":{"id":%s}}}\n' "$a"
	done
} | nestor mcp >ints.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_eq "integer arguments" "$(json ints.out 'set((r["result"]["isError"], r["result"]["content"][0]["text"]) for r in d[1:])')" \
	"{(True, 'task_done: argument \"id\" must be an integer')}"

# an id with a fraction or an exponent is no integer: refused, never
# echoed as another (1e2 came back as 100); white space is space, tab, CR
# and LF only, before the value as after it
{
	printf '%s\n' "$init"
	printf '{"jsonrpc":"2.0","id":%s,"method":"ping"}\n' 1e2 1.0 1E0
	printf '\f{"jsonrpc":"2.0","id":4,"method":"ping"}\n{"jsonrpc":"2.0","id":5,"method":"ping"}\v\n'
	# the member name written with escapes is the same id
	printf '%s\n' '{"jsonrpc":"2.0","i\u0064":1e2,"method":"ping"}' '{"jsonrpc":"2.0","\u0069d":1.0,"method":"ping"}'
} | nestor mcp >ids.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_eq "ids 1e2, 1.0, 1E0" "$(json ids.out '[(r["id"], r["error"]["code"]) for r in d[1:4]]')" \
	"[(None, -32600), (None, -32600), (None, -32600)]"
expect_eq "ids 1e2, 1.0 under an escaped name" "$(json ids.out '[(r["id"], r["error"]["code"]) for r in d[6:]]')" \
	"[(None, -32600), (None, -32600)]"
expect_eq "a form feed, a vertical tab" "$(json ids.out '[(r["id"], r["error"]["message"]) for r in d[4:6]]')" \
	"[(None, 'parse error: not JSON (at byte 0: white space is only space, tab, CR and LF)'), (None, 'parse error: not JSON (at byte 40: white space is only space, tab, CR and LF)')]"

# a raw control character in a string (a tab, an escape) is no JSON
# (RFC 8259 has it escaped): refused whole, nothing of it run; a response
# with a result has its request's id
{
	printf '%s\n' "$init"
	printf '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"a\tb"}}}\n'
	printf '{"jsonrpc":"2.0","id":3,"method":"p\033ing"}\n'
	printf '%s\n' '{"jsonrpc":"2.0","result":{}}' '{"jsonrpc":"2.0","id":"s1","result":{}}'
	printf '%s\n' '{"jsonrpc":"2.0","error":{"code":-32700,"message":"x"}}'
} | nestor mcp >raw.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_eq "raw control characters" "$(json raw.out '[(r["id"], r["error"]["code"], r["error"]["message"]) for r in d[1:3]]')" \
	"[(None, -32700, 'parse error: not JSON (at byte 97: a control character (U+0009) in a string, not escaped)'), (None, -32700, 'parse error: not JSON (at byte 35: a control character (U+001B) in a string, not escaped)')]"
expect_eq "a result without an id" "$(json raw.out '[(r["id"], r["error"]["code"], r["error"]["message"]) for r in d[3:]]')" \
	"[(None, -32600, 'a response has the id of its request')]"
expect_eq "the raw tab's call did not run" "$(titles)" "['batched', 'fine']"

# /mcp
tok=$(nestor token add 2>/dev/null)
serve_start
both='Accept: application/json, text/event-stream'
mcp() { curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $tok" -H "$both" "$@" "$base/mcp"; }
expect_eq "bad JSON without a session: the parse error" "$(mcp -d '{"jsonrpc":')" 400
expect_eq "bad JSON without a session: -32700" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32700'
expect_eq "initialize" "$(mcp -d "$init")" 200
sid=$(sed -n 's/^Mcp-Session-Id: *//Ip' hdr | tr -d '\r')
s="Mcp-Session-Id: $sid"
printf '{"jsonrpc":"2.0","id":"a\377b","method":"ping"}' >bad.json
expect_eq "not UTF-8" "$(mcp -H "$s" --data-binary @bad.json)" 400
expect_eq "not UTF-8: -32700" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32700'
expect_eq "more after the value" "$(mcp -H "$s" -d "$(add 20 trailing) xyz")" 400
expect_eq "more after the value: -32700" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32700'
expect_eq "a title twice" "$(mcp -H "$s" -d '{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"a","title":"b"}}}')" 200
expect_eq "a title twice: -32602" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" '21 -32602'
expect_eq "a large id" "$(mcp -H "$s" -d '{"jsonrpc":"2.0","id":9223372036854775807,"method":"ping"}')" 200
expect_eq "a large id: refused" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32600'
expect_eq "a batch in 2025-06-18" "$(mcp -H "$s" -d "[$(add 22 batched2)]")" 400
expect_eq "a batch in 2025-06-18: -32600" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32600'
expect_eq "an empty session id" "$(mcp -H 'Mcp-Session-Id;' -d '{"jsonrpc":"2.0","id":23,"method":"ping"}')" 400
expect_eq "a malformed session id" "$(mcp -H 'Mcp-Session-Id: a b' -d '{"jsonrpc":"2.0","id":23,"method":"ping"}')" 400
expect_eq "an unknown session id" "$(mcp -H 'Mcp-Session-Id: 0123' -d '{"jsonrpc":"2.0","id":23,"method":"ping"}')" 404
expect_eq "DELETE without a session id" "$(mcp -X DELETE)" 400
expect_eq "DELETE with an unknown one" "$(mcp -X DELETE -H 'Mcp-Session-Id: 0123')" 404
expect_eq "nothing of it ran" "$(titles)" "['batched', 'fine']"
expect_eq "initialize 2025-03-26" "$(mcp -d "$init0326")" 200
sid=$(sed -n 's/^Mcp-Session-Id: *//Ip' hdr | tr -d '\r')
expect_eq "a batch in 2025-03-26" "$(mcp -H "Mcp-Session-Id: $sid" -d "[$(add 24 batched3)]")" 200
expect_eq "a batch in 2025-03-26: answered" "$(json body '[r["id"] for r in d[0]]')" "[24]"
expect_eq "a notification: 202, no body, no type" \
	"$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}') $(wc -c <body) $(grep -ci '^content-type' hdr)" "202 0 0"
# notifications alone that cannot be taken: 400, with the error (no id)
expect_eq "an unknown notification" "$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/nonsense"}')" 400
expect_eq "an unknown notification: -32601" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32601'
expect_eq "a notification's params not an object" \
	"$(mcp -H "Mcp-Session-Id: $sid" -d '[{"jsonrpc":"2.0","method":"notifications/initialized","params":[1]}]')" 400
expect_eq "a cancellation without requestId" "$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{}}')" 400
# a response with neither a result nor an error, or with both: malformed
expect_eq "a response with neither" "$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","id":5}')" 400
expect_eq "a response with neither: -32600" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32600'
expect_eq "a response with both" "$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","id":5,"result":{},"error":{"code":1,"message":"x"}}')" 400
expect_eq "a response with a result" "$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","id":5,"result":{}}')" 202
expect_eq "a response with a result, no id" "$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","result":{}}')" 400
expect_eq "a response with a result, no id: -32600" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32600'
expect_eq "an error with no id" "$(mcp -H "Mcp-Session-Id: $sid" -d '{"jsonrpc":"2.0","error":{"code":-32700,"message":"x"}}')" 202
expect_eq "a raw tab in a string" "$(mcp -H "Mcp-Session-Id: $sid" -d "$(printf '{"jsonrpc":"2.0","id":26,"method":"p\ting"}')")" 400
expect_eq "a raw tab in a string: -32700" "$(json body 'd[0]["id"], d[0]["error"]["code"]')" 'None -32700'
expect_eq "a form feed first" "$(mcp -H "Mcp-Session-Id: $sid" -d "$(printf '\f{"jsonrpc":"2.0","id":25,"method":"ping"}')")" 400
expect_eq "DELETE" "$(mcp -X DELETE -H "Mcp-Session-Id: $sid")" 204
kill $pid
wait $pid || true
trap - EXIT

# a tool's result is held to 1 MiB: a list cut to whole items, saying so
{
	printf '%s\n' "$init"
	notes=$(head -c 60000 /dev/zero | tr '\0' n)
	for i in $(seq 20); do
		printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"long %s","notes":"%s"}}}\n' "$i" "$i" "$notes"
	done
	printf '{"jsonrpc":"2.0","id":30,"method":"tools/call","params":{"name":"task_list","arguments":{}}}\n'
} | nestor mcp >big.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_match "a long list, cut" "$(json big.out '[(len(t) <= 1<<20, json.loads(t) == s, len(s["tasks"]), s["truncated"]) for r in [d[21]["result"]] for t, s in [(r["content"][0]["text"], r["structuredContent"])]][0]')" \
	"^\\(True, True, 20, '20 of 23 tasks shown: the result is 12[0-9]{5} bytes, more than 1048576'\\)$"
# two long lists (task_recap: open and done): each cut, each named
{
	printf '%s\n' "$init"
	notes=$(head -c 60000 /dev/zero | tr '\0' n)
	for i in $(seq 20); do
		printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"task_add","arguments":{"title":"recap %s","notes":"%s"}}}\n' "$((100 + i))" "$i" "$notes"
	done
} | nestor mcp >/dev/null 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
for id in $(nestor task list --json | python3 -c 'import json,sys; print(" ".join(str(t["id"]) for t in json.load(sys.stdin) if t["title"].startswith("recap")))'); do
	nestor task done "$id" >/dev/null || fail "task done $id"
done
printf '%s\n%s\n' "$init" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"task_recap","arguments":{}}}' |
	nestor mcp >recap.out 2>stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
expect_match "two long lists, cut" "$(json recap.out '[(r.get("isError"), len(t) <= 1<<20, json.loads(t) == s, s.get("truncated")) for r in [d[1]["result"]] for t, s in [(r["content"][0]["text"], r.get("structuredContent", {}))]][0]')" \
	"^\\(None, True, True, '[0-9]+ of 2[0-9] open shown, [0-9]+ of 20 done shown: the result is [0-9]+ bytes, more than 1048576'\\)$"
