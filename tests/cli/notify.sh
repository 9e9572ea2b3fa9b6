# The children a reminder starts (notify.command, notify-send): they never
# see nestor's secrets, their stderr never reaches the terminal (its first
# line goes to the job's error instead), and a text starting with '-' is
# never read as an option.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Berlin
export NESTOR_SECRET_OPENAI=sk-notify-secret-4e1d
mkdir bin
cat > bin/notify-send <<'SH'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done > "$(dirname "$0")/../argv"
env > "$(dirname "$0")/../desktop-env"
echo "notify-send noise on stderr" >&2
SH
cat > cmd.sh <<'SH'
#!/bin/sh
env > "$(dirname "$0")/command-env"
printf '%s\n' "$@" > "$(dirname "$0")/command-argv"
echo "command noise on stderr" >&2
SH
chmod +x bin/notify-send cmd.sh
nestor config set notify.command "$PWD/cmd.sh" >/dev/null

# a text that looks like options reaches both channels as plain text
id=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor remind add --at "2020-01-01 10:00" --channel desktop,command -- "-u critical")
PATH="$PWD/bin:$PATH" DISPLAY=:99 nestor remind fire > out 2> err
expect_eq "stderr" "$(cat err)" ""
expect_match "stdout: the fired line only" "$(cat out)" "^reminder $id: -u critical \(late by [^)]*\)$"
expect_eq "notify-send's first arguments" "$(head -n 2 argv)" "--app-name=nestor
--"
expect_match "title after --" "$(sed -n 3p argv)" "^nestor \(late by "
expect_eq "text last" "$(sed -n '4,$p' argv)" "-u critical"
expect_eq "command got the text" "$(cat command-argv)" "-u critical"
expect_match "NESTOR_TEXT" "$(cat command-env)" "^NESTOR_TEXT=-u critical$"
expect_match "both delivered" "$(nestor jobs history "$id")" "command +ok"

# no NESTOR_SECRET_* in either child's environment
grep -F NESTOR_SECRET_ desktop-env command-env && fail "a child got a NESTOR_SECRET_ variable"
grep -F sk-notify-secret-4e1d desktop-env command-env && fail "a child got the secret"
grep -q '^DISPLAY=:99$' desktop-env || fail "the rest of the environment did not pass"

# a failing command: its first stderr line is the job's error, the terminal
# sees only nestor's own line
cat > cmd.sh <<'SH'
#!/bin/sh
printf 'smtp: connection refused\nsecond line\n' >&2
exit 1
SH
id=$(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor remind add broken --at "2020-01-01 10:00" --channel command)
set +e
nestor remind fire > out 2> err; st=$?
set -e
expect_eq "fire status" "$st" 0
expect_match "stdout: the fired line only" "$(cat out)" "^reminder $id: broken \(late by [^)]*\)$"
expect_eq "stderr: nestor's line only" "$(cat err)" \
	"nestor: remind fire: reminder $id: 1 channel(s) failed, will retry"
expect_match "last error" "$(nestor jobs --json)" \
	"\"last_error\":	\"command: '$PWD/cmd.sh' exited with status 1: smtp: connection refused\""
expect_match "history detail" "$(nestor jobs history "$id")" \
	"exited with status 1: smtp: connection refused$"
nestor jobs history "$id" | grep -q "second line" && fail "more than the first line kept"
exit 0
