#!/usr/bin/env bash
# Times the httpmon pipeline, and each stage alone, on a generated log.
#
#   scripts/bench.sh [LINES]     LINES log lines (default $LINES or 1000000)
#
# RUNS (default 3) runs of each step; the best is reported. Machines are
# shared and noisy, so read the figures as ratios against the cat and wc -l
# baseline of the same run, not as absolute speeds. Needs Go and coreutils;
# GNU time (Debian package "time") adds peak RSS, mawk a peer reference.
set -euo pipefail

lines=${1:-${LINES:-1000000}}
runs=${RUNS:-3}
if [[ ! $lines =~ ^[1-9][0-9]*$ || ! $runs =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: $0 [LINES]   (LINES and RUNS must be positive integers)" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/httpmon-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
B=$T/bin
log=$T/access.log

note() { echo "bench: $*" >&2; }

fail() {
	note "failed: $*"
	cat "$T/stderr" >&2 || true
	exit 1
}

# GNU time reports peak RSS; other time(1)s lack -f.
gnutime=
for c in /usr/bin/time "$(command -v gtime || true)"; do
	if [[ -x $c ]] && "$c" -f '%e %M' -o /dev/null true 2>/dev/null; then
		gnutime=$c
		break
	fi
done
[[ -n $gnutime ]] || note "GNU time not found (Debian: apt-get install time): no peak RSS"

# us converts seconds, like 1.234, to integer microseconds.
us() {
	local s=${1//,/.} frac
	frac=${s#*.}
	[[ $frac == "$s" ]] && frac=
	frac=${frac}000000
	echo $((10#${s%%.*} * 1000000 + 10#${frac:0:6}))
}

# now prints the wall clock in microseconds, or nothing before bash 5.
now() { [[ -n ${EPOCHREALTIME:-} ]] && echo "${EPOCHREALTIME//[!0-9]/}" || true; }

# run_once IN OUT CMD... runs CMD once and sets wall_us and rss_kb.
run_once() {
	local in=$1 out=$2 t0 t1 e
	shift 2
	t0=$(now)
	if [[ -n $gnutime ]]; then
		"$gnutime" -f '%e %M' -o "$T/time" "$@" <"$in" >"$out" 2>"$T/stderr" || fail "$@"
		read -r e rss_kb <"$T/time"
	else
		TIMEFORMAT=%3R
		{ time "$@" <"$in" >"$out" 2>"$T/stderr"; } 2>"$T/time" || fail "$@"
		read -r e <"$T/time"
		rss_kb=
	fi
	t1=$(now)
	if [[ -n $t0 ]]; then
		wall_us=$((t1 - t0))
	else
		wall_us=$(us "$e")
	fi
}

names=() secs=() recs=() rss=()

# step NAME RECORDS IN OUT CMD... times CMD RUNS times and keeps the best
# wall time and the highest RSS. RECORDS is how many records it reads, or -.
step() {
	local name=$1 records=$2 in=$3 out=$4 best= peak= i
	shift 4
	note "timing $name"
	for ((i = 0; i < runs; i++)); do
		run_once "$in" "$out" "$@"
		if [[ -z $best ]] || ((wall_us < best)); then best=$wall_us; fi
		if [[ -n $rss_kb ]] && { [[ -z $peak ]] || ((rss_kb > peak)); }; then peak=$rss_kb; fi
	done
	names+=("$name") secs+=("$best") recs+=("$records") rss+=("${peak:--}")
}

# rate N US prints N per second, like 2.31M.
rate() {
	local r=$(($1 * 1000000 / ($2 > 0 ? $2 : 1)))
	if ((r >= 1000000)); then
		printf '%d.%02dM' $((r / 1000000)) $((r / 10000 % 100))
	elif ((r >= 1000)); then
		printf '%d.%01dk' $((r / 1000)) $((r / 100 % 10))
	else
		printf '%d' "$r"
	fi
}

# ratio A B prints A/B with three decimals.
ratio() {
	local r=$(($1 * 1000 / ($2 > 0 ? $2 : 1)))
	printf '%d.%03d' $((r / 1000)) $((r % 1000))
}

note "building into $B"
(cd "$root" && go build -o "$B/" ./cmd/... ./scripts/genlog)
note "generating $lines lines"
"$B/genlog" -n "$lines" -format combined -bursts -o "$log"
size=$(wc -c <"$log")

step "wc -l" - "$log" /dev/null wc -l
step "cat" - /dev/null /dev/null cat "$log"
step "parse" "$lines" /dev/null "$T/requests.ndjson" "$B/httpmon-parse" "$log"
n=$(wc -l <"$T/requests.ndjson")
step "window" "$n" "$T/requests.ndjson" "$T/windows.ndjson" "$B/httpmon-window"
n=$(wc -l <"$T/windows.ndjson")
step "alert" "$n" "$T/windows.ndjson" "$T/alerts.ndjson" "$B/httpmon-alert"
n=$(wc -l <"$T/alerts.ndjson")
step "report" "$n" "$T/alerts.ndjson" /dev/null "$B/httpmon-report"
export B log
step "pipeline" "$lines" /dev/null /dev/null bash -c \
	'set -o pipefail; "$B/httpmon-parse" "$log" | "$B/httpmon-window" | "$B/httpmon-alert" | "$B/httpmon-report"'
pipe=${secs[${#secs[@]} - 1]}
if command -v mawk >/dev/null; then
	step "mawk sections" - /dev/null /dev/null \
		mawk '{split($7,a,"/"); c["/" a[2]]++} END{for(k in c) print k, c[k]}' "$log"
else
	note "mawk not installed (Debian: apt-get install mawk): no peer reference"
fi

alerts=$(grep -c '"kind":"alert"' "$T/alerts.ndjson" || true)
echo "httpmon bench: $lines log lines ($((size / 1000000)) MB, combined, -bursts: $alerts alert records)"
echo "$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
echo "best (min) wall time of $runs runs per step; peak RSS is the largest process, highest of the runs"
echo "log lines/s = lines of the original log / seconds, for every step; records/s = the step's own input records"
echo
printf '%-14s %9s %12s %10s %10s %8s %8s\n' step seconds "log lines/s" records records/s "RSS MB" "x pipe"
for i in "${!names[@]}"; do
	r=${recs[i]} rs=-
	[[ $r != - ]] && rs=$(rate "$r" "${secs[i]}")
	m=${rss[i]}
	[[ $m != - ]] && m=$(printf '%d.%d' $((m / 1024)) $((m * 10 / 1024 % 10)))
	printf '%-14s %9s %12s %10s %10s %8s %8s\n' "${names[i]}" "$(ratio "${secs[i]}" 1000000)" \
		"$(rate "$lines" "${secs[i]}")" "$r" "$rs" "$m" "$(ratio "${secs[i]}" "$pipe")"
done
echo
echo "pipeline = $(ratio "$pipe" "${secs[1]}") x cat = $(ratio "$pipe" "${secs[0]}") x wc -l"
