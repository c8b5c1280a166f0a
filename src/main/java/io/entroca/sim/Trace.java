package io.entroca.sim;

/**
 * A whole access trace in memory: one key per request, and optionally one size per request
 * (only formats that carry sizes have them). Loading it once lets every policy and every cache
 * size replay exactly the same requests, and lets OPT look ahead.
 *
 * @param name a short label for tables and plots
 * @param keys the requested keys, in order
 * @param sizes the object size of each request in bytes, or {@code null} for unit-size traces
 */
public record Trace(String name, long[] keys, int[] sizes) {

    public int length() {
        return keys.length;
    }

    /** The number of distinct keys (an infinite cache misses exactly these). */
    public int uniqueKeys() {
        var seen = new org.eclipse.collections.impl.set.mutable.primitive.LongHashSet(keys.length / 4 + 16);
        for (long k : keys) {
            seen.add(k);
        }
        return seen.size();
    }

    /** A growable array of longs, for readers that do not know the length up front. */
    static final class LongBuffer {
        long[] data = new long[1 << 16];
        int size;

        void add(long v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
