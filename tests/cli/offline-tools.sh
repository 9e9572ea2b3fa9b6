# An offline assistant's own tool list holds for what the intent engine
# reads in the user's words, as it does for a model's calls: a request for
# a tool outside the list is refused in one line naming the assistant and
# the tool, and nothing is done.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
titles() { nestor task list --json | python3 -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])'; }

nestor assistant add lister --backend offline --tools task_list,task_add > /dev/null
nestor task add "buy milk" > /dev/null
out=$(nestor ask --assistant lister delete task buy milk 2>&1) || true
expect_eq "refused in one line" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
expect_match "names the tool and the assistant" "$out" \
	"tool task_delete is not available to assistant 'lister'"
expect_eq "kept" "$(titles)" "['buy milk']"
out=$(nestor ask --assistant lister remind me to call mom tomorrow at 9 2>&1) || true
expect_match "reminder_add refused" "$out" \
	"tool reminder_add is not available to assistant 'lister'"
expect_eq "no reminder" "$(nestor --json remind list)" "[]"
# what the list has still runs
nestor ask --assistant lister add task call mom > /dev/null 2>&1
expect_eq "in the list: runs" "$(titles)" "['buy milk', 'call mom']"
# and the user's own words through the default assistant (no list) too
nestor ask delete task buy milk > /dev/null 2>&1
expect_eq "no list: runs" "$(titles)" "['call mom']"
echo ok
