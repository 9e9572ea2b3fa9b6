# nestor remind / jobs: the commands a user types, and the command channel.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin
nestor config set notify.channels stdout >/dev/null

id=$(nestor remind add call mom --at "2030-06-01 17:00")
expect_eq "first id" "$id" 1
nestor remind add standup --every "0 9 * * 1-5" >/dev/null
nestor remind add review --at "2030-06-07 16:00" --every "every friday" --channel stdout,command >/dev/null
out=$(nestor remind list)
expect_match "list shows the text" "$out" '^ +1 +2030-06-01 17:00 +- +call mom$'
expect_match "cron rule in words" "$out" 'every weekday at 09:00 +standup$'
expect_match "phrase rule in words" "$out" 'every Friday +review$'
json=$(nestor remind list --json)
expect_match "json: the cron rule" "$json" '"every":	"0 9 \* \* 1-5"'
expect_match "json: the phrase became an RRULE" "$json" '"every":	"FREQ=WEEKLY;BYDAY=FR"'
expect_match "json at" "$json" '"at":	"2030-06-01T17:00:00\+02:00"'
expect_match "json channels" "$json" '"channels":	\["stdout", "command"\]'
expect_match "json default channels" "$json" '"channels":	null'

# usage errors exit 2 and name the problem
set +e
err=$(nestor remind add x 2>&1); st=$?
expect_eq "no --at" "$st" 2
expect_match "no --at message" "$err" 'missing --at WHEN'
err=$(nestor remind add x --at tomorrow --every "61 9 * * *" 2>&1); st=$?
expect_eq "bad cron" "$st" 2
expect_match "bad cron message" "$err" 'cron: bad minute "61"'
err=$(nestor remind add x --at tomorrow --channel pager 2>&1); st=$?
expect_eq "bad channel" "$st" 2
err=$(nestor remind cancel 42 2>&1); st=$?
expect_eq "unknown id" "$st" 1
expect_match "unknown id message" "$err" 'no reminder with id 42'
set -e

# A reminder missed while nothing ran fires once, marked late; the command
# channel gets the text as one argument, never through a shell.
cat > notify.sh <<'SH'
#!/bin/sh
printf '%s|%s|%s\n' "$#" "$1" "$NESTOR_JOB_ID" >> "$(dirname "$0")/delivered"
SH
chmod +x notify.sh
nestor config set notify.command "$PWD/notify.sh" >/dev/null
text='pay rent; touch pwned $(id) `id`'
late=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor remind add "$text" --at "2020-01-01 10:00" --channel stdout,command)
expect_eq "dry run" "$(nestor remind fire --dry-run)" "would fire reminder $late: $text"
out=$(nestor remind fire)
expect_match "fire prints the reminder, late" "$out" "^reminder $late: pay rent.* \(late by [0-9]+d [0-9]+h\)$"
expect_eq "command got one argument" "$(cat delivered)" "1|$text|$late"
[ ! -e pwned ] || fail "the text reached a shell"
expect_eq "fired once" "$(nestor remind fire)" ""
expect_eq "nothing more delivered" "$(wc -l < delivered | tr -d ' ')" 1
expect_match "history" "$(nestor jobs history "$late")" 'command +ok'
expect_match "state done" "$(nestor remind list --all)" "done +pay rent"

# snooze brings it back; done and cancel end it
expect_match "snooze" "$(nestor remind snooze "$late" 10m)" "snoozed until today"
expect_match "snoozed is pending" "$(nestor remind list)" "pay rent"
nestor remind done "$late" >/dev/null
expect_match "done" "$(nestor remind list --all --json)" '"state":	"done"'
expect_eq "cancel" "$(nestor remind cancel 1)" "reminder 1 cancelled"
expect_match "jobs lists the rest" "$(nestor jobs)" 'reminder +pending'
expect_match "jobs json" "$(nestor jobs --all --json)" '"state":	"cancelled"'

