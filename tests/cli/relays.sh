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
