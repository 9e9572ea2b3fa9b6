# The calendar is the first user's: another user's token is 403 on every
# events and agenda route (reads too) and changes nothing; another user's
# MCP tool calls (nestor serve's /mcp and nestor --user mcp) are refused
# and its tools/list does not show the calendar's tools;
# another user's turns (/v1/ask, the offline intents, day_brief) do not
# see the owner's events, nor do bob's routines (day_brief) whoever runs
# them; `nestor --user bob` refuses the calendar's
# commands; the owner keeps everything.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
json() { python3 -c "import json,sys; d=json.load(open('body')); print($1)"; }

nestor event add "secret dentist" --at "2026-06-01 15:00" >/dev/null
eid=$(nestor event search dentist --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
before=$(nestor event show "$eid" --json)
nestor user add bob >/dev/null
me=$(nestor token add 2>/dev/null)
bob=$(nestor --user bob token add 2>/dev/null)

serve_start
req() { # TOKEN METHOD PATH [BODY] [CURL ARGS...]: status; body in ./body
	_t=$1 _m=$2 _p=$3
	shift 3
	_d=
	if [ $# -gt 0 ]; then _d=$1; shift; fi
	curl -s -o body -w '%{http_code}' -X "$_m" -H "Authorization: Bearer $_t" \
		${_d:+--data-binary "$_d"} "$@" "$base$_p"
}
refusal="the calendar belongs to 'me', the first user: 'bob' cannot read or change it"

# bob: 403 on each route, with the error naming the owner
for r in "GET /v1/events" "GET /v1/events/$eid" "GET /v1/agenda" \
	"GET /v1/agenda?from=2026-06-01&to=2026-06-07" "GET /v1/events?calendar=personal" \
	"POST /v1/events" "PATCH /v1/events/$eid" "DELETE /v1/events/$eid" \
	"GET /v1/events/999" "PUT /v1/events"; do
	set -- $r
	case $1 in
	POST) st=$(req "$bob" POST "$2" '{"summary":"bob was here","start":"2026-06-02 10:00"}') ;;
	PATCH) st=$(req "$bob" PATCH "$2" '{"summary":"hacked"}') ;;
	*) st=$(req "$bob" "$1" "$2") ;;
	esac
	expect_eq "bob: $r" "$st" 403
	expect_eq "bob: $r says why" "$(json 'd["code"], d["error"]')" "403 $refusal"
done
if grep -q "secret dentist" body; then fail "bob read the event: $(cat body)"; fi
expect_eq "the event unchanged" "$(nestor event show "$eid" --json)" "$before"
expect_eq "no event of bob's" "$(nestor event search "bob was" --json)" "[]"

# the owner's token still works
expect_eq "me: list" "$(req "$me" GET /v1/events)" 200
expect_eq "me: sees it" "$(json '[e["summary"] for e in d]')" "['secret dentist']"
expect_eq "me: agenda" "$(req "$me" GET '/v1/agenda?from=2026-06-01&to=2026-06-01')" 200
expect_eq "me: patch" "$(req "$me" PATCH "/v1/events/$eid" '{"location":"clinic"}')" 200

# /v1/ask as bob: the offline assistant's agenda and search, the day brief
for q in "what's on my calendar today" "find dentist" "my day"; do
	expect_eq "bob asks: $q" "$(req "$bob" POST /v1/ask "{\"text\":\"$q\"}")" 200
	if grep -qi "secret dentist" body; then fail "bob's turn '$q' read the event: $(cat body)"; fi
done
expect_eq "me asks" "$(req "$me" POST /v1/ask '{"text":"what is on my calendar today"}')" 200
expect_match "the owner's turn sees it" "$(json 'd["reply"]')" "secret dentist"

