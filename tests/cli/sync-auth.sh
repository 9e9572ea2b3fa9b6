# Passwords of the server profile: `user add --password-stdin` sets the
# role's password as a SCRAM hash (the clear text never reaches the
# server), and a device finds its password in the secret "postgres"
# (NESTOR_SECRET_POSTGRES without a Secret Service) or in PGPASSFILE; it
# never lands in the config, the log or an error message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
trap pg_stop EXIT
pg_start
admin
# dave must give a password; everyone else is trusted (the test cluster)
{
	echo "host all dave 127.0.0.1/32 scram-sha-256"
	cat "$PGTMP/data/pg_hba.conf"
} > hba
cp hba "$PGTMP/data/pg_hba.conf"
pg_sql "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
pg_sql "SELECT pg_reload_conf()" >/dev/null

printf 'correct horse\n' | on admin user add dave --password-stdin >/dev/null
expect_eq "a SCRAM hash" \
	"$(pg_sql "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = 'dave'")" t
grep -q 'SCRAM-SHA-256' "$PGTMP/server.log" || fail "the statement log does not show the role change"
if grep -q 'correct horse' "$PGTMP/server.log"; then fail "the clear password reached the server"; fi

device dave dave
if on dave sync 2>err; then fail "synced without a password"; fi
expect_eq "one line" "$(wc -l < err | tr -d ' ')" 1
expect_match "says why" "$(cat err)" 'password'
if NESTOR_SECRET_POSTGRES=wrong on dave sync 2>err; then fail "synced with a wrong password"; fi
expect_match "wrong password" "$(cat err)" 'password authentication failed for user "dave"'
case $(cat err) in *wrong*) fail "the error shows the password" ;; esac

NESTOR_SECRET_POSTGRES='correct horse' on dave task add "with the secret" >/dev/null
NESTOR_SECRET_POSTGRES='correct horse' on dave sync >/dev/null
expect_eq "pushed with the secret" "$(pg_sql "SELECT count(*) FROM nestor.objects WHERE owner = 'dave' AND entity = 'task'")" 1

printf '127.0.0.1:%s:nestor:dave:correct horse\n' "$PGPORT" > pgpass
chmod 600 pgpass
on dave task add "with the pgpass file" >/dev/null
PGPASSFILE=$PWD/pgpass on dave sync >/dev/null
expect_eq "pushed with PGPASSFILE" "$(pg_sql "SELECT count(*) FROM nestor.objects WHERE owner = 'dave' AND entity = 'task'")" 2

if grep -rq 'correct horse' "$NESTOR_HOME/dave" "$NESTOR_HOME/admin"; then
	fail "the password is in a file of nestor's"
fi
