# nestor assistant add|list|show|edit|rm|default
. "$(dirname "$0")/lib.sh"

# a fresh database has the offline assistant 'nestor' as the default
expect_eq "initial list" "$(nestor assistant list)" "$(printf '  %-16s %-8s %-20s %s\n* %-16s %-8s %-20s %s' NAME BACKEND MODEL 'BASE URL' nestor offline - -)"

# a base URL implies the llm backend; the key is referred to by secret name
expect_eq "add" "$(nestor assistant add gpt --base-url https://api.openai.com/v1 \
	--model gpt-4o-mini --key-secret openai --tools 'task_add, task_list' --temperature 0.3)" \
	"assistant 'gpt' added"
nestor --json assistant show gpt > show.json
expect_match "show --json" "$(tr -d ' \n\t' < show.json)" '^\{"id":2,"name":"gpt","backend":"llm","base_url":"https://api.openai.com/v1","model":"gpt-4o-mini","key_secret":"openai","prompt":null,"temperature":0.3,"tools":\["task_add","task_list"\],"token_budget":8192,"default":false,"created":"[0-9T:+-]+","max_tokens":null,"usage":null\}$'

# a local server needs no key; the prompt comes from a file
printf 'You are terse.\nAnswer in English.\n' > prompt.txt
nestor assistant add local --base-url http://127.0.0.1:11434/v1 --model llama3.2 \
	--prompt-file prompt.txt --token-budget 4096 --default > /dev/null
nestor assistant show local > show.txt
expect_match "show key" "$(cat show.txt)" "key secret:   - \(no key\)"
expect_match "show prompt" "$(cat show.txt)" "prompt:       You are terse."
expect_match "show default" "$(cat show.txt)" "name:         local \(default\)"
expect_eq "list marks the default" "$(nestor assistant list | grep '^\*' | awk '{print $2}')" "local"

# edit: rename, change the model, drop key and tool limits
expect_eq "edit" "$(nestor assistant edit gpt --name openai --model gpt-4o --no-key --all-tools)" \
	"assistant 'openai' updated"
nestor --json assistant show openai > show.json
expect_match "edited" "$(tr -d ' \n\t' < show.json)" '"model":"gpt-4o","key_secret":null,.*"tools":null'

# default moves; the default cannot be removed
expect_eq "default" "$(nestor assistant default nestor)" "'nestor' is now the default assistant"
set +e
nestor assistant rm nestor 2> err; rc=$?
set -e
expect_eq "rm default status" "$rc" "2"
expect_match "rm default message" "$(cat err)" "'nestor' is the default assistant; make another one the default first"
expect_eq "the default stays" "$(nestor assistant list | grep '^\*' | awk '{print $2}')" "nestor"
expect_eq "rm" "$(nestor assistant rm local)" "assistant 'local' removed"
expect_eq "names left" "$(nestor --json assistant list | grep -c '"name"')" "2"

# add/edit --default is one write: when the default cannot move (a trigger
# refuses it here, as a crash or a busy database would stop it), nothing is
# added or changed, and running the command again works
sqlite3 "$NESTOR_HOME/nestor.db" "CREATE TRIGGER no_default BEFORE UPDATE OF is_default ON assistants BEGIN SELECT RAISE(ABORT, 'default refused'); END"
set +e
nestor assistant add gem --base-url http://127.0.0.1:9/v1 --model m --default > /dev/null 2> err; rc=$?
nestor assistant edit openai --model m2 --default > /dev/null 2>> err; rc2=$?
set -e
expect_eq "add --default refused" "$rc $rc2" "1 1"
expect_match "refusal named" "$(head -1 err)" "^nestor: assistant add: default assistant: .*default refused"
expect_eq "nothing half-added" "$(nestor --json assistant list | grep -c '"gem"')" "0"
expect_eq "nothing half-edited" "$(sqlite3 "$NESTOR_HOME/nestor.db" "SELECT model FROM assistants WHERE name = 'openai'")" "gpt-4o"
sqlite3 "$NESTOR_HOME/nestor.db" "DROP TRIGGER no_default"
expect_eq "add --default again" "$(nestor assistant add gem --base-url http://127.0.0.1:9/v1 --model m --default)" "assistant 'gem' added (default)"
expect_eq "gem is the default" "$(nestor assistant list | grep '^\*' | awk '{print $2}')" "gem"
expect_eq "edit --default" "$(nestor assistant edit openai --model gpt-4o --default)" "assistant 'openai' updated"
expect_eq "openai is the default" "$(nestor assistant list | grep '^\*' | awk '{print $2}')" "openai"
nestor assistant default nestor > /dev/null
nestor assistant rm gem > /dev/null

