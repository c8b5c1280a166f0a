package io.entroca.store.eviction;

import java.lang.foreign.MemorySegment;

/**
 * Decides which entry leaves when room is needed, and whether a newcomer deserves room at all.
 *
 * <p>The store names entries by <em>slot</em>: a dense number in {@code [0, capacity)} that it
 * assigns when an entry arrives and frees when the entry leaves. The policy keeps whatever it
 * needs per slot (a temperature, a reference bit) and may remember hashes of keys that are not
 * resident (a frequency sketch). A store makes its policy through a {@link Factory}, in memory
 * it sets aside from its own budget: eviction metadata counts against the memory limit and lives
 * off the Java heap, so the heap stays small whatever the limit. It never sees keys or values,
 * only the client's 64-bit hash.
 *
 * <p>Every method is called from the owner thread only. The simulator ({@code ./entroca sim})
 * drives the very same implementations through this interface, so a hit ratio measured there
 * is the hit ratio of the server's code.
 */
public interface EvictionPolicy {

    /**
     * Makes a store's policy in memory the store provides.
     *
     * @param <P> the policy made, so that a caller may read its state (a temperature histogram)
     */
    interface Factory<P extends EvictionPolicy> {
        /** Bytes the policy needs over this many slots: everything it keeps, per slot or not. */
        long bytes(int slots);

        /** A policy over {@code slots} slots whose state lives in {@code memory} (zeroed, 8-byte aligned). */
        P create(int slots, MemorySegment memory);
    }

    /** A new entry now lives in {@code slot}. */
    void onInsert(int slot, long hash);

    /** A lookup or an overwrite found the entry in {@code slot}. */
    void onHit(int slot, long hash);

    /** A lookup found no entry for this hash (demand for a key that is not resident). */
    void onMiss(long hash);

    /** The entry in {@code slot} left for a reason other than eviction (delete, expiry, flush). */
    void onRemove(int slot);

    /**
     * Chooses the entry to evict from the whole cache. The store then removes it, and tells the
     * policy with {@link #onEvict}.
     *
     * @return a slot that holds an entry; only called when at least one does
     */
    int selectVictim();

    /**
     * Chooses the entry to evict among a few candidates, for stores whose index can only make
     * room in one place (a full set-associative bucket).
     *
     * @return an index into {@code candidates}, below {@code count}
     */
    int selectVictim(int[] candidates, int count);

    /**
     * The entry in {@code slot} was evicted. A store may tell this late: the dynamic store evicts
     * a whole page's entries at once without finding their slots, and calls this for each when it
     * next meets the slot (until then the slot counts as holding an entry, and may be offered by
     * {@link #selectVictim()}; the store then calls this and asks again).
     */
    void onEvict(int slot);

    /**
     * Whether a newcomer should take the place of {@code victimSlot}. Answering false keeps the
     * victim and drops the newcomer, which is how a policy resists scans.
     */
    boolean admit(long newcomerHash, int victimSlot);
}
