# Another user's reminders, routines, job runs and conversations are not
# found by id: through the CLI (--user), the HTTP API (a token of that
# user) and the MCP tools, each says "no ... with id N", fails, and the
# owner's data stays as it was.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
json() { python3 -c "import json,sys; d=json.load(open('body')); print($1)"; }

nestor user add bob >/dev/null
rid=$(nestor remind add "me secret" --at "2026-06-02 08:00")
expect_eq "the owner's reminder" "$rid" 1
qid=$(nestor routine add "my day" --every "0 8 * * *" --channel stdout)
expect_eq "the owner's routine" "$qid" 2
nestor routine run "$qid" >/dev/null || fail "the owner's routine run"
nestor ask "what time is it zebra" >/dev/null || true
cid=$(nestor history list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
reminders() { nestor remind list --all --json; }
routines() { nestor routine list --all --json; }
runs() { nestor jobs history --json; }
convs() { nestor history show "$cid" --json; }
r0=$(reminders) q0=$(routines) j0=$(runs) c0=$(convs)
unchanged() {
	expect_eq "$1: the owner's reminders" "$(reminders)" "$r0"
	expect_eq "$1: the owner's routines" "$(routines)" "$q0"
	expect_eq "$1: the owner's runs" "$(runs)" "$j0"
	expect_eq "$1: the owner's conversation" "$(convs)" "$c0"
}

# CLI: `--user bob` on each of the owner's ids
refused() { # WANT ARGS...: exit 1, the one-line error, nothing printed
	_want=$1
	shift
	_rc=0
	nestor --user bob "$@" >out 2>err || _rc=$?
	expect_eq "--user bob $*: exit" "$_rc" 1
	expect_match "--user bob $*: says" "$(cat err)" "^nestor: .*$_want\$"
	[ ! -s out ] || fail "--user bob $* printed: $(cat out)"
	unchanged "--user bob $*"
}
refused "no reminder with id $rid" remind snooze "$rid" 1h
refused "no reminder with id $rid" remind done "$rid"
refused "no reminder with id $rid" remind cancel "$rid"
refused "no routine with id $qid" routine show "$qid"
refused "no routine with id $qid" routine edit "$qid" "hacked"
refused "no routine with id $qid" routine run "$qid"
refused "no routine with id $qid" routine rm "$qid"
refused "no job with id $qid" jobs history "$qid"
refused "no conversation with id $cid" history show "$cid"
refused "no conversation with id $cid" history rm "$cid"
refused "no conversation with id $cid" ask --conversation "$cid" "what time is it"
expect_eq "--user bob jobs history: none of the owner's runs" "$(nestor --user bob jobs history)" "no runs"
expect_eq "--user bob history search" "$(nestor --user bob history search zebra --json)" "[]"
expect_match "the owner's search finds it" "$(nestor history search zebra)" "zebra"
# the owner's own ids still work
expect_match "the owner's routine show" "$(nestor routine show "$qid")" "my day"
expect_match "the owner's job history" "$(nestor jobs history "$qid")" "stdout"

# HTTP API with bob's token
bob=$(nestor --user bob token add 2>/dev/null)
serve_start
req() { # METHOD PATH [BODY]: status as bob; body in ./body
	curl -s -o body -w '%{http_code}' -X "$1" -H "Authorization: Bearer $bob" \
		${3:+--data-binary "$3"} "$base$2"
}
api_refused() { # WANT METHOD PATH [BODY]
	_want=$1
	shift
	expect_eq "bob: $*" "$(req "$@")" 404
	expect_match "bob: $* says" "$(json 'd["error"]')" "$_want"
	unchanged "bob: $*"
}
api_refused "no reminder with id $rid" GET "/v1/reminders/$rid"
api_refused "no reminder with id $rid" PATCH "/v1/reminders/$rid" '{"snooze":"1h"}'
api_refused "no reminder with id $rid" PATCH "/v1/reminders/$rid" '{"text":"hacked"}'
api_refused "no reminder with id $rid" DELETE "/v1/reminders/$rid"
api_refused "no conversation with id $cid" GET "/v1/conversations/$cid"
api_refused "no conversation with id $cid" GET "/v1/conversations/$cid/messages"
api_refused "no conversation with id $cid" DELETE "/v1/conversations/$cid"
expect_eq "bob's reminders" "$(req GET /v1/reminders)" 200
expect_eq "none of the owner's" "$(json 'len(d)')" 0
kill $pid
wait $pid 2>/dev/null || true
trap - EXIT

# MCP tools as bob (stdio)
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
call() { echo "{\"jsonrpc\":\"2.0\",\"id\":$1,\"method\":\"tools/call\",\"params\":{\"name\":\"$2\",\"arguments\":$3}}"; }
{
	echo "$init"
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	call 2 reminder_cancel "{\"id\":$rid}"
	call 3 reminder_snooze "{\"id\":$rid,\"duration\":\"1h\"}"
} | nestor --user bob mcp >raw.out 2>raw.err || fail "nestor mcp failed: $(cat raw.err)"
for n in 2 3; do
	sed -n ${n}p raw.out >body
	expect_match "mcp call $n refused" "$(json 'd["result"]["isError"], d["result"]["content"][0]["text"]')" \
		"^True no reminder with id $rid$"
done
unchanged "mcp as bob"

# the scheduler's dry run shows every user's due reminders, bob's by its text
bid=$(nestor --user bob remind add "bob due" --at "2026-06-02 07:00")
NESTOR_NOW=$((TEST_T0 + 2 * 86400)) nestor remind fire --dry-run >out 2>err ||
	fail "remind fire --dry-run: $(cat err)"
expect_match "dry run: bob's reminder" "$(cat out)" "^would fire reminder $bid: bob due\$"
expect_match "dry run: the owner's reminder" "$(cat out)" "^would fire reminder $rid: me secret\$"
grep -q 'reminder job' out && fail "dry run: a reminder without its text: $(cat out)"
[ ! -s err ] || fail "dry run: stderr: $(cat err)"
echo ok
