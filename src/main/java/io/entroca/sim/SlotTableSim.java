package io.entroca.sim;

import io.entroca.store.eviction.EvictionPolicy;
import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;

/**
 * Drives a store {@link EvictionPolicy} exactly as the store does: a table of dense slots in
 * {@code [0, capacity)}, {@code onHit} for residents, {@code onMiss} then either a free slot and
 * {@code onInsert}, or {@code selectVictim}, {@code admit}, and on admission {@code onEvict} of
 * the victim followed by {@code onInsert} of the newcomer into the freed slot. The policy object
 * is the server's own class; only the key index here is the simulator's.
 */
public final class SlotTableSim implements SimPolicy {
    private final int capacity;
    private final EvictionPolicy policy;
    private final LongIntHashMap index;
    private final long[] slotKey;
    private int used;

    public SlotTableSim(int capacity, EvictionPolicy policy) {
        this.capacity = capacity;
        this.policy = policy;
        index = new LongIntHashMap(capacity * 2);
        slotKey = new long[capacity];
    }

    /** The hash a client would send: a strong 64-bit mix of the key (Stafford's variant 13). */
    public static long hash(long key) {
        long z = key + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean access(long key) {
        long h = hash(key);
        int slot = index.getIfAbsent(key, -1);
        if (slot >= 0) {
            policy.onHit(slot, h);
            return true;
        }
        policy.onMiss(h);
        if (used < capacity) {
            slot = used++;
        } else {
            slot = policy.selectVictim();
            if (slot < 0 || slot >= capacity) {
                throw new IllegalStateException("policy chose slot " + slot + " of " + capacity);
            }
            if (!policy.admit(h, slot)) {
                return false;
            }
            index.remove(slotKey[slot]);
            policy.onEvict(slot);
        }
        slotKey[slot] = key;
        index.put(key, slot);
        policy.onInsert(slot, h);
        return false;
    }

    @Override
    public int size() {
        return index.size();
    }

    public EvictionPolicy policy() {
        return policy;
    }
}
