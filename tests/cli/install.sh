# make install / uninstall honour DESTDIR and PREFIX, and install the bash, zsh
# and fish completions where those shells look for them.
. "$(dirname "$0")/lib.sh"
dest=$NESTOR_HOME/dest
make -s -C "$SRC" install DESTDIR="$dest" PREFIX=/opt/nestor >/dev/null
[ -x "$dest/opt/nestor/bin/nestor" ] || fail "binary not installed"
[ -f "$dest/opt/nestor/share/man/man1/nestor.1" ] || fail "nestor.1 not installed"
[ -f "$dest/opt/nestor/share/man/man5/nestor.conf.5" ] || fail "nestor.conf.5 not installed"
for f in share/bash-completion/completions/nestor share/zsh/site-functions/_nestor \
	share/fish/vendor_completions.d/nestor.fish; do
	[ -s "$dest/opt/nestor/$f" ] || fail "$f not installed"
done
expect_match "bash completion is the generated one" \
	"$(head -1 "$dest/opt/nestor/share/bash-completion/completions/nestor")" 'nestor completion bash'
expect_match "installed binary runs" "$("$dest/opt/nestor/bin/nestor" --version)" '^nestor [0-9]'
make -s -C "$SRC" uninstall DESTDIR="$dest" PREFIX=/opt/nestor >/dev/null
[ ! -e "$dest/opt/nestor/bin/nestor" ] || fail "binary left after uninstall"
[ ! -e "$dest/opt/nestor/share/zsh/site-functions/_nestor" ] || fail "zsh completion left after uninstall"
