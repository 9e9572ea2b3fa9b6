# A real terminal for the tests/cli scripts: tmux on a private socket
# (sourced after lib.sh, POSIX sh).  Keys go in, the screen comes out.
#   term_start [-x COLS] [-y ROWS] COMMAND  run the shell text COMMAND in a
#                    fresh COLS x ROWS (80x24) session, with NESTOR_HOME,
#                    NESTOR_NOW, TZ and a UTF-8 locale (LANG=C.UTF-8: a
#                    terminal's, whatever the script's); the pane stays
#                    after COMMAND exits
#   term_keys KEYS...    tmux send-keys to it
#   term_wait [-F] [-n N] [-v] [-t SECS] PATTERN
#                    until N lines (1) of the screen match PATTERN (grep -E,
#                    or a fixed string with -F); -v: until none does.  On a
#                    timeout (10 s) the screen is printed and the script fails
#   term_screen      capture the screen into ./screen now
#   tm ARGS...       tmux itself, on this script's socket
# After a term_wait, ./screen holds the screen it matched.  The server is
# killed at exit (term_stop, for scripts that set their own EXIT trap), and
# term_stop, like term_start for the session it replaces, returns once the
# programs that ran on the killed terminals have exited: a nestor still
# closing its database (slow under ASan) would otherwise write into a
# NESTOR_HOME the script is removing, or race the next session.
command -v tmux >/dev/null || fail "tmux is missing (sh contrib/deps.sh test)"
TERM_SOCK=nestor-$(basename "$0" .sh)-$$
TERM_N=0
TERM_SCREEN=$(pwd)/screen
S=
# -u: the keys sent and the screen read are UTF-8 whatever the locale
tm() { tmux -u -L "$TERM_SOCK" -f /dev/null "$@"; }
# term_procs LIST-PANES-ARGS...: the pids of the processes on those panes'
# terminals
term_procs() {
	for _tty in $(tm list-panes "$@" -F '#{pane_tty}' 2>/dev/null); do
		ps -t "${_tty#/dev/}" -o pid= 2>/dev/null || true
	done
}
# term_gone PID...: none of them runs any more (a zombie has exited)
term_gone() {
	for _p in "$@"; do
		case $(ps -o stat= -p "$_p" 2>/dev/null) in "" | Z*) ;; *) return 1 ;; esac
	done
}
# term_reaped: wait for the processes in $_pids (a term_procs taken
# before their terminal was closed; each got a hangup) to exit
term_reaped() {
	# shellcheck disable=SC2086
	wait_until -s 'ps -o pid,stat,args -p "$(echo $_pids | tr " " ,)"' \
		"the programs of a closed terminal to exit" term_gone $_pids
}
term_stop() {
	_pids=$(term_procs -a)
	tm kill-server 2>/dev/null || true
	term_reaped
}
trap term_stop EXIT

# The new session starts before the old one goes, so the server never exits
# in between.
term_start() {
	_cols=80 _rows=24
	while :; do
		case $1 in
		-x) _cols=$2; shift 2 ;;
		-y) _rows=$2; shift 2 ;;
		*) break ;;
		esac
	done
	_old=$S
	TERM_N=$((TERM_N + 1))
	S=s$TERM_N
	tm new-session -d -s "$S" -x "$_cols" -y "$_rows" \
		"export NESTOR_HOME='$NESTOR_HOME' NESTOR_NOW='$NESTOR_NOW' TZ='$TZ' LANG=C.UTF-8; unset LC_ALL LC_CTYPE; $1; exec sleep 600"
	if [ -n "$_old" ]; then
		_pids=$(term_procs -s -t "$_old")
		tm kill-session -t "$_old"
		term_reaped
	fi
}
term_keys() { tm send-keys -t "$S" "$@"; }
term_screen() { tm capture-pane -p -t "$S" > "$TERM_SCREEN" 2>/dev/null || true; }

# The test term_wait polls: capture, then count the matching lines.
term_shows() {
	term_screen
	_got=$(grep -c $_mode -- "$_pat" "$TERM_SCREEN" || true)
	if [ -n "$_gone" ]; then
		[ "$_got" -eq 0 ]
	else
		[ "$_got" -ge "$_count" ]
	fi
}
term_wait() {
	_mode=-E _count=1 _gone= _tsecs=10
	while :; do
		case $1 in
		-F) _mode=-F; shift ;;
		-n) _count=$2; shift 2 ;;
		-v) _gone=1; shift ;;
		-t) _tsecs=$2; shift 2 ;;
		*) break ;;
		esac
	done
	_pat=$1
	if [ -n "$_gone" ]; then
		wait_until -t "$_tsecs" -s 'cat "$TERM_SCREEN"' "[$_pat] to leave the screen" term_shows
	else
		wait_until -t "$_tsecs" -s 'cat "$TERM_SCREEN"' "[$_pat] on the screen ($_count)" \
			term_shows
	fi
}
