#!/usr/bin/env bash
# Entroca side by side with memcached and Redis (issue 4): the same load generator
# (./entroca bench), the same machine, the same run, the servers taking turns point by point.
#
#   perf/compare.sh                 # the full matrix, about 13 minutes; writes docs/results.md
#   QUICK=1 perf/compare.sh         # one repeat of a few points, to try the script (not written)
#
# What it does:
#   1. installs memcached and redis-server from Debian's packages if they are missing (root);
#   2. starts the three on 127.0.0.1, on ports it checked are free, with matching resources:
#      Entroca 2 ports (its default), memcached -t 2 (one worker per Entroca port), Redis (one
#      thread, as shipped); 256 MiB for each (Entroca's default memory, memcached -m 256, Redis
#      maxmemory 256mb with allkeys-lru);
#   3. runs every point of the matrix against each server in turn, REPEATS times (the order of the
#      servers rotates between repeats), each run WARMUP then DURATION, closed loop, 1 load thread;
#   4. prints the medians with Entroca / peer ratios and, unless QUICK, replaces the table between
#      the compare markers in docs/results.md; the raw RESULT lines go to perf/results/.
# Everything it started is stopped on exit, by PID, whatever happens.
#
# Settings (environment): DURATION=1.5s WARMUP=0.5s REPEATS=3 KEYS=100000 THREADS=1.
# The short runs are what fits the matrix (24 points x 3 servers x 3 repeats) in 15 minutes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

DURATION=${DURATION:-1.5s}
WARMUP=${WARMUP:-0.5s}
REPEATS=${REPEATS:-3}
KEYS=${KEYS:-100000}
THREADS=${THREADS:-1}
QUICK=${QUICK:-0}
MEMORY_MB=256

die() { printf 'compare: %s\n' "$*" >&2; exit 2; }

command -v python3 >/dev/null 2>&1 || die "python3 is needed for the table (Debian: apt-get install python3)"

# ---- 1. the peers ------------------------------------------------------------------------
if ! command -v memcached >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "memcached or redis-server is missing; install them (apt-get install memcached redis-server) or run this as root"
    echo "compare: installing memcached and redis-server from the Debian packages" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q memcached redis-server >/dev/null
