# Secrets stay with nestor when it uses MCP servers: a stdio server does not
# inherit the NESTOR_SECRET_* variables (the rest of the environment it
# does), and a URL (an MCP server's, a *_url key's) may not hold a password
# or a token.
. "$(dirname "$0")/lib.sh"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
HERE=$(pwd)
FAKE_MCP=$SRC/tests/fake/mcpserver.py

# the server writes its environment, then serves as usual
nestor mcp add spy -- sh -c "env > '$HERE/env.txt'; exec python3 '$FAKE_MCP'" > /dev/null
NESTOR_SECRET_OPENAI=sk-spy-4c1e NESTOR_SECRET_POSTGRES=pg-spy-77 NESTOR_SPY_MARK=seen \
	nestor mcp list > list.txt
expect_match "the server answered" "$(cat list.txt)" "spy_echo"
grep -q '^NESTOR_SPY_MARK=seen$' env.txt || fail "the server lost its environment: $(cat env.txt)"
! grep -e NESTOR_SECRET_ -e sk-spy -e pg-spy env.txt || fail "the MCP server got a secret"

# a password or a key in a URL is refused before it is kept, and not quoted
mcpwhy="take it out and send it with --header NAME=SECRET or --bearer SECRET"
for url in https://bob:pw-SECRET@127.0.0.1:9/mcp https://tok-SECRET@127.0.0.1:9/mcp; do
	if nestor mcp add web --url "$url" 2>err; then fail "mcp add took $url"; fi
	expect_eq "mcp add --url $url" "$(cat err)" "nestor: mcp add: URL holds a password: $mcpwhy"
done
for q in password=pw-SECRET api_key=sk-SECRET "v=2&Token=SECRET" "x=1#access_token=SECRET"; do
	name=$(printf %s "$q" | sed 's/.*[&#]//; s/=.*//')
	if nestor mcp add web --url "https://127.0.0.1:9/mcp?$q" 2>err; then fail "mcp add took ?$q"; fi
	expect_eq "mcp add --url ...?$q" "$(cat err)" \
		"nestor: mcp add: URL holds a secret in its parameter \"$name\": $mcpwhy"
done
! nestor --json mcp list 2>/dev/null | grep -q SECRET || fail "a password in an MCP URL was stored"
for key in telegram.api_url google.token_url weather.forecast_url; do
	if nestor config set $key https://u:pw-SECRET@127.0.0.1:9 2>err; then fail "config set $key took a password"; fi
	expect_eq "config set $key" "$(cat err)" \
		"nestor: config set: $key holds a password: take it out and store it with \`nestor secret set NAME\` (see nestor(1))"
done
if nestor config set weather.forecast_url "https://127.0.0.1:9/v1?appid=x&apikey=SECRET" 2>err; then
	fail "config set took an apikey parameter"
fi
expect_eq "config set with ?apikey=" "$(cat err)" \
	"nestor: config set: weather.forecast_url holds a secret in its parameter \"apikey\": take it out and store the key with \`nestor secret set NAME\`, then \`nestor config set weather.key_secret NAME\`"
! grep -qs SECRET "$NESTOR_HOME/config" || fail "a password reached the config file"
echo ok
