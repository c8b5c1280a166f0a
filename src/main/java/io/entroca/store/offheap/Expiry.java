package io.entroca.store.offheap;

import io.entroca.store.StoreConfig;

/**
 * A store's clock and its rules for time to live, shared by both stores so that an entry expires
 * the same way whatever its layout: deadlines are rounded up to the configured resolution, an
 * entry is dead from its deadline on, and an incremental sweep reclaims dead entries without
 * traffic. The sweep visits every slot once per pass, notes the earliest deadline it saw, and
 * then does nothing (at no cost) until that deadline, or an earlier one set since the pass
 * began, can have passed.
 *
 * <p>Deadlines are in milliseconds of the store's clock; 0 means never. Owner thread only.
 */
final class Expiry {

    /** How the sweep sees a store's slots; each store reads deadlines in its own layout. */
    interface Slots {
        /** The deadline of the entry in {@code slot}: 0 when it has none or the slot is empty. */
        long deadline(int slot);

        /** Removes the entry in {@code slot}, whose deadline has passed. */
        void expire(int slot);
    }

    private final boolean enabled;
    private final long resolution;
    private long now;

    private int cursor;
    private long gate = Long.MAX_VALUE;
    private long passMin = Long.MAX_VALUE;
    private long pendingMin = Long.MAX_VALUE;

    Expiry(StoreConfig config) {
        this.enabled = config.ttlEnabled();
        this.resolution = Math.max(1, config.ttlResolutionMs());
    }

    /** Moves the clock forward; a clock that goes back is ignored. */
    void tick(long nowMs) {
        if (nowMs < 0) {
            throw new IllegalArgumentException("time must not be negative: " + nowMs);
        }
        if (nowMs > now) {
            now = nowMs;
        }
    }

    /** 0 = never, -1 = already dead, else the first ms at which the entry is dead. */
    long deadlineFor(long ttlMs) {
        if (!enabled || ttlMs == 0) {
            return 0;
        }
        if (ttlMs < 0) {
            return -1;
        }
        if (ttlMs > Long.MAX_VALUE - now - resolution) {
            return 0; // beyond any clock: never
        }
        return Math.ceilDiv(now + ttlMs, resolution) * resolution;
    }

    /** Whether an entry with this deadline is dead now. */
    boolean passed(long deadline) {
        return deadline != 0 && now >= deadline;
    }

    /** A deadline was just stored: the sweep must wake for it even in the middle of a pass. */
    void stored(long deadline) {
        if (deadline > 0) {
            pendingMin = Math.min(pendingMin, deadline);
            gate = Math.min(gate, deadline);
        }
    }

    /** The store was emptied: no deadline is pending. */
    void reset() {
        cursor = 0;
        gate = passMin = pendingMin = Long.MAX_VALUE;
    }

    /**
     * Visits at most {@code budget} of the store's {@code slotCount} slots from where the last
     * call stopped, expiring the dead entries.
     *
     * @return the slots visited; 0 when nothing can have expired yet
     */
    int sweep(int budget, int slotCount, Slots slots) {
        if (!enabled || budget <= 0 || now < gate) {
            return 0;
        }
        int visited = 0;
        while (visited < budget) {
            long deadline = slots.deadline(cursor);
            if (deadline != 0) {
                if (now >= deadline) {
                    slots.expire(cursor);
                } else if (deadline < passMin) {
                    passMin = deadline;
                }
            }
            visited++;
            if (++cursor == slotCount) {
                // A whole pass done: nothing can expire before the earliest deadline it saw, or
                // one stored since the pass began.
                cursor = 0;
                gate = Math.min(passMin, pendingMin);
                passMin = pendingMin = Long.MAX_VALUE;
                if (now < gate) {
                    break;
                }
            }
        }
        return visited;
    }
}
