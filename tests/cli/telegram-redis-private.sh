#!/bin/sh
# A private chat's code with server.redis: two stores (two NESTOR_HOMEs, two
# devices, each its own user), one redis-server, one polling relay.  A
# chat linked here and sent a code the phone's store refuses (expired
# there while its Redis key lasts longer: the code was made with the clock
# pinned years back) is told so by the phone, and its updates still come
# here; a code the phone's store takes moves the chat's home there.  A
# chat with no home yet that sends the phone's code while the phone's
# worker is away: what it says next waits on the phone for the link.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
two_stores
DEV_A=${S_A##*:}
DEV_B=${S_B##*:}
code() { "$@" telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])'; }
idle() { [ "$("$@" telegram status --json | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["redis"]; print(r["waiting"] + r["pending"])')" = 0 ]; }
all_idle() { idle nestor && idle nb; }
titles() { "$@" task list --json | "$PY" -c 'import json,sys; print(sorted(t["title"] for t in json.load(sys.stdin)))'; }
home_is() { [ "$(rcli GET nestor:tg:home:77)" = "$1" ]; }

tg_message 77 "/start $(code nestor)"
tg_wait_sent 77 1
expect_match "the chat linked here" "$(tg_text 77 1)" 'Linked: this chat now belongs'
wait_until -s 'rcli KEYS "nestor:tg:*"' "the chat's home here" home_is "$DEV_A"

# An expired code of the phone's: the phone says so, the home stays here.
old=$(NESTOR_NOW=2020-01-01T00:00:00Z code nb)
expect_eq "the expired code still in Redis" "$(rcli GET "nestor:tg:code:$old")" "$DEV_B"
tg_message 77 "/start $old"
tg_wait_sent 77 2
expect_match "the code refused" "$(tg_text 77 2)" 'unknown or has expired'
wait_until -s 'rcli XRANGE "$S_A" - +; rcli XRANGE "$S_B" - +' "every update done" all_idle
expect_eq "the chat's home stays here" "$(rcli GET nestor:tg:home:77)" "$DEV_A"
tg_message 77 "add task milk"
tg_wait_sent 77 3
expect_eq "the chat's task here" "$(titles nestor)" "['milk']"
expect_eq "none on the phone" "$(titles nb)" "[]"

# A code the phone's store takes: the chat and its home move there.
tg_message 77 "/start $(code nb)"
tg_wait_sent 77 4
expect_match "the chat linked on the phone" "$(tg_text 77 4)" 'Linked: this chat now belongs'
wait_until -s 'rcli KEYS "nestor:tg:*"' "the chat's home on the phone" home_is "$DEV_B"
tg_message 77 "add task bread"
tg_wait_sent 77 5
expect_eq "the chat's task on the phone" "$(titles nb)" "['bread']"
expect_eq "the tasks here as they were" "$(titles nestor)" "['milk']"

# A new chat, the phone's worker stopped: its code and the next message both
# wait on the phone's stream, and are answered there once it is back.
BPID=${PIDS##* }
n=$(rcli XLEN "$S_B")
kill -STOP "$BPID"
tg_message 78 "/start $(code nb)"
on_phone() { [ "$(rcli XLEN "$S_B")" -ge $((n + $1)) ]; }
wait_until -s 'rcli XLEN "$S_B"' "the new chat's code on the phone's stream" on_phone 1
tg_message 78 "add task eggs"
wait_until -s 'rcli XLEN "$S_A"; rcli XLEN "$S_B"' "the new chat's message on the phone's stream" on_phone 2
kill -CONT "$BPID"
tg_wait_sent 78 2
expect_match "the new chat linked on the phone" "$(tg_text 78 1)" 'Linked: this chat now belongs'
expect_eq "the new chat's task on the phone" "$(titles nb)" "['bread', 'eggs']"
expect_eq "nothing new here" "$(titles nestor)" "['milk']"
echo ok
