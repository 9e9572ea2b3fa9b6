# nestor mcp: ask_assistant called by an MCP client is asked by the
# assistant the client is served as: its tool list holds in the assistant it
# asks, and what that one does needs the user's approval (the offline
# backend's own reading of a request is no user's word there).
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
json() { python3 -c "import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; print($2)" "$1"; }
titles() { nestor task list --json | python3 -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])'; }
ask() { # ASSISTANT: reader's MCP client asks ASSISTANT to delete the task
	{
		printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
		printf '%s\n' "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"ask_assistant\",\"arguments\":{\"assistant\":\"$1\",\"question\":\"delete task buy milk\"}}}"
	} | nestor mcp --assistant "$2" > stdio.out 2> stdio.err || fail "nestor mcp failed: $(cat stdio.err)"
	json stdio.out 'd[1]["result"]["content"][0]["text"]'
}

nestor assistant add reader --backend offline --tools task_list,ask_assistant > /dev/null
nestor assistant add deleter --backend offline --tools task_list,task_delete,ask_assistant > /dev/null
nestor assistant add off --backend offline > /dev/null
nestor task add "buy milk" > /dev/null
expect_match "not in the caller's list" "$(ask off reader)" \
	"tool task_delete is not available to assistant 'off' asked by 'reader'"
expect_eq "not in the caller's list: kept" "$(titles)" "['buy milk']"
expect_match "in the list: the user's approval" "$(ask off deleter)" \
	"task_delete needs the user's approval"
expect_eq "in the list: kept" "$(titles)" "['buy milk']"
expect_match "itself: refused" "$(ask reader reader)" "already in this delegation"
echo ok
