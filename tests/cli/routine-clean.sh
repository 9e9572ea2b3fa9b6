# A routine's reply is data (the model's text): `routine run`, `routine
# show` and `jobs history` print it without its control characters and
# bidirectional overrides (the ESC of an escape sequence, a bell, U+202E
# never reach the terminal), its lines under the run they belong to;
# --json keeps it.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openai.sh"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
cd "$NESTOR_HOME"
fake_openai_start
nestor assistant add gpt --base-url "$FAKE_URL" --model fake-model > /dev/null
REPLY='\u001b[31mred\u001b[0m alert\u0007 \u202egnirts\n\nsecond line\r'
fake_script "[{\"say\": \"$REPLY\"}, {\"say\": \"$REPLY\"}]"
id=$(nestor routine add "my day" --assistant gpt --channel stdout --every "every day" --at 08:00)

nestor routine run "$id" > run.out
expect_eq "run: the reply, cleaned" "$(cat run.out)" "$(printf '[31mred[0m alert gnirts\n\nsecond line')"
# the reply as stored (the engine keeps no C0 control of the model's, a
# run of an older nestor may have): every control is dropped when shown
sqlite3 nestor.db "UPDATE job_runs SET output = char(27) || '[31mred' || char(27) || '[0m alert' ||
  char(7) || ' ' || char(8238) || 'gnirts' || char(10, 10) || 'second line' || char(13)
  WHERE channel = 'assistant'"
nestor routine show "$id" > show.out
nestor jobs history "$id" > hist.out
for f in run.out show.out hist.out; do
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$f" || grep -q "$(printf '\342\200\256')" "$f"; then
		fail "$f: a control character or U+202E printed: $(od -c "$f" | head)"
	fi
done
expect_eq "show: the reply under its run" "$(sed -n '/^last runs/,$p' show.out | sed 1d)" \
	"$(printf '  today 09:00         stdout     ok       \n  today 09:00         assistant  ok       (conversation 1)\n      [31mred[0m alert gnirts\n\n      second line')"
expect_eq "history: the reply under its run" "$(sed 1d hist.out | sed 's/  */ /g')" \
	"$(printf ' %s today 09:00 today 09:00 stdout ok \n %s today 09:00 today 09:00 assistant ok conversation 1\n [31mred[0m alert gnirts\n\n second line' "$id" "$id")"
nestor --json routine show "$id" | python3 -c '
import json, sys
out = json.load(sys.stdin)["runs"][-1]["output"]
assert "\x1b[31mred" in out and "\x07" in out and "\u202e" in out, out
' || fail "--json: the reply as it is"
