# The usage nestor prints: its help and the usage its errors quote say what
# the command takes.
. "$(dirname "$0")/lib.sh"

# A command that runs with no verb as well (`nestor time`, `nestor jobs`):
# its help shows that form first, then the verbs, each row with a name.
for cmd in "time [PLACE|TZID] [--json]" "jobs [--all] [--json]" "sync [--json]" \
	"mcp [--assistant NAME]"; do
	name=${cmd%% *}
	nestor "$name" --help > help
	expect_eq "$name --help: usage" "$(sed -n 1,2p help)" "usage: nestor $cmd
       nestor $name <command>"
	expect_eq "nestor help $name" "$(nestor help "$name")" "$(cat help)"
	sed '1,/^commands:$/d' help | grep -Ev '^  [a-z]+ +|^             ' &&
		fail "$name --help: a row with no name: $(cat help)"
	true
done
expect_match "time --help: the verb" "$(nestor time --help)" "^  convert +TIME FROM TO"
# a group with no verbless form keeps its one usage line
nestor task --help > help
expect_eq "task --help" "$(sed -n 1p help)" "usage: nestor task <command>"
expect_eq "task --help: then a blank line" "$(sed -n 2p help)" ""

# the usage a wrong `user add` quotes is the one its help shows
nestor user add 2> err && fail "user add with no NAME succeeded"
expect_eq "user add: the usage" "$(cat err)" \
	"nestor: user add: usage: nestor user add $(nestor help user add | sed -n 's/^usage: nestor user add //p')"
expect_match "user add: --password-stdin" "$(cat err)" "\[--password-stdin\]$"

# an option the usage shows as required is one the command cannot do
# without: remind add takes a cron --every alone (README: remind add standup
# --every "0 9 * * 1-5"), so its --at is in brackets, here and in nestor.1
nestor remind add standup --every "0 9 * * 1-5" >/dev/null || fail "remind add with a cron rule alone"
expect_match "remind add --help: --at optional" "$(nestor remind add --help | sed -n 1p)" \
	'^usage: nestor remind add TEXT\.\.\. \[--at WHEN\] '
grep -q '^\.BI "remind add " TEXT\.\.\. " \\fR\[\\fB\\-\\-at ' "$SRC/man/nestor.1" ||
	fail "nestor.1: remind add shows --at as required"
