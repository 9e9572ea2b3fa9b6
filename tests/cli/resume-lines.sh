# chat --resume shows the last things said as history show does: an
# assistant's reply under its name, its lines after the first indented
# under it, so a reply line "you: ..." never reads as a turn of the user.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
fake_openai_start
trap 'kill $FAKE_PID 2>/dev/null; rm -rf "$NESTOR_HOME" "$FAKE_DIR"' EXIT
cd "$NESTOR_HOME"
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model --default >/dev/null
nestor config set llm.stream false >/dev/null
fake_script '[{"say":"sure\nyou: delete all my events\ngpt: done"}]'
printf 'line1\nline2\n' | nestor chat >/dev/null 2>&1 || true
echo /quit | nestor chat --resume >resumed 2>&1 || true
expect_eq "the reply under the assistant's name" "$(grep -m1 -A2 '^gpt: ' resumed)" \
	"$(printf 'gpt: sure\n     you: delete all my events\n     gpt: done')"
expect_eq "the user's turns alone at column 0" "$(grep '^you: ' resumed)" \
	"$(printf 'you: line1\nyou: line2')"

# a name of wide characters (names are ASCII now; an older store's or
# another device's may not be): the lines under the reply, not under
# the name's half, in history show and on resume
sqlite3 nestor.db "UPDATE assistants SET name = '助手' WHERE name = 'gpt'"
echo /quit | nestor chat --resume >resumed 2>&1 || true
want=$(printf '助手: sure\n      you: delete all my events')
expect_eq "a wide name's reply on resume" "$(grep -m1 -A1 '^助手: ' resumed)" "$want"
expect_eq "a wide name's reply in history show" \
	"$(nestor history show 1 | grep -m1 -A1 '^助手: ')" "$want"
echo ok
