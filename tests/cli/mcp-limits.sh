# nestor as an MCP client of servers that misbehave (tests/fake/mcpserver.py):
# a listing of tools that never ends is cut short (at a cursor that comes
# back, after 100 pages, at 1000 tools, once its pages after the first took
# longer than mcp.timeout) with a warning naming the server;
# of two tools whose names nestor makes the same, of one server or two,
# the second is left out (and mcp list says so); a tool's keys "as" and "left_out", sent twice,
# do not change what mcp list shows;
# a server that stops reading its stdin fails the call within mcp.timeout,
# naming the server, instead of holding nestor for ever.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
FAKE_MCP=$SRC/tests/fake/mcpserver.py
fake_openai_start
LOG=$NESTOR_HOME/nestor.log

# -- tools/list for ever
for m in again endless empty; do
	nestor mcp add "$m" -- python3 "$FAKE_MCP" --cursor "$m" > /dev/null
done
nestor --json mcp list > list.json
python3 -c '
import json
d = {s["name"]: s for s in json.load(open("list.json"))}
n = {k: (len(s["tools"]), s.get("error")) for k, s in d.items()}
assert n == {"again": (100, None), "endless": (1000, None), "empty": (0, None)}, n
' || fail "endless listings: $(head -c 300 list.json)"
expect_match "again: warned" "$(cat "$LOG")" \
	'mcp: again: tools/list stopped after 2 pages \(a cursor came back\): 100 tools kept'
expect_match "endless: warned" "$(cat "$LOG")" \
	'mcp: endless: tools/list stopped after 20 pages \(too many tools\): 1000 tools kept'
expect_match "empty: warned" "$(cat "$LOG")" \
	'mcp: empty: tools/list stopped after 100 pages \(too many pages\): 0 tools kept'
for m in again endless empty; do nestor mcp rm "$m" > /dev/null; done

# -- Add-Numbers and add_numbers are both dup_add_numbers: the first is
# offered (once) and called, the second left out
nestor mcp add dup -- python3 "$FAKE_MCP" --dup > /dev/null
nestor assistant add gpt --base-url "$FAKE_URL" --model m --default --tools mcp:dup > /dev/null
fake_script '[{"calls": [{"name": "dup_add_numbers", "arguments": {"a": 1, "b": 2}}]}, {"say": "Three."}]'
nestor --json ask --yes "add" > ask.json
fake_py '
names = [t["function"]["name"] for t in reqs[0]["json"]["tools"]]
assert sorted(names) == ["dup_add_numbers", "dup_die", "dup_echo", "dup_fail", "dup_slow"], names
'
expect_eq "the first called" "$(python3 -c 'import json; print(json.load(open("ask.json"))["tool_calls"][0]["result"])')" \
	"{'text': '3'}"
expect_match "the second: warned" "$(cat "$LOG")" \
	'mcp: dup: tool \\"add_numbers\\" left out: dup_add_numbers is already another tool'
# mcp list says the same: the second left out, and why
nestor mcp list > list.txt
expect_eq "list: the first offered" "$(grep '^  dup_add_numbers ' list.txt | head -1)" \
	"  dup_add_numbers  Add two numbers"
expect_eq "list: the second left out" "$(grep '^  dup_add_numbers ' list.txt | tail -1)" \
	'  dup_add_numbers  left out ("add_numbers"): dup_add_numbers is already another tool'"'"'s name'
nestor --json mcp list | python3 -c '
import json, sys
t = {x["name"]: x for x in json.load(sys.stdin)[0]["tools"]}
assert t["Add-Numbers"]["as"] == "dup_add_numbers" and t["Add-Numbers"]["left_out"] is None, t
assert t["add_numbers"]["as"] == "dup_add_numbers", t
assert t["add_numbers"]["left_out"] == "dup_add_numbers is already another tool'"'"'s name", t
' || fail "mcp list --json: the second not left out"

# -- a-b and a_b: each tool's name comes out the same; the model is
# offered a-b's (the first), and mcp list says a_b's are left out
nestor mcp add a-b -- python3 "$FAKE_MCP" > /dev/null
nestor mcp add a_b -- python3 "$FAKE_MCP" > /dev/null
nestor assistant edit gpt --tools mcp:a-b,mcp:a_b > /dev/null
fake_script '[{"say": "Hi."}]'
nestor --json ask --yes "hi" > /dev/null
fake_py '
names = [t["function"]["name"] for t in reqs[-1]["json"]["tools"]]
assert sorted(names) == ["a_b_add_numbers", "a_b_die", "a_b_echo", "a_b_fail", "a_b_slow"], names
'
nestor mcp list > list.txt
# the tools listed under server $1
tools_of() { awk -v s="$1" '/^[^ ]/ { on = $1 == s; next } on' list.txt; }
expect_eq "two servers: the second's left out" "$(tools_of a_b | head -1)" \
	'  a_b_echo  left out ("echo"): a_b_echo is already another tool'"'"'s name'
expect_eq "two servers: all the second's left out" "$(tools_of a_b | grep -c 'left out')" 5
expect_eq "two servers: the first's offered" "$(tools_of a-b | grep -c 'left out')" 0
nestor mcp rm a-b > /dev/null
nestor mcp rm a_b > /dev/null

# -- a tool object with "as" and "left_out" twice: mcp list shows nestor's
# name for it and that it is offered, not what the server wrote
nestor mcp add dupkeys -- python3 "$FAKE_MCP" --dupkeys > /dev/null
nestor mcp list > list.txt
expect_eq "dup keys: nestor's name" "$(grep -A1 '^dupkeys ' list.txt | tail -1)" "  dupkeys_x"
nestor --json mcp list | python3 -c '
import json, sys
t = {s["name"]: s for s in json.load(sys.stdin)}["dupkeys"]["tools"]
assert t == [{"name": "x", "as": "dupkeys_x", "description": None, "left_out": None}], t
' || fail "mcp list --json: the server wrote its own as/left_out"
nestor mcp rm dupkeys > /dev/null

# -- a server that answers, then floods pings and reads nothing more
nestor mcp add flood -- python3 "$FAKE_MCP" --flood > /dev/null
nestor assistant edit gpt --tools mcp:flood > /dev/null
nestor config set mcp.timeout 1 > /dev/null
fake_script '[{"calls": [{"name": "flood_echo", "arguments": {"text": "hi"}}]}, {"say": "Stuck."}]'
# (timeout: a safety net, so that a hang fails rather than holds the suite)
timeout 120 "$NESTOR_BIN" --json ask --yes "echo" > ask.json || fail "ask: $(cat ask.json)"
expect_match "flood" "$(cat ask.json)" \
	'"error":[[:space:]]*"after a restart: flood: the server stopped reading its input"'

# -- a listing whose fourth page never comes: with mcp.timeout 2 it stops
# 2 s after the first page, the three pages' tools kept
nestor config set mcp.timeout 2 > /dev/null
nestor mcp add stall -- python3 "$FAKE_MCP" --cursor stall > /dev/null
timeout 60 "$NESTOR_BIN" --json mcp list > list.json || fail "mcp list: $(cat list.json)"
python3 -c '
import json
s = {s["name"]: s for s in json.load(open("list.json"))}["stall"]
names = [t["name"] for t in s["tools"]]
assert s["error"] is None and names == ["t0_0", "t0_1", "t1_0", "t1_1", "t2_0", "t2_1"], s
' || fail "stalled listing: $(head -c 300 list.json)"
expect_match "stall: warned" "$(cat "$LOG")" \
	'mcp: stall: tools/list stopped after 3 pages \(out of time\): 6 tools kept'
