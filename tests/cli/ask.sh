# nestor ask, history and tools: one turn per call, stored and searchable.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
# no network in these tests: any geocoding goes nowhere
nestor config set weather.geocoding_url http://127.0.0.1:9/v1/search >/dev/null

expect_eq "ask task" "$(nestor ask add task buy milk)" "Task 1 added: buy milk"
expect_eq "task list sees it" "$(nestor task list | tail -1 | sed 's/  */ /g')" " 1 0 - buy milk"
expect_eq "ask ru" "$(nestor ask 'добавь задачу купить хлеб')" "Задача 2 добавлена: купить хлеб"
expect_eq "ask stdin" "$(echo 'мои задачи' | nestor ask)" "$(printf 'Задачи:\n  1  buy milk\n  2  купить хлеб')"

# --json: the turn with its tool calls
json=$(nestor ask --json done 2)
printf '%s\n' "$json" | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o["reply"] == "Task 2 done: купить хлеб", o
assert o["assistant"] == "nestor", o
assert isinstance(o["conversation"], int), o
assert len(o["tool_calls"]) == 1, o
c = o["tool_calls"][0]
assert c["name"] == "task_done" and c["arguments"] == {"id": 2}, c
assert c["result"]["task"]["status"] == "done", c
' || fail "ask --json: $json"

# not understood: says so, shows examples, calls nothing
out=$(nestor ask --json blorp the frobnicator)
printf '%s\n' "$out" | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o["tool_calls"] == [], o
assert o["reply"].startswith("I didn'"'"'t understand \"blorp the frobnicator\"."), o
assert "remind me to call mom tomorrow at 5pm" in o["reply"], o
' || fail "ask unknown: $out"

# a conversation goes on with --conversation
conv=$(nestor ask --json add task call mom | python3 -c 'import json,sys; print(json.load(sys.stdin)["conversation"])')
nestor ask --conversation "$conv" add task call mom about the trip >/dev/null
out=$(nestor ask --conversation "$conv" mark call mom as done)
expect_match "ambiguous" "$out" "^Several tasks match \"call mom\" — which one\?"
expect_match "ambiguous lists both" "$out" "  3  call mom"
expect_match "ambiguous lists both" "$out" "  4  call mom about the trip"
expect_eq "nothing done" "$(nestor task list | grep -c 'call mom')" 2

# the calendar by sentence, seen by the agenda command
expect_eq "ask event" "$(nestor ask add dentist on dec 3 2030 at 9:30)" \
	"Event 1 added: dentist, Tue 3 Dec 2030 09:30–10:30"
expect_match "agenda sees it" "$(nestor agenda --from 2030-12-03 --to 2030-12-03)" "^ +1  09:30-10:30  dentist$"

# history
list=$(nestor history list)
expect_match "history header" "$list" "^  ID  UPDATED"
expect_match "history row" "$list" "^ +$conv  .*  cli +nestor +10  add task call mom$"
show=$(nestor history show "$conv")
expect_match "show user" "$show" "^you: add task call mom$"
expect_match "show call: the form the TUI and the REPL use" "$show" "^  -> task_add 'call mom'$"
expect_match "show reply" "$show" "^nestor: Task 3 added: call mom$"
expect_match "search" "$(nestor history search trip)" "^ +$conv  .*  user +add task call mom about the trip$"
expect_eq "search json" "$(nestor history search --json frobnicator | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
expect_eq "rm" "$(nestor history rm "$conv")" "conversation $conv removed"
expect_eq "search after rm" "$(nestor history search trip)" "no messages match"
set +e
nestor history show "$conv" 2>err.txt
rc=$?
set -e
expect_eq "show removed exit" "$rc" 1
expect_eq "show removed" "$(cat err.txt)" "nestor: history show: no conversation with id $conv"

# tools: 21, with real JSON Schemas
expect_eq "tools" "$(nestor tools | grep -c '^[a-z]')" 21
nestor tools --json | python3 -c '
import json, sys
tools = json.load(sys.stdin)
names = [t["function"]["name"] for t in tools]
assert names == ["calendar_agenda", "calendar_add", "calendar_edit", "calendar_delete",
    "calendar_search", "reminder_add", "reminder_list", "reminder_cancel", "reminder_snooze",
    "task_add", "task_list", "task_done", "task_delete", "time_now", "time_convert", "weather_forecast",
    "ask_assistant", "day_brief", "task_recap", "routine_add", "routine_list"], names
for t in tools:
    p = t["function"]["parameters"]
    assert t["type"] == "function" and p["type"] == "object", t
    assert set(p.get("required", [])) <= set(p["properties"]), t
' || fail "tools --json"

# usage errors
set +e
nestor ask </dev/null >/dev/null 2>err.txt
rc=$?
set -e
expect_eq "ask nothing exit" "$rc" 2
expect_eq "ask nothing" "$(cat err.txt)" "nestor: ask: missing TEXT"

# A turn's text is at most 64 KiB, from the command line, stdin or the
# REPL; nothing of a longer one is stored.
convs=$(nestor history list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
big=$(head -c 65537 /dev/zero | tr '\0' a)
set +e
nestor ask "$big" >/dev/null 2>err.txt
rc=$?
set -e
expect_eq "ask too long exit" "$rc" 2
expect_eq "ask too long" "$(cat err.txt)" "nestor: ask: request: too long (65537 bytes, at most 65536)"
set +e
printf '%s\n' "$big" | nestor ask >/dev/null 2>err.txt
rc=$?
set -e
expect_eq "ask stdin too long" "$rc $(cat err.txt)" "2 nestor: ask: request on standard input: too long (65537 bytes, at most 65536)"
printf '%s\n' "$big" | nestor chat >out.txt 2>err.txt
expect_eq "chat too long" "$(cat err.txt)" "nestor: request: too long (65537 bytes, at most 65536)"
expect_eq "nothing stored" "$(nestor history list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "$convs"
