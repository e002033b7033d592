#!/usr/bin/env bash
# End-to-end test of the httpmon-report dashboard in a real terminal: tmux
# runs it in an 80x24 window, the script feeds it records at its own pace,
# presses keys and checks what a person would see with capture-pane.
#
#   scripts/tui-test.sh          needs tmux; without it the test is skipped
#                                (exit 0), unless CI is set: then it installs
#                                tmux with apt-get, and fails if it cannot
#   TUI_TEST_CAPTURE=DIR scripts/tui-test.sh
#                                also keeps the screens it checked in DIR
#
# The records come from the real pipeline run on a generated log with one
# burst; they are written to the dashboard through a FIFO in three steps
# (up to the burst, through the recovery, the end of input) so that what is
# on the screen at each check does not depend on timing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v tmux >/dev/null; then
	if [ -z "${CI:-}" ]; then
		echo "tui-test: skipped: tmux is not installed (apt-get install tmux)"
		exit 0
	fi
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "tui-test: installing tmux"
	$sudo apt-get update -qq && $sudo apt-get install -y -qq tmux >/dev/null ||
		{ echo "tui-test: tmux is not installed and apt-get could not install it" >&2; exit 1; }
fi

bin=$root/.bin
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/" ./cmd/... && go build -o "$bin/genlog" ./scripts/genlog)

work=$(mktemp -d)
sock=httpmon-tui-test-$$
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	# The killed shell and its children may still be writing into $work
	# for a moment.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$work" 2>/dev/null && return
		sleep 0.2
	done
	echo "tui-test: could not remove $work" >&2
}
trap cleanup EXIT

fail() {
	echo "tui-test: FAIL: $*" >&2
	echo "--- screen:" >&2
	tmux -L "$sock" capture-pane -p -t t >&2 || true
	exit 1
}

screen() { tmux -L "$sock" capture-pane -p -t t; }

# wait_for TEXT [SECONDS]: until TEXT is on the screen.
wait_for() {
	local deadline=$((SECONDS + ${2:-15}))
	until screen | grep -qF -- "$1"; do
		[ $SECONDS -lt $deadline ] || fail "waited for: $1"
		sleep 0.1
	done
}

# wait_gone TEXT [SECONDS]: until TEXT is no longer on the screen.
wait_gone() {
	local deadline=$((SECONDS + ${2:-15}))
	while screen | grep -qF -- "$1"; do
		[ $SECONDS -lt $deadline ] || fail "waited for this to go: $1"
		sleep 0.1
	done
}

expect() { screen | grep -qF -- "$1" || fail "not on the screen: $1"; }
expect_not() { ! screen | grep -qF -- "$1" || fail "on the screen: $1"; }

keys() { tmux -L "$sock" send-keys -t t "$@"; }

# The records: fifteen minutes of log, one burst from 21:16 to 21:19.
"$bin/genlog" -n 6800 -rate 8 -bursts -format combined |
	"$bin/httpmon-parse" | "$bin/httpmon-window" | "$bin/httpmon-alert" >"$work/records.ndjson"
fired=$(grep -n '"state":"firing"' "$work/records.ndjson" | head -1 | cut -d: -f1)
resolved=$(grep -n '"state":"resolved"' "$work/records.ndjson" | head -1 | cut -d: -f1)
[ -n "$fired" ] && [ -n "$resolved" ] || { echo "tui-test: the generated log has no alert" >&2; exit 1; }

# total N: the header's request count once the first N records are shown,
# which tells that the dashboard has drawn all of a step's records.
total() {
	head -n "$1" "$work/records.ndjson" | grep '^{"kind":"tick"' |
		sed 's/.*"hits":\([0-9]*\).*/\1/' | awk '{ n += $1 } END { print "total " n " " }'
}

tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 24 -s t \
	"env -i PATH=$PATH HOME=$work HISTFILE=/dev/null TERM=xterm-256color PS1='ready\$ ' bash --norc --noprofile"
tmux -L "$sock" set-option -t t remain-on-exit on >/dev/null
wait_for 'ready$'

echo "== dashboard fed through a pipe, step by step"
mkfifo "$work/fifo"
keys "cd $work && $bin/httpmon-report --refresh 100ms < fifo; echo \"exit=\$?\"" Enter
exec 3>"$work/fifo"
wait_for 'waiting for records'

