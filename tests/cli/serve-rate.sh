# nestor serve --rate-limit with more tokens than it keeps buckets for (64):
# a token whose budget is spent is not given a new one when the tokens used
# after it push its bucket out; a token new to the server then takes what
# is left in the bucket used least recently.  No clock is needed: at one
# request a minute, nothing refills while the test runs.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
cd "$NESTOR_HOME"

i=0
while [ $i -lt 65 ]; do
	i=$((i + 1))
	nestor token add --label "t$i" >"tok$i" 2>/dev/null
done
expect_eq "token ids" "$(nestor token list | awk '$NF == "t64" {print $1}')" 64

serve_start --rate-limit 1
get() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "tok$1")" "$base/v1/tasks"; }

expect_eq "the first request" "$(get 1)" 200
expect_eq "its budget spent" "$(get 1)" 429
# 63 other tokens fill the buckets (64 with token 1's), not token 64:
# old servers gave a newcomer the bucket at its id modulo 64, 0 for 64
i=1
while [ $i -lt 65 ]; do
	i=$((i + 1))
	[ $i -ne 64 ] || continue
	expect_eq "token $i" "$(get $i)" 200
done
expect_eq "a newcomer takes the least recently used bucket, spent" "$(get 64)" 429
expect_eq "token 1 is not refilled" "$(get 1)" 429
expect_eq "nor is token 2" "$(get 2)" 429
kill $pid
wait $pid || true
trap - EXIT