fi
mc_version=$(memcached -V | awk '{print $2}')
redis_version=$(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')

# ---- 2. start the three ------------------------------------------------------------------
pids=()
workdir=$(mktemp -d /tmp/entroca-compare.XXXXXX)
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=perf/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

./entroca build
entroca_port=$(free_port 17400)
ENTROCA_BASE_dash_PORT=$entroca_port ENTROCA_ADMIN_dash_PORT=0 ENTROCA_MEMORY=${MEMORY_MB}MiB ./entroca serve >"$workdir/entroca.log" 2>&1 &
pids+=($!)
memcached_port=$(free_port 21211)
mc_user=(); [ "$(id -u)" = 0 ] && mc_user=(-u nobody)
memcached "${mc_user[@]}" -l 127.0.0.1 -p "$memcached_port" -t 2 -m "$MEMORY_MB" -c 4096 >"$workdir/memcached.log" 2>&1 &
pids+=($!)
redis_port=$(free_port 26379)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --maxmemory "${MEMORY_MB}mb" \
    --maxmemory-policy allkeys-lru --daemonize no >"$workdir/redis.log" 2>&1 &
pids+=($!)
wait_port "$entroca_port"; wait_port $((entroca_port + 1)); wait_port "$memcached_port"; wait_port "$redis_port"
grep -q "entroca ready" "$workdir/entroca.log" || { sleep 1; grep -q "entroca ready" "$workdir/entroca.log" || die "entroca did not start: $(cat "$workdir/entroca.log")"; }

targets=("entroca://127.0.0.1:$entroca_port" "memcached://127.0.0.1:$memcached_port" "redis://127.0.0.1:$redis_port")

# ---- 3. the matrix -----------------------------------------------------------------------
# conns pipeline gets% values
points=()
for values in 32 16-1024; do
    for gets in 90 10; do
        for pipeline in 1 16; do
            for conns in 1 16 50; do
                points+=("$conns $pipeline $gets $values")
            done
        done
    done
done
if [ "$QUICK" = 1 ]; then
    points=("1 1 90 32" "50 1 90 32" "16 16 90 32" "50 16 10 16-1024")
    REPEATS=1
fi

mkdir -p perf/results
stamp=$(date -u +%Y-%m-%dT%H%MZ)
load_start=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
raw="perf/results/compare-$stamp.txt"
{
    echo "# perf/compare.sh $stamp host=$(hostname) cpus=$(nproc) memcached=$mc_version redis=$redis_version"
    echo "# DURATION=$DURATION WARMUP=$WARMUP REPEATS=$REPEATS KEYS=$KEYS THREADS=$THREADS load=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$raw"
total=$(( ${#points[@]} * 3 * REPEATS ))
n=0
started=$(date +%s)
for repeat in $(seq 1 "$REPEATS"); do
    for point in "${points[@]}"; do
        read -r conns pipeline gets values <<<"$point"
        for k in 0 1 2; do
            target=${targets[$(( (k + repeat - 1) % 3 ))]}
            n=$((n + 1))
            line=$(./entroca bench --target "$target" --conns "$conns" --pipeline "$pipeline" --threads "$THREADS" \
                --duration "$DURATION" --warmup "$WARMUP" --keys "$KEYS" --value-size "$values" --gets "$gets" \
                2>>"$workdir/bench.err" | tail -1) || line="RESULT target=${target%%:*} ops_s=0 failed=1"
            echo "point conns=$conns pipeline=$pipeline gets=$gets values=$values repeat=$repeat $line" >>"$raw"
            printf '[%3d/%d %4ds] %-2s x %-2s gets=%-2s values=%-7s %s\n' "$n" "$total" $(( $(date +%s) - started )) \
                "$conns" "$pipeline" "$gets" "$values" "$line"
        done
    done
done

# ---- 4. the table ------------------------------------------------------------------------
table=$(python3 - "$raw" <<'EOF'
import re, statistics, sys
rows = {}
order = []
for line in open(sys.argv[1]):
    if not line.startswith("point "):
        continue
    f = dict(re.findall(r"(\w+)=(\S+)", line))
    key = (int(f["conns"]), int(f["pipeline"]), int(f["gets"]), f["values"])
    if key not in rows:
        rows[key] = {}
        order.append(key)
    rows[key].setdefault(f["target"], []).append(f)

def med(runs, field):
    values = [float(r.get(field, "nan")) for r in runs if float(r.get("ops_s", 0)) > 0]
    return statistics.median(values) if values else float("nan")

def kops(x):
    return "–" if x != x else f"{x/1000:,.0f}k" if x >= 10000 else f"{x/1000:,.1f}k"

def us(x):
    return "–" if x != x else f"{x:,.0f}" if x >= 100 else f"{x:.1f}"

print("| conns × pipeline | GET % | value B | Entroca ops/s | memcached | Redis | E ÷ mc | E ÷ Redis | p99.9 µs E / mc / R | errors |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
ratios = []
for key in sorted(order, key=lambda k: (k[3] != "32", -k[2], k[1], k[0])):
    conns, pipeline, gets, values = key
    r = rows[key]
    e, m, d = (r.get(t, []) for t in ("entroca", "memcached", "redis"))
    eo, mo, do = med(e, "ops_s"), med(m, "ops_s"), med(d, "ops_s")
    errors = sum(int(x.get("errors", 0)) for runs in (e, m, d) for x in runs)
    rm, rd = eo / mo if mo else float("nan"), eo / do if do else float("nan")
    ratios.append((rm, rd, eo / max(mo, do)))
    print(f"| {conns} × {pipeline} | {gets} | {values} | {kops(eo)} | {kops(mo)} | {kops(do)} | {rm:.2f} | {rd:.2f} "
          f"| {us(med(e, 'p999_us'))} / {us(med(m, 'p999_us'))} / {us(med(d, 'p999_us'))} | {errors} |")
good = [x for x in ratios if x[2] == x[2]]
if good:
    geo = lambda xs: statistics.geometric_mean([x for x in xs if x == x and x > 0])
    print()
    print(f"Geometric mean of the ratios: Entroca ÷ memcached {geo([x[0] for x in good]):.2f}, "
          f"Entroca ÷ Redis {geo([x[1] for x in good]):.2f}; points where Entroca is at or above the better peer: "
          f"{sum(1 for x in good if x[2] >= 1.0)} of {len(good)}.")
EOF
)
elapsed=$(( $(date +%s) - started ))
echo
echo "$table"
echo
echo "compare: $n runs in ${elapsed}s; raw results in $raw"

if [ "$QUICK" != 1 ]; then
    section=$(cat <<EOF
<!-- compare:begin (written by perf/compare.sh; edits between the markers are replaced) -->
Command: \`perf/compare.sh\` (run $stamp, ${elapsed} s; raw RESULT lines in \`$raw\`).
Entroca $(git rev-parse --short HEAD) (2 ports, 256 MiB), memcached $mc_version (\`-t 2 -m 256\`, meta protocol),
Redis $redis_version (\`maxmemory 256mb\`, \`allkeys-lru\`, RESP2), all on 127.0.0.1. Load: \`./entroca bench\`,
closed loop, $THREADS load thread, $KEYS keys (uniform, prefilled), $WARMUP warm-up + $DURATION measured per run,
median of $REPEATS runs, the servers taking turns at every point. Load average (1/5/15 min) at the
start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/') (2 cores, shared with the load generator).

$table
<!-- compare:end -->
EOF
)
    python3 - docs/results.md "$section" <<'EOF'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- compare:begin.*?<!-- compare:end -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda m: section, text)
else:
    text = text.rstrip("\n") + "\n\n## Entroca, memcached and Redis side by side (issue 4)\n\n" + section + "\n"
open(path, "w").write(text)
EOF
    echo "compare: table written to docs/results.md"
fi
