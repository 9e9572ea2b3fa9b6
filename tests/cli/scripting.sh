# nestor in shell scripts: under --json every outcome is one JSON object
# on stdout (an error too), errors are one line naming the option or
# argument, and the exit status is the command's.
. "$(dirname "$0")/lib.sh"
# json_error WHAT CODE PATTERN ARGS...: nestor ARGS exits CODE, prints
# {"error","code"} on stdout and one line matching PATTERN on stderr
json_error() {
	_what=$1 _code=$2 _pat=$3
	shift 3
	set +e
	_out=$(nestor "$@" 2>err.txt)
	_st=$?
	set -e
	expect_eq "$_what: exit status" "$_st" "$_code"
	expect_eq "$_what: error code" "$(printf '%s' "$_out" | jq -r .code)" "$_code"
	expect_match "$_what: error" "$(printf '%s' "$_out" | jq -r .error)" "$_pat"
	expect_eq "$_what: one line on stderr" "$(wc -l <err.txt)" 1
	expect_match "$_what: stderr" "$(cat err.txt)" "^nestor: .*${_pat#^}"
}

# Errors before the command runs are JSON under --json as well.
json_error "argument not UTF-8" 2 '^argument 1: not valid UTF-8 \(byte 2\)$' \
	--json task add "$(printf 'x\377y')"
expect_match "UTF-8 error names the command" "$(cat err.txt)" '^nestor: task add: argument 1: '
json_error "option value not UTF-8" 2 '^--db: not valid UTF-8' --json --db "$(printf '\377')" task list
json_error "--db twice" 2 "^option '--db' given twice" --json --db a --db b task list
json_error "--db twice, --json after" 2 "^option '--db' given twice" --db a --db b --json task list
json_error "--config missing" 2 '^--config "/nonexist": no such file' --json --config /nonexist task list
json_error "--db without value" 2 "^option '--db' needs a value$" --json --db
printf '[general\n' >bad.conf
json_error "broken config" 1 'bad.conf' --json --config bad.conf task list
expect_eq "nothing stored" "$(nestor task list --json)" "[]"

# re TEXT: TEXT as a grep -E pattern matching itself
re() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }

# Numbers are decimal digits, checked against their range, and the error
# quotes the argument as typed; nothing changes.
nestor assistant add a1 --model m --temperature 0.5 --max-tokens 100 >/dev/null
before=$(nestor assistant show a1 --json)
for t in nan inf 0x1 1e0 " 1" 3 -1 . -. 1..2; do
	refused "--temperature '$t'" \
		"^nestor: assistant edit: --temperature must be a number from 0 to 2 \(got \"$(re "$t")\"\)$" \
		assistant edit a1 --temperature "$t"
done
for t in 0x10 3.0 1e3 " 16" +16 16x 0 99999999999999999999; do
	refused "--max-tokens '$t'" \
		"^nestor: assistant edit: --max-tokens must be a whole number from 1 to 1000000 \(got \"$(re "$t")\"\)$" \
		assistant edit a1 --max-tokens "$t"
done
for t in 0x100 1e3 300.0; do
	refused "--token-budget '$t'" \
		"^nestor: assistant edit: --token-budget must be a whole number from 256 to 1000000 \(got \"$(re "$t")\"\)$" \
		assistant edit a1 --token-budget "$t"
done
expect_eq "assistant unchanged" "$(nestor assistant show a1 --json)" "$before"
nestor assistant edit a1 --temperature 1.25 --max-tokens 16 >/dev/null
expect_eq "temperature" "$(nestor assistant show a1 --json | jq .temperature)" 1.25
nestor assistant edit a1 --temperature .5 >/dev/null
expect_eq "temperature .5" "$(nestor assistant show a1 --json | jq .temperature)" 0.5
nestor user add zed >/dev/null
for t in 99999999999999999999 -99999999999999999999 " 5" +5 0x5 0; do
	refused "--telegram-chat '$t'" \
		"^nestor: user edit: --telegram-chat wants a chat id or none \(got \"$(re "$t")\"\)$" \
		user edit zed --telegram-chat "$t"
done
nestor user edit zed --telegram-chat -1001234567890 >/dev/null
expect_match "a group's chat id" "$(nestor user show zed)" 'telegram -1001234567890'
expect_eq "a group's chat unlinked" "$(nestor telegram unlink -1001234567890)" \
	"unlinked chat -1001234567890"
expect_eq "unlinked: no chat left" "$(nestor user show zed --json | jq .telegram_chat)" null
nestor user edit zed --telegram-chat -1001234567890 >/dev/null
expect_eq "a group's chat unlinked after --" "$(nestor telegram unlink -- -1001234567890)" \
	"unlinked chat -1001234567890"
nestor user edit zed --telegram-chat 5 >/dev/null
expect_eq "a chat unlinked with -- after it" "$(nestor telegram unlink 5 --)" "unlinked chat 5"
# one CHAT, named when it is not one: a second one, 0 (no chat's id), a word
refused "unlink 5 -- 6" '^nestor: telegram unlink: unexpected argument "6"$' telegram unlink 5 -- 6
refused "unlink -5 -6" '^nestor: telegram unlink: unexpected argument "-6"$' telegram unlink -5 -6
refused "unlink -- -5 -6" '^nestor: telegram unlink: unexpected argument "-6"$' \
	telegram unlink -- -5 -6
refused "unlink 0" '^nestor: telegram unlink: no chat has the id 0 \(a group.s is negative\)$' \
	telegram unlink 0
refused "unlink x" '^nestor: telegram unlink: expected a chat id, a whole number \(got "x"\)$' \
	telegram unlink x
