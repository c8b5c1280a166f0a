package io.entroca.store.eviction;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The heat field: a count-min sketch of recent demand over the whole key space, resident or not.
 * Four 4-bit counters per key (conservative update, so only the lowest rise), packed sixteen to a
 * long. The field cools continuously: every few requests one word has all its counters halved, so
 * that each counter is halved once per {@code coolingPeriod} requests. That is TinyLFU's reset
 * spread out over time, so no request ever pays for a whole-table pass.
 *
 * <p>Size: one long (sixteen counters) per entry of capacity, i.e. 8 bytes per entry, or
 * {@code 8 / 2^shrink} bytes; at least 16 longs. Each of the four rows indexes the whole table, so
 * a lookup touches four cache lines. Putting a key's four counters in one 64-byte block (as
 * Caffeine's sketch does) made a replacement 40% cheaper but cost 0.9 points over the 28 cells
 * (loop@256 24.7 -> 11.5), so the rows stay independent.
 */
final class HeatField {
    private static final long[] SEEDS = {
        0x9E3779B97F4A7C15L, 0xC2B2AE3D27D4EB4FL, 0x165667B19E3779F9L, 0xD6E8FEB86659FD93L};
    private static final long HALF_MASK = 0x7777_7777_7777_7777L;

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG;

    private final MemorySegment table;
    private final int words;
    private final int coolEvery;
    private int coolHand;
    private int untilCool;

    /**
     * @param capacity entries in the cache
     * @param coolingPeriodFactor each counter halves once per this many capacities of requests
     * @param shrink 0 for one long per entry of capacity, 1 for half that, ...
     * @param memory zeroed, 8-byte aligned, {@link #bytes(int, int)} long
     */
    HeatField(int capacity, int coolingPeriodFactor, int shrink, MemorySegment memory) {
        words = words(capacity, shrink);
        table = memory;
        long period = (long) coolingPeriodFactor * Math.max(capacity, 16);
        coolEvery = (int) Math.max(1, period / words);
        untilCool = coolEvery;
    }

    private static int words(int capacity, int shrink) {
        return Math.max(16, capacity >> shrink);
    }

    /** Memory the field takes for a cache of {@code capacity} entries. */
    static long bytes(int capacity, int shrink) {
        return (long) words(capacity, shrink) * Long.BYTES;
    }

    private long word(int i) {
        return table.getAtIndex(WORD, i);
    }

    private void setWord(int i, long value) {
        table.setAtIndex(WORD, i, value);
    }

    /** A row's word for this hash: a multiply-shift of a remixed hash onto [0, words). */
    private static int index(long hash, int i, int words) {
        long h = (hash ^ SEEDS[i]) * SEEDS[(i + 1) & 3];
        h ^= h >>> 29;
        return (int) (((h & 0xffff_ffffL) * words) >>> 32);
    }

    private static int shift(long hash, int i) {
        // A nibble position per row, from bits of the hash the row index did not use.
        return (int) ((hash >>> (40 + 4 * i)) & 15) << 2;
    }

    /** The estimated number of recent requests for this hash, 0..15. */
    int estimate(long hash) {
        int min = 15;
        for (int i = 0; i < 4; i++) {
            int c = (int) (word(index(hash, i, words)) >>> shift(hash, i)) & 15;
            min = Math.min(min, c);
        }
        return min;
    }

    /**
     * Records one request for this hash and lets the field cool a little.
     *
     * @return the hash's estimate after this request, 0..15
     */
    int heat(long hash) {
        int i0 = index(hash, 0, words);
        int i1 = index(hash, 1, words);
        int i2 = index(hash, 2, words);
        int i3 = index(hash, 3, words);
        int s0 = shift(hash, 0);
        int s1 = shift(hash, 1);
        int s2 = shift(hash, 2);
        int s3 = shift(hash, 3);
        int c0 = (int) (word(i0) >>> s0) & 15;
        int c1 = (int) (word(i1) >>> s1) & 15;
        int c2 = (int) (word(i2) >>> s2) & 15;
        int c3 = (int) (word(i3) >>> s3) & 15;
        int min = Math.min(Math.min(c0, c1), Math.min(c2, c3));
        if (min < 15) {
            // Conservative update: only the counters at the minimum rise.
            if (c0 == min) setWord(i0, word(i0) + (1L << s0));
            if (c1 == min) setWord(i1, word(i1) + (1L << s1));
            if (c2 == min) setWord(i2, word(i2) + (1L << s2));
            if (c3 == min) setWord(i3, word(i3) + (1L << s3));
            min++;
        }
        if (--untilCool == 0) {
            untilCool = coolEvery;
            setWord(coolHand, (word(coolHand) >>> 1) & HALF_MASK);
            coolHand = coolHand + 1 == words ? 0 : coolHand + 1;
        }
        return min;
    }

    long bytes() {
        return (long) words * Long.BYTES;
    }
}
