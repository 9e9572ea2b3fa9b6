# /v1/openapi.json describes what nestor serve really answers: every
# operation of the document is exercised and each answer validated against
# it (tests/cli/openapi.py).
. "$(dirname "$0")/lib.sh"
cd "$NESTOR_HOME"
tok=$(nestor token add 2>/dev/null)
ro=$(nestor token add --read-only 2>/dev/null)
nestor user add bob >/dev/null
bob=$(nestor --user bob token add 2>/dev/null)
serve_start
python3 "$SRC/tests/cli/openapi.py" "$base" "$tok" "$ro" "$bob" ||
	fail "answers that do not match /v1/openapi.json (above)"
