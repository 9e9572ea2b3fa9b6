# What a command maps: the executable links only what every command uses;
# the network module (libcurl, libsecret), the terminal module (ncurses,
# readline) and libical are loaded by the first call that needs them.
# LD_DEBUG=files makes the dynamic loader name every object it maps, at
# start-up and by dlopen alike.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
# loaded COMMAND...: the names of the objects the loader mapped, one a line
loaded() {
	LD_DEBUG=files "$@" 2>&1 >/dev/null |
		sed -n 's/^ *[0-9]*:[[:space:]]*file=\([^ ]*\) .*/\1/p' | sed 's|.*/||' | sort -u
}
# own LIST: LIST without the runtimes a sanitizer build brings (make asan)
own() { printf '%s\n' "$1" | grep -Ev '^lib(asan|ubsan|gcc_s|stdc\+\+)\.so' || true; }
# has WHAT LIST PATTERN / lacks WHAT LIST PATTERN
has() { printf '%s\n' "$2" | grep -Eq "$3" || fail "$1 does not map $3: $(echo $2)"; }
lacks() {
	! printf '%s\n' "$2" | grep -E "$3" >/dev/null ||
		fail "$1 maps $(printf '%s\n' "$2" | grep -E "$3" | tr '\n' ' ')"
}
HEAVY='^(net|term)\.so$|^lib(curl|gnutls|ssl|crypto|gssapi|ldap|secret|gio|gcrypt|ical|icu|ncurses|readline)'

nestor task add "water the plants" >/dev/null
l=$(loaded "$NESTOR_BIN" task list)
# GLib is in the executable (the Makefile's GLIB_STATIC) and cJSON comes
# with the first JSON written or read: a plain command maps the C library
# and its libm, nothing more.
expect_eq "what task list maps" "$(echo $(own "$l"))" "libc.so.6 libm.so.6"
expect_match "task list works" "$(nestor task list)" "water the plants"
# Under --json the first cJSON call loads it, and the answer is whole.
l=$(loaded "$NESTOR_BIN" task list --json)
has "task list --json" "$l" '^libcjson\.so'
expect_match "task list --json works" "$(nestor task list --json)" '"title":[[:space:]]*"water the plants"'

# Reminders ask the store, not the keyring, whether Telegram reaches
# anyone: adding one or listing the jobs loads no network code.
l=$(loaded "$NESTOR_BIN" remind add "stretch" --at "$(test_date 1 +%F) 10:00")
lacks "remind add" "$l" "$HEAVY"
l=$(loaded "$NESTOR_BIN" jobs)
lacks "jobs" "$l" "$HEAVY"
expect_match "remind add works" "$(nestor remind list)" "stretch"

l=$(loaded "$NESTOR_BIN" --version)
has "--version" "$l" '^libc\.so'
lacks "--version" "$l" "$HEAVY"
# The version reads no config: it answers even when the config is broken.
printf '[general\nbroken\n' >"$NESTOR_HOME/broken.conf"
expect_match "--version with a broken config" \
	"$("$NESTOR_BIN" --config "$NESTOR_HOME/broken.conf" --version)" '^nestor [0-9]'

# A one-off event is shown without libical, and so are series of the rules
# nestor expands itself (src/time/rrule.h): timed, all-day, with a zone,
# in the agenda and its JSON.  A rule outside them loads libical.
nestor event add "Dentist" --at "2026-06-02 10:00" >/dev/null
l=$(loaded "$NESTOR_BIN" agenda --from 2026-06-01 --to 2026-06-07)
lacks "agenda of one-off events" "$l" "$HEAVY"
nestor event add "Standup" --at "2026-05-04 09:00" --every "FREQ=WEEKLY;BYDAY=MO,WE" >/dev/null
nestor event add "Rent" --at "2026-01-01" --all-day --every "FREQ=MONTHLY;BYMONTHDAY=-1" >/dev/null
nestor event add "Call NY" --at "2026-03-06 09:00" --tz America/New_York \
	--every "FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU" >/dev/null
for a in "agenda --from 2026-06-01 --to 2026-06-07" "agenda --json --from 2026-06-01 --to 2026-06-07"; do
	l=$(loaded "$NESTOR_BIN" $a)
	lacks "$a with series of the common rules" "$l" "$HEAVY"
done
expect_eq "agenda with series" \
	"$(nestor agenda --from 2026-06-01 --to 2026-06-07 | grep -c 'Standup\|Dentist\|Call NY')" 4
expect_eq "agenda with an all-day series" \
	"$(nestor agenda --from 2026-06-28 --to 2026-07-02 | grep -c 'Rent')" 1
nestor event add "Payroll" --at "2026-05-01 09:00" \
	--every "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1" >/dev/null
l=$(loaded "$NESTOR_BIN" agenda --from 2026-06-01 --to 2026-07-01)
has "agenda with a BYSETPOS series" "$l" '^libical\.so'
lacks "agenda with a series" "$l" '^(net|term)\.so$|^lib(curl|secret|ncurses|readline)'
expect_match "agenda with a BYSETPOS series" \
	"$(nestor agenda --from 2026-06-29 --to 2026-07-01)" 'Payroll'

# The network: weather loads the module and libcurl (here the request
# finds nobody listening on 127.0.0.1:9, which is enough).
nestor config set weather.geocoding_url http://127.0.0.1:9/v1/search >/dev/null
nestor config set weather.forecast_url http://127.0.0.1:9/v1/forecast >/dev/null
l=$(loaded "$NESTOR_BIN" weather Berlin)
has "weather" "$l" '^net\.so$'
has "weather" "$l" '^libcurl'
lacks "weather" "$l" '^term\.so$|^lib(ical|icu|ncurses|readline)'

# The keyring: secret list loads the module (with no Secret Service it
# still lists the environment's secrets).
l=$(env -u DBUS_SESSION_BUS_ADDRESS NESTOR_SECRET_DEMO=x "$NESTOR_BIN" secret list 2>/dev/null)
expect_match "secret list" "$l" '^demo'
l=$(loaded env -u DBUS_SESSION_BUS_ADDRESS NESTOR_SECRET_DEMO=x "$NESTOR_BIN" secret list)
has "secret list" "$l" '^libsecret'
has "secret list" "$l" '^libglib-2\.0\.so'

# The chat loads the terminal module and readline, and not the network.
l=$(echo /quit | loaded "$NESTOR_BIN" chat)
has "chat" "$l" '^term\.so$'
has "chat" "$l" '^libreadline'
lacks "chat" "$l" '^net\.so$|^lib(curl|secret)'
