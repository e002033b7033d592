#!/usr/bin/env bash
# End-to-end test against real servers: nginx on 127.0.0.1 writes its access
# log, wrk loads it, logrotate rotates the log under load, and the whole
# httpmon pipeline follows it live. Checks that every request nginx logged is
# counted exactly once and that the high-traffic alert fires during the load
# and resolves during the pause after it.
#
#   scripts/e2e-nginx.sh            needs nginx, wrk and logrotate (Debian
#                                   packages of those names); with CI=true
#                                   they are installed when missing
#
# Timeline (about 45 s): load 1 with three `create` rotations (nginx -s
# reopen), httpmon-parse stopped with SIGTERM and restarted during it with a
# rotation while it is down; a 22 s pause; load 2 with three copytruncate
# rotations. Load is bounded: at most LOAD_RATE requests a second for a few
# seconds, on loopback only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

need=()
for c in nginx wrk logrotate; do
	command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || need+=("$c")
done
if [ ${#need[@]} -gt 0 ]; then
	if [ "${CI:-}" != true ]; then
		echo "e2e-nginx: skipped, missing: ${need[*]} (apt-get install ${need[*]})"
		exit 0
	fi
	export DEBIAN_FRONTEND=noninteractive
	sudo=
	[ "$(id -u)" = 0 ] || sudo="sudo -E"
	$sudo apt-get update -qq >/dev/null
	$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
PATH=$PATH:/usr/sbin:/sbin

work=$(mktemp -d /tmp/httpmon-e2e-nginx.XXXXXX)
bin=$work/bin
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -f "$work/nginx.pid" ] && nginx -p "$work" -c "$work/nginx.conf" -s stop 2>/dev/null || true
	wait 2>/dev/null || true
	if [ "${KEEP:-}" = "" ]; then rm -rf "$work"; else echo "e2e-nginx: kept $work"; fi
}
trap cleanup EXIT

(cd "$root" && go build -o "$bin/" ./cmd/...)
mkdir -p "$work/logs" "$work/tmp"

# A free port on loopback.
port=
for p in $(shuf -i 20000-40000 -n 20); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "e2e-nginx: no free port"; exit 1; }

