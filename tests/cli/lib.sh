# Shared helpers for the tests/cli/*.sh scripts (sourced, POSIX sh).
# Each script runs in a fresh temporary directory with $NESTOR_BIN set.
set -eu
SRC=${NESTOR_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
NESTOR_HOME=$(mktemp -d "${TMPDIR:-/tmp}/nestor-cli.XXXXXX")
export NESTOR_HOME SRC
nestor() { "$NESTOR_BIN" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"; }
# expect_match WHAT TEXT PATTERN (grep -E)
expect_match() { printf '%s\n' "$2" | grep -Eq -- "$3" || fail "$1: [$2] does not match /$3/"; }
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
