# The offline assistant across processes: a question stays open in the
# conversation for the next `nestor ask --conversation`; numeric dates follow
# general.date_order.  The clock is Monday 2026-06-01 09:00 UTC (lib.sh).
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"

# When? ... answered by the next process
conv=$(nestor ask --json remind me to call mom | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o["reply"].startswith("When?"), o
assert o["tool_calls"] == [], o
print(o["conversation"])')
expect_eq "no reminder yet" "$(nestor remind list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0
expect_eq "answered" "$(nestor ask --conversation "$conv" tomorrow at 5pm)" \
	"Reminder 1 set for Tue 2 Jun 2026 17:00 (tomorrow): call mom"
# the question is closed: the same words again are not an answer
expect_match "closed" "$(nestor ask --conversation "$conv" tomorrow at 5pm)" "^I didn't understand"

# a repeating event asks which part, and the answer comes in another process
nestor ask add standup every weekday at 9:30 >/dev/null
conv=$(nestor ask --json move the standup to 10 | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert "Change only the next one or the whole series?" in o["reply"], o
print(o["conversation"])')
expect_match "unchanged" "$(nestor agenda --from 2026-06-02 --to 2026-06-02)" "09:30-10:30  standup"
expect_match "series" "$(nestor ask --conversation "$conv" all)" \
	"every weekday at 10:00 — the whole series changed$"
expect_match "moved" "$(nestor agenda --from 2026-06-02 --to 2026-06-02)" "10:00-11:00  standup"

# numeric dates: day first by default here (LANG C), month first with mdy
expect_eq "dmy" "$(nestor ask remind me on 5/12 at 10 to pay the rent)" \
	"Reminder 2 set for Sat 5 Dec 2026 10:00: pay the rent"
nestor config set general.date_order mdy >/dev/null
expect_eq "mdy" "$(nestor ask remind me on 5/12 at 10 to pay the rent)" \
	"Reminder 3 set for Wed 12 May 2027 10:00: pay the rent"
expect_match "mdy on the command line" "$(nestor remind add water --at '6/3 8:00' 2>&1)" "."
expect_match "listed" "$(nestor remind list)" "2026-06-03 08:00"
if nestor config set general.date_order myd 2>err; then fail "a bad date order was taken"; fi
expect_match "bad order" "$(cat err)" "general.date_order"
# a date that cannot be one is asked about, and nothing is stored
expect_match "31.02" "$(nestor ask remind me on 31.02 to pay)" "^When\?"
expect_eq "four reminders" "$(nestor remind list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 4
