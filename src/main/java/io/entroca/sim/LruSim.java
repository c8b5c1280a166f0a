package io.entroca.sim;

import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;

/** Exact LRU: a hit moves the entry to the head, a miss evicts the tail. */
final class LruSim implements SimPolicy {
    private final long capacity;
    private final int maxEntries;
    private final LongIntHashMap index;
    private final long[] keys;
    private final int[] weights;
    private final Links list;
    private final int[] free;
    private int freeCount;
    private int used;
    private long weight;

    LruSim(int capacity) {
        this(capacity, capacity);
    }

    /** A cache of {@code capacity} units of weight holding at most {@code maxEntries} entries. */
    LruSim(long capacity, int maxEntries) {
        this.capacity = capacity;
        this.maxEntries = maxEntries;
        index = new LongIntHashMap(maxEntries * 2);
        keys = new long[maxEntries];
        weights = new int[maxEntries];
        list = new Links(maxEntries, 1);
        free = new int[maxEntries];
    }

    @Override
    public boolean access(long key, int w) {
        int node = index.getIfAbsent(key, -1);
        if (node >= 0) {
            list.moveToFront(0, node);
            return true;
        }
        if (w > capacity) {
            return false;
        }
        while (weight + w > capacity || index.size() == maxEntries) {
            int t = list.last(0);
            list.remove(0, t);
            index.remove(keys[t]);
            weight -= weights[t];
            free[freeCount++] = t;
        }
        node = freeCount > 0 ? free[--freeCount] : used++;
        keys[node] = key;
        weights[node] = w;
        weight += w;
        index.put(key, node);
        list.addFirst(0, node);
        return false;
    }

    long weight() {
        return weight;
    }

    @Override
    public int size() {
        return index.size();
    }
}
