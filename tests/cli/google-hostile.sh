# Google Calendar, a hostile server: what it sends is checked before it is
# stored, and a pull that cannot be trusted stops with one line naming why.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/google.sh"
fake_google_start
fake_google_config
fake_google_signed_in
cd "$NESTOR_HOME"
# sync_fails WHAT PATTERN: `nestor google sync` exits 2 with one line
# matching PATTERN
sync_fails() {
	set +e
	nestor google sync >out 2>err
	_st=$?
	set -e
	expect_eq "$1: exit status" "$_st" 2
	expect_eq "$1: one line" "$(wc -l <err)" 1
	expect_match "$1" "$(cat err)" "$2"
}

# A calendar name over 1000 bytes is refused, and nothing is stored.
long=$(head -c 2000 /dev/zero | tr '\0' n)
gctl /_seed '{"calendars": [{"id": "evil@example.com", "summary": "'"$long"'", "accessRole": "owner"}]}' >/dev/null
sync_fails "long calendar name" \
	'Google calendar "evil@example.com": calendar: too long \(2000 bytes, at most 1000\)'
expect_eq "no Google calendar stored" "$(nestor calendar list --json | python3 -c 'import json, sys
print(sum(c["source"] == "google" for c in json.load(sys.stdin)))')" 0
