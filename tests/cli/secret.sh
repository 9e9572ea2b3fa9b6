# nestor secret set|rm|list against a real Secret Service: the script runs
# itself again inside a private D-Bus session with gnome-keyring unlocked.
. "$(dirname "$0")/lib.sh"
in_keyring "$0"

# set reads the value from stdin; the value never shows in list
printf 'sk-test-4f9a2c\n' | nestor secret set openai > out
expect_eq "set" "$(cat out)" "secret 'openai' stored"
printf 'tok-2' | nestor secret set ollama.local >/dev/null
expect_eq "list" "$(nestor secret list)" "$(printf 'ollama.local\nopenai')"
nestor --json secret list > list.json
expect_match "list --json" "$(tr -d ' \n\t' < list.json)" '^\[\{"name":"ollama.local","source":"secret-service"\},\{"name":"openai","source":"secret-service"\}\]$'
grep -q sk-test list.json && fail "list shows a value"

# the item is in the keyring under the schema and attribute nestor documents
found=$(gdbus call --session --dest org.freedesktop.secrets \
	--object-path /org/freedesktop/secrets \
	--method org.freedesktop.Secret.Service.SearchItems \
	"{'xdg:schema': 'org.nestor.Secret', 'name': 'openai'}")
expect_match "keyring item" "$found" "^\(\[objectpath '/org/freedesktop/secrets/collection/login/[0-9]+'\]"

# replacing keeps one entry; rm removes it; rm again is an error
printf 'sk-test-second' | nestor secret set openai >/dev/null
expect_eq "list after replace" "$(nestor secret list | grep -c openai)" "1"
nestor secret rm openai > out
expect_eq "rm" "$(cat out)" "secret 'openai' removed"
expect_eq "list after rm" "$(nestor secret list)" "ollama.local"
set +e
nestor secret rm openai 2> err; rc=$?
set -e
expect_eq "rm twice status" "$rc" "1"
expect_eq "rm twice message" "$(cat err)" "nestor: secret rm: no secret named 'openai' in the Secret Service"

# the value is never taken from argv, and an empty stdin is refused
set +e
nestor secret set openai sk-in-argv 2> err; rc=$?
expect_eq "value in argv" "$rc" "2"
printf '' | nestor secret set openai 2> err; rc=$?
expect_eq "empty value" "$rc" "2"
expect_match "empty value message" "$(cat err)" "no value on stdin for secret 'openai'"
nestor secret set 'bad name' < /dev/null 2> err; rc=$?
set -e
expect_eq "bad name" "$rc" "2"

# without any D-Bus session: set says why and what to do instead; the
# environment variable is listed
set +e
env -u DBUS_SESSION_BUS_ADDRESS sh -c 'printf v | "$NESTOR_BIN" secret set openai' 2> err; rc=$?
set -e
expect_eq "no service status" "$rc" "1"
expect_match "no service message" "$(cat err)" "cannot store secret 'openai': no Secret Service is available \(.*\); set NESTOR_SECRET_OPENAI in the environment instead"
env -u DBUS_SESSION_BUS_ADDRESS NESTOR_SECRET_MY_KEY=x "$NESTOR_BIN" secret list > out 2> err
expect_eq "env list" "$(cat out)" "my_key  (environment)"
expect_match "env list note" "$(cat err)" "no Secret Service"
