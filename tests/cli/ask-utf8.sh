# A title stored before the UTF-8 rule (a byte that is not UTF-8, a DEL)
# does not break the conversation: a tool's result and an offline answer
# go in with U+FFFD for the bad byte and the control left out, in every
# front (ask, the REPL, an llm assistant's tool loop).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
cd "$NESTOR_HOME"
nestor task add milk > /dev/null
sqlite3 "$NESTOR_HOME/nestor.db" \
	"INSERT INTO tasks(title, created_at) VALUES (CAST(X'626164FF74' AS TEXT), 0),
	 (CAST(X'64656C7F78' AS TEXT), 0)"
want=$(printf 'Tasks:\n  1  milk\n  2  bad\357\277\275t\n  3  delx')
out=$(nestor ask 'my tasks') || fail "ask my tasks: exit $?"
expect_eq "ask my tasks" "$out" "$want"
# the stored result of the call is valid UTF-8 with the same tasks
res=$(sqlite3 "$NESTOR_HOME/nestor.db" "SELECT content FROM messages WHERE role = 'tool' ORDER BY id DESC LIMIT 1")
expect_match "stored result" "$res" "\"bad$(printf '\357\277\275')t\""
expect_match "stored result, DEL left out" "$res" '"delx"'
out=$(printf 'my tasks\n' | nestor chat 2>&1) || fail "chat: exit $?: $out"
expect_match "REPL my tasks" "$out" "bad$(printf '\357\277\275')t"
expect_match "REPL my tasks, milk" "$out" "1  milk"

# an llm assistant: the model is sent valid JSON holding the cleaned result
fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default > /dev/null
fake_script '[{"calls": [{"name": "task_list", "arguments": {}}]}, {"say": "Two tasks."}]'
out=$(nestor ask 'what are my tasks') || fail "llm ask: exit $?: $out"
expect_eq "llm reply" "$out" "Two tasks."
fake_py '
assert len(reqs) == 2, len(reqs)
r = reqs[1]["json"]
assert r is not None, reqs[1]["body"][:200]
res = r["messages"][-1]
assert res["role"] == "tool", res
titles = [t["title"] for t in json.loads(res["content"])["tasks"]]
assert titles == ["milk", "bad\ufffdt", "delx"], titles
' || fail "llm request"
