# A secret read from the Secret Service, not from a NESTOR_SECRET_*
# variable, is kept out of core dumps too: `nestor daemon --foreground`
# with the Telegram token in gnome-keyring alone runs its relay with a core
# size limit of 0 and not dumpable.  Not dumpable is seen apart from the
# limit: the limit raised again from outside (prlimit), SIGABRT leaves no
# core file in its directory.
. "$(dirname "$0")/lib.sh"
in_keyring "$0"
. "$SRC/tests/fake/telegram.sh"
dir=$NESTOR_HOME
pid=
fake_telegram_start
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; kill $TG_PID 2>/dev/null || true' EXIT INT TERM
# the token goes to the keyring; none is left in the environment
printf %s "$NESTOR_SECRET_TELEGRAM" | nestor secret set telegram >/dev/null
unset NESTOR_SECRET_TELEGRAM
expect_eq "no secret in the environment" "$(env | grep -c '^NESTOR_SECRET_' || true)" 0
expect_eq "the token is in the keyring" "$(nestor --json secret list | tr -d ' \n\t')" \
	'[{"name":"telegram","source":"secret-service"}]'
# as high as this shell may: a limit of 0 to start with would prove nothing
ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -H -c)"
expect_match "ulimit -c raised (its hard limit is 0?)" "$(ulimit -c)" '^(unlimited|[1-9][0-9]*)$'
core_limit() { sed -n 's/^Max core file size *\([^ ]*\).*/\1/p' "/proc/$1/limits"; }

mkdir "$dir/crash"
(cd "$dir/crash" && exec "$NESTOR_BIN" daemon --foreground) >"$dir/d.out" 2>&1 & pid=$!
# answered: the relay polls with the token it read from the keyring
tg_message 42 "/help"
tg_wait_sent 42 1
expect_eq "core limit after the keyring lookup" "$(core_limit "$pid")" 0
command -v prlimit >/dev/null || fail "prlimit (util-linux) is needed"
prlimit --pid "$pid" --core=unlimited || fail "cannot raise the daemon's core limit"
expect_eq "core limit raised from outside" "$(core_limit "$pid")" unlimited
kill -ABRT "$pid"
st=0; wait "$pid" 2>/dev/null || st=$?
pid=
expect_eq "killed by SIGABRT" "$st" $((128 + 6))
expect_eq "no core file (the daemon is not dumpable)" "$(ls "$dir/crash")" ""
if grep -rqs '123456:TEST' "$dir/crash"; then fail "the token is in a file of the crash"; fi
