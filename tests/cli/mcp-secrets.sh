# Secrets stay with nestor when it uses MCP servers: a stdio server does not
# inherit the NESTOR_SECRET_* variables (the rest of the environment it
# does), and a server's URL may not hold a password or a token.
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
echo ok
