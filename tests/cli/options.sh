# Each verb takes the options its usage names and refuses the others
# (exit 2, "unknown option"), even where verbs share an option table, and
# nothing changes.
. "$(dirname "$0")/lib.sh"

nestor task add buy milk --priority 3 --due tomorrow --notes 2% >/dev/null
nestor event add standup --at "2026-06-02 10:00" >/dev/null
nestor user add bob --tz UTC --locale en >/dev/null
nestor assistant add helper --model m --tools calendar_agenda --temperature 0.5 >/dev/null
tasks=$(nestor task list --json)
events=$(nestor event show 1 --json)
users=$(nestor user list --json)
assistants=$(nestor assistant list --json)

# An option of another verb of the group is unknown to this one.
refused "task list --priority" "task list: unknown option '--priority'$" task list --priority 3
refused "task list --due --notes --no-due" "task list: unknown option '--due'$" \
	task list --due today --notes x --no-due
refused "task list --no-due" "task list: unknown option '--no-due'$" task list --no-due
refused "task add --title" "task add: unknown option '--title'$" task add --title pay rent
refused "task add --no-due" "task add: unknown option '--no-due'$" task add pay rent --no-due
refused "task add --all" "task add: unknown option '--all'$" task add pay rent --all
refused "task edit --all" "task edit: unknown option '--all'$" task edit 1 --all
refused "event add --summary" "event add: unknown option '--summary'$" \
	event add --summary lunch --at "2026-06-02 12:00"
refused "event add --no-repeat" "event add: unknown option '--no-repeat'$" \
	event add lunch --at "2026-06-02 12:00" --no-repeat
refused "user add --telegram-chat" "user add: unknown option '--telegram-chat'$" \
	user add ann --telegram-chat 5
refused "user add --setting" "user add: unknown option '--setting'$" user add ann --setting a=1
refused "user add --name" "user add: unknown option '--name'$" user add ann --name eve
refused "user edit --password-stdin" "user edit: unknown option '--password-stdin'$" \
	user edit bob --password-stdin
for o in --no-key --all-tools --no-temperature --no-max-tokens; do
	refused "assistant add $o" "assistant add: unknown option '$o'$" assistant add other "$o"
done
refused "assistant add --name" "assistant add: unknown option '--name'$" \
	assistant add other --name x
expect_eq "tasks unchanged" "$(nestor task list --json)" "$tasks"
expect_eq "events unchanged" "$(nestor event show 1 --json)" "$events"
expect_eq "users unchanged" "$(nestor user list --json)" "$users"
expect_eq "assistants unchanged" "$(nestor assistant list --json)" "$assistants"

# What each verb documents still works.
nestor task list --all >/dev/null
nestor task edit 1 --title "buy oat milk" --no-due --priority 2 --notes "" >/dev/null
expect_match "task edited" "$(nestor task list)" '^ +1 +2 +- +buy oat milk$'
nestor event edit 1 --summary "daily standup" --every daily --calendar work >/dev/null
nestor event edit 1 --no-repeat >/dev/null
expect_match "event edited" "$(nestor event show 1)" 'daily standup'
nestor user add ann --password-stdin </dev/null 2>/dev/null && fail "no password read"
nestor user edit bob --name rob --telegram-chat 5 --setting a=1 >/dev/null
expect_match "user edited" "$(nestor user show rob)" 'telegram 5'
nestor assistant edit helper --name aide --no-key --all-tools --no-temperature \
	--no-max-tokens >/dev/null
expect_match "assistant edited" "$(nestor assistant list)" 'aide'

# Options that undo each other are refused together, as event edit's
# --end and --for are, rather than the last one given winning.
tasks=$(nestor task list --json)
assistants=$(nestor assistant show aide --json)
refused "task edit --due --no-due" "task edit: --due and --no-due cannot be combined$" \
	task edit 1 --due today --no-due
refused "task edit --no-due --due" "task edit: --due and --no-due cannot be combined$" \
	task edit 1 --no-due --due today
refused "--key-secret --no-key" "assistant edit: --key-secret and --no-key cannot be combined$" \
	assistant edit aide --key-secret a --no-key
printf 'be brief\n' >prompt.txt
refused "--prompt --prompt-file" \
	"assistant edit: --prompt and --prompt-file cannot be combined$" \
	assistant edit aide --prompt x --prompt-file prompt.txt
refused "--prompt-file --prompt" \
	"assistant add: --prompt and --prompt-file cannot be combined$" \
	assistant add other --prompt-file prompt.txt --prompt x
refused "--tools --all-tools" "assistant edit: --tools and --all-tools cannot be combined$" \
	assistant edit aide --tools calendar_agenda --all-tools
refused "--temperature --no-temperature" \
	"assistant edit: --temperature and --no-temperature cannot be combined$" \
	assistant edit aide --temperature 1 --no-temperature
refused "--max-tokens --no-max-tokens" \
	"assistant edit: --max-tokens and --no-max-tokens cannot be combined$" \
	assistant edit aide --no-max-tokens --max-tokens 100
