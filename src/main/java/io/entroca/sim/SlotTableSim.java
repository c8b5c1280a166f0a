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
    private final long weightCapacity;
    private final EvictionPolicy policy;
    private final LongIntHashMap index;
    private final long[] slotKey;
    private final int[] slotWeight;
    private final int[] free;
    private int freeCount;
    private int used;
    private long weight;

    /** A table of {@code capacity} slots, one entry each (the store's count-bounded case). */
    public SlotTableSim(int capacity, EvictionPolicy policy) {
        this(capacity, capacity, policy);
    }

    /**
     * A table of {@code slots} slots bounded by {@code weightCapacity} units of weight (bytes):
     * the store's memory-bounded case, where a newcomer may need several victims. Only the first
     * victim is put to {@code admit}: once the newcomer is admitted, room is made for it.
     */
    public SlotTableSim(int slots, long weightCapacity, EvictionPolicy policy) {
        this.capacity = slots;
        this.weightCapacity = weightCapacity;
        this.policy = policy;
        index = new LongIntHashMap(slots * 2);
        slotKey = new long[slots];
        slotWeight = new int[slots];
        free = new int[slots];
    }

    /** The hash a client would send: a strong 64-bit mix of the key (Stafford's variant 13). */
    public static long hash(long key) {
        long z = key + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean access(long key, int w) {
        long h = hash(key);
        int slot = index.getIfAbsent(key, -1);
        if (slot >= 0) {
            policy.onHit(slot, h);
            return true;
        }
        policy.onMiss(h);
        if (w > weightCapacity) {
            return false;
        }
        boolean asked = false;
        while (weight + w > weightCapacity || index.size() == capacity) {
            int victim = policy.selectVictim();
            if (victim < 0 || victim >= capacity || slotWeight[victim] == 0) {
                throw new IllegalStateException("policy chose slot " + victim + ", not a resident of " + capacity);
            }
            if (!asked) {
                asked = true;
                if (!policy.admit(h, victim)) {
                    return false;
                }
            }
            index.remove(slotKey[victim]);
            weight -= slotWeight[victim];
            slotWeight[victim] = 0;
            policy.onEvict(victim);
            free[freeCount++] = victim;
        }
        slot = freeCount > 0 ? free[--freeCount] : used++;
        slotKey[slot] = key;
        slotWeight[slot] = w;
        weight += w;
        index.put(key, slot);
        policy.onInsert(slot, h);
        return false;
    }

    public long weight() {
        return weight;
    }

    @Override
    public int size() {
        return index.size();
    }

    public EvictionPolicy policy() {
        return policy;
    }
}