# Into the burst: the alert banner is up, the graph is over the threshold.
head -n $((fired + 30)) "$work/records.ndjson" >&3
wait_for "$(total $((fired + 30)))"
expect 'ALERT High traffic firing since 21:18:35 - hits = 1221'
expect 'FIRING High traffic fired 21:18:35 hits = 1221'
expect 'threshold 10 req/s'
expect 'Top sections'
expect '/static'
screen >"$work/firing.txt"

# Through the recovery: the banner goes, the history keeps both ends.
sed -n "$((fired + 31)),$((resolved + 30))p" "$work/records.ndjson" >&3
wait_for "$(total $((resolved + 30)))"
expect 'High traffic fired 21:18:35 hits = 1221  resolved 21:22:21 hits = 1200'
expect_not 'ALERT High traffic firing'
expect_not 'input ended'

# Keys: pause, sort, scroll.
keys p
wait_for 'PAUSED'
keys p
wait_gone 'PAUSED'
keys s
wait_for 'sort:bytes'
expect 'by bytes'
keys Down
wait_for '↑1'

# Resizing redraws for the new size: a wider graph, more rows, and back.
tmux -L "$sock" resize-window -t t -x 120 -y 40
wait_for 'Requests/s, last 3m48s'
screen | sed -n 40p | grep -qF 'q quit' || fail "the footer is not on the 40th row"
expect 'heaviest document'
tmux -L "$sock" resize-window -t t -x 80 -y 24
wait_for 'Requests/s, last 2m28s'
screen | sed -n 24p | grep -qF 'q quit' || fail "the footer is not on the 24th row"

# End of input: the final state stays, and says so. A damaged line is
# counted on the screen, and reported once the screen is gone.
echo '{"kind":"tick",' >&3
# An upstream stage's notice is shown on a line of its own, escaped.
echo '{"kind":"notice","stage":"httpmon-window","line":7,"message":"late \u001b[31mred"}' >&3
sed -n "$((resolved + 31)),\$p" "$work/records.ndjson" >&3
exec 3>&-
wait_for 'input ended, q to quit'
expect '1 malformed'
expect '! httpmon-window: line 7: late \x1b[31mred'
expect 'total 6800'
expect 'elapsed 15m28s'
sleep 0.3
expect 'input ended, q to quit'
screen >"$work/final.txt"

keys q
wait_for 'exit=0'
expect_not 'Top sections' # the alternate screen is gone
expect "httpmon-report: line $((resolved + 31)): malformed JSON"
expect 'httpmon-window: line 7: late \x1b[31mred' # the notice, kept past the dashboard
expect "ready\$ cd $work && " # the command line is back, the alternate screen gone

echo "== the whole pipeline in the terminal, left with Ctrl-C"
keys "clear" Enter
wait_gone 'exit=0'
keys "$bin/genlog -n 6800 -rate 8 -bursts -format combined | $bin/httpmon-parse | $bin/httpmon-window | $bin/httpmon-alert | $bin/httpmon-report; echo \"exit=\${PIPESTATUS[*]}\"" Enter
wait_for 'input ended, q to quit' 60
expect 'total 6800'
expect 'High traffic fired 21:18:35 hits = 1221  resolved 21:22:21 hits = 1200'
keys C-c
wait_for 'exit=0 0 0 0 0'
expect_not 'Top sections'

