#!/bin/sh
# lazy-stubs.sh - C stubs that load a shared library on the first call.
#
#   sh contrib/lazy-stubs.sh LIB PATTERN HEADER "CFLAGS" OBJECT... > stubs.c
#
# For every symbol matching PATTERN (grep -E) that the OBJECTs use but do
# not define, writes a function with the prototype HEADER gives it, whose
# body finds the real one in libLIB.so (by its soname, with dlopen, once:
# src/base/module.h) and calls it.  Linked into the executable instead of
# -lLIB, the library is mapped only when a command first calls into it.
# The prototypes come from the compiler itself (gcc -aux-info), and the
# stubs are compiled against HEADER, so a stub cannot disagree with the
# library's declaration.  The Makefile runs this for libical and cJSON at every
# build, so a new libical call needs nothing more than the call.
set -eu
lib=$1 pattern=$2 header=$3 cflags=$4
shift 4
gen_cc=${GEN_CC:-gcc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nestor-stubs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

so=$($gen_cc -print-file-name="lib$lib.so")
soname=$(readelf -d "$so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ -z "$soname" ]; then
	echo "lazy-stubs.sh: no soname for lib$lib.so (is its -dev package installed?)" >&2
	exit 1
fi
nm --defined-only "$@" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/defined"
nm -u "$@" | awk '$1 == "U" { print $2 }' | grep -E "$pattern" | sort -u |
	comm -23 - "$tmp/defined" >"$tmp/syms"
printf '#include <%s>\n' "$header" >"$tmp/h.c"
# shellcheck disable=SC2086
$gen_cc $cflags -c -o "$tmp/h.o" -aux-info "$tmp/aux" "$tmp/h.c"

awk -v soname="$soname" -v header="$header" '
FNR == NR { want[$1] = 1; order[++nwant] = $1; next }
{
	line = $0
	sub(/^\/\*[^*]*\*\/ */, "", line)
	sub(/^extern /, "", line)
	if (!match(line, /[A-Za-z_][A-Za-z0-9_]* \(/))
		next
	name = substr(line, RSTART, RLENGTH - 2)
	if (!(name in want) || (name in done))
		next
	ret = substr(line, 1, RSTART - 1)
	sub(/ +$/, "", ret)
	params = substr(line, RSTART + RLENGTH)
	sub(/\);$/, "", params)
	proto[name] = ret "\t" params
	done[name] = 1
}
# "T1 , T2 (*)(int, char *), T3" at the commas outside parentheses
function split_params(s, out,    n, depth, i, c, cur) {
	n = 0; depth = 0; cur = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "(") depth++
		if (c == ")") depth--
		if (c == "," && depth == 0) { out[++n] = cur; cur = ""; continue }
		cur = cur c
	}
	out[++n] = cur
	return n
}
function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
END {
	print "/* Written by contrib/lazy-stubs.sh at build time: do not edit. */"
	print "#include <" header ">"
	print "#include \"module.h\""
	bad = 0
	for (k = 1; k <= nwant; k++) {
		name = order[k]
		if (!(name in proto)) {
			printf "lazy-stubs.sh: %s: no prototype in <%s>\n", name, header > "/dev/stderr"
			bad = 1
			continue
		}
		split(proto[name], rp, "\t")
		ret = rp[1]
		n = split_params(rp[2], p)
		decl = ""; args = ""
		if (!(n == 1 && trim(p[1]) == "void")) {
			for (i = 1; i <= n; i++) {
				t = trim(p[i])
				if (t == "...") {
					printf "lazy-stubs.sh: %s: variadic functions cannot be stubbed\n", name > "/dev/stderr"
					bad = 1
				}
				a = "a" i
				if (t ~ /\(\*\)/)
					sub(/\(\*\)/, "(*" a ")", t)
				else
					t = t " " a
				decl = decl (i > 1 ? ", " : "") t
				args = args (i > 1 ? ", " : "") a
			}
		} else {
			decl = "void"
		}
		printf "\n%s %s(%s)\n{\n\tstatic void *slot;\n\n", ret, name, decl
		call = "((__typeof__(&" name "))module_lib_sym(\"" soname "\", \"" name "\", &slot))(" args ")"
		if (ret == "void")
			printf "\t%s;\n}\n", call
		else
			printf "\treturn %s;\n}\n", call
	}
	exit bad
}' "$tmp/syms" "$tmp/aux"
