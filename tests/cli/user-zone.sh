# A user's zone (`user add --tz`): the zone that user's turns read and say
# times in, through `ask`, POST /v1/ask and an LLM's context, while the
# process stays in UTC; a user without one keeps the process's zone.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"
# 20:00 UTC on Monday 1 June: already 05:00 on Tuesday 2 June in Tokyo
NESTOR_NOW=$((TEST_T0 + 11 * 3600))@$TEST_REAL0
export NESTOR_NOW
tzid() { sqlite3 "$NESTOR_HOME/nestor.db" "SELECT tzid FROM jobs WHERE id = $1"; }
at() { nestor --user "$1" remind list --json | python3 -c "import json,sys; print([r['at'] for r in json.load(sys.stdin) if r['id'] == $2][0])"; }

nestor user add kei --tz Asia/Tokyo >/dev/null

# "at 9" is 09:00 in Tokyo, today there (00:00 UTC), and the reply says so
expect_eq "reply in the user's zone" "$(nestor --user kei ask "remind me at 9 to call mom")" \
	"Reminder 1 set for Tue 2 Jun 2026 09:00 (today): call mom"
expect_eq "due at 09:00 Tokyo" "$(at kei 1)" "2026-06-02T00:00:00+00:00"
expect_eq "kept in the user's zone" "$(tzid 1)" "Asia/Tokyo"
expect_eq "in Russian" "$(nestor --user kei ask "напомни в 9 утра позвонить маме")" \
	"Напоминание 2: вт, 2 июня 2026, в 09:00 (сегодня) — позвонить маме"
expect_eq "Russian: 09:00 Tokyo" "$(at kei 2)" "2026-06-02T00:00:00+00:00"
# a repeating one follows the zone's days
expect_match "every day at 9" "$(nestor --user kei ask "remind me every day at 9 to stretch")" \
	"Tue 2 Jun 2026 09:00 \(today\): stretch"
expect_eq "its first time" "$(at kei 3)" "2026-06-02T00:00:00+00:00"
expect_eq "its rule's zone" "$(tzid 3)" "Asia/Tokyo"
expect_match "the time is Tokyo's" "$(nestor --user kei ask "what time is it")" \
	"^It's 05:0[0-9], Tue 2 Jun \\(Asia/Tokyo\\)$"
# "tomorrow" is Tokyo's tomorrow: Wednesday
expect_eq "task due" "$(nestor --user kei ask "add task pay rent due tomorrow")" \
	"Task 1 added: pay rent (due tomorrow)"
expect_eq "due Wednesday in Tokyo" \
	"$(nestor --user kei task list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["due"])')" \
	"2026-06-03T14:59:59+00:00"
expect_match "the day brief is Tokyo's" "$(nestor --user kei ask "my day")" \
	"^  1  today 09:00  call mom$"

# the first user has no zone: the process's, as before
expect_eq "no zone: the process's" "$(nestor ask "remind me at 9am to call mom")" \
	"Reminder 4 set for Tue 2 Jun 2026 09:00 (tomorrow): call mom"
expect_eq "no zone: 09:00 UTC" "$(at me 4)" "2026-06-02T09:00:00+00:00"
expect_eq "no zone: the local zone" "$(tzid 4)" "UTC"
expect_match "no zone: the time" "$(nestor ask "what time is it")" "^It's 20:0[0-9], Mon 1 Jun \\(UTC\\)$"

# the calendar is the device's: the process's zone, even for its owner
# with a zone of her own
nestor user edit me --tz Asia/Tokyo >/dev/null
expect_eq "an event in the process's zone" "$(nestor ask "add lunch tomorrow at 13:00")" \
	"Event 1 added: lunch, Tue 2 Jun 2026 13:00–14:00 (tomorrow)"
expect_eq "the agenda in the process's zone" "$(nestor ask "what's on tomorrow")" \
	"$(printf 'tomorrow:\n  1  13:00–14:00  lunch')"
# but her day brief is her day (Tuesday in Tokyo), said at her times: the
# lunch at 22:00 there, an event at 20:00 UTC on Tuesday on Wednesday's
nestor event add late --at "2026-06-02 20:00" >/dev/null
# and the all-day events of her date only (her day's instants reach into
# the device's Monday)
nestor event add monday-off --at 2026-06-01 --all-day >/dev/null
nestor event add tuesday-off --at 2026-06-02 --all-day >/dev/null
brief=$(nestor ask "my day")
expect_match "the owner's brief: her times" "$brief" "^  1  22:00–23:00  lunch$"
expect_match "the owner's brief: her date's all-day event" "$brief" "^  4  all day  tuesday-off$"
case "$brief" in *late* | *monday-off*) fail "the owner's brief holds another day's event: [$brief]" ;; esac
brief=$(nestor ask "my day tomorrow")
expect_match "the owner's brief tomorrow" "$brief" "^  2  05:00–06:00  late$"
case "$brief" in *-off*) fail "the owner's brief tomorrow holds another day's event: [$brief]" ;; esac
nestor user edit me --tz "" >/dev/null

# the HTTP API: the token's user's zone, the server's process in UTC
kei=$(nestor --user kei token add 2>/dev/null)
trap 'kill $pid 2>/dev/null || true; rm -rf "$NESTOR_HOME" "${FAKE_DIR:-}"' EXIT
serve_start -k
expect_eq "POST /v1/ask" "$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $kei" \
	-d '{"text":"remind me at 9 to water plants"}' "$base/v1/ask")" 200
expect_eq "API reply in the user's zone" "$(python3 -c 'import json; print(json.load(open("body"))["reply"])')" \
	"Reminder 5 set for Tue 2 Jun 2026 09:00 (today): water plants"
expect_eq "API: 09:00 Tokyo" "$(at kei 5)" "2026-06-02T00:00:00+00:00"
expect_eq "API: kept in the user's zone" "$(tzid 5)" "Asia/Tokyo"
kill $pid
wait $pid || true

# an LLM is told the user's clock and zone, and its times are read there
fake_openai_start
trap 'kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default >/dev/null
fake_script '[{"calls": [{"name": "reminder_add", "arguments": {"text": "yoga", "at": "tomorrow 07:00"}}]},
 {"say": "Done."}]'
expect_eq "llm reply" "$(nestor --user kei ask "yoga tomorrow at 7")" "Done."
expect_eq "llm: 07:00 Tokyo tomorrow" "$(at kei 6)" "2026-06-02T22:00:00+00:00"
expect_eq "llm: kept in the user's zone" "$(tzid 6)" "Asia/Tokyo"
fake_py '
first, second = (r["json"] for r in reqs)
system = first["messages"][0]["content"]
import re
assert re.search(r"The time now is 2026-06-02T05:..:..\+09:00 \(Asia/Tokyo\)\.", system), system
result = json.loads(second["messages"][-1]["content"])
assert result["reminder"]["at"] == "2026-06-03T07:00:00+09:00", result
'
