package io.entroca.sim;

/**
 * A cache as the simulator sees it: one call per request, answering whether it hit. Misses are
 * always followed by whatever the policy does with the newcomer (admit it or not).
 */
public interface SimPolicy {

    /** Serves one request for a unit-size object; true if the key was resident. */
    default boolean access(long key) {
        return access(key, 1);
    }

    /**
     * Serves one request for an object of the given weight (1 when the cache counts entries, the
     * object's size when it counts bytes); true if the key was resident. An object heavier than
     * the whole cache is never stored.
     */
    boolean access(long key, int weight);

    /** Keys resident now (for invariants in tests). */
    int size();
}
