package io.entroca.store;

import io.entroca.store.eviction.ClockPolicy;
import io.entroca.store.eviction.EvictionPolicy;
import io.entroca.store.offheap.DynamicStore;
import io.entroca.store.offheap.FixedStore;
import java.util.function.IntFunction;

/**
 * Opens the store a configuration calls for. Call it <b>on the owner thread</b>: the store takes
 * its memory from a confined arena, which only the thread that made it may touch.
 */
public final class Stores {
    private Stores() {
    }

    /** The right store for {@code config}, with CLOCK eviction. */
    public static Store open(StoreConfig config) {
        return open(config, ClockPolicy::new);
    }

    /**
     * The right store for {@code config}: the inline {@link FixedStore} when a key or value
     * length is fixed and the other side is at most {@value #INLINE_VARIABLE_LIMIT} bytes (so a
     * record sized for the maximum wastes little), otherwise the {@link DynamicStore}.
     *
     * @param policies makes the eviction policy for a number of slots
     */
    public static Store open(StoreConfig config, IntFunction<EvictionPolicy> policies) {
        if (inline(config)) {
            return new FixedStore(config, policies);
        }
        return new DynamicStore(config, policies, bytesPerIndexCell(config));
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
     * Sizes the dynamic index from what the configuration says about entry sizes: a cell per
     * expected entry at 80% load, never denser than one per 64 B or sparser than one per 1 KiB.
     */
    static int bytesPerIndexCell(StoreConfig config) {
        int key = config.fixedKeys() ? config.fixedKeyLength() : Math.min(config.maxKeyLength(), 32);
        int value = config.fixedValues() ? config.fixedValueLength() : Math.min(config.maxValueLength(), 160);
        int entry = (config.ttlEnabled() ? 24 : 16) + key + value;
        return Math.clamp(entry * 4L / 5, 64, 1024);
    }
}
