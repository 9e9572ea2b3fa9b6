#!/bin/sh
# Install the Debian packages nestor needs that are missing.
# As root: apt-get install them (apt-get update once, only when something is missing).
# Otherwise: print the exact command to run.
# Usage: contrib/deps.sh [build|test|bench|all]   (default: all but bench)
set -eu
here=$(dirname "$0")
want=${1:-default}
missing=""
while read -r kind pkg; do
	case "$kind" in ''|'#'*) continue ;; esac
	case "$want" in
	default) [ "$kind" = bench ] && continue ;;
	all) ;;
	*) [ "$kind" = "$want" ] || continue ;;
	esac
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $pkg"
	fi
done < "$here/packages.txt"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "nestor: missing packages; run:" >&2
	echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
