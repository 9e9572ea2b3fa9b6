# remind add / routine add --at: the zone of --tz (one that names no zone
# refused), a time off the rule, a time that has passed.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin

# --tz reads --at's wall-clock time in that zone: 09:00 New York is 15:00 here
export NESTOR_NOW=2026-12-01T12:00:00Z
nestor remind add p --every daily --at "tomorrow 9:00" --tz America/New_York >/dev/null
json=$(nestor remind list --json)
expect_match "--tz: 09:00 in New York" "$json" '"at":	"2026-12-02T15:00:00\+01:00"'
id=$(nestor routine add "my day" --every "every weekday" --tz Asia/Tokyo)
json=$(nestor routine list --json)
expect_match "routine --tz: 09:00 in Tokyo" "$json" '"next_run":	"2026-12-02T01:00:00\+01:00"'
nestor routine rm "$id" >/dev/null
nestor remind cancel 1 >/dev/null
# a --tz that names no zone is its own error, with or without --at
set +e
for args in "remind add z --at 9:00" "remind add z --every daily" \
	"routine add z --every daily --at 9:00" "routine add z --every daily"; do
	err=$(nestor $args --tz No/Such_Zone 2>&1); st=$?
	expect_eq "$args --tz No/Such_Zone exits 2" "$st" 2
	expect_eq "$args: --tz named" "$err" \
		"nestor: ${args%% add*} add: --tz: unknown time zone \"No/Such_Zone\""
done
set -e
case "$(nestor remind list --all; nestor routine list)" in *" z"*) fail "a bad --tz stored a reminder" ;; esac

# an --at off the rule is not an occurrence, as for events and routines
export NESTOR_NOW=2026-12-04T12:00:00Z
nestor remind add standup --at "saturday 9:00" --every "every weekday" >/dev/null
json=$(nestor remind list --json)
expect_match "off the rule: Monday" "$json" '"at":	"2026-12-07T09:00:00\+01:00"'
nestor remind cancel 2 >/dev/null

# a time of day that has passed is tomorrow's; a past date is refused
export NESTOR_NOW=2026-12-03T08:00:00Z
nestor remind add x --at "at 7" >/dev/null
nestor remind add m --at "в 12 ночи" >/dev/null
json=$(nestor remind list --json)
expect_match "passed time of day: tomorrow" "$json" '"at":	"2026-12-04T07:00:00\+01:00"'
expect_match "12 at night: the coming midnight" "$json" '"at":	"2026-12-04T00:00:00\+01:00"'
set +e
err=$(nestor remind add y --at yesterday 2>&1); st=$?
expect_eq "past date exits 2" "$st" 2
expect_match "past date names --at and the time" "$err" '--at: 2026-12-02 09:00 CET has passed'
err=$(nestor remind add y --at "2026-12-03 08:30" 2>&1); st=$?
expect_eq "past instant today exits 2" "$st" 2
set -e
out=$(nestor remind list)
case "$out" in *" y"*) fail "a past --at was stored: [$out]" ;; esac
# a repeating reminder with a past --at starts at its next occurrence
nestor remind add r --at "yesterday 7:00" --every daily >/dev/null
nestor remind add c --at "yesterday 7:00" --every "0 7 * * *" >/dev/null
out=$(nestor remind list)
expect_match "past --at, rule: next occurrence" "$out" 'tomorrow 07:00 +every day +r$'
expect_match "past --at, cron: next occurrence" "$out" 'tomorrow 07:00 .* c$'
case "$out" in *late*) fail "a new reminder is late: [$out]" ;; esac

# today alone, its 09:00 gone, is due now, not refused ("remind me today")
export NESTOR_NOW=2026-12-03T09:00:00Z
nestor remind add t --at today >/dev/null
expect_match "today: due now" "$(nestor remind list --json)" '"at":	"2026-12-03T10:00:00\+01:00"'

# the assistant's reminder_add tool (nestor mcp, LLM assistants) reads at
# as the command line does: a time of day gone is tomorrow's, a past date
# refused
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
{
	printf '%s\n' "$init"
	printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"reminder_add","arguments":{"text":"tool seven","at":"at 7"}}}'
	printf '%s\n' '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"reminder_add","arguments":{"text":"tool past","at":"yesterday 10:00"}}}'
} | nestor mcp >mcp.out 2>mcp.err || fail "nestor mcp failed: $(cat mcp.err)"
expect_eq "tool: at 7 said at 10:00" "$(nestor remind list --json | python3 -c 'import json,sys; print([r["at"] for r in json.load(sys.stdin) if r["text"] == "tool seven"])')" "['2026-12-04T07:00:00+01:00']"
expect_eq "tool: a past date refused" "$(sed -n 3p mcp.out | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["result"]["isError"])')" True
case "$(nestor remind list)" in *"tool past"*) fail "the tool stored a past reminder" ;; esac

# a zone tzdata lacks, kept by an import (its VTIMEZONE), serves a
# reminder's --tz as it serves the events that use it
nestor import "$NESTOR_SRC/tests/data/custom-zone.ics" >/dev/null
nestor remind add custom --every "0 9 * * *" --tz Custom/Berlin-ish >/dev/null ||
	fail "a zone kept by an import refused for --tz"
nestor remind add customat --at "2026-12-10 09:00" --tz Custom/Berlin-ish >/dev/null ||
	fail "a zone kept by an import refused for --tz with --at"
expect_match "--tz of an imported zone: its 09:00" "$(nestor remind list --json)" '"at":	"2026-12-10T09:00:00\+01:00"'
