# A crash leaves no core dump holding nestor's secrets (the bot token, the
# PostgreSQL password, Google's tokens, an LLM key): a nestor that looks a
# secret up, or has one in a NESTOR_SECRET_* variable, runs with a core
# size limit of 0 and not dumpable, whatever `ulimit -c` says.
. "$(dirname "$0")/lib.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
dir=$NESTOR_HOME
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT INT TERM
# as high as this shell may: a limit of 0 to start with would prove nothing
ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -H -c)"
expect_match "ulimit -c raised (its hard limit is 0?)" "$(ulimit -c)" '^(unlimited|[1-9][0-9]*)$'
core_limit() { sed -n 's/^Max core file size *\([^ ]*\).*/\1/p' "/proc/$1/limits"; }
started() { [ "$(cat "$dir/nestor.log" 2>/dev/null | grep -c 'daemon started')" -ge "$1" ]; }

# no secret in the environment: the daemon looks up the Telegram token
# (from the Secret Service or the environment) before it starts
"$NESTOR_BIN" daemon --foreground >"$dir/d1.out" 2>&1 & pid=$!
wait_until -s 'cat "$dir/d1.out"' "the daemon to start" started 1
expect_eq "core limit after a secret lookup" "$(core_limit "$pid")" 0
kill -TERM "$pid"
wait "$pid" || fail "the daemon did not stop cleanly"
pid=

# a key in the environment: killed by SIGABRT (whose default is a core
# dump; a job started with & ignores SIGQUIT), the daemon leaves nothing
# in its directory
mkdir "$dir/crash"
(cd "$dir/crash" && NESTOR_SECRET_OPENAI=sk-core-SECRET exec "$NESTOR_BIN" daemon --foreground) \
	>"$dir/d2.out" 2>&1 & pid=$!
wait_until -s 'cat "$dir/d2.out"' "the daemon to start again" started 2
expect_eq "core limit with a key in the environment" "$(core_limit "$pid")" 0
kill -ABRT "$pid"
st=0; wait "$pid" 2>/dev/null || st=$?
pid=
expect_eq "killed by SIGABRT" "$st" $((128 + 6))
expect_eq "no core file" "$(ls "$dir/crash")" ""
if grep -rqs sk-core-SECRET "$dir/crash"; then fail "the key is in a file of the crash"; fi
