# A value of many lines in a show view (an event's notes, a message in
# history show): its lines after the first are indented under it, so a
# note line "Location: x" or a message line "nestor: ..." reads as part
# of the value, never as a field or a message of its own.
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
# no network in these tests: any geocoding goes nowhere
nestor config set weather.geocoding_url http://127.0.0.1:9/v1/search >/dev/null

nestor event add dentist --at "2026-06-02 10:00" \
	--notes "$(printf 'bring card\nLocation: x\n\n\tdoor 2')" >/dev/null
expect_eq "notes under the value" "$(nestor event show 1 | sed -n '/^notes/,/^calendar/p')" \
	"$(printf 'notes      bring card\n           Location: x\n\n           \tdoor 2\ncalendar   personal')"

printf 'blorp\nnestor: frob\n' | nestor ask >/dev/null
show=$(nestor history show 1)
expect_eq "a message's lines under it" "$(printf '%s\n' "$show" | sed -n 2,4p)" \
	"$(printf 'you: blorp\n     nestor: frob\nnestor: I didn'"'"'t understand "blorp')"
expect_match "the reply's lines under it" "$(printf '%s\n' "$show" | sed -n 5p)" '^        nestor: frob"\. '
expect_eq "no line of a message at column 0" "$(printf '%s\n' "$show" | grep -c '^nestor:')" 1
