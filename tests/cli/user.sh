# Users of one store: `--user NAME` (or server.user) says whose tasks,
# reminders and conversations a command reads and writes; the first user
# stays implicit for people who never name one.
. "$(dirname "$0")/lib.sh"
expect_eq "the implicit user" "$(nestor user list)" "me               -                    -"
nestor task add "mine" >/dev/null
expect_eq "add bob" "$(nestor user add bob --tz Europe/Berlin --locale ru)" "user bob added"
nestor --user bob task add "bob's" >/dev/null
nestor task add "bob's reminder" --user=bob >/dev/null
nestor --user bob remind add "bob's call" --at "2030-01-01 10:00" >/dev/null
expect_eq "my tasks" "$(nestor task list | tail -n +2 | sed 's/.* //')" "mine"
expect_match "bob's tasks" "$(nestor --user bob task list)" "bob's reminder"
case $(nestor --user bob task list) in *mine*) fail "bob sees my task" ;; esac
expect_eq "my reminders" "$(nestor remind list)" "no pending reminders"
expect_match "bob's reminders" "$(nestor --user bob remind list)" "bob's call"
# a task of another user is not there for this one
id=$(nestor --user bob task list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
if nestor task done "$id" 2>err; then fail "I finished bob's task"; fi
expect_eq "not mine" "$(cat err)" "nestor: task done: no task with id $id"
# server.user acts the same
nestor config set server.user bob >/dev/null
expect_match "server.user" "$(nestor task list)" "bob's"
nestor config set server.user "" >/dev/null
# show, edit, rm
expect_match "show" "$(nestor user show bob)" "tasks: 2, reminders and jobs: 1"
nestor user edit bob --name robert --telegram-chat 12345 --setting units=imperial >/dev/null
j=$(nestor user show robert --json | python3 -c 'import json,sys; u=json.load(sys.stdin); print(u["name"], u["tz"], u["locale"], u["telegram_chat"], u["settings"]["units"], u["tasks"])')
expect_eq "edited" "$j" "robert Europe/Berlin ru 12345 imperial 2"
if nestor user rm robert 2>err; then fail "removed a user with data"; fi
expect_match "rm refused" "$(cat err)" "still has 2 task"
if nestor user rm me 2>err; then fail "removed the first user"; fi
nestor user add carol >/dev/null
expect_eq "rm" "$(nestor user rm carol)" "user carol removed"
# bad input: one line, exit 2
for bad in "user add Bob" "user add pg_x" "user add 9lives" "user edit robert --locale fr" "user edit robert --tz Mars/Base"; do
	set +e
	nestor $bad >/dev/null 2>err
	rc=$?
	set -e
	expect_eq "$bad: status" "$rc" 2
	expect_eq "$bad: one line" "$(wc -l < err | tr -d ' ')" 1
done
# a setting with a control character: refused naming it, nothing written
# (another device would refuse it on a pull)
set +e
nestor user edit robert --setting "units=$(printf 'metric\033[5m')" >/dev/null 2>err
rc=$?
set -e
expect_eq "control character in a setting: status" "$rc" 2
expect_eq "control character in a setting" "$(cat err)" "nestor: user edit: setting: control character U+001B (byte 13)"
expect_eq "setting kept" "$(nestor user show robert --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["settings"]["units"])')" imperial
if nestor --user nobody task list 2>err; then fail "an unknown --user worked"; fi
expect_eq "unknown user" "$(cat err)" "nestor: task list: no user named 'nobody' here (nestor user add nobody)"
if nestor user add robert 2>err; then fail "a second robert"; fi
expect_eq "duplicate" "$(cat err)" "nestor: user add: a user named 'robert' exists"
# the sample server configuration in contrib/ is valid as it stands
nestor --config "$SRC/contrib/server.conf" config get server.device >out 2>err
expect_eq "sample config" "$(cat out)" "laptop"
expect_eq "sample config warnings" "$(cat err)" ""
# a password in server.postgres is refused, with where it belongs instead:
# by config set, before it reaches the file (a user name alone is fine)
pgwhy="take it out and store it with 'nestor secret set postgres' (or in ~/.pgpass)"
for uri in "postgresql://alice:hunter2@127.0.0.1:9/nestor" "postgresql://alice:hun/ter2@127.0.0.1:9/nestor"; do
	if nestor config set server.postgres "$uri" 2>err; then fail "config set took $uri"; fi
	expect_eq "config set $uri" "$(cat err)" "nestor: config set: server.postgres holds a password: $pgwhy"
done
# a password parameter, in any of the forms libpq reads (it decodes a
# URI's keywords; sslpassword is the client key's)
for uri in "host=127.0.0.1 port=9 password=hunter2" "postgresql://127.0.0.1:9/nestor?password=hunter2" \
	"postgresql://bob@127.0.0.1:9/nestor?sslpassword=hunter2" \
	"postgresql://bob@127.0.0.1:9/nestor?pass%77ord=hunter2"; do
	name=$(printf %s "$uri" | sed 's/.*[ ?]//; s/=.*//')
	if nestor config set server.postgres "$uri" 2>err; then fail "config set took $uri"; fi
	expect_eq "config set $uri" "$(cat err)" \
		"nestor: config set: server.postgres holds a secret in its parameter \"$name\": $pgwhy"
done
pgwhy="server.postgres holds a password: $pgwhy"
! grep -qs hunter2 "$NESTOR_HOME/config" || fail "the password reached the config: $(cat "$NESTOR_HOME/config")"
nestor config set server.postgres "postgresql://alice@127.0.0.1:9/nestor" >/dev/null
# and one written into the file by hand: every command warns, sync refuses it
sed -i 's|^postgres=.*|postgres=postgresql://alice:hunter2@127.0.0.1:9/nestor|' "$NESTOR_HOME/config"
nestor task list >/dev/null 2>err
expect_eq "hand-edited: warning" "$(sed 's|/.*/config:[0-9]*:|CONFIG:|' err)" "nestor: warning: CONFIG: $pgwhy"
if nestor sync 2>err; then fail "synced with a password in the URI"; fi
expect_eq "password in the URI" "$(tail -n 1 err)" "nestor: sync: $pgwhy"
sed -i 's|^postgres=.*|postgres=host=127.0.0.1 port=9 password=hunter2|' "$NESTOR_HOME/config"
if nestor server init 2>err; then fail "init with a password in the URI"; fi
expect_match "password= too" "$(tail -n 1 err)" "holds a secret in its parameter \"password\""
nestor config set server.postgres "" >/dev/null 2>&1
