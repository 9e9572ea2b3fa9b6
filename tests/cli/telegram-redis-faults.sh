#!/bin/sh
# Through Redis, a worker holds two updates whose chats' previous updates
# are not done; the first one's previous update is then done and Redis
# drops every connection (CLIENT KILL) while the worker runs its held
# updates: the worker lives on, reconnects, and each message is answered
# exactly once, its task made once.  A message whose update is over 64 KiB
# (the text with many entities) is answered that it is too long, in its
# chat's language, and the chat goes on (an unlinked group is told
# nothing).  With the workers down, a backlog
# of over 100000 entries (more than the stream used to keep) loses none:
# its oldest update is answered once a worker is back; that worker's getMe
# failing, it asks again at a group's "/cmd@name" and ignores another bot's.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
fake_telegram_start
trap relays_cleanup EXIT
redis_start
nestor config set server.redis "$RURL" >/dev/null
nestor config set telegram.chat_interval 0 >/dev/null
nestor config set telegram.lock_ttl 3000 >/dev/null
nestor config set telegram.claim_idle 100 >/dev/null

# XCLAIM calls Redis served (a worker keeps its held entries fresh so);
# the pending entries' count.
touches() { rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_xclaim:calls=\([0-9]*\),.*/\1/p'; }
touched() { [ "$(touches)" -ge "$1" ] 2>/dev/null; }
pending() { rcli XPENDING "$S" workers | head -n 1; }
pending_is() { [ "$(pending)" = "$1" ]; }

start relay telegram run
wait_until -s 'cat relay.err' "the relay to take the lock" holder_set
start w1 worker --name w1
W1=$LAST
wait_until -s 'cat w1.err' "the worker to start" grep -qs "worker w1: reading" w1.err
link_users 2
tg_wait_sent 1001 1 30
tg_wait_sent 1002 1 30
S=$(tg_stream)
wait_until -s 'rcli XPENDING "$S" workers - + 10' "the links acknowledged" pending_is 0

# Two updates whose previous ones (1999, 1998) are not done: held.
body() { printf '{"update_id":%s,"message":{"message_id":%s,"chat":{"id":%s,"type":"private"},"from":{"id":%s},"date":1,"text":"add task t%s"}}' "$1" "$1" "$2" "$2" "$1"; }
rcli XADD "$S" '*' u 2001 chat 1001 prev 1999 body "$(body 2001 1001)" >/dev/null
rcli XADD "$S" '*' u 2002 chat 1002 prev 1998 body "$(body 2002 1002)" >/dev/null
wait_until -s 'rcli XPENDING "$S" workers - + 10; cat w1.err' "both updates read" pending_is 2
# Touches counted from now on are rounds over both held entries.
rcli CONFIG RESETSTAT >/dev/null
wait_until -s 'rcli INFO commandstats; cat w1.err' "the held updates touched" touched 4

# The first one's turn comes, and Redis drops the worker's connections.
sqlite3 nestor.db "INSERT INTO telegram_seen(update_id, at) VALUES (1999, 1)"
rcli CLIENT KILL TYPE normal >/dev/null
tg_wait_sent 1001 2 30
expect_match "the first answered" "$(tg_text 1001 -1)" 't2001'
# Then the second's.
sqlite3 nestor.db "INSERT INTO telegram_seen(update_id, at) VALUES (1998, 1)"
tg_wait_sent 1002 2 30
expect_match "the second answered" "$(tg_text 1002 -1)" 't2002'
wait_until -s 'rcli XPENDING "$S" workers - + 10; cat w1.err' "both acknowledged" pending_is 0
kill -0 "$W1" 2>/dev/null || { wait "$W1"; fail "the worker died (exit $?): $(tail -5 w1.err)"; }
expect_eq "chat 1001: once" "$(tg_count 1001)" 2
expect_eq "chat 1002: once" "$(tg_count 1002)" 2
expect_eq "tasks" "$(nestor --user u1 task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['t2001']"
expect_eq "tasks of u2" "$(nestor --user u2 task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['t2002']"

# An update over 64 KiB: its chat is told, once, in its language; no task.
"$PY" -c '
import json
text = "add task " + "x" * 3990
print(json.dumps({"chat_id": 1001, "text": text, "language_code": "ru",
                  "entities": [{"offset": i, "length": 1, "type": "bold"} for i in range(9, 4000)]}))' |
	curl -sf -X POST -H 'Content-Type: application/json' "$TG/_message" -d @- >/dev/null
tg_wait_sent 1001 3 30
expect_match "too long: told" "$(tg_text 1001 -1)" '^Не получилось: .*too long'
tg_message 1001 "add task after the long one"
tg_wait_sent 1001 4 30
expect_match "goes on" "$(tg_text 1001 -1)" 'after the long one'
expect_eq "one answer to the long one" "$(tg_count 1001)" 4
expect_eq "tasks after the long one" "$(nestor --user u1 task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['t2001', 'after the long one']"
# One over 64 KiB in a group that is not linked: nothing said there.
"$PY" -c '
import json
print(json.dumps({"chat_id": -500, "chat_type": "supergroup", "text": "x" * 4000,
                  "entities": [{"offset": i, "length": 1, "type": "bold"} for i in range(4000)]}))' |
	curl -sf -X POST -H 'Content-Type: application/json' "$TG/_message" -d @- >/dev/null
wait_until -s 'tail -3 nestor.log' "the group's long one refused" grep -qs 'chat -500: update .* refused' nestor.log
# One over 64 KiB with no chat to answer (a hostile message without its
# chat): marked done, nothing sent anywhere, the chats go on.
"$PY" -c '
import json
print(json.dumps({"message": {"message_id": 1, "date": 0, "text": "x" * 70000}}))' |
	curl -sf -X POST -H 'Content-Type: application/json' "$TG/_update" -d @- >/dev/null
tg_message 1001 "add task after the chatless one"
tg_wait_sent 1001 5 30
expect_match "goes on after it" "$(tg_text 1001 -1)" 'after the chatless one'
outbox_is() { [ "$(nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["outbox"])')" = "$1" ]; }
wait_until "the answers sent" outbox_is 0
expect_eq "nothing to chat 0" "$(tg_count 0)" 0
expect_eq "nothing to the unlinked group" "$(tg_count -500)" 0
expect_eq "no dead letter" "$(nestor telegram status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["redis"]["dead"])')" 0
kill "$W1"
wait "$W1" || fail "worker exited $? on SIGTERM: $(tail -5 w1.err)"

# Workers down: an update waits in the stream, then 100200 more entries
# (stand-ins, as the updates of a long outage), then the relay adds one.
R=$(rcli XADD "$S" '*' u 3001 chat 1002 prev 0 body "$(body 3001 1002)")
# RESP for redis-cli --pipe: CMD FIRST then the ids MS-1..MS-N, BATCH ids a command
resp() {
	"$PY" -c '
import sys
cmd, key, ms, n, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
out = sys.stdout.buffer
def send(args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a.encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for lo in range(1, n + 1, batch):
    ids = ["%d-%d" % (ms, i) for i in range(lo, min(lo + batch, n + 1))]
    send([cmd, key] + (ids + ["f", "x"] if cmd == "XADD" else ids))' "$@"
}
resp XADD "$S" $((${R%-*} + 1)) 100200 1 | rcli --pipe >/dev/null
tg_message 1001 "add task after the backlog"
added() { rcli XREVRANGE "$S" + - COUNT 1 | grep -q "after the backlog"; }
wait_until -s 'rcli XLEN "$S"; cat relay.err' "the relay to add the update" added
# The stand-ins go (no worker is to read them), then a worker comes back,
# its getMe failing: it asks again at a group's "/cmd@name".
resp XDEL "$S" $((${R%-*} + 1)) 100200 1000 | rcli --pipe >/dev/null
tg_post /_control '{"fail": [{"method": "getMe", "status": 502}]}' >/dev/null
start w2 worker --name w2
W2=$LAST
wait_until -s 'tail -3 nestor.log' "w2's getMe to fail" grep -qs 'getMe: 502.*commands to any bot' nestor.log
tg_wait_sent 1002 3 30
expect_match "the oldest of the backlog answered" "$(tg_text 1002 -1)" 't3001'
tg_wait_sent 1001 6 30
expect_match "the newest answered" "$(tg_text 1001 -1)" 'after the backlog'
wait_until -s 'rcli XPENDING "$S" workers - + 10; cat w2.err' "the backlog acknowledged" pending_is 0
expect_eq "chat 1002: once each" "$(tg_count 1002)" 3
expect_eq "chat 1001: once each" "$(tg_count 1001)" 6
code=$(nestor --user u1 telegram link --group --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
for text in "/start $code" "/tasks@some_other_bot" "/tasks@nestor_test_bot"; do
	tg_group_message -600 "$text"
done
tg_wait_sent -600 2 30
expect_match "our command answered" "$(tg_text -600 2)" 't2001'
wait_until -s 'rcli XPENDING "$S" workers - + 10' "the group's updates acknowledged" pending_is 0
wait_until "the group's answers sent" outbox_is 0
expect_eq "another bot's command not answered after getMe failed" "$(tg_count -600)" 2
kill "$W2"
wait "$W2" || fail "worker exited $? on SIGTERM: $(tail -5 w2.err)"
echo ok
