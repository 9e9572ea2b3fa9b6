# A throwaway PostgreSQL 15 for the tests that need a real server (sourced
# after lib.sh; run alone it only defines functions).  Debian's server:
# initdb into a private directory, a free port on 127.0.0.1 (no Unix socket
# shared with anything else), stopped by pg_stop.  As root the server runs
# as the postgres user.
#
#   pg_start           start it; exports PGHOST PGPORT PGUSER (psql works),
#                      sets PGURI (no user: a device connects as its user)
#                      and PGADMIN (as postgres: for server init, user add)
#   pg_sql SQL         run SQL as postgres in the database, -At output
#   pg_kill            kill it at once (immediate shutdown: a crash)
#   pg_up              start it again on the same port and data
#   pg_stop            stop it and remove its files (call it on EXIT)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGTMP=
pg_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
pg_up() {
	pg_as "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 30 \
		-o "-h 127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c full_page_writes=off" \
		start >/dev/null || fail "postgres did not start: $(tail -3 "$PGTMP/server.log")"
}
pg_start() {
	[ -x "$PGBIN/initdb" ] || fail "PostgreSQL 15 is needed in $PGBIN (contrib/deps.sh)"
	# under /tmp, not $TMPDIR: the postgres user must reach it
	PGTMP=$(mktemp -d /tmp/nestor-pg.XXXXXX)
	chmod 755 "$PGTMP"
	[ "$(id -u)" != 0 ] || chown postgres:postgres "$PGTMP"
	pg_as "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --no-sync \
		>"$PGTMP/initdb.log" 2>&1 || fail "initdb failed: $(tail -3 "$PGTMP/initdb.log")"
	PGPORT=$(pg_free_port)
	PGHOST=127.0.0.1
	PGUSER=postgres
	export PGHOST PGPORT PGUSER
	pg_up
	createdb nestor || fail "createdb failed"
	PGURI="postgresql://127.0.0.1:$PGPORT/nestor"
	PGADMIN="postgresql://postgres@127.0.0.1:$PGPORT/nestor"
}
pg_sql() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d nestor -c "$1"
}
pg_kill() {
	pg_as "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
}
pg_stop() {
	[ -n "$PGTMP" ] || return 0
	pg_as "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$PGTMP"
	PGTMP=
}
# device NAME: a NESTOR_HOME of its own under this test's home, a device of
# the server acting as user ${2:-alice}.  on NAME ARGS...: run nestor there.
on() {
	_d=$1
	shift
	NESTOR_HOME="$NESTOR_HOME/$_d" "$NESTOR_BIN" "$@"
}
device() {
	mkdir -p "$NESTOR_HOME/$1"
	on "$1" config set server.postgres "$PGURI" >/dev/null
	on "$1" config set server.device "$1" >/dev/null
	on "$1" user edit me --name "${2:-alice}" >/dev/null
}
# admin: the server's administrator (as postgres): creates the schema
admin() {
	mkdir -p "$NESTOR_HOME/admin"
	on admin config set server.postgres "$PGADMIN" >/dev/null
	on admin server init >/dev/null
}