# errors are usage errors naming the problem
check_usage() { # WHAT EXPECTED-MESSAGE ARGS...
	what=$1 want=$2
	shift 2
	set +e
	nestor assistant "$@" > /dev/null 2> err; rc=$?
	set -e
	expect_eq "$what status" "$rc" "2"
	expect_match "$what message" "$(cat err)" "$want"
}
check_usage "llm without url" "assistant 'x' uses the llm backend: it needs --base-url" add x --backend llm
check_usage "bad url" "base URL must start with http:// or https://" add x --base-url ftp://h
check_usage "duplicate" "an assistant named 'openai' already exists" add openai
# a key in the base URL is refused, by add and edit, without quoting it
pwwhy='^nestor: assistant (add|edit): base URL holds a password: take it out and store it with `nestor secret set NAME` and make NAME the assistant'"'"'s key secret$'
for url in https://bob:sk-SECRET@h/v1 https://sk-SECRET@h/v1 https://bob:sk/SECRET@h/v1; do
	check_usage "key in $url" "$pwwhy" add y --base-url "$url"
	check_usage "key in $url (edit)" "$pwwhy" edit openai --base-url "$url"
	grep -q SECRET err && fail "the error quotes the key: $(cat err)"
done
# in its query too, naming the parameter (Gemini's ?key=, a token, ...)
for q in "password=sk-SECRET" "key=AIzaSECRET" "alt=json&API_KEY=sk-SECRET" "access%5Ftoken=SECRET"; do
	name=$(printf %s "$q" | sed 's/.*&//; s/=.*//')
	qwhy="^nestor: assistant (add|edit): base URL holds a secret in its parameter \"$name\": take it out and store it with \`nestor secret set NAME\` and make NAME the assistant's key secret\$"
	check_usage "key in ?$q" "$qwhy" add gem --base-url "https://127.0.0.1:9/v1beta/openai?$q"
	check_usage "key in ?$q (edit)" "$qwhy" edit openai --base-url "https://127.0.0.1:9/v1?$q"
	grep -q SECRET err && fail "the error quotes the key: $(cat err)"
done
nestor --json assistant list | grep -q SECRET && fail "a key in a base URL was stored"
# a prompt file is text of at most 64 KiB: a NUL, bytes that are not UTF-8
# or a larger file are refused naming the file (a NUL used to cut the
# prompt there, and any size was read)
printf 'a\377\000tail' > nul.txt
check_usage "NUL in the prompt file" '^nestor: assistant add: nul.txt: a NUL byte at byte 3 \(a prompt is text\)$' \
	add y --base-url http://127.0.0.1:9/v1 --prompt-file nul.txt
printf 'caf\351\n' > latin1.txt
check_usage "prompt file not UTF-8" '^nestor: assistant add: latin1.txt: not valid UTF-8 \(byte 4\)$' \
	add y --base-url http://127.0.0.1:9/v1 --prompt-file latin1.txt
head -c 65537 /dev/zero | tr '\0' a > big.txt
check_usage "prompt file too big" '^nestor: assistant add: big.txt: too long \(a prompt is at most 65536 bytes\)$' \
	add y --base-url http://127.0.0.1:9/v1 --prompt-file big.txt