echo "== a live pipeline: the rules from httpmon-alert, a full repaint, one Ctrl-C ends it all"
keys "clear" Enter
wait_gone 'exit=0'
"$bin/genlog" -n 2000 -rate 8 -format combined >"$work/live.log"
# httpmon-parse --follow never ends by itself: only the Ctrl-C does.
keys "$bin/httpmon-parse --follow --from-start live.log | $bin/httpmon-window | $bin/httpmon-alert --threshold 50 --window 30s | $bin/httpmon-report; echo \"exit=\${PIPESTATUS[*]}\"" Enter
# The backlog is a replay, held by --replay-lateness; once the file has
# been quiet for --lateness + 1 s the follower has caught up, and every line
# of it is on the screen.
wait_for 'total 2000' 20
# The graph draws the rule httpmon-alert runs, not the defaults, before any
# alert says it.
wait_for "threshold 50 req/s"
expect_not "ALERT"
expect_not 'threshold 10 req/s'
# Garbage written over the dashboard from outside, as the stderr of the
# stages before it lands, is gone within one refresh (1 s).
tty=$(tmux -L "$sock" display-message -p -t t '#{pane_tty}')
printf '\033[20;1HGARBAGE-ON-THE-SCREEN' >"$tty"
seen=no
screen | grep -qF 'GARBAGE-ON-THE-SCREEN' && seen=yes
wait_gone 'GARBAGE-ON-THE-SCREEN' 3
echo "tui-test: garbage on the screen before the repaint: $seen"
# The Ctrl-C the dashboard reads as a key reaches every stage: they all
# exit 0 and the shell prompt is back at once.
keys C-c
wait_for 'exit=0 0 0 0' 5
expect_not 'Top sections'
screen | grep -v '^$' | tail -n 1 | grep -qF 'ready$' || fail "the shell prompt is not back"

echo "== SIGINT from outside restores the terminal"
keys "clear" Enter
wait_gone 'exit=0'
rm -f "$work/fifo" && mkfifo "$work/fifo"
keys "sh -c 'echo \$\$ > pid; exec $bin/httpmon-report --tui' < fifo; echo \"exit=\$?\"" Enter
exec 3>"$work/fifo"
head -n 100 "$work/records.ndjson" >&3
wait_for "$(total 100)"
kill -INT "$(cat "$work/pid")"
wait_for 'exit=0'

expect_not 'Top sections'
exec 3>&-

echo "== NO_COLOR: no colours, but the banner and 5xx still in reverse video"
keys "clear" Enter
wait_gone 'exit=0'
rm -f "$work/fifo" && mkfifo "$work/fifo"
keys "NO_COLOR=1 $bin/httpmon-report < fifo; echo \"exit=\$?\"" Enter
exec 3>"$work/fifo"
head -n $((fired + 30)) "$work/records.ndjson" >&3
wait_for "$(total $((fired + 30)))"
styled=$(tmux -L "$sock" capture-pane -e -p -t t)
# SGR parameters 30-37, 38, 40-47, 48 and 90-107 are colours.
if grep -qE $'\e\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m' <<<"$styled"; then
	fail "colour on the screen with NO_COLOR set"
fi
grep -qE $'\e\\[([0-9]*;)*7(;[0-9]*)*m ▲ ALERT' <<<"$styled" || fail "banner not in reverse video with NO_COLOR"
grep -qE $'\e\\[([0-9]*;)*7(;[0-9]*)*m5xx [1-9]' <<<"$styled" || fail "5xx count not in reverse video with NO_COLOR"
keys q
exec 3>&-
wait_for 'exit=0'

echo "== --plain on a terminal prints the text report"
keys "clear" Enter
wait_gone 'exit=0'
# Without the total record, whose block would scroll the last interval off
# the screen.
grep -v '^{"kind":"total"' "$work/records.ndjson" >"$work/intervals.ndjson"
keys "tail -n 40 intervals.ndjson | $bin/httpmon-report --plain; echo \"exit=\$?\"" Enter
wait_for 'exit=0'
expect '2019-02-07 21:26:20 → 21:26:30 +0000 (partial, 9s)'
expect_not 'q quit'

echo "== a file on stdin is a finished log: text, not the dashboard"
keys "clear" Enter
wait_gone 'exit=0'
keys "$bin/httpmon-report < intervals.ndjson; echo \"exit=\$?\"" Enter
wait_for 'exit=0'
expect '2019-02-07 21:26:20 → 21:26:30 +0000 (partial, 9s)'
expect '18 hits  2.0 req/s  199.0 KiB'
expect_not 'q quit'

echo "== the text report ends with the whole run's block, cut to the terminal"
keys "clear" Enter
wait_gone 'exit=0'
keys "$bin/httpmon-report < records.ndjson; echo \"exit=\$?\"" Enter
wait_for 'exit=0'
expect 'not found (404)'
expect 'AppleWebKit/537.36 …'

if [ -n "${TUI_TEST_CAPTURE:-}" ]; then
	mkdir -p "$TUI_TEST_CAPTURE"
	cp "$work/firing.txt" "$work/final.txt" "$TUI_TEST_CAPTURE/"
fi
echo "tui-test: ok"
