package io.entroca.perf;

import io.entroca.store.eviction.EvictionPolicy;
import io.entroca.store.eviction.ThermodynamicPolicy;
import java.util.SplittableRandom;
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
 * The cost of eviction decisions, per operation, on one thread.
 *
 * <ul>
 *   <li>{@code policyHit}, {@code policyReplace}: the policy alone, as the store calls it: a hit
 *       ({@code onHit}), or a full replacement on a miss in a full cache ({@code onMiss},
 *       {@code selectVictim}, {@code admit}, {@code onEvict}, {@code onInsert}). {@code lru} is an
 *       array-linked exact LRU behind the same seam, for scale.
 * </ul>
 *
 * {@link EvictionCacheBenchmark} measures whole caches. Run both:
 * {@code ./entroca jmh Eviction -f 1 -wi 2 -i 5 -w 1s -r 2s -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EvictionBenchmark {
    private static final int CAPACITY = 100_000;
    private static final int MASK = (1 << 20) - 1;

    @Param({"thermo", "lru"})
    String policy;

    private EvictionPolicy seam;
    private long[] hashes;
    private int[] slots;
    private int i;

    @Setup(Level.Trial)
    public void fill() {
        seam = policy.equals("thermo") ? new ThermodynamicPolicy(CAPACITY) : new ArrayLru(CAPACITY);
        var random = new SplittableRandom(1);
        hashes = new long[MASK + 1];
        slots = new int[MASK + 1];
        for (int k = 0; k <= MASK; k++) {
            hashes[k] = random.nextLong();
            slots[k] = random.nextInt(CAPACITY);
        }
        for (int s = 0; s < CAPACITY; s++) {
            seam.onMiss(hashes[s & MASK]);
            seam.onInsert(s, hashes[s & MASK]);
        }
    }

    @Benchmark
    public void policyHit() {
        int k = i++ & MASK;
        seam.onHit(slots[k], hashes[k]);
    }

    @Benchmark
    public int policyReplace() {
        int k = i++ & MASK;
        long h = hashes[k];
        seam.onMiss(h);
        int victim = seam.selectVictim();
        if (seam.admit(h, victim)) {
            seam.onEvict(victim);
            seam.onInsert(victim, h);
        }
        return victim;
    }

    /** Exact LRU over slots with two int arrays of links: the usual 8 bytes per entry. */
    static final class ArrayLru implements EvictionPolicy {
        private final int[] prev;
        private final int[] next;
        private int head = -1;
        private int tail = -1;

        ArrayLru(int capacity) {
            prev = new int[capacity];
            next = new int[capacity];
        }

        private void unlink(int s) {
            int p = prev[s];
            int n = next[s];
            if (p >= 0) next[p] = n; else head = n;
            if (n >= 0) prev[n] = p; else tail = p;
        }

        private void pushHead(int s) {
            prev[s] = -1;
            next[s] = head;
            if (head >= 0) prev[head] = s;
            head = s;
            if (tail < 0) tail = s;
        }

        @Override public void onInsert(int slot, long hash) { pushHead(slot); }
        @Override public void onHit(int slot, long hash) { unlink(slot); pushHead(slot); }
        @Override public void onMiss(long hash) { }
        @Override public void onRemove(int slot) { unlink(slot); }
        @Override public int selectVictim() { return tail; }
        @Override public int selectVictim(int[] candidates, int count) { return 0; }
        @Override public void onEvict(int slot) { unlink(slot); }
        @Override public boolean admit(long newcomerHash, int victimSlot) { return true; }
    }
}
