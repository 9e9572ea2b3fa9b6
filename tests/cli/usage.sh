# Usage errors a person makes: each is refused (exit 2) with a line saying
# what was wrong, and nothing changes.
. "$(dirname "$0")/lib.sh"

nestor task add buy milk --priority 3 >/dev/null
nestor event add standup --at "2026-06-02 10:00" >/dev/null
(export NESTOR_NOW=2019-12-31T00:00:00Z; nestor remind add call mom --at "2026-06-02 17:00" >/dev/null)
nestor user add bob >/dev/null

# An edit that changes nothing is a mistake, not a success.
refused "task edit without options" 'task edit: nothing to change' task edit 1
refused "event edit without options" 'event edit: nothing to change' event edit 1
refused "user edit without options" 'user edit: nothing to change' user edit bob
refused "assistant edit without options" 'assistant edit: nothing to change' assistant edit nestor
expect_match "task unchanged" "$(nestor task list)" '^ +1 +3 +- +buy milk$'

# A negative duration is not an option.
refused "snooze back in time" 'remind snooze: the duration must be positive \(got "-10m"\)$' \
	remind snooze 1 -10m
expect_match "reminder unchanged" "$(nestor remind list)" '2026-06-02 17:00|tomorrow 17:00'

# An option that takes one value, given twice, is refused (the first one
# given is not silently dropped); --setting adds up.
refused "--due twice" "task add: option '--due' given twice: it takes one value$" \
	task add pay rent --due today --due tomorrow
refused "--at twice in another spelling" "remind add: option '--at' given twice" \
	remind add stretch --at 10:00 --at=11:00
expect_eq "nothing added" "$(nestor task list --json | grep -c 'pay rent')" 0
nestor user edit bob --setting a=1 --setting b=2 >/dev/null
expect_match "settings add up" "$(nestor user show bob --json | tr -d '\n\t ')" '"a":"1","b":"2"'

# An argument an error echoes shows escaped, on the one line of the error,
# on a terminal or not: no line of its own that could pass for another
# message, no escape sequence reaching the terminal.
# one_line WHAT WANT ARGS...: nestor ARGS exits 2 with exactly the line WANT
one_line() {
	_w=$1 _want=$2
	shift 2
	refused "$_w" '' "$@"
	expect_eq "$_w: lines" "$(printf '%s\n' "$_err" | wc -l)" 1
	expect_eq "$_w: message" "$_err" "$_want"
}
nl='
'
one_line "an id with a newline" 'nestor: task done: expected a numeric id (got "1\nSorry: fake line")' \
	task done "1${nl}Sorry: fake line"
one_line "a time zone with a newline" \
	'nestor: config set: general.timezone must be a time zone such as Europe/Berlin (got "UTC\nX")' \
	config set general.timezone "UTC${nl}X"
esc=$(printf '\033')
tab=$(printf '\t')
one_line "an escape sequence and a tab" \
	'nestor: task add: --priority must be 0-9 (got "\x1b[2J\t\\1")' \
	task add x --priority "${esc}[2J${tab}\\1"
one_line "a key with a CR" 'nestor: config set: key must be section.name (got "a\rb")' \
	config set "a$(printf '\r')b" 1

# `version` takes nothing: an option or a word after it is a mistake.
refused "version --bogus" "^nestor: version: unknown option '--bogus'$" version --bogus
refused "version extra" '^nestor: version: unexpected argument "extra"$' version extra
expect_eq "version alone" "$(nestor version)" "$(nestor --version)"

# help shows a command or a verb: a word past them is refused, not ignored.
refused "help task add extra" '^nestor: help: unexpected argument "extra"$' help task add extra
refused "help version extra" '^nestor: help: unexpected argument "extra"$' help version extra
expect_match "help task add" "$(nestor help task add)" '^usage: nestor task add TITLE'

# A global option that takes one value, given twice, is refused too, in
# either spelling, before the command or (--user) after it; nothing stored.
refused "--db twice" "^nestor: option '--db' given twice: it takes one value$" \
	--db a.db --db=b.db task add x
if [ -e a.db ] || [ -e b.db ]; then fail "--db twice: a store was made"; fi
refused "--user twice" "^nestor: option '--user' given twice: it takes one value$" \
	--user me task add x --user bob
refused "--config twice" "^nestor: option '--config' given twice" --config a --config b task list
expect_eq "--user twice: nothing added" "$(nestor task list --json | grep -c '"x"')" 0

# assistant add checks --token-budget as edit does: 0 is out of range, not
# the default, and nothing is added.
refused "assistant add --token-budget 0" \
	'assistant add: --token-budget must be a whole number from 256 to 1000000 \(got "0"\)$' \
	assistant add y --token-budget 0
refused "assistant edit --token-budget 0" \
	'assistant edit: --token-budget must be a whole number from 256 to 1000000 \(got "0"\)$' \
	assistant edit nestor --token-budget 0
if nestor assistant show y >/dev/null 2>&1; then fail "assistant y added with --token-budget 0"; fi
