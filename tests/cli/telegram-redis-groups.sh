#!/bin/sh
# Groups with server.redis: two stores (two NESTOR_HOMEs, two devices), one
# redis-server, one polling relay.  A command addressed to another bot
# ("/start@other_bot CODE" in a group) is ignored before it is routed: the
# code made on the phone still takes the chat that sends it there, the
# group gets no home and hears nothing.  A group's code made on the phone
# links the group there; a private chat's code made on the phone and sent
# in a group linked here is refused by the phone, and the group's home
# stays here; so does it for a group's code the phone's store refuses.
. "${NESTOR_SRC:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$SRC/tests/fake/telegram.sh"
. "$SRC/tests/cli/redis.sh"
. "$SRC/tests/cli/relays.sh"
cd "$NESTOR_HOME"
two_stores
code() { "$@" telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])'; }
gcode() { "$@" telegram link --group --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])'; }
# idle CMD...: no update waits in the stream of CMD's store, nor is taken
idle() { [ "$("$@" telegram status --json | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["redis"]; print(r["waiting"] + r["pending"])')" = 0 ]; }
all_idle() { idle nestor && idle nb; }
chats() { "$@" telegram status --json | "$PY" -c 'import json,sys; print(sorted(c["chat"] for c in json.load(sys.stdin)["chats"]))'; }

# Another bot's "/start CODE" in a group: not routed by the code.
c=$(code nb)
tg_group_message -900 "/start@some_other_bot $c"
tg_message 77 "/start $c"
tg_wait_sent 77 1
expect_match "the code still links where it was made" "$(tg_text 77 1)" 'Linked: this chat now belongs'
expect_eq "the chat linked on the phone" "$(chats nb)" "[77]"
wait_until -s 'rcli XRANGE "$S_A" - +; rcli XRANGE "$S_B" - +' "every update done" all_idle
expect_eq "the group has no home" "$(rcli GET nestor:tg:home:-900)" ""
expect_eq "nothing said to the group" "$(tg_count -900)" 0

# A group's code made on the phone links the group there.
tg_group_message -900 "/start $(gcode nb)"
tg_wait_sent -900 1
expect_match "the group linked on the phone" "$(tg_text -900 1)" 'every member of this group'
tg_group_message -900 "add task group milk"
tg_wait_sent -900 2
expect_eq "the group's task on the phone" "$(nb task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['group milk']"

# A group linked here, sent a private chat's code made on the phone: the
# phone refuses it, and the group's updates still come here.
tg_group_message -800 "/start $(gcode nestor)"
tg_wait_sent -800 1
expect_match "the group linked here" "$(tg_text -800 1)" 'every member of this group'
tg_group_message -800 "/start $(code nb)"
tg_wait_sent -800 2
expect_match "the private code refused in the group" "$(tg_text -800 2)" 'for a private chat'
tg_group_message -800 "add task group bread"
tg_wait_sent -800 3
expect_eq "the group's task here" "$(nestor task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])')" "['group bread']"
expect_eq "groups linked here" "$(chats nestor)" "[-800]"
# (a user has one chat: the group took the place of chat 77)
expect_eq "chats linked on the phone" "$(chats nb)" "[-900]"

# A group's code the phone's store refuses (expired there while its Redis
# key lasts a little longer): the update goes there, the group linked here
# stays here.
DEV_A=${S_A##*:}
expect_eq "the group's home here" "$(rcli GET nestor:tg:home:-800)" "$DEV_A"
rcli SET nestor:tg:gcode:GONE1234 "${S_B##*:}" PX 600000 >/dev/null
tg_group_message -800 "/start GONE1234"
routed() { [ "$(rcli EXISTS nestor:tg:gcode:GONE1234)" = 0 ]; }
wait_until -s 'rcli KEYS "nestor:tg:*"' "the code's update routed" routed
wait_until -s 'rcli XRANGE "$S_A" - +; rcli XRANGE "$S_B" - +' "every update done" all_idle
expect_eq "the group's home stays here" "$(rcli GET nestor:tg:home:-800)" "$DEV_A"
n=$(tg_count -800)
tg_group_message -800 "add task group eggs"
tg_wait_sent -800 $((n + 1))
expect_eq "the group's tasks still here" "$(nestor task list --json | "$PY" -c 'import json,sys; print(sorted(t["title"] for t in json.load(sys.stdin)))')" "['group bread', 'group eggs']"
echo ok
