# nestor as an MCP client of servers that misbehave (tests/fake/mcpserver.py):
# of two tools whose names nestor makes the same, the second is left out.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
FAKE_MCP=$SRC/tests/fake/mcpserver.py
fake_openai_start
LOG=$NESTOR_HOME/nestor.log

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
