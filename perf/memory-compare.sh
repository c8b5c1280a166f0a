#!/usr/bin/env bash
# Memory efficiency side by side: a memcached and an Entroca with the same memory limit are each
# filled with the same keys and values (12-byte keys, values uniform in 16-1024 B, far more than
# fits), then asked what they hold. Prints, for each: items held, payload (key + value bytes
# held) divided by the limit, and the process's resident memory.
#
#   perf/memory-compare.sh [MEMORY_MB] [KEYS]      defaults: 256 and 1500000 (about 3x the budget)
#
# Everything runs on 127.0.0.1 on ports found free; the script stops what it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MEMORY_MB=${1:-256}
KEYS=${2:-1500000}
KEY_BYTES=12          # the bench's keys are "key:%08d"

die() { printf 'memory-compare: %s\n' "$*" >&2; exit 2; }

if ! command -v memcached >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "memcached is missing; install it (apt-get install memcached) or run this as root"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q memcached >/dev/null
fi

# shellcheck source=perf/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

pids=()
workdir=$(mktemp -d)
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$workdir"
}
trap cleanup EXIT

./entroca build

fill() { # target URI: every key is SET once (the bench's prefill), then a second of GETs
    ./entroca bench --target "$1" --keys "$KEYS" --value-size 16-1024 --conns 4 --pipeline 32 \
        --gets 100 --warmup 0s --duration 1s --seed 7 | tail -n 1
}

mc_port=$(free_port 21300)
memcached -u nobody -l 127.0.0.1 -p "$mc_port" -U 0 -m "$MEMORY_MB" -t 2 &
mc_pid=$!
pids+=("$mc_pid")
sleep 1
mc_result=$(fill "memcached://127.0.0.1:$mc_port")
mc_stats=$(exec 3<>"/dev/tcp/127.0.0.1/$mc_port"; printf 'stats\r\nquit\r\n' >&3; tr -d '\r' <&3)
mc_items=$(awk '$2 == "curr_items" { print $3 }' <<<"$mc_stats")
mc_bytes=$(awk '$2 == "bytes" { print $3 }' <<<"$mc_stats")
mc_rss=$(rss_mib "$mc_pid")
kill "$mc_pid"

entroca_run() { # TYPICAL_ENTRY_SIZE (0 = derived): serve, fill, and set e_items, e_payload, e_rss, e_result
    local e_port e_pid e_stats e_java
    e_port=$(free_port 21400)
    ENTROCA_BASE_dash_PORT=$e_port ENTROCA_ADMIN_dash_PORT=0 ENTROCA_MEMORY=${MEMORY_MB}MiB \
        ENTROCA_TYPICAL_dash_ENTRY_dash_SIZE=$1 ./entroca serve >"$workdir/entroca.log" 2>&1 &
    e_pid=$!
    pids+=("$e_pid")
    for _ in $(seq 100); do grep -q '^entroca ready' "$workdir/entroca.log" && break; sleep 0.2; done
    grep -q '^entroca ready' "$workdir/entroca.log" || die "Entroca did not start: $(cat "$workdir/entroca.log")"
    e_result=$(fill "entroca://127.0.0.1:$e_port")
    e_stats=$(./entroca cli --port "$e_port" stats)
    e_items=$(awk '$1 ~ /\.items$/ { n += $2 } END { print n }' <<<"$e_stats")
    e_payload=$(awk '$1 ~ /\.payload_bytes$/ { n += $2 } END { print n }' <<<"$e_stats")
    e_java=$(pgrep -P "$e_pid" java || echo "$e_pid")
    e_rss=$(rss_mib "$e_java")
    kill "$e_pid"
    wait "$e_pid" 2>/dev/null || true
}

limit=$((MEMORY_MB * 1024 * 1024))
echo
echo "Command: perf/memory-compare.sh $MEMORY_MB $KEYS ($(date -u +%Y-%m-%dT%H%MZ)); $KEYS keys of $KEY_BYTES B, values uniform 16-1024 B, each SET once"
echo
echo "| server | items held | item memory ÷ limit | RSS MiB | GET hit ratio after the fill |"
echo "|---|---:|---:|---:|---:|"
awk -v items="$mc_items" -v bytes="$mc_bytes" -v limit="$limit" -v rss="$mc_rss" -v r="$mc_result" \
    'BEGIN { match(r, /hit_ratio=[0-9.]+/); printf "| memcached (`-m %d -t 2`) | %d | %.2f (its `bytes`: items with their headers) | %d | %s |\n", limit/1048576, items, bytes / limit, rss, substr(r, RSTART + 10, RLENGTH - 10) }'
entroca_row() { # label
    awk -v items="$e_items" -v payload="$e_payload" -v limit="$limit" -v rss="$e_rss" -v r="$e_result" -v label="$1" \
        'BEGIN { match(r, /hit_ratio=[0-9.]+/); printf "| Entroca (2 ports, `memory: %dMiB`%s) | %d | %.2f (payload: keys and values only) | %d | %s |\n", limit/1048576, label, items, payload / limit, rss, substr(r, RSTART + 10, RLENGTH - 10) }'
}
entroca_run 0
entroca_row ""
# Told what an entry typically takes (a 12 B key and a 520 B value on average), the store sizes
# its index and eviction state for the entries that really fit.
entroca_run $((KEY_BYTES + 520))
entroca_row ", \`typical-entry-size: $((KEY_BYTES + 520))\`"
