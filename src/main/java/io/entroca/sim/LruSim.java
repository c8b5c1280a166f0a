package io.entroca.sim;

import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;

/** Exact LRU: a hit moves the entry to the head, a miss evicts the tail. */
final class LruSim implements SimPolicy {
    private final int capacity;
    private final LongIntHashMap index;
    private final long[] keys;
    private final Links list;
    private int used;

    LruSim(int capacity) {
        this.capacity = capacity;
        index = new LongIntHashMap(capacity * 2);
        keys = new long[capacity];
        list = new Links(capacity, 1);
    }

    @Override
    public boolean access(long key) {
        int node = index.getIfAbsent(key, -1);
        if (node >= 0) {
            list.moveToFront(0, node);
            return true;
        }
        if (used < capacity) {
            node = used++;
        } else {
            node = list.last(0);
            list.remove(0, node);
            index.remove(keys[node]);
        }
        keys[node] = key;
        index.put(key, node);
        list.addFirst(0, node);
        return false;
    }

    @Override
    public int size() {
        return index.size();
    }
}
