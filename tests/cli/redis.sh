# A throwaway redis-server for the tests that need a real one (sourced after
# lib.sh; run alone it only defines functions).  No persistence, a free port
# on 127.0.0.1, its files in a private directory.
#
#   redis_start [ARGS] start it (ARGS: more redis-server options; RPASS set:
#                      its password); sets RPORT and RURL (redis://127.0.0.1:PORT/0)
#   rcli ARGS...       redis-cli against it (with RPASS)
#   redis_stop         stop it and remove its files (call it on EXIT)
#   tg_stream [HOME]   the Telegram update stream of the store in HOME
#                      (default $NESTOR_HOME): its device's
RTMP=
redis_start() {
	command -v redis-server >/dev/null || fail "redis-server is needed (make deps)"
	RTMP=$(mktemp -d "${TMPDIR:-/tmp}/nestor-redis.XXXXXX")
	RPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	redis-server --bind 127.0.0.1 --port "$RPORT" --save '' --appendonly no \
		--daemonize yes --pidfile "$RTMP/redis.pid" --logfile "$RTMP/redis.log" \
		--dir "$RTMP" ${RPASS:+--requirepass "$RPASS"} "$@" >/dev/null ||
		fail "redis-server did not start"
	wait_until -s 'cat "$RTMP/redis.log"' "redis-server to answer" redis_ping
	RURL=redis://127.0.0.1:$RPORT/0
}
tg_stream() {
	echo "nestor:tg:updates:$(sqlite3 "${1:-$NESTOR_HOME}/nestor.db" 'SELECT device FROM sync_self')"
}
# gone: no such process, or a zombie its parent (not this shell) has not reaped
redis_gone() { case $(ps -o stat= -p "$1" 2>/dev/null) in "" | Z*) return 0 ;; esac; return 1; }
redis_ping() { [ "$(rcli ping 2>/dev/null)" = PONG ]; }
rcli() {
	if [ -n "${RPASS:-}" ]; then
		REDISCLI_AUTH=$RPASS redis-cli -p "$RPORT" "$@"
	else
		redis-cli -p "$RPORT" "$@"
	fi
}
redis_stop() {
	[ -n "$RTMP" ] || return 0
	_rpid=$(cat "$RTMP/redis.pid" 2>/dev/null || true)
	# gone before its directory is removed: a server still stopping writes
	# its log there (rm then finds the directory not empty)
	if [ -n "$_rpid" ] && kill -TERM "$_rpid" 2>/dev/null; then
		wait_until "redis-server $_rpid to exit" redis_gone "$_rpid"
	fi
	rm -rf "$RTMP"
	RTMP=
}
