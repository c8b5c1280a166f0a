package io.entroca.store;

/**
 * A store's counters. The store writes them on its owner thread; anything that wants them from
 * another thread asks the owner for a copy ({@link #copyTo}), it never reads them directly.
 */
public final class StoreStats {
    /** Live entries (expired ones not yet reclaimed are counted until they are). */
    public long items;
    /** Bytes of keys and values held, the payload users asked to store. */
    public long payloadBytes;
    /** Bytes the store has handed out to hold entries, metadata and rounding included. */
    public long allocatedBytes;
    /** The memory budget: what the store may hand out at most. */
    public long capacityBytes;
    public long hits;
    public long misses;
    public long sets;
    public long deletes;
    public long evictions;
    public long expirations;
    /** Bytes of off-heap memory the store took at start: exactly its budget. */
    public long arenaBytes;
    /** Sets the eviction policy refused to admit (reported as stored, then evicted at once). */
    public long rejections;
    /** Times a whole page was emptied by eviction so another size class could have it. */
    public long pageReclaims;

    public void copyTo(StoreStats other) {
        other.items = items;
        other.payloadBytes = payloadBytes;
        other.allocatedBytes = allocatedBytes;
        other.capacityBytes = capacityBytes;
        other.hits = hits;
        other.misses = misses;
        other.sets = sets;
        other.deletes = deletes;
        other.evictions = evictions;
        other.expirations = expirations;
        other.arenaBytes = arenaBytes;
        other.rejections = rejections;
        other.pageReclaims = pageReclaims;
    }

    /** Allocated bytes per payload byte: 1.0 would mean no metadata and no rounding at all. */
    public double fragmentation() {
        return payloadBytes == 0 ? 0.0 : (double) allocatedBytes / payloadBytes;
    }
}
