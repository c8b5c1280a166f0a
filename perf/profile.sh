#!/usr/bin/env bash
# Where the time goes (issue 4): what one request costs each server in CPU, and, for Entroca,
# where that CPU goes and what it allocates, measured under ./entroca bench.
#
#   perf/profile.sh                    # about 3 minutes; prints a report, keeps the JFR files
#
# For each load point it runs the bench against Entroca, memcached and Redis (started as in
# perf/compare.sh: 2 ports / -t 2 / one Redis thread, 256 MiB each), once to prefill and warm up,
# then once measured (RUN long, no warm-up), reading the server process's CPU time from
# /proc/PID/stat before and after: CPU µs per request = server CPU / requests answered. For
# Entroca the measured run also has a JFR recording (settings=profile) started with jcmd on the
# server; the report prints its hottest methods (by execution samples), its allocation by class,
# and the bytes the server's threads allocated per request (jdk.ThreadAllocationStatistics).
# Everything it started is stopped on exit, by PID.
#
# Settings (environment): RUN=6s KEYS=100000 OUT=/tmp/entroca-profile ENTROCA_JAVA_OPTS (passed on).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RUN=${RUN:-6s}
KEYS=${KEYS:-100000}
OUT=${OUT:-/tmp/entroca-profile}
mkdir -p "$OUT"

die() { printf 'profile: %s\n' "$*" >&2; exit 2; }
command -v memcached >/dev/null && command -v redis-server >/dev/null || die "run perf/compare.sh once (it installs memcached and redis-server)"
command -v python3 >/dev/null || die "python3 is needed for the report"

./entroca build

pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=perf/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

entroca_port=$(free_port 17500)
ENTROCA_BASE_dash_PORT=$entroca_port ./entroca serve >"$OUT/entroca.log" 2>&1 &
entroca_pid=$!; pids+=("$entroca_pid")
memcached_port=$(free_port 21311)
mc_user=(); [ "$(id -u)" = 0 ] && mc_user=(-u nobody)
memcached "${mc_user[@]}" -l 127.0.0.1 -p "$memcached_port" -t 2 -m 256 -c 4096 >"$OUT/memcached.log" 2>&1 &
memcached_pid=$!; pids+=("$memcached_pid")
redis_port=$(free_port 26479)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --maxmemory 256mb \
    --maxmemory-policy allkeys-lru --daemonize no >"$OUT/redis.log" 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
wait_port "$entroca_port"; wait_port "$memcached_port"; wait_port "$redis_port"
sleep 1
# The JDK the launcher chose is the one running the server; its jcmd and jfr go with it.
java_home=$(dirname "$(dirname "$(readlink "/proc/$entroca_pid/exe")")")
[ -x "$java_home/bin/jcmd" ] || die "no jcmd beside the server's java ($java_home)"

hz=$(getconf CLK_TCK)
mhz=$(awk -F: '/cpu MHz/ {print $2; exit}' /proc/cpuinfo | tr -d ' ')
report="$OUT/report.txt"
echo "# perf/profile.sh $(date -u +%Y-%m-%dT%H%MZ) RUN=$RUN cpu_mhz=$mhz load=$(cut -d' ' -f1-3 /proc/loadavg)" >"$report"

for point in "1 1" "50 1" "16 16"; do
    read -r conns pipeline <<<"$point"
    for target in entroca memcached redis; do
        case $target in
            entroca) uri="entroca://127.0.0.1:$entroca_port" pid=$entroca_pid ;;
            memcached) uri="memcached://127.0.0.1:$memcached_port" pid=$memcached_pid ;;
            redis) uri="redis://127.0.0.1:$redis_port" pid=$redis_pid ;;
        esac
        common=(--target "$uri" --conns "$conns" --pipeline "$pipeline" --keys "$KEYS" --value-size 32 --gets 90)
        ./entroca bench "${common[@]}" --duration 2s --warmup 1s >/dev/null
        jfr="$OUT/entroca-${conns}x${pipeline}.jfr"
        if [ "$target" = entroca ]; then
            "$java_home/bin/jcmd" "$entroca_pid" JFR.start name=bench settings=profile filename="$jfr" >/dev/null
        fi
        before=$(cpu_ticks "$pid")
        line=$(./entroca bench "${common[@]}" --duration "$RUN" --warmup 0s --no-prefill | tail -1)
        after=$(cpu_ticks "$pid")
        if [ "$target" = entroca ]; then
            "$java_home/bin/jcmd" "$entroca_pid" JFR.stop name=bench >/dev/null
        fi
        echo "point conns=$conns pipeline=$pipeline $line server_cpu_ticks=$((after - before)) hz=$hz run=$RUN" | tee -a "$report"
    done
done

python3 - "$report" "$mhz" <<'EOF' | tee -a "$report"
import re, sys
mhz = float(sys.argv[2] or "nan")
print()
print("| load | server | ops/s | server CPU µs / request | ≈ cycles / request | server cores busy |")
print("|---|---|---:|---:|---:|---:|")
for line in open(sys.argv[1]):
    if not line.startswith("point "):
        continue
    f = dict(re.findall(r"(\w+)=(\S+)", line))
    run = float(f["run"].rstrip("s"))
    ops = float(f["ops_s"]) * run
    cpu_s = int(f["server_cpu_ticks"]) / int(f["hz"])
    us = cpu_s * 1e6 / ops if ops else float("nan")
    print(f"| {f['conns']} × {f['pipeline']} | {f['target']} | {float(f['ops_s']):,.0f} | {us:.2f} | {us * mhz:,.0f} | {cpu_s / run:.2f} |")
EOF

for jfr in "$OUT"/entroca-*.jfr; do
    echo
    echo "=== $(basename "$jfr"): hottest methods (execution samples, top frames)"
    "$java_home/bin/jfr" view --width 160 hot-methods "$jfr" | head -30
    echo "=== $(basename "$jfr"): allocation by class"
    "$java_home/bin/jfr" view --width 160 allocation-by-class "$jfr" | head -14
    echo "=== $(basename "$jfr"): bytes allocated by the server's threads during the run"
    "$java_home/bin/jfr" print --json --events jdk.ThreadAllocationStatistics "$jfr" >"$jfr.alloc.json"
    python3 - "$jfr.alloc.json" <<'EOF'
import json, sys
events = json.load(open(sys.argv[1]))["recording"]["events"]
per = {}
for e in events:
    v = e["values"]
    t = (v.get("thread") or {}).get("javaName") or str((v.get("thread") or {}).get("javaThreadId"))
    a = v["allocated"]
    lo, hi = per.get(t, (a, a))
    per[t] = (min(lo, a), max(hi, a))
rows = sorted(((hi - lo, t) for t, (lo, hi) in per.items()), reverse=True)
print(f"total {sum(r[0] for r in rows):,} bytes; by thread: " + ", ".join(f"{t} {b:,}" for b, t in rows[:6] if b))
EOF
done 2>&1 | tee -a "$report"
echo
echo "profile: report in $report, recordings in $OUT"
