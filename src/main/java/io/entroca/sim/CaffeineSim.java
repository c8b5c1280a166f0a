package io.entroca.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * W-TinyLFU as Caffeine itself implements it (adaptive window, count-min sketch, randomised
 * admission of warm candidates): a real Caffeine cache bounded by entry count, with maintenance
 * run on the calling thread so that every eviction happens before the next request.
 */
final class CaffeineSim implements SimPolicy {
    private final Cache<Long, Boolean> cache;

    CaffeineSim(int capacity) {
        cache = Caffeine.newBuilder()
                .maximumSize(capacity)
                .initialCapacity(capacity)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public boolean access(long key) {
        Long boxed = key;
        if (cache.getIfPresent(boxed) != null) {
            return true;
        }
        cache.put(boxed, Boolean.TRUE);
        return false;
    }

    @Override
    public int size() {
        cache.cleanUp();
        return (int) cache.estimatedSize();
    }
}
