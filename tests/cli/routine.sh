# Routines with the offline assistant: one due within seconds, with the
# daemon running, delivers "my day" through the command channel; catch-up
# after the daemon was down (once, marked late); `jobs history` and
# `routine show` keep the reply; `routine run`; a routine said in a
# sentence is made only after a yes.  The weather comes from the fake
# Open-Meteo on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
dir=$NESTOR_HOME
cd "$dir"
pid=
python3 "$SRC/tests/fake/openmeteo.py" --date "$(test_date 0 +%F)" --ppid $$ > fake.out 2>fake.err &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; [ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
i=0
until grep -q '^PORT ' fake.out 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "fake server did not start: $(cat fake.err)"
	sleep 0.05
done
BASE=http://127.0.0.1:$(sed -n 's/^PORT //p' fake.out)
nestor config set weather.forecast_url "$BASE/v1/forecast" >/dev/null
nestor config set weather.geocoding_url "$BASE/v1/search" >/dev/null
nestor config set general.location Berlin >/dev/null

# the command channel: one file per delivery, the late seconds beside it
cat > notify.sh <<'SH'
#!/bin/sh
d=$(dirname "$0")/delivered
mkdir -p "$d"
printf '%s\n' "$1" > "$d/$NESTOR_JOB_ID.$(date +%s%N)"
printf '%s\n' "$NESTOR_LATE" > "$d/late.$NESTOR_JOB_ID"
SH
chmod +x notify.sh
nestor config set notify.command "$dir/notify.sh" >/dev/null
nestor config set notify.channels command >/dev/null
# wait_file PATTERN: until a delivery file matches (10 s at most)
wait_file() {
	i=0
	until ls delivered/$1 >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || fail "no delivery $1: $(cat d.out 2>/dev/null)"
		sleep 0.05
	done
}
iso() { date -d "@$1" '+%Y-%m-%dT%H:%M:%S%z'; }

nestor task add "send the report" --due today >/dev/null
nestor task add "buy milk" >/dev/null

# -- bad input: one line, exit 2, nothing made
st=0; err=$(nestor routine add "my day" 2>&1) || st=$?
expect_eq "no --every: exit" "$st" 2
expect_eq "no --every: message" "$err" "nestor: routine add: missing --every CRON|PHRASE"
st=0; err=$(nestor routine add "my day" --every "every blue moon" 2>&1) || st=$?
expect_eq "bad rule: exit" "$st" 2
expect_match "bad rule: message" "$err" '^nestor: routine add: .*blue'
st=0; err=$(nestor routine add "my day" --every daily --channel pigeon 2>&1) || st=$?
expect_eq "bad channel: exit" "$st" 2
long=$(python3 -c 'print("x" * 16385)')
st=0; err=$(nestor routine add "$long" --every "every day" 2>&1) || st=$?
expect_eq "request too long: exit" "$st" 2
expect_eq "request too long: message" "$err" \
	"nestor: routine add: request: too long (16385 bytes, at most 16384)"
expect_eq "nothing made" "$(nestor routine list)" "no scheduled routines"

# -- due in two seconds, the daemon running: "my day" on the command channel
"$NESTOR_BIN" daemon --foreground > d.out 2>&1 & pid=$!
id=$(nestor routine add "my day" --every "every day" --at "$(iso $(( $(test_now) + 2 )))")
expect_match "next run listed" "$(nestor routine list)" "^ +$id  today [0-9:]+ +every day +- +my day$"
wait_file "$id.*"
text=$(cat delivered/"$id".*)
expect_match "my day: header" "$text" '^Your day, today\.'
expect_match "my day: task due" "$text" 'send the report \(due today\)'
expect_match "my day: the rest counted" "$text" 'without a date: 1\.'
expect_match "my day: weather" "$text" 'Weather: Berlin'
expect_eq "on time" "$(cat delivered/late.$id)" 0

# history: the reply on the assistant step, then the channel
hist=$(nestor jobs history "$id")
expect_match "history: assistant step" "$hist" "^ +$id .* assistant +ok +conversation [0-9]+$"
expect_match "history: reply text" "$hist" '^      Your day, today\.$'
expect_match "history: channel" "$hist" "^ +$id .* command +ok"
conv=$(nestor --json jobs history "$id" | python3 -c '
import json, sys
runs = json.load(sys.stdin)
step = [r for r in runs if r["channel"] == "assistant"][0]
assert step["output"].startswith("Your day"), step
print(step["conversation"])')
expect_match "the turn is a conversation" "$(nestor history show "$conv")" 'my day'
expect_match "next run tomorrow" "$(nestor routine show "$id")" 'next run   tomorrow '

# -- catch-up: the daemon is down while a routine falls due two hours ago
kill -TERM "$pid"; wait "$pid" || true; pid=
id2=$(nestor routine add "what didn't I finish" --every "every day" --at "$(iso $(( $(test_now) + 3600 )))")
sqlite3 nestor.db "UPDATE jobs SET next_run = next_run - 10800, occurrence = occurrence - 10800,
  dtstart = dtstart - 10800 WHERE id = $id2"
"$NESTOR_BIN" daemon --foreground > d.out 2>&1 & pid=$!
wait_file "$id2.*"
expect_match "catch-up: the recap" "$(cat delivered/"$id2".*)" '^Unfinished tasks: 2'
late=$(cat delivered/late.$id2)
[ "$late" -ge 7200 ] || fail "catch-up not marked late: $late"
expect_eq "fired once" "$(ls delivered/"$id2".* | wc -l)" 1
expect_match "late in history" "$(nestor jobs history "$id2")" 'stdout|command +ok'
expect_match "then its next time" "$(nestor routine show "$id2")" 'next run   (today|tomorrow) '

# -- run now: printed here and sent to the channels, the schedule untouched
before=$(nestor --json routine show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_run"])')
n=$(ls delivered/"$id".* | wc -l)
out=$(nestor routine run "$id")
expect_match "run: printed" "$out" '^Your day, today\.'
expect_eq "run: delivered" "$(ls delivered/"$id".* | wc -l)" $((n + 1))
expect_eq "run: schedule kept" "$(nestor --json routine show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_run"])')" "$before"

# -- edit and remove
nestor routine edit "$id" "мой день" --every "по будням" --at 08:00 >/dev/null
expect_match "edited" "$(nestor routine list)" "^ +$id  .* every weekday +- +мой день$"
st=0; err=$(nestor routine edit "$id" "$long" 2>&1) || st=$?
expect_eq "edit, request too long: exit" "$st" 2
expect_match "edit, request too long: message" "$err" "request: too long \(16385 bytes, at most 16384\)"
st=0; err=$(nestor routine edit "$id" --assistant nobody 2>&1) || st=$?
expect_eq "unknown assistant: exit" "$st" 1
expect_match "edit kept" "$(nestor routine list)" "мой день"
nestor routine rm "$id2" >/dev/null
st=0; nestor routine show "$id2" 2>/dev/null || st=$?
expect_eq "removed" "$st" 1
st=0; err=$(nestor routine show 1 2>&1 >/dev/null) && st=0 || st=$?
st=0; err=$(nestor routine rm "$(nestor remind add x --at 'in 1 hour')" 2>&1) || st=$?
expect_match "a reminder is not a routine" "$err" 'no routine with id [0-9]+ \(job [0-9]+ is a reminder job\)'

# -- by sentence: a question first, made after a yes, not after a no
q=$(nestor ask "every friday at 17:00 list the tasks I did not finish")
expect_match "asks first" "$q" '^Create a routine: every Friday, first .* 17:00: "list the tasks I did not finish"\? Say yes or no\.$'
nestor routine list | grep -q "did not finish" && fail "made before the yes"
c=$(nestor --json history list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_match "yes" "$(nestor ask --conversation "$c" yes)" '^Routine [0-9]+ created: every Friday, next .* 17:00'
expect_match "made" "$(nestor routine list)" 'every Friday +- +list the tasks I did not finish$'
q=$(nestor ask "каждый будний день в 8 рассказывай мой день")
expect_match "ru: asks" "$q" '^Создать регулярный запрос: по будням, первый раз .*«рассказывай мой день»'
c=$(nestor --json history list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_eq "ru: no" "$(nestor ask --conversation "$c" нет)" "Хорошо, не создаю."
nestor routine list | grep -q "рассказывай" && fail "made after a no"
expect_eq "yes to nothing" "$(nestor ask да)" "Мне нечего подтверждать."
kill -TERM "$pid"; wait "$pid" || true; pid=

# a routine keeps its user: edit --user (a slash command in the chat) says
# how to move it, removing it as its user
nestor user add bob > /dev/null
rq=$(nestor routine add "to move" --every daily)
echo "/routine edit $rq --user bob" | nestor chat > out 2>&1 || true
expect_match "edit --user: the hint" "$(cat out)" \
	"a routine keeps its user \\(remove it as that user, 'nestor --user [a-z][a-z0-9_]* routine rm $rq', and add it anew with --user bob\\)"
expect_match "still the owner's" "$(nestor routine show "$rq")" "to move"
