#!/bin/sh
# The TUI on a conversation of 10k messages against an empty one, in an
# 80x24 tmux pane: time to the first full frame (the TUI logs it; the pane
# showing it is measured from outside too), resident memory, and how long
# paging back through the chat takes.  Medians of $RUNS runs.
set -eu
: "${NESTOR_BIN:?set NESTOR_BIN to the nestor binary}"
for tool in tmux sqlite3; do
	command -v "$tool" > /dev/null || { echo "bench tui: $tool is missing" >&2; exit 1; }
done
RUNS=${RUNS:-5}
MESSAGES=${MESSAGES:-10000}
W=$(mktemp -d "${TMPDIR:-/tmp}/nestor-bench-tui.XXXXXX")
SOCK=nestor-bench-$$
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null || true; rm -rf "$W"' EXIT INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# home DIR N: a database whose latest tui conversation has N messages:
# user lines, replies of a few sentences, one turn in five with a tool call
home() {
	mkdir -p "$1"
	NESTOR_HOME=$1 "$NESTOR_BIN" task list > /dev/null
	sqlite3 "$1/nestor.db" > /dev/null <<SQL
PRAGMA journal_mode = WAL;
INSERT INTO conversations(id, assistant_id, channel, title, created_at, updated_at)
  VALUES (1, 1, 'tui', 'bench', 1700000000, 1700000000);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO messages(conversation_id, role, content, tool_calls, created_at)
SELECT 1,
  CASE WHEN i % 2 = 1 THEN 'user' ELSE 'assistant' END,
  CASE WHEN i % 2 = 1 THEN 'message ' || i || ': напомни позвонить маме завтра в 17:00'
       WHEN i % 10 = 0 THEN NULL
       ELSE 'Reply ' || i || '. Your agenda for tomorrow has three events; the first '
            || 'starts at 09:00 (standup), then lunch with Anna at 13:00 and the dentist '
            || 'at 17:30. Не забудьте купить молоко.' END,
  CASE WHEN i % 10 = 0 THEN '[{"id":"c' || i || '","type":"function","function":'
            || '{"name":"reminder_add","arguments":"{\"text\":\"call mom\",\"at\":\"tomorrow 17:00\"}"}}]'
       ELSE NULL END,
  1700000000 + i
FROM n;
SQL
}

# start DIR: nestor in a new 80x24 pane; waits for the first frame
start() {
	: > "$1/nestor.log"
	t0=$(now_ms)
	T -f /dev/null new-session -d -s b -x 80 -y 24 \
		"env NESTOR_HOME='$1' NESTOR_LOG=info LANG=C.UTF-8 '$NESTOR_BIN'; sleep 30"
	while ! grep -q 'first frame' "$1/nestor.log" 2> /dev/null; do sleep 0.005; done
	while ! T capture-pane -p -t b | grep -q 'F1 help'; do sleep 0.005; done
	shown=$(($(now_ms) - t0))
}

stop() {
	T kill-server 2> /dev/null || true
	sleep 0.1
}

# keys N: N PgUp, then a marker; milliseconds until the marker shows
page_back() {
	t0=$(now_ms)
	T send-keys -t b -N "$1" PPage
	T send-keys -t b 'x'
	while ! T capture-pane -p -t b | grep -q '^> x'; do sleep 0.005; done
	echo $(($(now_ms) - t0))
	T send-keys -t b BSpace
}

rss_kb() {
	pid=$(pgrep -P "$(T display -p -t b '#{pane_pid}')" | head -n 1)
	awk '/^VmRSS/ {print $2}' "/proc/$pid/status"
}

home "$W/big" "$MESSAGES"
mkdir -p "$W/empty"
NESTOR_HOME=$W/empty "$NESTOR_BIN" task list > /dev/null

for kind in empty big; do
	: > "$W/$kind.frame"
	: > "$W/$kind.shown"
	: > "$W/$kind.rss"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		start "$W/$kind"
		sed -n 's/.*first frame in \([0-9.]*\) ms.*/\1/p' "$W/$kind/nestor.log" >> "$W/$kind.frame"
		echo "$shown" >> "$W/$kind.shown"
		rss_kb >> "$W/$kind.rss"
		if [ "$kind" = big ] && [ "$i" -eq 0 ]; then
			page100=$(page_back 100)
			pagetop=$(page_back 2000)
			T capture-pane -p -t b | grep -q 'message 1:' || echo "bench tui: the top was not reached" >&2
			rss_all=$(rss_kb)
		fi
		stop
		i=$((i + 1))
	done
done

fe=$(median < "$W/empty.frame")
fb=$(median < "$W/big.frame")
se=$(median < "$W/empty.shown")
sb=$(median < "$W/big.shown")
re=$(median < "$W/empty.rss")
rb=$(median < "$W/big.rss")
printf 'tui, 80x24, median of %d runs         empty    %d messages   ratio\n' "$RUNS" "$MESSAGES"
printf '  first frame (logged by nestor, ms)  %7s  %10s  %6s\n' "$fe" "$fb" \
	"$(awk "BEGIN {printf \"%.2f\", $fb / $fe}")"
printf '  start to frame on screen (ms)       %7s  %10s  %6s\n' "$se" "$sb" \
	"$(awk "BEGIN {printf \"%.2f\", $sb / $se}")"
printf '  resident memory at open (kB)        %7s  %10s  %6s\n' "$re" "$rb" \
	"$(awk "BEGIN {printf \"%.2f\", $rb / $re}")"
printf '  100 x PgUp, drawn (ms)                       %10s\n' "$page100"
printf '  2000 x PgUp to the top, drawn (ms)           %10s\n' "$pagetop"
printf '  resident memory, all paged in (kB)           %10s\n' "$rss_all"
