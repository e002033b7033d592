#!/usr/bin/env bash
# Times httpmon against its Debian peers on generated access logs.
#
#   scripts/bench.sh [LINES...]      default: 1000000; e.g. 100000 1000000 10000000
#
# For each size, on one generated combined log: the baseline (wc -l, cat),
# each stage alone (parse on the log, the others on the previous stage's
# saved output, all writing to /dev/null or a file), the whole
# pipeline, and the peers that are installed: goaccess, mtail (a program
# counting hits per section and status class) and mawk (a one-field section
# count). Prints wall time, lines/s, CPU time, peak RSS and the speed of the
# pipeline relative to each step, then the exact commands, then a table of
# how time and memory grow with the size.
#
# Environment:
#   RUNS=N      runs of each step, the best wall time is kept (default 3)
#   GEN=FLAGS   genlog flags (default "-bursts"; "-hostile" for a new
#               section, path and client address on every line)
#   PEERS=0     skip goaccess, mtail and mawk; PEERS="mawk" (or any of
#               the three names) runs only those named
#   KEEP=DIR    keep the generated logs and outputs in DIR
#
# Needs Go and coreutils. GNU time (Debian: time) adds CPU time and peak RSS;
# Debian's goaccess, mtail and mawk add the peers.
set -euo pipefail

runs=${RUNS:-3}
gen=${GEN--bursts}
peers=${PEERS:-1}
# asked NAME: whether PEERS asks for peer NAME.
asked() { [[ $peers == 1 || " $peers " == *" $1 "* ]]; }

# wanted NAME: asked for and installed.
wanted() { asked "$1" && command -v "$1" >/dev/null; }

# peer NAME: wanted, saying so when NAME is asked for but missing.
peer() {
	asked "$1" || return 1
	command -v "$1" >/dev/null && return 0
	note "$1 not installed (Debian: apt-get install $1)"
	return 1
}
sizes=("$@")
((${#sizes[@]})) || sizes=(1000000)
for n in "${sizes[@]}" "$runs"; do
	if [[ ! $n =~ ^[1-9][0-9]*$ ]]; then
		echo "usage: $0 [LINES...]   (LINES and RUNS are positive integers; see the comment at the top)" >&2
		exit 2
	fi
done
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -n ${KEEP:-} ]]; then
	mkdir -p "$KEEP"
	T=$(cd "$KEEP" && pwd)
else
	T=$(mktemp -d "${TMPDIR:-/tmp}/httpmon-bench.XXXXXX")
	trap 'rm -rf "$T"' EXIT
fi
B=$T/bin

note() { echo "bench: $*" >&2; }

fail() {
	note "failed: $*"
	cat "$T/stderr" >&2 || true
	exit 1
}

# GNU time reports CPU time and peak RSS; other time(1)s lack -f.
gnutime=
for c in /usr/bin/time "$(command -v gtime || true)"; do
	if [[ -x $c ]] && "$c" -f '%M' -o /dev/null true 2>/dev/null; then
		gnutime=$c
		break
	fi
done
[[ -n $gnutime ]] || note "GNU time not found (Debian: apt-get install time): no CPU time or peak RSS"

# now prints the wall clock in microseconds.
now() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		echo "${EPOCHREALTIME//[!0-9]/}"
	else
		date +%s%6N
	fi
}

