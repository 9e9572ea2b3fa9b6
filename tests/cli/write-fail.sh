# Output that cannot be written: export -o replaces its file all or nothing
# (a failed write leaves the previous export whole).
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"

# a calendar of some 400 KiB
{
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//nestor tests//EN\r\n'
	i=0
	while [ $i -lt 800 ]; do
		printf 'BEGIN:VEVENT\r\nUID:big-%d@test\r\nDTSTAMP:20260101T000000Z\r\n' $i
		printf 'DTSTART:20260701T090000Z\r\nDTEND:20260701T100000Z\r\nSUMMARY:Meeting %d\r\n' $i
		printf 'DESCRIPTION:%0400d\r\nEND:VEVENT\r\n' 0
		i=$((i + 1))
	done
	printf 'END:VCALENDAR\r\n'
} > big.ics
nestor import big.ics >/dev/null
nestor export -o cal.ics
cp cal.ics before.ics
chmod 640 cal.ics
[ "$(wc -c < cal.ics)" -gt 200000 ] || fail "the export is too small to hit the limit"

# a write that fails half way (a file size limit, as on a full disk;
# SIGXFSZ is not ignored here: nestor does, to clean up)
set +e
(
	ulimit -f 100
	nestor event add "One more" --at "2026-07-02 09:00" >/dev/null
	nestor export -o cal.ics 2>err
)
rc=$?
set -e
expect_eq "failed export exit" "$rc" 1
expect_match "its message" "$(cat err)" "^nestor: export: cannot write '.*cal\.ics': File too large$"
cmp -s cal.ics before.ics || fail "a failed export -o changed the previous file"
expect_eq "no temporary file left" "$(ls | grep -c '^cal\.ics\.')" 0

# a good one replaces it, keeping its mode; through a link, the file it names
nestor export -o cal.ics
grep -q "^SUMMARY:One more" cal.ics || fail "export -o did not replace the file"
expect_eq "mode kept" "$(stat -c %a cal.ics)" 640
ln -s cal.ics link.ics
nestor export --to 2026-06-02 -o link.ics
[ -L link.ics ] || fail "export -o replaced the symbolic link"
grep -q "^SUMMARY:One more" cal.ics && fail "export -o through a link did not reach the file"
# a link to a file not made yet: the file is made where it points
mkdir -p sub
ln -s target.ics sub/dang.ics
nestor export --to 2026-06-02 -o sub/dang.ics
[ -L sub/dang.ics ] || fail "export -o replaced a link to a missing file"
[ -f sub/target.ics ] || fail "export -o did not make the file a link names"
expect_eq "no temporary file left beside the link" "$(ls sub | grep -c '\.ics\.')" 0
# a file one may write in a directory one may not: written in place (as
# a user who is not root, for whom the directory is closed)
as_nobody() { # CMD ARG...: run as uid 65534
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		su -m -s /bin/sh nobody -c '"$0" "$@"' "$@"
	fi
}
if [ "$(id -u)" != 0 ]; then
	echo "note: not root, the closed-directory case is skipped" >&2
elif ! command -v setpriv >/dev/null && ! command -v su >/dev/null; then
	echo "note: neither setpriv nor su, the closed-directory case is skipped" >&2
else
	# all in a directory of its own that uid 65534 may enter: the test's
	# own, $TMPDIR and the build's may sit where only root may, /tmp not
	nb=$(mktemp -d /tmp/nestor-nobody.XXXXXX)
	chmod 755 "$nb"
	mkdir -p "$nb/home" "$nb/closed"
	chown 65534:65534 "$nb/home"
	: > "$nb/closed/open.ics"
	chmod 666 "$nb/closed/open.ics"
	cp "$NESTOR_BIN" "$nb/nestor"
	chmod 755 "$nb/nestor"
	as_nobody env NESTOR_HOME="$nb/home" "$nb/nestor" export -o "$nb/closed/open.ics" 2>err ||
		{ rm -rf "$nb"; fail "export -o in a closed directory: $(cat err)"; }
	head -n 1 "$nb/closed/open.ics" > first
	mode=$(stat -c %a "$nb/closed/open.ics")
	rm -rf "$nb"
	expect_match "written in place" "$(cat first)" "^BEGIN:VCALENDAR"
	expect_eq "its mode" "$mode" 666