refused "unlink" '^nestor: telegram unlink: missing CHAT$' telegram unlink
refused "unlink --x" "^nestor: telegram unlink: unknown option '--x'$" telegram unlink --x
refused "--rate-limit past 32 bits" \
	'^nestor: serve: --rate-limit must be a whole number from 0 to 4294967295 \(got "4294967297"\)$' \
	serve --rate-limit 4294967297
refused "--rate-limit -1" '^nestor: serve: --rate-limit must be a whole number' serve --rate-limit -1
refused "google login --port ''" \
	'^nestor: google login: --port must be a whole number from 0 to 65535 \(got ""\)$' \
	google login --port ""
refused "weather --days 0x2" '^nestor: weather: --days must be a whole number from 1 to 16 \(got "0x2"\)$' \
	weather --days 0x2

# Ids and limits: digits alone, no space or '+' on either side.
nestor task add buy milk >/dev/null
for t in " 1" "1 " +1; do
	refused "task done '$t'" "^nestor: task done: expected a numeric id \(got \"$(re "$t")\"\)$" task done "$t"
	refused "--limit '$t'" "^nestor: jobs history: --limit must be a whole number, 0 for all \(got \"$(re "$t")\"\)$" \
		jobs history --limit "$t"
	refused "--priority '$t'" "^nestor: task add: --priority must be 0-9 \(got \"$(re "$t")\"\)$" \
		task add x --priority "$t"
done
expect_eq "task open" "$(nestor task list --json | jq -r '.[].title')" "buy milk"

# Every verb that changes something prints one JSON object under --json,
# so `| jq` always has input.
# changed KEY WANT ARGS...: nestor --json ARGS prints {KEY: WANT}
changed() {
	_key=$1 _want=$2
	shift 2
	_out=$(nestor --json "$@") || fail "nestor --json $*: exit $?"
	expect_eq "--json $*" "$(printf '%s' "$_out" | jq -c "{$_key}")" "{\"$_key\":$_want}"
	expect_eq "--json $*: one object" "$(printf '%s' "$_out" | jq -s 'length')" 1
}
nestor task add pay rent >/dev/null
changed id 1 task done 1
changed id 2 task rm 2
nestor event add standup --at "2026-06-02 10:00" --every daily >/dev/null
changed id 1 event rm 1 --only 2026-06-03
changed id 1 event rm 1
nestor remind add call mom --at "2026-06-02 17:00" >/dev/null
nestor remind add water --at "2026-06-02 18:00" >/dev/null
changed id 1 remind snooze 1 10m
changed id 1 remind done 1
changed id 2 remind cancel 2
r=$(nestor --json routine add "say hi" --every daily --at 09:00 | jq .id)
changed id "$r" routine edit "$r" --at 10:00
changed id "$r" routine rm "$r"
changed name '"a1"' assistant edit a1 --model n
changed name '"a1"' assistant default a1
changed name '"nestor"' assistant default nestor
changed name '"a1"' assistant rm a1
changed name '"zed"' user rm zed
changed name '"general.timezone"' config set general.timezone UTC
expect_eq "config set plain: silent" "$(nestor config set general.timezone UTC)" ""
changed name '"work"' calendar add work
nestor mcp add srv -- /bin/true >/dev/null
changed name '"srv"' mcp rm srv
expect_eq "plain text unchanged" "$(nestor task rm 1)" "task 1 removed"

# An empty global value ("$UNSET") is a usage error naming the option, not
# the default user, database or configuration.
for o in --user --db --config; do
	json_error "$o ''" 2 "^option '$o' needs a value, not an empty one$" --json "$o" "" task list
	json_error "$o=" 2 "^option '$o' needs a value, not an empty one$" --json "$o=" task list
done

# A full disk is said with its reason under --json as without (the JSON of
# a long listing goes out in several writes).
nestor task add long notes --notes "$(printf '%8000s' '' | tr ' ' x)" >/dev/null
for j in --json ""; do
	set +e
	# shellcheck disable=SC2086 # $j: one word or none
	err=$(nestor $j task list 2>&1 >/dev/full)
	st=$?
	set -e
	expect_eq "task list $j >/dev/full: exit status" "$st" 1
	expect_eq "task list $j >/dev/full: the reason" "$err" \
		"nestor: cannot write standard output: No space left on device"
done

# An id of 0 or below is refused saying ids start at 1, the same whichever
# verb, whether the word looks like an option or not.
nestor remind add stretch --at "2026-06-02 19:00" >/dev/null
for v in "task done" "task rm" "task edit" "remind cancel" "remind done" "routine rm" \
	"routine edit" "event rm" "event show" "event edit" "history show" "history rm"; do
	for id in 0 -3; do
		# shellcheck disable=SC2086 # $v: two words
		refused "$v $id" "^nestor: $v: ids start at 1 \(got \"$id\"\)$" $v "$id"
	done
done
# and so with options, their values skipped
refused "event rm -3 --only" '^nestor: event rm: ids start at 1 \(got "-3"\)$' \
	event rm --only 2026-06-02 -3
refused "task edit -3 --title" '^nestor: task edit: ids start at 1 \(got "-3"\)$' \
	task edit -3 --title x
refused "routine edit --at -3" '^nestor: routine edit: ids start at 1 \(got "-3"\)$' \
	routine edit --at 08:00 -3 --every day
refused "remind snooze -3 10m" '^nestor: remind snooze: ids start at 1 \(got "-3"\)$' remind snooze -3 10m
refused "remind snooze 0 10m" '^nestor: remind snooze: ids start at 1 \(got "0"\)$' remind snooze 0 10m
refused "remind snooze 3 -10m" '^nestor: remind snooze: the duration must be positive \(got "-10m"\)$' \
	remind snooze 3 -10m