# MCP over HTTP as bob: calendar tools refused (isError), nothing changed
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
both='Accept: application/json, text/event-stream'
expect_eq "mcp init" "$(req "$bob" POST /mcp "$init" -H "$both" -D hdr)" 200
sid=$(sed -n 's/^Mcp-Session-Id: *//Ip' hdr | tr -d '\r')
for call in '"calendar_agenda","arguments":{}' "\"calendar_edit\",\"arguments\":{\"id\":$eid,\"summary\":\"hacked\"}" \
	"\"calendar_delete\",\"arguments\":{\"id\":$eid}" '"calendar_search","arguments":{"text":"dentist"}'; do
	expect_eq "mcp: $call" "$(req "$bob" POST /mcp "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":$call}}" \
		-H "$both" -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-06-18')" 200
	expect_match "mcp refused: $call" "$(json 'd["result"]["isError"], d["result"]["content"][0]["text"]')" "^True calendar_[a-z]+: $refusal\$"
done
# nor listed for bob; the owner's list has them
list='{"jsonrpc":"2.0","id":3,"method":"tools/list"}'
names='" ".join(t["name"] for t in d["result"]["tools"] if t["name"].startswith("calendar_"))'
expect_eq "mcp tools/list" "$(req "$bob" POST /mcp "$list" -H "$both" -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-06-18')" 200
expect_eq "mcp: no calendar tool listed for bob" "$(json "$names")" ""
expect_match "mcp: bob's other tools listed" "$(json '[t["name"] for t in d["result"]["tools"]]')" "task_add"

# nestor --user bob mcp (stdio)
{
	echo "$init"
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"calendar_delete\",\"arguments\":{\"id\":$eid}}}"
	echo "$list"
} | nestor --user bob mcp >raw.out 2>raw.err || fail "nestor mcp failed: $(cat raw.err)"
expect_eq "stdio mcp refused" "$(sed -n 2p raw.out | python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; print(r["isError"], r["content"][0]["text"])')" \
	"True calendar_delete: $refusal"
sed -n 3p raw.out >body
expect_eq "stdio mcp: no calendar tool listed for bob" "$(json "$names")" ""
printf '%s\n' "$init" "$list" | nestor mcp >raw.out 2>raw.err || fail "nestor mcp failed: $(cat raw.err)"
sed -n 2p raw.out >body
expect_eq "stdio mcp: the owner's calendar tools" "$(json "$names")" \
	"calendar_agenda calendar_add calendar_edit calendar_delete calendar_search"
expect_eq "still there, the owner's edit kept" "$(nestor event show "$eid" --json | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["summary"], e["location"])')" \
	"secret dentist clinic"

# a routine the first user adds for bob is bob's (the first user no longer
# finds its id): bob's day, without the owner's events; the owner's has them
rid=$(nestor routine add "my day" --every "0 8 * * *" --user bob --channel stdout)
expect_eq "bob's routine is not the first user's" "$(nestor routine run "$rid" 2>&1 || true)" \
	"nestor: routine run: no routine with id $rid"
out=$(nestor --user bob routine run "$rid") || fail "routine run: $out"
expect_match "bob's brief" "$out" "^Your day"
case $out in *"secret dentist"* | *calendar*) fail "bob's routine read the calendar: $out" ;; esac
rid=$(nestor routine add "my day" --every "0 8 * * *" --channel stdout)
expect_match "the owner's brief" "$(nestor routine run "$rid")" "secret dentist"

# the CLI: --user bob refuses the calendar's commands (exit 2, one line)
for c in "agenda" "event show $eid" "event rm $eid" "event add x --at 2026-06-02" \
	"event search dentist" "export" "calendar list" "google logout"; do
	rc=0
	nestor --user bob $c >out 2>err || rc=$?
	expect_eq "--user bob $c" "$rc" 2
	expect_match "--user bob $c says why" "$(cat err)" "^nestor: [a-z ]+: $refusal\$"
	expect_eq "--user bob $c: one line" "$(wc -l <err)" 1
	[ ! -s out ] || fail "--user bob $c printed: $(cat out)"
done
expect_match "--user me agenda" "$(nestor --user me agenda --from 2026-06-01 --to 2026-06-01)" "secret dentist"
expect_match "still there" "$(nestor agenda --from 2026-06-01 --to 2026-06-01)" "secret dentist"