# us converts seconds with up to 6 decimals, like 1.23, to microseconds.
us() {
	local s=$1 frac
	frac=${s#*.}
	[[ $frac == "$s" ]] && frac=
	frac=${frac}000000
	echo $((10#${s%%.*} * 1000000 + 10#${frac:0:6}))
}

# run_once IN OUT CMD... runs CMD once; sets wall_us, cpu_us and rss_kb
# (the largest process of the command, children included).
run_once() {
	local in=$1 out=$2 t0 t1 u s
	shift 2
	t0=$(now)
	if [[ -n $gnutime ]]; then
		"$gnutime" -f '%M %U %S' -o "$T/time" "$@" <"$in" >"$out" 2>"$T/stderr" || fail "$*"
		t1=$(now)
		read -r rss_kb u s <"$T/time"
		cpu_us=$(($(us "$u") + $(us "$s")))
	else
		"$@" <"$in" >"$out" 2>"$T/stderr" || fail "$*"
		t1=$(now)
		rss_kb= cpu_us=
	fi
	wall_us=$((t1 - t0))
}

# Results of the current size, one entry per step.
names=() walls=() cpus=() rsss=() cmds=()

# step NAME SHOWN IN OUT CMD... runs CMD RUNS times, keeping the best wall
# time, the CPU time of that run and the highest peak RSS. SHOWN is the
# command as printed in the report.
step() {
	local name=$1 shown=$2 in=$3 out=$4 best= cpu= peak= i
	shift 4
	note "$lines lines: $name"
	for ((i = 0; i < runs; i++)); do
		run_once "$in" "$out" "$@"
		if [[ -z $best ]] || ((wall_us < best)); then best=$wall_us cpu=$cpu_us; fi
		if [[ -n $rss_kb ]] && { [[ -z $peak ]] || ((rss_kb > peak)); }; then peak=$rss_kb; fi
	done
	names+=("$name") walls+=("$best") cpus+=("${cpu:--}") rsss+=("${peak:--}") cmds+=("$shown")
}

# rate N US prints N per second, like 2.31M or 845.2k.
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

# dec A B D prints A/B with D decimals (D ≥ 1).
dec() {
	local s=1 i
	for ((i = 0; i < $3; i++)); do s=$((s * 10)); done
	local r=$((($1 * s + ($2 > 0 ? $2 : 1) / 2) / ($2 > 0 ? $2 : 1)))
	printf '%d.%0*d' $((r / s)) "$3" $((r % s))
}

mb() { [[ $1 == - ]] && echo - || dec "$1" 1024 1; }

note "building into $B"
(cd "$root" && go build -o "$B/" ./cmd/... ./scripts/genlog)

cat >"$T/sections.mtail" <<'EOF'
# hits per section (first path segment) and status class, like the
# section counts of httpmon-window's summaries
counter hits by section, class
/^\S+ \S+ .*\[[^\]]+\] "\S+ (?P<section>\/[^\/? "]*)[^"]*" (?P<class>\d)\d\d / {
  hits[$section][$class]++
}
EOF
mkdir -p "$T/mtail"
mv "$T/sections.mtail" "$T/mtail/"
# The whole pipeline, run by bash -c with B and log exported.
pipeline='set -o pipefail; "$B/httpmon-parse" "$log" | "$B/httpmon-window" | "$B/httpmon-alert" | "$B/httpmon-report"'
mawkprog='{split($7,a,"/"); sub(/\?.*/,"",a[2]); c["/" a[2]]++} END{for(k in c) print k, c[k]}'

scaling=()
for lines in "${sizes[@]}"; do
	names=() walls=() cpus=() rsss=() cmds=()
	log=$T/access-$lines.log
	# shellcheck disable=SC2086 # GEN is a list of flags
	"$B/genlog" -n "$lines" -format combined $gen -o "$log"
	size=$(wc -c <"$log")
	req=$T/requests-$lines.ndjson win=$T/windows-$lines.ndjson alr=$T/alerts-$lines.ndjson

	step "wc -l" 'wc -l < LOG' "$log" /dev/null wc -l
	step "cat" 'cat LOG > /dev/null' /dev/null /dev/null cat "$log"
	# The stages after parse read its saved output; parse itself is timed
	# writing to /dev/null, because writing gigabytes to a file measures
	# the disk's write-back more than the parser.
	note "$lines lines: saving parse output for the later stages"
	"$B/httpmon-parse" "$log" >"$req" 2>"$T/stderr" || fail "httpmon-parse $log"
	step "parse" 'httpmon-parse LOG > /dev/null' /dev/null /dev/null "$B/httpmon-parse" "$log"
	step "window" 'httpmon-window < requests.ndjson > windows.ndjson' "$req" "$win" "$B/httpmon-window"
	step "alert" 'httpmon-alert < windows.ndjson > alerts.ndjson' "$win" "$alr" "$B/httpmon-alert"
	step "report" 'httpmon-report < alerts.ndjson > /dev/null' "$alr" /dev/null "$B/httpmon-report"
	export B log
	step "pipeline" 'httpmon-parse LOG | httpmon-window | httpmon-alert | httpmon-report > /dev/null' \
		/dev/null /dev/null bash -c "$pipeline"
	pipe=${#names[@]}
	pipe=$((pipe - 1))
	if peer goaccess; then
		step "goaccess" 'goaccess LOG --log-format=COMBINED --no-global-config -o report.json' /dev/null /dev/null \
			goaccess "$log" --log-format=COMBINED --no-global-config -o "$T/goaccess.json"
	fi
	if peer mtail; then
		step "mtail" 'mtail -one_shot -port 0 -progs PROGS -logs LOG > /dev/null   (PROGS/sections.mtail below)' \
			/dev/null /dev/null mtail -one_shot -port 0 -progs "$T/mtail" -logs "$log"
	fi
	if peer mawk; then
		step "mawk" "mawk '$mawkprog' LOG" /dev/null /dev/null mawk "$mawkprog" "$log"
	fi

	# Head to head: the pipeline and mawk alternately, run after run, so
	# that a machine whose speed drifts while the steps above run one after
	# the other (shared virtual machines do) treats both alike.
	h2h=
	if wanted mawk; then
		note "$lines lines: pipeline and mawk, alternately"
		hp= hm=
		for ((i = 0; i < runs; i++)); do
			run_once /dev/null /dev/null bash -c "$pipeline"
			if [[ -z $hp ]] || ((wall_us < hp)); then hp=$wall_us; fi
			run_once /dev/null /dev/null mawk "$mawkprog" "$log"
			if [[ -z $hm ]] || ((wall_us < hm)); then hm=$wall_us; fi
		done
		h2h="head to head, $runs alternating runs each: pipeline $(dec "$hp" 1000000 2) s ($(rate "$lines" "$hp") lines/s), mawk $(dec "$hm" 1000000 2) s ($(rate "$lines" "$hm") lines/s); the pipeline is $(dec "$hm" "$hp" 2)× mawk's speed"
	fi

	# The pipeline must have counted every line: its ticks add up to it.
	hits=$(grep '"kind":"tick"' "$win" | sed 's/.*"hits":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
	[[ $hits == "$lines" ]] || note "warning: the ticks count $hits requests, not $lines"

	pw=${walls[pipe]}
	echo
	echo "== $lines lines ($(dec "$size" 1000000 1) MB, combined, genlog ${gen:-(no flags)}) =="
	echo "$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?); best wall time of $runs runs"
	echo
	printf '%-9s %8s %9s %8s %8s %7s %9s\n' step "wall s" "lines/s" "cpu s" "cpu ns/l" "RSS MB" "pipe ×"
	for i in "${!names[@]}"; do
		c=${cpus[i]} cs=- cn=-
		if [[ $c != - ]]; then
			cs=$(dec "$c" 1000000 2)
			cn=$((c * 1000 / lines))
		fi
		printf '%-9s %8s %9s %8s %8s %7s %9s\n' "${names[i]}" "$(dec "${walls[i]}" 1000000 2)" \
			"$(rate "$lines" "${walls[i]}")" "$cs" "$cn" "$(mb "${rsss[i]}")" "$(dec "${walls[i]}" "$pw" 2)"
	done
	[[ -n $h2h ]] && echo "$h2h"
	echo
	echo "lines/s: lines of the generated log per wall second, for every step (window, alert and report"
	echo "  read the previous stage's saved output, far fewer records than lines). cpu: user+sys of the"
	echo "  best run, all processes; cpu ns/l per log line. RSS: peak resident memory of the largest"
	echo "  process, highest of the runs. pipe ×: this step's wall time ÷ the pipeline's, i.e. how many"
	echo "  times faster the whole httpmon pipeline is than a peer (> 1: httpmon wins)."
	echo
	echo "commands (LOG = the generated log):"
	for i in "${!names[@]}"; do
		printf '  %-9s %s\n' "${names[i]}" "${cmds[i]}"
	done
	stage_rss=0
	for i in 2 3 4 5; do
		[[ ${rsss[i]} != - ]] && ((rsss[i] > stage_rss)) && stage_rss=${rsss[i]}
	done
	scaling+=("| $lines | $(dec "$size" 1000000 1) | $(dec "$pw" 1000000 2) | $(rate "$lines" "$pw") | $(dec "${walls[2]}" 1000000 2) | $(dec "${walls[3]}" 1000000 2) | $(mb "$stage_rss") | $(mb "${rsss[pipe]}") |")
done
if wanted mtail; then
	echo
	echo "PROGS/sections.mtail:"
	sed 's/^/  /' "$T/mtail/sections.mtail"
fi
echo
echo "scaling (wall seconds; RSS in MB, the largest single stage run alone / the largest process of the pipeline):"
echo
echo "| lines | MB | pipeline s | lines/s | parse s | window s | stage RSS | pipeline RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${scaling[@]}"
