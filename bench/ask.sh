#!/bin/sh
# The offline assistant's cost per turn, against the plain command doing
# the same thing (the ratio is the price of understanding the sentence and
# storing the conversation), with 10k stored messages; and a REPL fed 1000
# sentences through a pipe.
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
command -v hyperfine >/dev/null || { echo "ask: hyperfine is needed" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export NESTOR_HOME="$work" NESTOR_LOG=warn
nestor() { "$NESTOR_BIN" "$@"; }

# 2500 turns of history (10k messages) so search and resume have something to do
i=0
while [ $i -lt 2500 ]; do
	echo "add task errand number $i by friday"
	i=$((i + 1))
done > "$work/lines"
nestor chat < "$work/lines" > /dev/null
nestor task add seed > /dev/null

hyperfine -N --warmup 3 --runs 40 --export-json "$work/turn.json" \
	"$NESTOR_BIN task list" \
	"$NESTOR_BIN ask my tasks" \
	"$NESTOR_BIN ask напомни завтра в 9 позвонить маме" \
	"$NESTOR_BIN history search errand 2499" > /dev/null
python3 - "$work/turn.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
for x in r:
    print("%-60s median %6.1f ms  x%.2f" % (x["command"].split("/")[-1], x["median"] * 1000,
                                            x["median"] / base))
PY

start=$(date +%s%N)
head -1000 "$work/lines" | nestor chat > /dev/null
end=$(date +%s%N)
echo "REPL through a pipe: 1000 sentences (parse, add a task, store 4 messages each):" \
	"$(((end - start) / 1000000)) ms"
