#!/usr/bin/env bash
# A small cluster on one machine: three hosts as network namespaces, each
# with nginx under wrk load and its own pipeline publishing to a NATS
# JetStream server in the root namespace, where the central pipeline
# merges them into a history (httpmon-report --db --listen). Under load,
# one host is cut off (its veth down) for longer than --source-timeout and
# comes back, the NATS server is restarted, and the central pipeline is
# restarted from what its history committed. At the end the central
# history must hold, second by second, what one pipeline reading all three
# hosts' logs gives, except the cut-off host's requests of seconds that
# were final without it, which the merge counts as late for that source;
# and the same alert transitions on every second that the cut did not
# touch.
#
#   scripts/e2e-cluster.sh          needs root (ip netns), nginx and wrk;
#                                   nats-server is built from the Go module
#                                   proxy at a pinned version into
#                                   $HTTPMON_TEST_BIN when missing; with
#                                   CI=true the Debian packages are
#                                   installed when missing and nothing skips
#
# About 2 minutes: 80 s of load (150 requests a second per host, on each
# host's own loopback), a pause in it for the alert to resolve, then the
# wait for the last seconds to be committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin:/sbin:/usr/local/go/bin
nats_version=v2.15.2
bin_dir=${HTTPMON_TEST_BIN:-$(go env GOPATH)/bin}

