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
