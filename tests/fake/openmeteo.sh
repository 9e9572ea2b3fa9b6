# Shell helper for tests/fake/openmeteo.py (sourced by tests/cli scripts
# after lib.sh):
#   fake_openmeteo_start [--apikey KEY]   sets PORT and BASE (http://127.0.0.1:PORT);
#                          stops at exit; --apikey: the paid API, requiring KEY
#   fake_openmeteo_config  points nestor's weather URLs at it
# Its output files are fake.out and fake.err in $NESTOR_HOME.
fake_openmeteo_start() {
	rm -f "$NESTOR_HOME/fake.out" # not an earlier server's PORT
	python3 "$SRC/tests/fake/openmeteo.py" --date "$(test_date 0 +%F)" --ppid $$ "$@" \
		>"$NESTOR_HOME/fake.out" 2>"$NESTOR_HOME/fake.err" &
	FAKE=$!
	trap 'kill $FAKE 2>/dev/null || true' EXIT
	wait_until -s 'cat "$NESTOR_HOME/fake.err"' "the fake server's port" \
		grep -qs '^PORT ' "$NESTOR_HOME/fake.out"
	PORT=$(sed -n 's/^PORT //p' "$NESTOR_HOME/fake.out")
	BASE=http://127.0.0.1:$PORT
}
fake_openmeteo_config() {
	nestor config set weather.forecast_url "$BASE/v1/forecast" >/dev/null
	nestor config set weather.geocoding_url "$BASE/v1/search" >/dev/null
}