user_line=""
[ "$(id -u)" = 0 ] && user_line="user root root;"
cat >"$work/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 256; }
http {
	client_body_temp_path $work/tmp;
	proxy_temp_path $work/tmp;
	fastcgi_temp_path $work/tmp;
	uwsgi_temp_path $work/tmp;
	scgi_temp_path $work/tmp;
	log_format combined_ms '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent "\$http_referer" "\$http_user_agent"';
	# access.log is rotated and followed; truth.log sees the same requests
	# and is never rotated: it is what httpmon must match.
	access_log $work/logs/access.log combined_ms;
	access_log $work/logs/truth.log combined_ms;
	server {
		listen 127.0.0.1:$port;
		location /err/ { return 503; }
		location /    { return 200 "ok\n"; }
	}
}
EOF
nginx -p "$work" -c "$work/nginx.conf"
for _ in $(seq 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done

# wrk: LOAD_RATE requests a second in all (two connections, each pausing
# between requests), every one with a unique path so that the check can
# match them one by one; sections /a, /b, /c and a few 503s under /err.
rate=${LOAD_RATE:-600}
load() { # seconds phase
	# The phase is in the path too: each run of wrk counts from 1 again.
	cat >"$work/load.$2.lua" <<EOF
local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end
local n = 0
local sections = { "/a/", "/b/", "/c/", "/a/", "/b/", "/a/", "/err/" }
function request()
	n = n + 1
	return wrk.format("GET", sections[n % #sections + 1] .. "$2-" .. id .. "-" .. n)
end
function delay()
	return $((2 * 1000 / rate))
end
EOF
	wrk -t 2 -c 2 -d "${1}s" -s "$work/load.$2.lua" "http://127.0.0.1:$port/" >"$work/wrk.$2.txt"
}

rotate() { # create|copytruncate
	local conf=$work/logrotate.$1.conf
	if [ "$1" = create ]; then
		cat >"$conf" <<EOF
$work/logs/access.log {
	rotate 100
	create 0644
	missingok
	sharedscripts
	postrotate
		nginx -p $work -c $work/nginx.conf -s reopen 2>/dev/null
	endscript
}
EOF
	else
		cat >"$conf" <<EOF
$work/logs/access.log {
	rotate 100
	copytruncate
	missingok
}
EOF
	fi
	logrotate -f -s "$work/logrotate.state" "$conf"
}

# The pipeline. httpmon-parse runs twice inside one subshell, so that the
# rest of the pipeline keeps its input open while parse is down.
state=$work/state.json
parse() { "$bin/httpmon-parse" --follow --from-start --state "$state" "$work/logs/access.log" & echo $! >"$work/parse.$1.pid"; wait $! || true; }
(
	parse 1
	while [ ! -e "$work/restart" ]; do sleep 0.05; done
	parse 2
) | tee "$work/requests.ndjson" |
	"$bin/httpmon-window" --interval 5s --lateness 2s |
	"$bin/httpmon-alert" --window 10s --threshold $((rate / 4)) |
	tee "$work/alerts.ndjson" |
	"$bin/httpmon-report" --color never >"$work/report.txt" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/parse.1.pid" ] && break; sleep 0.1; done
sleep 0.5

t_load1=$(date +%s)
load 9 1 &
wrk1=$!
sleep 1.5; rotate create
sleep 1.5; rotate create
sleep 1
kill -TERM "$(cat "$work/parse.1.pid")"
sleep 0.5; rotate create # while httpmon-parse is down
sleep 0.5; touch "$work/restart"
wait $wrk1
t_pause=$(date +%s)
sleep 22
t_load2=$(date +%s)
load 7 2 &
wrk2=$!
sleep 1.5; rotate copytruncate
sleep 1.5; rotate copytruncate
sleep 1.5; rotate copytruncate
wait $wrk2
sleep 2 # let httpmon-parse read the tail
kill -TERM "$(cat "$work/parse.2.pid")"
wait "${pids[0]}"
pids=()

# Requests are matched by their unique path.
paths_of_log() { sed -n 's/^[^"]*"GET \([^ ]*\) .*/\1/p' "$@" | sort; }
paths_of_log "$work/logs/truth.log" >"$work/truth.paths"
paths_of_log "$work"/logs/access.log* >"$work/files.paths"
sed -n 's/.*"path":"\([^"]*\)".*/\1/p' "$work/requests.ndjson" | sort >"$work/httpmon.paths"

truth=$(wc -l <"$work/truth.paths")
files=$(wc -l <"$work/files.paths")
counted=$(wc -l <"$work/httpmon.paths")
dups=$(uniq -d "$work/httpmon.paths" | wc -l)
missing=$(comm -23 "$work/files.paths" "$work/httpmon.paths" | wc -l)
extra=$(comm -13 "$work/truth.paths" "$work/httpmon.paths" | wc -l)
# Lines logrotate's copytruncate lost from the files (written between its
# copy and its truncation): httpmon may have read them, and nothing else
# still has them but truth.log.
lost_by_rotation=$(comm -23 "$work/truth.paths" "$work/files.paths" | wc -l)
not_counted=$(comm -23 "$work/truth.paths" "$work/httpmon.paths" | wc -l)
ticks=$(grep -c '"kind":"tick"' "$work/alerts.ndjson" || true)
tick_hits=$(sed -n 's/.*"kind":"tick".*"hits":\([0-9]*\).*/\1/p' "$work/alerts.ndjson" | awk '{ s += $1 } END { print s + 0 }')
rotated=$(ls "$work"/logs/access.log.* | wc -l)

echo "e2e-nginx: nginx logged $truth requests ($files still in access.log and its $rotated rotated files, $lost_by_rotation lost by copytruncate); httpmon counted $counted, $dups twice, $missing of the files' lines missed, $extra unknown, $not_counted of nginx's not counted; $ticks ticks with $tick_hits hits"
grep -h 'alert' "$work/report.txt" || true

fail=0
check() { if ! eval "$1"; then echo "e2e-nginx: FAIL: $2"; fail=1; fi; }
check '[ "$truth" -gt 1000 ]' "too little load ($truth requests)"
check '[ "$dups" -eq 0 ]' "$dups requests counted twice"
check '[ "$missing" -eq 0 ]' "$missing logged requests not counted"
check '[ "$extra" -eq 0 ]' "$extra records that nginx never logged"
check '[ "$not_counted" -le "$lost_by_rotation" ]' "requests not counted beyond those copytruncate lost"
check '[ "$tick_hits" -eq "$counted" ]' "ticks hold $tick_hits hits for $counted requests"
check '[ "$rotated" -eq 6 ]' "want 6 rotated files, got $rotated"

fired=$(sed -n 's/.*"kind":"alert".*"state":"firing","ts":\([0-9]*\).*/\1/p' "$work/alerts.ndjson" | head -1)
resolved=$(sed -n 's/.*"kind":"alert".*"state":"resolved","ts":\([0-9]*\).*/\1/p' "$work/alerts.ndjson" | head -1)
check '[ -n "$fired" ] && [ "$fired" -ge "$t_load1" ] && [ "$fired" -le "$t_pause" ]' "no alert fired during the first load ($t_load1–$t_pause): ${fired:-none}"
check '[ -n "$resolved" ] && [ "$resolved" -ge "$t_pause" ] && [ "$resolved" -lt "$t_load2" ]' "no recovery during the pause ($t_pause–$t_load2): ${resolved:-none}"
check 'grep -q "High traffic generated an alert" "$work/report.txt"' "the report shows no alert"
check 'grep -q "High traffic alert recovered" "$work/report.txt"' "the report shows no recovery"
if [ $fail -ne 0 ]; then
	KEEP=1
	exit 1
fi
echo "e2e-nginx: ok"