skip() {
	if [ "${CI:-}" = true ]; then
		echo "e2e-cluster: FAIL: $*"
		exit 1
	fi
	echo "e2e-cluster: skipped: $*"
	exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root for ip netns (run as root, or under CI as root)"
need=()
for c in nginx wrk ip; do
	command -v "$c" >/dev/null || need+=("$c")
done
if [ ${#need[@]} -gt 0 ]; then
	[ "${CI:-}" = true ] || skip "missing: ${need[*]} (apt-get install nginx wrk iproute2)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends nginx wrk iproute2 >/dev/null
fi
nats_server=$bin_dir/nats-server
if ! [ -x "$nats_server" ] || ! "$nats_server" --version | grep -q "${nats_version#v}"; then
	echo "== building nats-server $nats_version into $bin_dir"
	GOBIN=$bin_dir GOFLAGS=-mod=mod go install "github.com/nats-io/nats-server/v2@$nats_version"
fi

work=$(mktemp -d /tmp/httpmon-e2e-cluster.XXXXXX)
bin=$work/bin
net=10.213.0
hosts=(web1 web2 web3)
cut=web2
rate=${LOAD_RATE:-150} # requests a second per host
interval=5
timeout=5  # --source-timeout, seconds
window=10  # the alert's window, seconds
threshold=$((rate * 5 / 2)) # req/s: three hosts' load is over it, two hosts' is not
rule="high_traffic: hits/s > $threshold over ${window}s"
pids=()

cleanup() {
	set +e
	for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done
	for h in "${hosts[@]}"; do
		[ -f "$work/$h/nginx.pid" ] && ip netns exec "hm-$h" nginx -p "$work/$h" -c "$work/$h/nginx.conf" -s stop 2>/dev/null
		ip netns pids "hm-$h" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "hm-$h" 2>/dev/null
		ip link del "hm-$h" 2>/dev/null
	done
	ip link del hm-br0 2>/dev/null
	wait 2>/dev/null
	if [ "${KEEP:-}" = "" ]; then rm -rf "$work"; else echo "e2e-cluster: kept $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What a killed earlier run left behind.
for h in "${hosts[@]}"; do
	ip netns pids "hm-$h" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del "hm-$h" 2>/dev/null || true
	ip link del "hm-$h" 2>/dev/null || true
done
ip link del hm-br0 2>/dev/null || true

(cd "$root" && go build -o "$bin/" ./cmd/...)
export PATH=$bin:$PATH

# The network: a bridge in the root namespace at .1, each host's veth on
# it, the host at .1N inside its namespace.
ip link add hm-br0 type bridge
ip addr add "$net.1/24" dev hm-br0
ip link set hm-br0 up
i=0
for h in "${hosts[@]}"; do
	i=$((i + 1))
	ip netns add "hm-$h"
	ip link add "hm-$h" type veth peer name eth0 netns "hm-$h"
	ip link set "hm-$h" master hm-br0 up
	ip -n "hm-$h" addr add "$net.1$i/24" dev eth0
	ip -n "hm-$h" link set eth0 up
	ip -n "hm-$h" link set lo up
done

# bg runs a command in a process group of its own, so that stopping it
# stops its whole pipeline.
bg() { # name command...
	local name=$1
	shift
	setsid "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err" &
	pids+=($!)
	eval "pid_$name=$!"
}
stop() { # name
	local p
	eval "p=\$pid_$1"
	kill -TERM -- "-$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

nats_start() {
	bg nats "$nats_server" -a "$net.1" -p 4222 -m 8222 -js -sd "$work/js" -l "$work/nats.log"
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/$net.1/4222") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "e2e-cluster: nats-server did not start"; cat "$work/nats.log"; exit 1
}
nats_start

# The central pipeline, into the history central.db, which it resumes
# from when restarted: the merge reads the history's committed checkpoint,
# and the alert stage the rules' states in it.
store=$work/central.db
central_runs=0
central_start() {
	central_runs=$((central_runs + 1))
	bg "central$central_runs" sh -c "httpmon-window --merge --interval ${interval}s --sources web1,web2,web3 \
		--source-timeout ${timeout}s --resume '$store' nats://$net.1:4222/HTTPMON |
		httpmon-alert --rule '$rule' |
		httpmon-report --db '$store' --listen 127.0.0.1:0"
}
central_stop() {
	stop "central$central_runs"
}
# committed prints the through of the history's committed checkpoint, or
# -1; the history is read as any reader does, while the report writes.
committed() {
	python3 - "$store" <<'EOF'
import sys, sqlite3, json
try:
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=5)
    row = db.execute("SELECT value FROM meta WHERE key LIKE 'checkpoint:%'").fetchone()
    print(json.loads(row[0]).get("through", -1) if row else -1)
except sqlite3.Error:
    print(-1)
EOF
}
# api_url prints the address the running central report serves on.
api_url() {
	sed -n 's|.*serving the web page on \(http://[^ ]*/\).*|\1|p' "$work/central$central_runs.err" | tail -1
}

# Each host: nginx on its loopback, its pipeline publishing to NATS.
for h in "${hosts[@]}"; do
	mkdir -p "$work/$h/logs" "$work/$h/tmp"
	user_line=""
	[ "$(id -u)" = 0 ] && user_line="user root root;"
	cat >"$work/$h/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $work/$h/nginx.pid;
error_log $work/$h/logs/error.log warn;
events { worker_connections 256; }
http {
	client_body_temp_path $work/$h/tmp;
	proxy_temp_path $work/$h/tmp;
	fastcgi_temp_path $work/$h/tmp;
	uwsgi_temp_path $work/$h/tmp;
	scgi_temp_path $work/$h/tmp;
	access_log $work/$h/logs/access.log combined;
	server {
		listen 127.0.0.1:8080;
		location /err/ { return 503; }
		location /    { return 200 "ok\n"; }
	}
}
EOF
	: >"$work/$h/logs/access.log"
	ip netns exec "hm-$h" nginx -p "$work/$h" -c "$work/$h/nginx.conf"
	bg "pipe_$h" ip netns exec "hm-$h" sh -c "httpmon-parse -f '$work/$h/logs/access.log' |
		httpmon-window --source $h --interval ${interval}s --publish nats://$net.1:4222/httpmon.$h"
done
for h in "${hosts[@]}"; do
	for _ in $(seq 50); do [ -s "$work/$h/nginx.pid" ] && break; sleep 0.1; done
done

cat >"$work/load.lua" <<EOF
local n = 0
local sections = { "/a/", "/b/", "/c/", "/a/", "/b/", "/a/", "/err/" }
function request()
	n = n + 1
	return wrk.format("GET", sections[n % #sections + 1] .. n)
end
function delay()
	return $((1000 / rate))
end
EOF
load() { # seconds: every host at once, in the background
	for h in "${hosts[@]}"; do
		ip netns exec "hm-$h" wrk -t 1 -c 1 -d "${1}s" -s "$work/load.lua" http://127.0.0.1:8080/ >>"$work/wrk.$h.txt" &
	done
}
t0=$(date +%s)
at() { # wait until second $1 of the run
	local now
	now=$(date +%s)
	# In the background and waited for, so that a signal's trap runs at
	# once rather than after the sleep.
	if [ $((t0 + $1)) -gt "$now" ]; then
		sleep $((t0 + $1 - now)) &
		wait $!
	fi
}

echo "== load: ${rate} req/s on each of ${hosts[*]}"
load 30
# The central pipeline starts once every host has published: a source it
# waits for (--sources) that sends nothing for --source-timeout is idle,
# and a host's first tick waits for its window's hold. It reads the stream
# from its start.
for _ in $(seq 200); do
	python3 -c '
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/jsz?streams=true", timeout=2))
n = max([s["state"].get("num_subjects", 0) for a in d.get("account_details", []) for s in a.get("stream_detail", [])], default=0)
sys.exit(0 if n >= int(sys.argv[2]) else 1)' "http://$net.1:8222" "${#hosts[@]}" 2>/dev/null && break
	sleep 0.1
done
central_start
echo "== central pipeline started at second $(($(date +%s) - t0))"
at 12
echo "== $cut cut off for $((timeout * 2))s (--source-timeout ${timeout}s)"
ip link set "hm-$cut" down
at $((12 + timeout * 2))
ip link set "hm-$cut" up
echo "== $cut back"
at 32
echo "== pause: the alert resolves"
at 44
load 36
at 52
echo "== NATS server restarted"
stop nats
nats_start
at 64
echo "== central pipeline restarted"
central_stop
central_start
at 82
echo "== load over; waiting for the last seconds to be committed"
last_request=$(python3 - "$work" "${hosts[@]}" <<'EOF'
import sys, re, datetime
work, hosts = sys.argv[1], sys.argv[2:]
last = 0
for h in hosts:
    for line in open(f"{work}/{h}/logs/access.log"):
        m = re.search(r'\[([^\]]+)\]', line)
        t = datetime.datetime.strptime(m.group(1), "%d/%b/%Y:%H:%M:%S %z").timestamp()
        last = max(last, int(t))
print(last)
EOF
)
wait_last() { [ "$(committed)" -ge "$last_request" ]; }
for _ in $(seq 120); do
	wait_last && break
	sleep 0.5
done
wait_last || { echo "e2e-cluster: FAIL: the central history did not commit the last second"; tail "$work"/central*.err; exit 1; }
for h in "${hosts[@]}"; do stop "pipe_$h"; done
# The central history, read from the running report's API as a user
# would, from well before the first request to after the last.
url=$(api_url)
[ -n "$url" ] || { echo "e2e-cluster: FAIL: the central report did not say where it serves"; cat "$work/central$central_runs.err"; exit 1; }
for k in ticks summaries alerts; do
	curl -fsS "${url}api/$k?from=$((t0 - 3600))&to=$((last_request + 1))" >"$work/central.$k.ndjson"
done
resumed=$(sed -n 's/.*resuming stream HTTPMON at sequence [0-9]*, after \([^ ]*\)$/\1/p' "$work"/central*.err)
central_stop

# The reference: one pipeline reading all three logs, in time order.
cat "$work"/web*/logs/access.log | sort -s -k4,4 >"$work/all.log"
httpmon-parse "$work/all.log" | httpmon-window --idle 0 --interval ${interval}s |
	httpmon-alert --rule "$rule" >"$work/one.ndjson"

echo "== compare"
python3 - "$work" "$resumed" "$cut" "$window" "${hosts[@]}" <<'EOF'
import sys, json, re, datetime, collections
work, resumed, cut, window, hosts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]

def records(path):
    for line in open(path, 'rb'):
        yield json.loads(line)

per_host = {h: collections.Counter() for h in hosts}
for h in hosts:
    for line in open(f"{work}/{h}/logs/access.log"):
        m = re.search(r'\[([^\]]+)\]', line)
        per_host[h][int(datetime.datetime.strptime(m.group(1), "%d/%b/%Y:%H:%M:%S %z").timestamp())] += 1

one = {r["ts"]: r["hits"] for r in records(f"{work}/one.ndjson") if r["kind"] == "tick"}
ticks, late, resumes = collections.Counter(), collections.Counter(), []
central = {}
alerts_c, alerts_1 = [], [(r["ts"], r["state"]) for r in records(f"{work}/one.ndjson") if r["kind"] == "alert"]
for name in ("ticks", "summaries", "alerts"):
    for r in records(f"{work}/central.{name}.ndjson"):
        k = r["kind"]
        if k == "tick" and "source" not in r:
            ticks[r["ts"]] += 1
            central[r["ts"]] = r["hits"]
        elif k == "summary" and "source" not in r:
            for s in r.get("late_sources", []):
                late[s["source"]] += s["late"]
        elif k == "alert":
            alerts_c.append((r["ts"], r["state"]))
for t in resumed.split():
    resumes.append(int(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()))

first, last = min(one), max(one)
doubled = [s for s in range(first, last + 1) if ticks[s] > 1]
missing = [s for s in range(first, last + 1) if ticks[s] == 0]
cut_seconds, mismatches = [], []
for s in range(first, last + 1):
    c, o = central.get(s, 0), one.get(s, 0)
    if c == o:
        continue
    if c == o - per_host[cut][s]:
        cut_seconds.append(s)  # final without the cut-off host
    else:
        mismatches.append((s, c, o))
lost_to_cut = sum(per_host[cut][s] for s in cut_seconds)

# Alert transitions: equal on every second that the cut did not touch
# (a second whose window holds a cut second). The central restart touches
# none: the alert stage resumes its rule's state from the checkpoint.
touched = set()
for s in cut_seconds:
    touched.update(range(s, s + window + 1))
# After the last request the central pipeline goes on with empty seconds,
# and its alert resolves; the single pipeline's input has ended there.
a_c = sorted(a for a in alerts_c if a[0] not in touched and first <= a[0] <= last)
a_1 = sorted(a for a in alerts_1 if a[0] not in touched and first <= a[0] <= last)

print("requests per host: " + ", ".join(f"{h} {sum(per_host[h].values())}" for h in hosts))
print(f"seconds compared: {last - first + 1} ({first}..{last}); stored twice: {len(doubled)}; missing: {len(missing)}")
print(f"seconds final without {cut}: {len(cut_seconds)}, its {lost_to_cut} requests; late per source in the merged summaries: " +
      (", ".join(f"{k} {v}" for k, v in sorted(late.items())) or "none"))
print(f"central restarts resumed after second(s): {resumes}")
print(f"alert transitions: {len(alerts_1)} in one pipeline, {len(alerts_c)} centrally; compared outside {len(touched)} touched seconds and up to the last request: {len(a_1)} and {len(a_c)}")
# The restart must fall while the rule fires, or its restored state is
# not what the comparison tests.
state_at = [st for ts, st in sorted(alerts_1) if resumes and ts <= resumes[0]]
firing_at_restart = bool(state_at) and state_at[-1] == "firing"
print(f"alert firing when the central pipeline restarted: {'yes' if firing_at_restart else 'no'}")
print(f"mismatches: {len(mismatches) + (a_c != a_1)}")
ok = True
if doubled or missing:
    print(f"FAIL: seconds stored twice {doubled[:10]}, missing {missing[:10]}"); ok = False
if mismatches:
    print(f"FAIL: seconds whose hits differ otherwise (second, central, one): {mismatches[:10]}"); ok = False
if late.get(cut, 0) != lost_to_cut or any(v for k, v in late.items() if k != cut):
    print(f"FAIL: late per source {dict(late)}, want {cut} {lost_to_cut} and none other"); ok = False
if not cut_seconds:
    print(f"FAIL: the cut did not make any second final without {cut}: it tested nothing"); ok = False
if len(resumes) != 1:
    print(f"FAIL: {len(resumes)} resumes of the central merge, want 1"); ok = False
if a_c != a_1:
    print(f"FAIL: alert transitions differ: central {a_c}, one pipeline {a_1}"); ok = False
if not firing_at_restart:
    print("FAIL: the alert was not firing at the central restart: the restored rule state was not tested"); ok = False
if not a_1:
    print("FAIL: no alert transition outside the touched seconds: the alert comparison tested nothing"); ok = False
sys.exit(0 if ok else 1)
EOF
echo "e2e-cluster: ok"
