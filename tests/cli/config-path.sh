# --config PATH: a file that is not there is refused with one line naming
# it (a mistyped path ran with the defaults, unseen), in both spellings;
# `config set` still creates the file it is pointed at; the default file
# may be missing (no configuration), quietly.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
hint='(`nestor --config PATH config set KEY VALUE` creates it)'
# missing WHAT ARGS...: nestor ARGS exits 2 with only the line about missing.conf
missing() {
	_w=$1
	shift
	set +e
	nestor "$@" >out 2>err
	_st=$?
	set -e
	expect_eq "$_w: exit status" "$_st" 2
	expect_eq "$_w: output" "$(cat out)" ""
	expect_eq "$_w: error" "$(cat err)" "nestor: --config \"$NESTOR_HOME/missing.conf\": no such file $hint"
}
missing "--config PATH" --config "$NESTOR_HOME/missing.conf" task list
missing "--config=PATH" --config="$NESTOR_HOME/missing.conf" remind list
missing "config get" --config "$NESTOR_HOME/missing.conf" config get general.timezone
[ ! -e missing.conf ] || fail "a refused --config made the file"

# The default file missing: no error, no warning.
[ ! -e "$NESTOR_HOME/config" ] || fail "the default config exists before the test"
nestor task list >out 2>err
expect_eq "default config missing: stderr" "$(cat err)" ""

# config set makes the file --config names; then it is read.
nestor --config "$NESTOR_HOME/new.conf" config set general.timezone Europe/Berlin
expect_match "config set made the file" "$(cat new.conf)" 'timezone *= *Europe/Berlin'
expect_eq "read back" "$(nestor --config "$NESTOR_HOME/new.conf" config get general.timezone)" \
	Europe/Berlin
echo ok
