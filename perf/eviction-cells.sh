#!/usr/bin/env bash
# Runs the 28 trace-by-size cells of the eviction issue for every policy and writes the table
# that docs/eviction.md quotes, plus one plot per trace. Randomised policies (thermo, wtinylfu)
# are averaged over 3 runs. Takes a few minutes on 2 cores.
#
#   perf/eviction-cells.sh [TRACES_DIR]      (default ../shared/traces next to the repository)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
traces=${1:-$root/../shared/traces}
out=$root/docs/eviction-cells.md
cd "$root"
./entroca build
export ENTROCA_JAVA_OPTS="${ENTROCA_JAVA_OPTS:-} -Xmx6g --sun-misc-unsafe-memory-access=allow"
./entroca sim --cells all --traces-dir "$traces" --runs 3 --threads 2 \
    --policies thermo,wtinylfu,s3fifo,lru,sieve,opt | tee "$out"
# The traces never used to choose thermo's constants, as a check against tuning to the 28.
./entroca sim --cells holdout --traces-dir "$traces" --runs 3 --threads 2 \
    --policies thermo,wtinylfu,s3fifo,lru,sieve,opt | tee "$root/docs/eviction-holdout.md"
# Byte-bounded caches on the one trace with object sizes (OPT has no byte mode).
./entroca sim --trace "$traces/libcachesim/cloudPhysicsIO.oracleGeneral.bin" --bytes --runs 3 \
    --sizes 16000000,64000000,256000000,1024000000 --policies thermo,wtinylfu,s3fifo,lru,sieve \
    > "$root/docs/eviction-bytes.md"
# Hit ratio against size, one plot per trace family shown in the docs.
./entroca sim --trace "$traces/arc/OLTP.lis.zst" --sizes 250,500,1000,2000,4000,8000 --runs 3 \
    --policies thermo,wtinylfu,s3fifo,lru,sieve,opt --plot docs/eviction-oltp.png > docs/eviction-oltp.md
./entroca sim --trace "$traces/lirs/multi2.trace.gz" --sizes 250,500,1000,2000,3000,4000 --runs 3 \
    --policies thermo,wtinylfu,s3fifo,lru,sieve,opt --plot docs/eviction-multi2.png > docs/eviction-multi2.md
./entroca sim --trace "$traces/cache2k/web12.trace.xz" --sizes 300,1000,3000,6000 --runs 3 \
    --policies thermo,wtinylfu,s3fifo,lru,sieve,opt --plot docs/eviction-web12.png > docs/eviction-web12.md
