# make install / uninstall honour DESTDIR and PREFIX, and install the bash, zsh
# and fish completions where those shells look for them; the installed
# program finds its modules (lib/nestor/*.so beside bin/) from any directory
# and after its prefix moves, and without the module only the commands that
# need it fail.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake/openmeteo.sh"
dest=$NESTOR_HOME/dest
make -s -C "$SRC" install DESTDIR="$dest" PREFIX=/opt/nestor >/dev/null
[ -x "$dest/opt/nestor/bin/nestor" ] || fail "binary not installed"
[ -f "$dest/opt/nestor/lib/nestor/net.so" ] || fail "net.so not installed"
[ -f "$dest/opt/nestor/lib/nestor/term.so" ] || fail "term.so not installed"
[ -f "$dest/opt/nestor/share/man/man1/nestor.1" ] || fail "nestor.1 not installed"
[ -f "$dest/opt/nestor/share/man/man5/nestor.conf.5" ] || fail "nestor.conf.5 not installed"
for f in share/bash-completion/completions/nestor share/zsh/site-functions/_nestor \
	share/fish/vendor_completions.d/nestor.fish; do
	[ -s "$dest/opt/nestor/$f" ] || fail "$f not installed"
done
expect_match "bash completion is the generated one" \
	"$(head -1 "$dest/opt/nestor/share/bash-completion/completions/nestor")" 'nestor completion bash'
expect_match "installed binary runs" "$("$dest/opt/nestor/bin/nestor" --version)" '^nestor [0-9]'

# The installed copy, run from another directory, makes a request: the
# module it loads is the installed one.
fake_openmeteo_start
NESTOR_BIN=$dest/opt/nestor/bin/nestor
fake_openmeteo_config
cd /
out=$(LD_DEBUG=files nestor weather Berlin 2>"$NESTOR_HOME/ld.log") || fail "installed weather failed"
expect_match "installed weather" "$out" '^Berlin, Land Berlin, Germany'
grep -q "file=$dest/opt/nestor/lib/nestor/net.so " "$NESTOR_HOME/ld.log" ||
	fail "installed copy did not load its own net.so: $(grep 'net.so' "$NESTOR_HOME/ld.log")"

# The whole prefix moved elsewhere still works.
mv "$dest/opt/nestor" "$NESTOR_HOME/moved"
NESTOR_BIN=$NESTOR_HOME/moved/bin/nestor
nestor config set weather.cache_ttl 0 >/dev/null
expect_match "moved weather" "$(nestor weather Tokyo)" '^Tokyo'
echo /quit | nestor chat >/dev/null || fail "moved chat failed"

# Without the module: the network fails with one clear line, the rest works.
rm "$NESTOR_HOME/moved/lib/nestor/net.so"
set +e
nestor weather Berlin >/dev/null 2>"$NESTOR_HOME/err"; rc=$?
set -e
expect_eq "weather without net.so: status" "$rc" 1
expect_eq "weather without net.so: lines" "$(wc -l <"$NESTOR_HOME/err")" 1
expect_match "weather without net.so" "$(cat "$NESTOR_HOME/err")" \
	"^nestor: weather: .*cannot load $NESTOR_HOME/moved/lib/nestor/net.so: .*No such file"
nestor task add "still here" >/dev/null
expect_match "task list without net.so" "$(nestor task list)" "still here"
mv "$NESTOR_HOME/moved" "$dest/opt/nestor"

make -s -C "$SRC" uninstall DESTDIR="$dest" PREFIX=/opt/nestor >/dev/null
[ ! -e "$dest/opt/nestor/bin/nestor" ] || fail "binary left after uninstall"
[ ! -e "$dest/opt/nestor/share/zsh/site-functions/_nestor" ] || fail "zsh completion left after uninstall"
[ ! -e "$dest/opt/nestor/lib/nestor" ] || fail "module left after uninstall"
