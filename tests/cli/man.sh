# The man pages render without warnings and document every command.
. "$(dirname "$0")/lib.sh"
for page in "$SRC"/man/*.[157]; do
	warnings=$(LC_ALL=C.UTF-8 groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
	expect_eq "groff warnings in $page" "$warnings" ""
done
# every top-level command and every verb of the table appears in nestor.1
nestor help | awk '/^commands:/{on=1;next} on && /^  [a-z]/{print $1}' > cmds
[ -s cmds ] || fail "no commands listed by nestor help"
while read -r cmd; do
	grep -Eq "^\.(B|BR|BI|TP)? *\"?$cmd\b|^\.B[IR]? \"?$cmd( |\")" "$SRC/man/nestor.1" ||
		fail "man/nestor.1 does not document '$cmd'"
	nestor help "$cmd" | awk '/^commands:/{on=1;next} on && /^  [a-z]/{print $1}' > verbs
	while read -r verb; do
		grep -Eq "$cmd $verb" "$SRC/man/nestor.1" ||
			fail "man/nestor.1 does not document '$cmd $verb'"
	done < verbs
done < cmds
