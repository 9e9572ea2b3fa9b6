# The man pages render without warnings and document every command.
. "$(dirname "$0")/lib.sh"
for page in "$SRC"/man/*.[157]; do
	warnings=$(LC_ALL=C.UTF-8 groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
	expect_eq "groff warnings in $page" "$warnings" ""
done
# every top-level command and every verb of the table appears in nestor.1
nestor help | awk '/^commands:/{on=1;next} on && /^  [a-z]/{print $1}' > cmds
[ -s cmds ] || fail "no commands listed by nestor help"
while read -r cmd; do
	grep -Eq "^\.(B|BR|BI|TP)? *\"?$cmd\b|^\.B[IR]? \"?$cmd( |\")" "$SRC/man/nestor.1" ||
		fail "man/nestor.1 does not document '$cmd'"
	nestor help "$cmd" | awk '/^commands:/{on=1;next} on && /^  [a-z]/{print $1}' > verbs
	while read -r verb; do
		grep -Eq "$cmd $verb" "$SRC/man/nestor.1" ||
			fail "man/nestor.1 does not document '$cmd $verb'"
	done < verbs
done < cmds

# each command's entry in nestor.1 lists the options its usage has ("event
# show ID [--json]"), unless it points to them ("[options of event add]")
python3 - "$NESTOR_BIN" "$SRC/man/nestor.1" <<'PY' || fail "man/nestor.1 synopses"
import re, subprocess, sys
nestor, page = sys.argv[1], sys.argv[2]
man = open(page, encoding="utf-8").read().split("\n")

def plain(line):
    line = re.sub(r"\\f[BIRP]", "", line).replace("\\-", "-")
    return re.sub(r"^\.[BIR]{1,2}\s+", "", line).replace('"', "")

def usage(*args):
    return subprocess.run([nestor, "help", *args], capture_output=True, text=True).stdout

def entries(cmd):
    h = usage(cmd)
    if "commands:" not in h:
        return [(cmd, re.match(r"usage: nestor \S+ ?(.*)", h).group(1))]
    return [(cmd + " " + m.group(1), m.group(2))
            for m in re.finditer(r"^  ([a-z-]+) +(.*)$", h.split("commands:", 1)[1], re.M)]

bad = []
for cmd in re.findall(r"^  ([a-z]+)\s", usage().split("commands:", 1)[1], re.M):
    for name, use in entries(cmd):
        heads = [plain(man[i + 1]) for i, l in enumerate(man[:-1]) if l == ".TP"]
        syn = next((h for h in heads if h == name or h.startswith(name + " ")), None)
        if syn is None or "options" in syn:
            continue
        miss = sorted(o for o in set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", use)) if o not in syn)
        if miss:
            bad.append("%s: %s missing from \"%s\"" % (name, " ".join(miss), syn))
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# every environment variable the program reads (getenv) is in ENVIRONMENT
sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$SRC/man/nestor.1" | sed 's/\\-/-/g' > environ
grep -rhoE 'getenv\("[A-Z_]+"\)' "$SRC/src" "$SRC/tui" "$SRC/sync" "$SRC/storage" |
	sed 's/getenv("\(.*\)")/\1/' | sort -u > vars
[ -s vars ] || fail "no getenv found under $SRC"
while read -r var; do
	grep -Eq "(^|[^A-Z_])$var([^A-Z_]|\$)" environ ||
		fail "man/nestor.1: ENVIRONMENT does not document $var"
done < vars