# A failing command is recorded and retried, without holding back stdout.
nestor config set notify.command /bin/false >/dev/null
id=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor remind add flaky --at "2020-01-01 10:00" --channel stdout,command)
set +e
out=$(nestor remind fire 2>err); st=$?
set -e
expect_eq "fire succeeds" "$st" 0
expect_match "stdout still delivered" "$out" "reminder $id: flaky"
expect_match "failure reported" "$(cat err)" "1 channel\(s\) failed, will retry"
expect_match "last error" "$(nestor jobs)" "'/bin/false' exited with status 1"
expect_match "failed run in history" "$(nestor jobs history "$id")" 'command +failed'

# --json: one object, {"fired": [...]}, the occurrences it would print
id=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor remind add "in json" --at "2020-01-01 10:00" --channel stdout)
nestor --json remind fire > fired.json
python3 - "$id" fired.json <<'PY' || fail "remind fire --json: $(cat fired.json)"
import json, sys
d = json.load(open(sys.argv[2]))
assert list(d) == ["fired"], d
f = [o for o in d["fired"] if o["id"] == int(sys.argv[1])]
assert len(f) == 1, d
o = f[0]
assert o["kind"] == "reminder" and o["text"] == "in json" and o["attempt"] == 1, o
assert o["occurrence"].startswith("2020-01-01T10:00:00+") and o["late"] > 0, o
assert o["failed"] == 0 and o["retry"] is False, o
PY
expect_eq "nothing due: an empty list" "$(nestor --json remind fire | jq -c .)" '{"fired":[]}'

# --json: the stdout channel is the writing of the reminder's entry; when it
# does not get out, that delivery failed and is retried as without --json
id=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor remind add lost --at "2020-01-01 10:00" --channel stdout)
st=0; nestor --json remind fire >/dev/full 2>err || st=$?
expect_eq "fire to a full disk fails" "$st" 1
expect_match "the stdout entry failed" "$(nestor jobs history "$id")" 'stdout +failed +write: No space left on device'
expect_match "still pending, for its retry" "$(nestor remind list)" "lost"
expect_eq "dry run: the same shape" "$(nestor --json remind fire --dry-run | jq -c 'keys')" '["fired"]'

# --json: a run that stops on an error is still one object, the error in it
# (a trigger makes recording the stdout delivery fail; its own database)
id=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor --db stop.db remind add stops --at "2020-01-01 10:00" --channel stdout)
sqlite3 stop.db "CREATE TRIGGER stop BEFORE INSERT ON job_runs WHEN NEW.channel = 'stdout' BEGIN SELECT RAISE(ABORT, 'no room'); END;"
st=0; nestor --db stop.db --json remind fire > stop.json 2>err || st=$?
expect_eq "a stopped run fails" "$st" 1
python3 - "$id" stop.json <<'PY' || fail "remind fire --json on an error: $(cat stop.json)"
import json, sys
d = json.load(open(sys.argv[2]))
assert list(d) == ["fired", "error", "code"], d
assert [o["id"] for o in d["fired"]] == [int(sys.argv[1])], d
assert "no room" in d["error"] and d["code"] == 1, d
PY

# --json: an entry whose claim was lost after its head (here: taken by
# another claim as its stdout delivery is recorded) is closed before the next
a=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor --db lost.db remind add taken --at "2020-01-01 10:00" --channel stdout,command)
b=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor --db lost.db remind add next --at "2020-01-01 11:00" --channel stdout)
sqlite3 lost.db "CREATE TRIGGER take AFTER INSERT ON job_runs WHEN NEW.channel = 'stdout' BEGIN UPDATE jobs SET claim = 'another' WHERE id = NEW.job_id; END;"
nestor --db lost.db --json remind fire > lost.json 2>err || :
python3 - "$a" "$b" lost.json <<'PY' || fail "remind fire --json, a claim lost: $(cat lost.json)"
import json, sys
d = json.load(open(sys.argv[3]))
assert [o["id"] for o in d["fired"]] == [int(sys.argv[1]), int(sys.argv[2])], d
PY