head -c 65536 /dev/zero | tr '\0' a > full.txt
nestor assistant add y --base-url http://127.0.0.1:9/v1 --prompt-file full.txt > /dev/null
expect_eq "a 64 KiB prompt" "$(nestor --json assistant show y | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["prompt"]))')" 65536
nestor assistant rm y > /dev/null
# a prompt file written on Windows: its CR LF line ends become LF
printf 'Be brief.\r\nThanks.\r\n' > crlf.txt
nestor assistant add y --base-url http://127.0.0.1:9/v1 --prompt-file crlf.txt > /dev/null
expect_eq "a CR LF prompt file" "$(nestor --json assistant show y | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["prompt"]))')" "'Be brief.\\nThanks.'"
nestor assistant rm y > /dev/null
# CR LF in a prompt given on the command line is stored as LF (another
# device refuses a CR); an escape in it is refused, naming the prompt
nestor assistant add y --base-url http://127.0.0.1:9/v1 --prompt "$(printf 'Be brief.\r\nThanks.')" > /dev/null
expect_eq "a CR LF prompt" "$(nestor --json assistant show y | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["prompt"]))')" "'Be brief.\\nThanks.'"
nestor assistant rm y > /dev/null
check_usage "control character in the prompt" '^nestor: assistant add: prompt: control character U\+001B \(byte 4\)$' \
	add y --prompt "$(printf 'Be \033[2Jbrief.')"
check_usage "control character in the model" '^nestor: assistant add: model: control character U\+001B \(byte 2\)$' \
	add y --model "$(printf 'a\033b')"
check_usage "bad temperature" "--temperature must be a number from 0 to 2 \(got \"3\"\)" add y --temperature 3
check_usage "bad tools" 'unknown tool "Task-Add" in --tools \(see nestor tools\)' add y --tools Task-Add
check_usage "unknown tool" 'unknown tool "task_fly" in --tools' add y --tools task_add,task_fly
check_usage "bad name" 'bad assistant name "a b"' add "a b"
check_usage "bad secret name" 'bad secret name "my key"' add y --key-secret "my key"
set +e
nestor assistant show nobody 2> err; rc=$?
set -e
expect_eq "unknown status" "$rc" "1"
expect_eq "unknown message" "$(cat err)" "nestor: assistant show: no assistant named 'nobody'"
# edit: NAME after options getopt takes abbreviated, or after a '-' value
nestor assistant add a3 > /dev/null
expect_eq "edit --temp 0.3 NAME" "$(nestor assistant edit --temp 0.3 a3)" "assistant 'a3' updated"
expect_match "edit --temp: the temperature" "$(nestor assistant show a3)" '^temperature: +0\.3$'
echo 'be short' | nestor assistant edit --prompt-file - a3 > out
expect_eq "edit --prompt-file - NAME" "$(cat out)" "assistant 'a3' updated"
expect_match "edit --prompt-file -: the prompt" "$(nestor assistant show a3)" '^prompt: +be short$'
check_usage "edit with NAME twice" 'unexpected argument "?a4"?' edit a3 --model m a4
check_usage "edit without NAME" 'missing NAME' edit --temp 0.3
# --prompt-file - with the words wrong: the usage error at once, stdin left
# unread (stdin is a file here, so what nestor reads is gone for cat)
printf 'not for nestor\n' > stdin.txt
for args in "edit --prompt-file -" "add --prompt-file -" "edit --prompt-file - a3 a4" \
	"edit --prompt-file - --temperature hot a3" "add --prompt-file - --prompt x a5"; do
	set +e
	# shellcheck disable=SC2086 # the words of args
	{ nestor assistant $args 2> err; echo "rc=$?"; cat; } < stdin.txt > out
	set -e
	expect_eq "$args: stdin untouched, exit 2" "$(cat out)" "$(printf 'rc=2\nnot for nestor')"
	expect_match "$args: the usage error" "$(cat err)" "^nestor: assistant (add|edit): "
done
expect_match "edit --prompt-file - without NAME" "$(nestor assistant edit --prompt-file - 2>&1 < stdin.txt)" \
	"missing NAME$"
expect_match "a3's prompt unchanged" "$(nestor assistant show a3)" '^prompt: +be short$'
