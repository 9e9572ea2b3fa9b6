# Run every benchmark under bench/ (each bench/*.sh except this one).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$HERE"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b")"
	sh "$b" || status=1
done
exit $status
