# Background nestor processes for the tests of the Telegram scale-out
# (sourced after lib.sh, fake/telegram.sh and redis.sh; run alone it only
# defines functions).
#
#   start NAME CMD...  a background nestor whose stderr is NAME.err (appended
#                      to: emptied while it runs, it stays readable); its pid
#                      in $LAST, and in $PIDS
#   relays_cleanup     continue and kill them all, stop the fake Bot API and
#                      redis-server (call it on EXIT)
#   holder             the poller's lock's holder ("" none); holder_is PID
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
