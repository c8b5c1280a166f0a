package io.entroca.perf;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.entroca.sim.SlotTableSim;
import io.entroca.sim.Synthetic;
import io.entroca.store.eviction.ThermodynamicPolicy;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One request of a Zipf(0.9) stream over a million keys against a whole cache of 100,000 entries,
 * key index included: thermo through the simulator's slot table (an open-addressing long-to-int
 * map plus the policy), against Caffeine's {@code getIfPresent}/{@code put} with a same-thread
 * executor. A rough per-request cost, hits and misses mixed as the stream mixes them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EvictionCacheBenchmark {
    private static final int CAPACITY = 100_000;
    private static final int MASK = (1 << 20) - 1;

    @Param({"thermo", "caffeine"})
    String cache;

    private SlotTableSim thermo;
    private Cache<Long, Boolean> caffeine;
    private long[] keys;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        keys = Synthetic.zipf(1_000_000, 0.9, MASK + 1, 2);
        if (cache.equals("thermo")) {
            thermo = new SlotTableSim(CAPACITY, new ThermodynamicPolicy(CAPACITY));
        } else {
            caffeine = Caffeine.newBuilder().maximumSize(CAPACITY).initialCapacity(CAPACITY)
                    .executor(Runnable::run).build();
        }
        for (long k : keys) {
            request(k);
        }
    }

    private boolean request(long key) {
        if (thermo != null) {
            return thermo.access(key);
        }
        Long boxed = key;
        if (caffeine.getIfPresent(boxed) != null) {
            return true;
        }
        caffeine.put(boxed, Boolean.TRUE);
        return false;
    }

    @Benchmark
    public boolean cacheRequest() {
        return request(keys[i++ & MASK]);
    }
}
