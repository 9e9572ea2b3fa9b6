# make install / uninstall honour DESTDIR and PREFIX.
. "$(dirname "$0")/lib.sh"
dest=$NESTOR_HOME/dest
make -s -C "$SRC" install DESTDIR="$dest" PREFIX=/opt/nestor >/dev/null
[ -x "$dest/opt/nestor/bin/nestor" ] || fail "binary not installed"
[ -f "$dest/opt/nestor/share/man/man1/nestor.1" ] || fail "nestor.1 not installed"
[ -f "$dest/opt/nestor/share/man/man5/nestor.conf.5" ] || fail "nestor.conf.5 not installed"
expect_match "installed binary runs" "$("$dest/opt/nestor/bin/nestor" --version)" '^nestor [0-9]'
make -s -C "$SRC" uninstall DESTDIR="$dest" PREFIX=/opt/nestor >/dev/null
[ ! -e "$dest/opt/nestor/bin/nestor" ] || fail "binary left after uninstall"
