# Shell completion: `nestor completion bash|zsh|fish` made from the command
# table, exercised in the real shells: bash through COMP_WORDS/COMP_CWORD,
# zsh on a pty (compinit, a TAB, the list it shows), fish with
# `complete -C`.  Ids and names come from the hidden `nestor __complete`,
# which never creates a database.
. "$(dirname "$0")/lib.sh"
dir=$NESTOR_HOME
cd "$dir"
command -v zsh >/dev/null && command -v fish >/dev/null || fail "zsh and fish are needed (contrib/deps.sh)"
mkdir bin zfunc
ln -s "$NESTOR_BIN" bin/nestor
PATH=$dir/bin:$PATH
export PATH

# -- the hidden command: not in help, no database made by a TAB
expect_eq "__complete on no database" "$(nestor __complete tasks)" ""
[ ! -e "$dir/nestor.db" ] || fail "a completion created the database"
nestor help | grep -q __complete && fail "__complete is listed by nestor help"
st=0; nestor completion tcsh 2>/dev/null || st=$?
expect_eq "unknown shell" "$st" 2

nestor task add "buy milk" >/dev/null
nestor task add "call bob" >/dev/null
nestor task add "done already" >/dev/null
nestor task done 3 >/dev/null
nestor assistant add gpt --base-url http://127.0.0.1:9/v1 --model m >/dev/null
nestor routine add "my day" --every daily >/dev/null
nestor completion bash > nestor.bash
nestor completion zsh > zfunc/_nestor
nestor completion fish > nestor.fish
expect_eq "__complete tasks: open ones, with titles" "$(nestor __complete tasks)" "$(printf '1\tbuy milk\n2\tcall bob')"

# -- bash: COMP_WORDS as bash fills them, COMPREPLY as bash shows it
cat > comp.bash <<'SH'
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
_nestor
printf '%s\n' "${COMPREPLY[@]}"
SH
b() { bash --norc comp.bash nestor.bash nestor "$@"; }
expect_eq "bash: task done ids" "$(b task done '')" "$(printf '1  (buy milk)\n2  (call bob)')"
expect_eq "bash: one id inserted alone" "$(b task done 2)" "2"
expect_eq "bash: command" "$(b ta)" "task"
expect_match "bash: verbs with summaries" "$(b routine '')" '^run  \(run a routine now'
expect_eq "bash: --assistant" "$(b ask --assistant '')" "$(printf 'nestor\ngpt')"
expect_eq "bash: --channel" "$(b remind add x --channel '' | tr '\n' ' ')" "stdout desktop command tui telegram "
expect_match "bash: options of routine add" "$(b routine add x --e)" '^--every$'
expect_eq "bash: after --at's value, still the options" "$(b remind add x --at tomorrow --ch)" "--channel"
expect_eq "bash: config keys" "$(b config get general.l | tr '\n' ' ')" "general.location general.log_level general.language "
expect_eq "bash: word lists" "$(b assistant add x --backend '' | tr '\n' ' ')" "offline llm "
# an option with two spellings ("-o|--output FILE"): both, each with a file
touch out.ics
expect_eq "bash: export --output" "$(b export --ou)" "--output"
expect_eq "bash: export --output FILE" "$(b export --output out.i)" "out.ics"
expect_eq "bash: export -o FILE" "$(b export -o out.i)" "out.ics"
expect_eq "bash: after -o's value, still the options" "$(b export -o out.ics --ca)" "--calendar"
expect_eq "bash: import --json" "$(b import x.ics --js)" "--json"
expect_eq "bash: --db is followed" "$(b --db "$dir/nestor.db" routine show '')" "1"
HOME=$dir NESTOR_HOME=$dir/elsewhere b task done '' > other.out
expect_eq "bash: another database, nothing" "$(cat other.out)" ""
# every command of the table is offered (with its summary when another
# command starts with its name: serve, server)
nestor help | awk '/^commands:/{on=1;next} on && /^  [a-z]/{print $1}' | while read -r c; do
	b "$c" | grep -Eq "^$c( |\$)" || fail "bash does not complete '$c'"
