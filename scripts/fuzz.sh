#!/usr/bin/env bash
# Runs every Fuzz* target in the module, one at a time, for $FUZZTIME each
# (default 30s), and stops at the first failure. A failing input is written
# to the package's testdata/fuzz/FuzzX/ directory, where plain go test
# replays it; check it in with the fix.
#
#   scripts/fuzz.sh                 all targets
#   FUZZTIME=5m scripts/fuzz.sh     longer
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}

n=0
for pkg in $(go list ./...); do
	list=$(go test -list '^Fuzz' "$pkg") || {
		echo "fuzz.sh: cannot list the targets of $pkg" >&2
		exit 1
	}
	targets=$(grep -E '^Fuzz' <<<"$list" || true)
	for t in $targets; do
		echo "fuzz.sh: $pkg $t for $fuzztime" >&2
		if ! go test -run '^$' -fuzz "^$t\$" -fuzztime "$fuzztime" -fuzzminimizetime 10s "$pkg"; then
			echo "fuzz.sh: $pkg $t failed" >&2
			exit 1
		fi
		n=$((n + 1))
	done
done
if ((n == 0)); then
	echo "fuzz.sh: no Fuzz targets found" >&2
	exit 1
fi
echo "fuzz.sh: $n targets passed" >&2
