package io.entroca.store;

import io.entroca.store.eviction.ClockPolicy;
import io.entroca.store.eviction.EvictionPolicy;
import io.entroca.store.offheap.DynamicStore;
import io.entroca.store.offheap.FixedStore;

/**
 * Opens the store a configuration calls for. Call it <b>on the owner thread</b>: the store takes
 * its memory from a confined arena, which only the thread that made it may touch.
 */
public final class Stores {
    private Stores() {
    }

    /** The right store for {@code config}, with CLOCK eviction. */
    public static Store open(StoreConfig config) {
        return open(config, ClockPolicy.FACTORY);
    }

    /**
     * The right store for {@code config}: the inline {@link FixedStore} when a key or value
     * length is fixed and the other side is at most {@value #INLINE_VARIABLE_LIMIT} bytes (so a
     * record sized for the maximum wastes little), otherwise the {@link DynamicStore} with an
     * index sized by {@link #expectedItemBytes}.
     *
     * @param policies makes the eviction policy for a number of slots, in memory from the budget
     */
    public static Store open(StoreConfig config, EvictionPolicy.Factory<?> policies) {
        int typical = config.typicalEntryBytes();
        return open(config, policies, typical > 0 ? header(config) + typical : 0);
    }

    /**
     * As {@link #open(StoreConfig, EvictionPolicy.Factory)}, with a hint for the dynamic store's index: the
     * average bytes one entry takes (key + value + 8 B header, 16 B with TTL), or 0 to derive
     * it from the configuration. The index cannot grow, so it is sized once for
     * {@code memoryBytes / expectedItemBytes} entries at 80% load: too small a hint wastes up to
     * {@code 8 / (0.8 * hint)} of the budget on empty cells; too large a hint leaves memory idle
     * while buckets evict.
     */
    public static Store open(StoreConfig config, EvictionPolicy.Factory<?> policies, int expectedItemBytes) {
        if (expectedItemBytes < 0) {
            throw new IllegalArgumentException("expectedItemBytes must not be negative: " + expectedItemBytes);
        }
        if (inline(config)) {
            return new FixedStore(config, policies);
        }
        int item = expectedItemBytes > 0 ? expectedItemBytes : expectedItemBytes(config);
        return new DynamicStore(config, policies, Math.clamp(item * 4L / 5, 32, 1 << 16));
    }

    /**
     * The longest value the store for {@code config} accepts whatever the key: what the server
     * announces in its handshake, so that a client never sends a value the store would refuse.
     */
    public static int largestValue(StoreConfig config) {
        return inline(config) ? config.maxValueLength() : DynamicStore.largestValue(config);
    }

    /** A variable side at most this long still goes inline when the other side is fixed. */
    public static final int INLINE_VARIABLE_LIMIT = 64;

    static boolean inline(StoreConfig config) {
        if (config.fixedKeys() && config.fixedValues()) {
            return true;
        }
        if (config.fixedKeys()) {
            return config.maxValueLength() <= INLINE_VARIABLE_LIMIT;
        }
        if (config.fixedValues()) {
            return config.maxKeyLength() <= INLINE_VARIABLE_LIMIT;
        }
        return false;
    }

    /**
     * What an entry is assumed to take when nothing better is known: the header plus the fixed
     * lengths where declared; otherwise a 32 B key and a value of at most 96 B. Caches mostly hold
     * small values, and an index sized for small entries costs at most 8.3% of the budget with
     * larger ones, while one sized for large entries would leave memory idle with small ones.
     */
    static int expectedItemBytes(StoreConfig config) {
        int key = config.fixedKeys() ? config.fixedKeyLength() : Math.min(config.maxKeyLength(), 32);
        int value = config.fixedValues() ? config.fixedValueLength() : Math.min(config.maxValueLength(), 96);
        return header(config) + key + value;
    }

    private static int header(StoreConfig config) {
        return DynamicStore.headerBytes(config);
    }
}