done
# the global --user and its value are skipped, as --db's are, and passed on
nestor user add bob >/dev/null
nestor --user bob task add "bob's chore" >/dev/null
expect_match "bash: after --user NAME, the verbs" "$(b --user bob task '')" '^done  \(mark a task done'
expect_eq "bash: after --user NAME, that user's ids" "$(b --user bob task done '')" "4"
expect_eq "bash: --user at the end too" "$(b task done --user bob '')" "4"
expect_eq "bash: --user=NAME" "$(b --user=bob task done '')" "4"
expect_match "bash: --user offered" "$(b --us)" '^--user$'
expect_match "bash: --user's value: the users" "$(b --user '' | tr '\n' ' ')" 'bob'
# as bash fills COMP_WORDS: "--user=bob" is three words, "--user" "=" "bob"
expect_eq "bash: --user=NAME as bash splits it" "$(b --user = bob task done '')" "4"
expect_match "bash: --user= then the users" "$(b --user = | tr '\n' ' ')" 'bob'
expect_eq "bash: --user=b then bob" "$(b --user = b)" "bob"
expect_eq "bash: --db=PATH is followed" "$(b --db = "$dir/nestor.db" routine show '')" "1"
expect_match "bash: --db=PA then the files" "$(b --db = "$dir/nestor.d" | tr "\n" " ")" "(^| )$dir/nestor.db( |$)"
expect_eq "bash: --calendar=NAME" "$(b agenda --calendar = '')" "$(b agenda --calendar '')"
# without '=' in COMP_WORDBREAKS "--user=b" is one word, replaced whole
cat > comp-noeq.bash <<'SH'
source "$1"; shift
COMP_WORDBREAKS=${COMP_WORDBREAKS//=/}
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
_nestor
printf '%s\n' "${COMPREPLY[@]}"
SH
expect_eq "bash, no '=' break: --user=b then --user=bob" \
	"$(bash --norc comp-noeq.bash nestor.bash nestor task done --user=b)" "--user=bob"
expect_eq "bash, no '=' break: after --user=NAME, its ids" \
	"$(bash --norc comp-noeq.bash nestor.bash nestor task done --user=bob '')" "4"
# COMP_LINE says whether the word after '=' was typed apart from it
cat > comp-line.bash <<'SH'
source "$1"; shift
COMP_LINE=$1; COMP_POINT=${#1}; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_nestor_words
printf '%s\n' "${words[@]}"
SH
expect_eq "bash: --user= then a space: two words" \
	"$(bash --norc comp-line.bash nestor.bash 'nestor --user= task done ' nestor --user = task done '' | tr '\n' ' ')" \
	"nestor --user= task done  "
expect_eq "bash: --user=bob: one word" \
	"$(bash --norc comp-line.bash nestor.bash 'nestor --user=bob task done ' nestor --user = bob task done '' | tr '\n' ' ')" \
	"nestor --user=bob task done  "

# -- zsh: loads, and a TAB on a pty lists what the table and the database say
zsh -f -c "fpath=($dir/zfunc \$fpath); autoload -U compinit; compinit -u -d $dir/zcompdump; autoload -U _nestor; print ok" > zload.out 2>&1
expect_eq "zsh loads the function" "$(cat zload.out)" "ok"
z() { zsh -f "$SRC/tests/cli/zsh-complete.zsh" "$dir/zfunc" "$1"; }
out=$(z 'nestor task done ')
expect_match "zsh: ids with titles" "$out" '^1  -- buy milk'
expect_match "zsh: ids with titles" "$out" '^2  -- call bob'
expect_match "zsh: the command completed" "$(z 'nestor ta')" 'nestor task '
expect_match "zsh: channels" "$(z 'nestor remind add x --channel ')" 'command +desktop +stdout +telegram +tui'
expect_match "zsh: after --user NAME, the verbs" "$(z 'nestor --user bob task ')" 'done +-- mark a task done'

# -- fish: complete -C is what fish offers on a TAB
f() { fish --no-config -c "source $dir/nestor.fish; complete -C '$1'" 2>&1; }
expect_eq "fish: task done ids" "$(f 'nestor task done ')" "$(printf '1\tbuy milk\n2\tcall bob')"
expect_eq "fish: command" "$(f 'nestor ta')" "$(printf 'task\tmanage tasks (add, list, done, edit, rm)')"
expect_eq "fish: --assistant" "$(f 'nestor ask --assistant ')" "$(printf 'gpt\nnestor')"
expect_eq "fish: export --output" "$(f 'nestor export --out')" "--output"
expect_eq "fish: export --output FILE" "$(f 'nestor export --output out.i')" "out.ics"
expect_eq "fish: shells" "$(f 'nestor completion ' | tr '\n' ' ')" "bash fish zsh "
expect_match "fish: after --user NAME, the verbs" "$(f 'nestor --user bob task ')" "$(printf '^done\tmark a task done')"
expect_eq "fish: after --user NAME, that user's ids" "$(f 'nestor --user bob task done ')" "$(printf "4\tbob's chore")"
expect_match "fish: --user's value: the users" "$(f 'nestor --user ' | tr '\n' ' ')" 'bob'
