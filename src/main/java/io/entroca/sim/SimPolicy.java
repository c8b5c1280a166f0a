package io.entroca.sim;

/**
 * A cache as the simulator sees it: one call per request, answering whether it hit. Misses are
 * always followed by whatever the policy does with the newcomer (admit it or not).
 */
public interface SimPolicy {

    /** Serves one request; true if the key was resident. */
    boolean access(long key);

    /** Keys resident now (for invariants in tests). */
    int size();
}
