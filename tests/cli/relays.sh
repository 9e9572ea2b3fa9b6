# Background nestor processes for the tests of the Telegram scale-out
# (sourced after lib.sh, fake/telegram.sh and redis.sh; run alone it only
# defines functions).
#
#   start NAME CMD...  a background nestor whose stderr is NAME.err (appended
#                      to: emptied while it runs, it stays readable); its pid
#                      in $LAST, and in $PIDS
#   relays_cleanup     continue and kill them all, stop the fake Bot API and
#                      redis-server (call it on EXIT)
#   holder             the poller's lock's holder ("" none); holder_is PID;
#                      holder_set: someone holds it
#   link_users N       users u1..uN, each linked by its code to chat 1000+i:
#                      the N "/start CODE" messages sent to the fake at once
#   task_titles        the tasks' titles, as a Python list
#   llm_relays_setup CLAIM_IDLE   (with tests/fake/openai.sh) the fakes and
#                      redis-server started, cleaned up at exit; the fake
#                      model the default assistant; telegram.claim_idle
#                      CLAIM_IDLE; a link code in $code
#   expect_resumed N USERS   (with tests/fake/openai.sh) the fake model got N
#                      requests; the last carries the user messages USERS (a
#                      Python list) and one tool result, of "buy bread"
#   two_stores         the fake Bot API and redis-server started, cleaned up
#                      at exit; a second store in $B (the phone: nb runs
#                      nestor on it); the relay polling from this store, a
#                      worker of each (a1, b1) reading; S_A, S_B their streams
PIDS=
start() {
	_n=$1
	shift
	: >"$_n.err"
	"$NESTOR_BIN" "$@" 2>>"$_n.err" &
	LAST=$!
	PIDS="$PIDS $LAST"
}
relays_cleanup() {
	for p in $PIDS; do kill -CONT "$p" 2>/dev/null || true; done
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	kill "$TG_PID" 2>/dev/null || true
	redis_stop
}
holder() { rcli GET nestor:tg:poller; }
holder_is() { holder | grep -q ":$1:"; }
holder_set() { [ -n "$(holder)" ]; }
link_users() {
	_c=1
	: >links
	while [ "$_c" -le "$1" ]; do
		nestor user add "u$_c" >/dev/null
		_code=$(nestor telegram link --user "u$_c" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
		echo "{\"chat_id\": $((1000 + _c)), \"text\": \"/start $_code\"}" >>links
		_c=$((_c + 1))
	done
	"$PY" -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' links |
		curl -sf -X POST -H 'Content-Type: application/json' "$TG/_messages" -d @- >/dev/null
}
task_titles() {
	nestor task list --json | "$PY" -c 'import json,sys; print([t["title"] for t in json.load(sys.stdin)])'
}
# No turn left half done in the journal.
expect_no_turn_left() {
	expect_eq "turns left in the journal" "$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM turn_journal").fetchone()[0])' "$NESTOR_HOME/nestor.db")" 0
}
llm_relays_setup() {
	fake_telegram_start
	fake_openai_start
	trap 'relays_cleanup; kill $FAKE_PID 2>/dev/null || true; rm -rf "$FAKE_DIR"' EXIT
	redis_start
	nestor config set server.redis "$RURL" >/dev/null
	nestor config set telegram.chat_interval 0 >/dev/null
	nestor config set telegram.claim_idle "$1" >/dev/null
	nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default >/dev/null
	code=$(nestor telegram link --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["code"])')
}
expect_resumed() {
	fake_py "
n, users = $1, $2
assert len(reqs) == n, len(reqs)
last = reqs[-1]['json']['messages']
assert [m['content'] for m in last if m['role'] == 'user'] == users, last
tools = [m for m in last if m['role'] == 'tool']
assert len(tools) == 1 and 'buy bread' in tools[0]['content'], tools
" || fail "the resumed turn's request"
}
two_stores() {
	fake_telegram_start
	trap relays_cleanup EXIT
	redis_start
	B=$NESTOR_HOME/phone
	mkdir "$B"
	for _h in "$NESTOR_HOME" "$B"; do
		for _kv in "server.redis $RURL" "telegram.api_url $TG" "telegram.poll_timeout 1" \
			"telegram.chat_interval 0"; do
			# shellcheck disable=SC2086 # a key and its value
			NESTOR_HOME=$_h "$NESTOR_BIN" config set $_kv >/dev/null
		done
	done
	start relay telegram run
	wait_until -s 'cat relay.err' "the relay to start" grep -qs "relaying as @" relay.err
	start a1 worker --name a1
	: >b1.err
	NESTOR_HOME=$B "$NESTOR_BIN" worker --name b1 2>>b1.err &
	PIDS="$PIDS $!"
	for _w in a1 b1; do
		wait_until -s "cat $_w.err" "worker $_w to start" grep -qs "worker $_w: reading" "$_w.err"
	done
	S_A=$(tg_stream)
	S_B=$(tg_stream "$B")
}
nb() { NESTOR_HOME=$B "$NESTOR_BIN" "$@"; }
