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
