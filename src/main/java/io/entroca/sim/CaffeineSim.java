package io.entroca.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * W-TinyLFU as Caffeine itself implements it (adaptive window, count-min sketch, randomised
 * admission of warm candidates): a real Caffeine cache bounded by entry count, with maintenance
 * run on the calling thread so that every eviction happens before the next request.
 */
final class CaffeineSim implements SimPolicy {
    private final Cache<Long, Integer> cache;

    CaffeineSim(int capacity) {
        this(capacity, true);
    }

    /** @param presize whether to size the hash table up front (it also sizes the sketch early) */
    CaffeineSim(int capacity, boolean presize) {
        var builder = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run);
        if (presize) {
            builder.initialCapacity(capacity);
        }
        cache = builder.build();
    }

    /** A cache bounded by total weight (bytes), each entry weighing its object size. */
    CaffeineSim(long capacityBytes, int expectedEntries) {
        cache = Caffeine.newBuilder()
                .maximumWeight(capacityBytes)
                .<Long, Integer>weigher((k, v) -> v)
                .initialCapacity(expectedEntries)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public boolean access(long key, int weight) {
        Long boxed = key;
        if (cache.getIfPresent(boxed) != null) {
            return true;
        }
        cache.put(boxed, weight);
        return false;
    }

    @Override
    public int size() {
        cache.cleanUp();
        return (int) cache.estimatedSize();
    }
}
