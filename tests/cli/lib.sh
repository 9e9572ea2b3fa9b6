# Shared helpers for the tests/cli/*.sh scripts (sourced, POSIX sh).
# Each script runs in a fresh temporary directory with $NESTOR_BIN set.
set -eu
SRC=${NESTOR_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
NESTOR_HOME=$(mktemp -d "${TMPDIR:-/tmp}/nestor-cli.XXXXXX")
export NESTOR_HOME SRC
nestor() { "$NESTOR_BIN" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# One clock for every process of the script (NESTOR_NOW in nestor(1)): it
# reads Monday 2026-06-01 09:00 UTC when the script starts and runs at the
# real rate, so no script depends on the date it runs on, and reminders,
# leases and timeouts still take real time.  Local time is UTC unless the
# script sets TZ.  test_now: that clock now, in epoch seconds; compute
# instants from it, never from `date` alone.
TEST_T0=1780304400
TEST_REAL0=$(date +%s)
NESTOR_NOW=$TEST_T0@$TEST_REAL0
TZ=UTC
export NESTOR_NOW TZ
# the log lines scripts wait for are at nestor's default level
unset NESTOR_LOG
test_now() { echo $((TEST_T0 + $(date +%s) - TEST_REAL0)); }
# test_date SECS ARGS...: date(1) ARGS (C locale) for the instant SECS after
# test_now
test_date() {
	_t=$(($(test_now) + $1))
	shift
	LC_ALL=C date -d "@$_t" "$@"
}
# wait_until [-t SECS] [-s SHOW] WHAT CMD [ARG...]: run CMD every 0.05 s
# until it succeeds; after SECS (10) seconds' worth of tries, run the shell
# text SHOW (to print what was seen instead) and fail naming WHAT.  The one
# way the scripts wait: for a file, a log line, a pid, a row, a screen;
# never a bare sleep.
wait_until() {
	_secs=10 _show=
	while :; do
		case $1 in
		-t) _secs=$2; shift 2 ;;
		-s) _show=$2; shift 2 ;;
		*) break ;;
		esac
	done
	_what=$1
	shift
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		if [ "$_i" -ge $((_secs * 20)) ]; then
			[ -z "$_show" ] || eval "$_show" >&2 || true
			fail "timed out after $_secs s waiting for $_what"
		fi
		sleep 0.05
	done
}
# serve_start [-k] [ARG...]: start `nestor serve --listen 127.0.0.1:0 ARG...`
# in the background (stdout in ./serve.out, emptied first so an earlier
# server's line cannot pass for this one's; stderr in ./serve.err), wait
# for its "serving on" line and set $pid and $base (its URL); fail at once,
# with its stderr, if it exits first.  Sets an EXIT trap that kills it,
# unless -k: the script's own trap, set before, kills $pid.  Environment
# for the server only: VAR=VALUE serve_start.
serve_start() {
	_trap=1
	if [ "${1:-}" = -k ]; then
		_trap=
		shift
	fi
	_serve="nestor serve${1+ $*}"
	pid= base=
	: >serve.out
	"$NESTOR_BIN" serve --listen 127.0.0.1:0 "$@" >serve.out 2>serve.err &
	pid=$!
	[ -z "$_trap" ] || trap 'kill $pid 2>/dev/null || true' EXIT
	wait_until -s 'cat serve.err' "$_serve to say where it listens" _serve_up
	base=$(sed -n 's/^serving on //p' serve.out)
}
_serve_up() {
	grep -q '^serving on' serve.out && return 0
	kill -0 "$pid" 2>/dev/null && return 1
	grep -q '^serving on' serve.out && return 0
	cat serve.err >&2
	fail "$_serve exited before saying where it listens"
}
# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"; }
# expect_match WHAT TEXT PATTERN (grep -E)
expect_match() { printf '%s\n' "$2" | grep -Eq -- "$3" || fail "$1: [$2] does not match /$3/"; }
# refused WHAT PATTERN ARGS...: nestor ARGS exits 2 (a usage error) with
# PATTERN on stderr
refused() {
	_what=$1 _pat=$2
	shift 2
	set +e
	_err=$(nestor "$@" 2>&1 >/dev/null)
	_st=$?
	set -e
	expect_eq "$_what: exit status" "$_st" 2
	expect_match "$_what: message" "$_err" "$_pat"
}
# in_keyring "$0": run this script again inside a private D-Bus session with
# gnome-keyring unlocked (a real Secret Service), unless already there.
in_keyring() {
	[ -n "${NESTOR_IN_KEYRING:-}" ] && return 0
	command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null ||
		fail "dbus-run-session and gnome-keyring-daemon are needed"
	rmdir "$NESTOR_HOME"
	KRHOME=$(mktemp -d "${TMPDIR:-/tmp}/nestor-keyring.XXXXXX")
	set +e
	env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY HOME="$KRHOME" XDG_DATA_HOME="$KRHOME/data" \
		XDG_CACHE_HOME="$KRHOME/cache" XDG_RUNTIME_DIR="$KRHOME" NESTOR_IN_KEYRING=1 \
		dbus-run-session -- sh -c '
		eval "$(printf %s test-pass | gnome-keyring-daemon --unlock --components=secrets)"
		export GNOME_KEYRING_CONTROL
		gdbus wait --session --timeout 10 org.freedesktop.secrets
		sh "$0"' "$1"
	rc=$?
	rm -rf "$KRHOME"
	exit $rc
}
# on_tty CMD [ARG...]: run CMD on a pseudo-terminal (its stdin, stdout and
# stderr: what a person at a terminal sees), print what it wrote with CR LF
# as LF, and return its exit status.
on_tty() {
	python3 - "$@" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace").replace("\r\n", "\n"))
sys.exit(os.waitstatus_to_exitcode(st))
PY
}
