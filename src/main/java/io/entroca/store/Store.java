package io.entroca.store;

/**
 * One port's key-value store: bytes under keys, bounded by a memory budget, with versions and
 * expiry. The server hands each owner thread exactly one store, so <b>every method is called
 * from the owner thread only</b>; implementations use plain fields and no locks.
 *
 * <p>Keys arrive with the 64-bit hash the client computed. A store indexes by that hash and
 * still compares the whole key, so a wrong hash can only cost its sender a miss.
 *
 * <p>Reads are two-step so that nothing is allocated: {@link #find} returns a reference to the
 * entry, and {@link #valueLength}, {@link #version} and {@link #copyValue} read through it. A
 * reference stays valid until the next call that changes the store (set, delete, touch, flush,
 * sweep).
 *
 * <p>Results that can fail are numbers: a non-negative result is the answer, a negative one is
 * one of the {@link Outcome} codes.
 */
public interface Store extends AutoCloseable {

    /** Sets the time every following operation sees, in milliseconds since an arbitrary origin. */
    void tick(long nowMs);

    /**
     * Finds the live entry for a key.
     *
     * @return a reference for the read methods, or {@link Outcome#NOT_FOUND}; a hit heats the
     *     entry and counts as a hit, a miss counts as a miss
     */
    long find(long hash, byte[] key, int keyOffset, int keyLength);

    int valueLength(long entry);

    long version(long entry);

    void copyValue(long entry, byte[] destination, int offset);

    /**
     * Stores a value under a key if the condition holds.
     *
     * @param condition one of the {@link SetCondition} codes
     * @param expectedVersion compared with the entry's version under {@link SetCondition#IF_VERSION}
     * @param ttlMs time to live, 0 for an entry that never expires
     * @return the entry's new version (positive), or {@link Outcome#EXISTS},
     *     {@link Outcome#NOT_FOUND}, {@link Outcome#VERSION_MISMATCH}, {@link Outcome#TOO_LARGE},
     *     {@link Outcome#OUT_OF_MEMORY}
     */
    long set(long hash, byte[] key, int keyOffset, int keyLength,
             byte[] value, int valueOffset, int valueLength,
             int condition, long expectedVersion, long ttlMs);

    /**
     * Removes a key.
     *
     * @param expectedVersion 0 to remove whatever is there, otherwise remove only that version
     * @return {@link Outcome#OK}, {@link Outcome#NOT_FOUND} or {@link Outcome#VERSION_MISMATCH}
     */
    int delete(long hash, byte[] key, int keyOffset, int keyLength, long expectedVersion);

    /**
     * Gives a live entry a new time to live.
     *
     * @return the entry's version, or {@link Outcome#NOT_FOUND}
     */
    long touch(long hash, byte[] key, int keyOffset, int keyLength, long ttlMs);

    /** Removes every entry. */
    void flush();

    /**
     * Reclaims expired entries, looking at no more than {@code budget} of them, so the owner can
     * call it between requests without a pause.
     *
     * @return how many entries it examined; 0 means there is nothing left to look at for now
     */
    int sweepExpired(int budget);

    /** The store's counters, updated in place; read them on the owner thread. */
    StoreStats stats();

    /** Gives the memory back. */
    @Override
    void close();
}