expect_eq "task unchanged" "$(nestor task list --json)" "$tasks"
expect_eq "assistant unchanged" "$(nestor assistant show aide --json)" "$assistants"
expect_eq "no assistant added" "$(nestor assistant list --json | grep -c '"other"')" 0

# --help (or -h) anywhere among a verb's options shows that verb's usage
# and does nothing else, exit 0, as straight after the verb; after "--"
# it is an argument.
tasks=$(nestor task list --json)
help_of() {
	_what=$1 _want=$2
	shift 2
	set +e
	_out=$(nestor "$@" 2>&1)
	_st=$?
	set -e
	expect_eq "$_what: exit status" "$_st" 0
	expect_match "$_what: usage" "$_out" "^usage: nestor $_want"
}
help_of "task add x --help" "task add TITLE" task add x --help
help_of "task add with options -h" "task add TITLE" task add x --due today --priority 2 -h
help_of "task edit --help" "task edit ID" task edit 1 --title y --help
help_of "event edit of no event --help" "event edit ID" event edit 99 --help
help_of "assistant edit of no assistant --help" "assistant edit NAME" \
	assistant edit nosuch --temperature 1 --help
help_of "user add --help" "user add NAME" user add ann --tz UTC --help
help_of "agenda --help" "agenda" agenda --from today --help
expect_eq "nothing added" "$(nestor task list --json)" "$tasks"
nestor user show ann >/dev/null 2>&1 && fail "user ann added"
nestor task add -- read --help >/dev/null
expect_match "after --, an argument" "$(nestor task list)" 'read --help$'

# The value of an option is no call for help, even when it reads --help,
# nor is the VALUE `config set` takes as it comes.
nestor task edit 1 --title --help >/dev/null
expect_match "--title --help: the title" "$(nestor task list)" '^ +1 .* --help$'
nestor task edit 1 --tit -h >/dev/null
expect_match "--tit -h: the title" "$(nestor task list)" '^ +1 .* -h$'
help_of "task edit --title x --help" "task edit ID" task edit 1 --title x --help
# a short option's value too: -o of -o|--output FILE
nestor export -o --help
grep -q '^BEGIN:VCALENDAR' ./--help || fail "export -o --help: no file --help"
rm -f ./--help
help_of "export -o x.ics --help" "export" export -o x.ics --help
test ! -e x.ics || fail "export -o x.ics --help wrote x.ics"
nestor config set general.location -h
expect_eq "config set KEY -h" "$(nestor config get general.location)" "-h"
nestor config set -- general.location --help
expect_eq "config set -- KEY --help" "$(nestor config get general.location)" "--help"
help_of "config set --help" "config set KEY" config set --help
nestor task add -- -h >/dev/null
expect_match "task add -- -h" "$(nestor task list)" ' -h$'

# calendar add takes one NAME and no option: an option is refused, nothing
# added; after -- the NAME is taken as it is, as task add takes a title.
cals=$(nestor calendar list --json)
refused "calendar add --bogus" "calendar add: unknown option '--bogus'$" calendar add --bogus
refused "calendar add NAME --bogus" "calendar add: unknown option '--bogus'$" calendar add work --bogus
expect_eq "no calendar added" "$(nestor calendar list --json)" "$cals"
nestor calendar add -- --x >/dev/null
expect_match "calendar add -- --x" "$(nestor calendar list)" '^--x +local'
# calendar sync likewise: an option is no calendar's NAME
refused "calendar sync --bogus on" "calendar sync: unknown option '--bogus'$" calendar sync --bogus on
refused "calendar sync -- --x on" 'calendar sync: calendar "--x" is local' calendar sync -- --x on

# mcp rm takes a NAME, mcp list nothing: an option is refused as one,
# not looked up as a server's name.
refused "mcp rm --bogus" "mcp rm: unknown option '--bogus'$" mcp rm --bogus
refused "mcp list --bogus" "mcp list: unknown option '--bogus'$" mcp list --bogus

# --limit N is a whole number, 0 for all, for jobs history and sync
# conflicts alike; one past what a number holds is refused, not wrapped.
for r in r1 r2 r3; do
	NESTOR_NOW=2026-01-01T00:00:00Z nestor remind add "$r" --at "2026-01-01 10:00" >/dev/null
done
NESTOR_NOW=2026-01-01T12:00:00Z nestor remind fire >fired
runs=$(nestor jobs history --limit 1000 --json | grep -c '"job":')
test "$runs" -gt 2 || fail "remind fire: $runs runs"
expect_eq "jobs history --limit 0: all" "$(nestor jobs history --limit 0 --json | grep -c '"job":')" "$runs"
expect_eq "jobs history --limit 2" "$(nestor jobs history --limit 2 --json | grep -c '"job":')" 2
for v in 99999999999999999999 -1 x ""; do
	for cmd in "jobs history" "sync conflicts"; do
		# shellcheck disable=SC2086 # two words
		refused "$cmd --limit '$v'" \
			"$cmd: --limit must be a whole number, 0 for all \(got \"$v\"\)$" $cmd --limit "$v"
	done
done
expect_eq "sync conflicts --limit 0" "$(nestor sync conflicts --limit 0)" "no conflicts"
