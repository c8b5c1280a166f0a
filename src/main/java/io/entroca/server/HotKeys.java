package io.entroca.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys a port is asked for most, estimated with the Space-Saving algorithm (Metwally,
 * Agrawal and El Abbadi, 2005) over a sample of the port's requests. On one port, one hot key
 * means one hot owner thread, so this is what an operator looks at when a port is busier than
 * its siblings.
 *
 * <h2>Cost on the owner thread</h2>
 * Owner thread only, no locks, no allocation after construction:
 * <ul>
 *   <li>Every keyed request pays one decrement and one branch ({@link #maybeSample}).</li>
 *   <li>About one request in {@link #SAMPLE_MEAN} (a random gap, so periodic access patterns
 *       cannot hide from a fixed stride) is offered to the table: one pass over
 *       {@link #CAPACITY} slots looks for the hash and notes the smallest counter; a newcomer
 *       takes over that slot with that count plus one (its possible overestimate is kept as
 *       {@code error}), its key's bytes copied into the slot's preallocated array.</li>
 *   <li>Measured on the 2-core build VM while it was busy: about 4-5 ns per request on average
 *       (the throwaway harness's own loop included) when most sampled keys are new, the costly
 *       case; one in 8 cost 10-14 ns. The batch timing beside it costs about 40-80 ns per batch
 *       (two clock reads and a histogram update).</li>
 *   <li>Memory is fixed: {@code CAPACITY × (maxKeyLength + 28)} bytes, about 9 KiB.</li>
 * </ul>
 * Space-Saving guarantees that every key with more than {@code 1/CAPACITY} of the sampled
 * requests is in the table, and overestimates a count by at most its {@code error}.
 *
 * <p>{@link #decay} halves every count at each snapshot, so the table follows the recent
 * workload (a half-life of one snapshot interval) rather than all of history.
 */
final class HotKeys {
    static final int CAPACITY = 32;
    /** Mean gap between sampled requests. */
    static final int SAMPLE_MEAN = 32;

    private final long[] hashes = new long[CAPACITY];
    private final long[] counts = new long[CAPACITY];
    private final long[] errors = new long[CAPACITY];
    private final byte[][] keys;
    private final int[] keyLengths = new int[CAPACITY];
    private int size;
    private int countdown = 1;
    private long random = 0x9E3779B97F4A7C15L;
    /** Sampled requests, decayed like the counts, so a count over it is a share of the traffic. */
    private long sampled;

    /** A reported hot key: its bytes, its estimated share of the port's requests, and the error bound. */
    record HotKey(byte[] key, long count, long error, double share) {
    }

    HotKeys(int maxKeyLength) {
        this.keys = new byte[CAPACITY][maxKeyLength];
    }

    /** Called for every keyed request; does the real work for about one in {@link #SAMPLE_MEAN}. */
    void maybeSample(long hash, byte[] in, int keyOffset, int keyLength) {
        if (--countdown > 0) {
            return;
        }
        countdown = nextGap();
        offer(hash, in, keyOffset, keyLength);
    }

    /** Counts one occurrence of a key (no sampling): the Space-Saving update, in one pass over the table. */
    void offer(long hash, byte[] in, int keyOffset, int keyLength) {
        sampled++;
        int smallest = 0;
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash && keyLengths[i] == keyLength) {
                counts[i]++;
                return;
            }
            if (counts[i] < counts[smallest]) {
                smallest = i;
            }
        }
        int slot;
        long base = 0;
        if (size < CAPACITY) {
            slot = size++;
        } else {
            slot = smallest;
            base = counts[slot];
        }
        hashes[slot] = hash;
        counts[slot] = base + 1;
        errors[slot] = base;
        int length = Math.min(keyLength, keys[slot].length);
        System.arraycopy(in, keyOffset, keys[slot], 0, length);
        keyLengths[slot] = length;
    }

    /** A uniform gap in [1, 2 × SAMPLE_MEAN - 1] from a xorshift generator: a few instructions. */
    private int nextGap() {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return 1 + (int) ((x >>> 33) % (2 * SAMPLE_MEAN - 1));
    }

    /** The {@code limit} keys with the highest counts, highest first (this allocates: snapshots only). */
    List<HotKey> top(int limit) {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(counts[b], counts[a]));
        List<HotKey> top = new ArrayList<>(Math.min(limit, size));
        for (int i = 0; i < size && top.size() < limit; i++) {
            int slot = order[i];
            if (counts[slot] == 0) {
                break;
            }
            top.add(new HotKey(Arrays.copyOf(keys[slot], keyLengths[slot]), counts[slot], errors[slot],
                    sampled == 0 ? 0.0 : Math.min(1.0, (double) counts[slot] / sampled)));
        }
        return top;
    }

    /** Halves every count, and forgets keys whose count reaches zero. */
    void decay() {
        sampled >>>= 1;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long count = counts[i] >>> 1;
            if (count == 0) {
                continue;
            }
            if (kept != i) {
                hashes[kept] = hashes[i];
                byte[] spare = keys[kept];
                keys[kept] = keys[i];
                keys[i] = spare;
                keyLengths[kept] = keyLengths[i];
            }
            counts[kept] = count;
            errors[kept] = errors[i] >>> 1;
            kept++;
        }
        size = kept;
    }
}
