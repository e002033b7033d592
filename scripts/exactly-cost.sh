#!/usr/bin/env bash
# The cost of exactly-once: the CPU work per line of each stage downstream
# of httpmon-parse, with and without checkpoint records in the stream,
# counted in instructions by valgrind's callgrind, which machine load does
# not change (timings on a shared machine drift by a third).
#
#   scripts/exactly-cost.sh [LINES]      default: 1000000
#
# httpmon-parse --follow --state writes one checkpoint per --state-interval
# (1s) when the position moved: one per 100,000 lines for a log written at
# 100k lines/s, one per about 1,000,000 lines while it catches up a backlog
# at replay speed (a replay of files without --follow writes none). The
# variants insert a checkpoint record, as httpmon-parse writes it, after
# every 100,000 and every 1,000,000 requests of httpmon-parse's output of a
# generated log, and after every 1,000 to show the cost of one checkpoint.
# Each stage runs on the previous one's output of the same variant:
# httpmon-window --idle 0, httpmon-alert with a two-minute rule, and
# httpmon-report --db into a new history. httpmon-parse's own cost per
# checkpoint is in `go test -bench CheckpointState ./internal/follow`.
#
# Needs Go and valgrind (Debian: apt-get install valgrind).
set -euo pipefail

lines=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "exactly-cost: needs valgrind" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
(cd "$root" && go build -o "$T/" ./cmd/... ./scripts/genlog)

"$T/genlog" -n "$lines" -format combined -o "$T/access.log"
"$T/httpmon-parse" "$T/access.log" > "$T/req.0"

# with EVERY: the requests with a checkpoint after every EVERY of them.
with() {
	awk -v every="$1" '{ print }
		/"kind":"request"/ && ++n % every == 0 {
			printf "{\"kind\":\"checkpoint\",\"files\":[{\"path\":\"/var/log/nginx/access.log\",\"dev\":65024,\"ino\":10776486,\"fingerprint_len\":1024,\"fingerprint\":\"fbda80004f1f0590efd4d559ff106c6dbaeed7a6ae676d9f3c3f6ec24bfb2da4\",\"offset\":%d,\"line\":%d}],\"patterns\":[\"/var/log/nginx/access.log\"]}\n", n * 210, n
		}' "$T/req.0"
}

# instructions CMD...: the instructions that CMD executes, from stdin;
# without asynchronous preemption, whose signals callgrind cannot follow.
instructions() {
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		awk '/Collected :/ { print $NF }'
}

variants="0 1000000 100000 1000"
for v in $variants; do
	[ "$v" = 0 ] || with "$v" > "$T/req.$v"
	"$T/httpmon-window" --idle 0 < "$T/req.$v" > "$T/win.$v"
	"$T/httpmon-alert" --rule 'busy: hits/s > 500 over 2m' < "$T/win.$v" > "$T/alert.$v"
done

printf '%-26s %16s %16s %16s %16s\n' "checkpoint every" "window instr/line" "alert instr/line" "report --db instr/line" "sum, overhead"
base=0
for v in $variants; do
	w=$(instructions "$T/httpmon-window" --idle 0 < "$T/req.$v")
	a=$(instructions "$T/httpmon-alert" --rule 'busy: hits/s > 500 over 2m' < "$T/win.$v")
	r=$(instructions "$T/httpmon-report" --db "$T/h.$v.db" < "$T/alert.$v")
	sum=$((w + a + r))
	[ "$v" = 0 ] && base=$sum
	label=$v
	[ "$v" = 0 ] && label="none"
	awk -v l="$label" -v w="$w" -v a="$a" -v r="$r" -v s="$sum" -v b="$base" -v n="$lines" 'BEGIN {
		printf "%-26s %16.1f %16.1f %16.1f %10.1f %+.2f%%\n", l, w / n, a / n, r / n, s / n, (s - b) * 100 / b }'
done