fi
# not a regular file: written in place
expect_match "export -o /dev/stdout" "$(nestor export --to 2026-06-02 -o /dev/stdout)" "^BEGIN:VCALENDAR"

# config set and the TUI's history go the same way: a configuration kept
# elsewhere (a dotfiles folder) and linked stays linked, and is updated
mkdir dots
nestor config set general.date_order dmy
mv config dots/config
ln -s dots/config config
nestor config set general.date_order mdy
[ -L config ] || fail "config set replaced the link to the configuration"
grep -q "^date_order=mdy" dots/config || fail "config set did not update the linked file"
# its lock is the file's, beside it: through any link, one lock
[ -e dots/config.lock ] || fail "config set through a link locked beside the link, not the file"
expect_eq "config mode" "$(stat -c %a dots/config)" 600

# standard output that cannot be written is a failure, said once
out_fails() {
	set +e
	nestor "$@" >/dev/full 2>err
	rc=$?
	set -e
	expect_eq "$* >/dev/full: exit" "$rc" 1
	# with its reason, also when the write that failed was not the last
	# (the export, one write larger than the buffer)
	expect_eq "$* >/dev/full: message" "$(cat err)" \
		"nestor: cannot write standard output: No space left on device"
}
out_fails export
out_fails --json task list
out_fails version
# a token whose secret was lost is not left usable
set +e
nestor token add --label lost >/dev/full 2>err
rc=$?
set -e
expect_eq "token add >/dev/full: exit" "$rc" 1
expect_match "token add >/dev/full: message" "$(cat err)" \
	"^nestor: token add: token [0-9]+ revoked: cannot write standard output: No space left on device$"
expect_eq "no token kept" "$(nestor token list)" "no tokens (nestor token add)"
# under --json too, in one line (no JSON error to the output that failed)
set +e
nestor token add --json >/dev/full 2>err
rc=$?
set -e
expect_eq "token add --json >/dev/full: exit" "$rc" 1
expect_match "token add --json >/dev/full: one line" "$(cat err)" \
	"^nestor: token add: token [0-9]+ revoked: cannot write standard output: No space left on device$"
expect_eq "token add --json >/dev/full: lines" "$(wc -l <err)" 1
expect_eq "no token kept (--json)" "$(nestor token list)" "no tokens (nestor token add)"
# a reader gone (token add | true, its end of the pipe closed before
# nestor writes): not killed by SIGPIPE before the token is revoked
rc=$(python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.run(sys.argv[1:], stdout=w, stderr=open("err", "w")).returncode)' \
	"$NESTOR_BIN" token add --label piped)
expect_eq "token add | true: exit" "$rc" 1
expect_match "token add | true: message" "$(cat err)" \
	"^nestor: token add: token [0-9]+ revoked: cannot write standard output: Broken pipe$"
expect_eq "no token kept (| true)" "$(nestor token list)" "no tokens (nestor token add)"
rc=$(python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.run(sys.argv[1:], stdout=w, stderr=open("err", "w")).returncode)' \
	"$NESTOR_BIN" token add --json --label piped)
expect_eq "token add --json | true: exit" "$rc" 1
expect_match "token add --json | true: one line" "$(cat err)" \
	"^nestor: token add: token [0-9]+ revoked: cannot write standard output: Broken pipe$"
expect_eq "token add --json | true: lines" "$(wc -l <err)" 1
expect_eq "no token kept (--json | true)" "$(nestor token list)" "no tokens (nestor token add)"
nestor token add --label kept > token 2>/dev/null
expect_match "a token written out is kept" "$(nestor token list)" " kept"
