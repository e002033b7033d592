#!/usr/bin/env bash
# Builds the four httpmon commands into .bin/ and runs the whole pipeline.
#
#   scripts/run.sh                 the bundled sample log, replayed
#   scripts/run.sh FILE [FLAGS]    monitor FILE as it grows, like tail -F:
#                                  its existing lines first, then new ones
#
# Extra FLAGS go to httpmon-alert (for example --threshold 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/.bin
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/" ./cmd/...)
PATH=$bin:$PATH

if [ $# -eq 0 ]; then
	httpmon-parse "$root/scripts/testdata/sample_csv.txt" | httpmon-window | httpmon-alert | httpmon-report --plain
	exit
fi
file=$1
shift
httpmon-parse --follow --from-start "$file" | httpmon-window | httpmon-alert "$@" | httpmon-report
