package io.entroca.sim;

import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;

/**
 * SIEVE (Zhang et al., NSDI'24): one FIFO queue, one visited bit per entry, and a hand. A hit
 * only sets the bit. To evict, the hand moves from the tail (oldest) towards the head, clearing
 * set bits, and evicts the first entry whose bit is clear; it then rests on the next newer
 * entry and wraps to the tail when it passes the head. Newcomers go to the head.
 */
final class SieveSim implements SimPolicy {
    private final long capacity;
    private final int maxEntries;
    private final LongIntHashMap index;
    private final long[] keys;
    private final int[] weights;
    private final boolean[] visited;
    private final Links queue;
    private final int[] free;
    private int freeCount;
    private int used;
    private long weight;
    private int hand = Links.NIL;

    SieveSim(int capacity) {
        this(capacity, capacity);
    }

    /** A cache of {@code capacity} units of weight holding at most {@code maxEntries} entries. */
    SieveSim(long capacity, int maxEntries) {
        this.capacity = capacity;
        this.maxEntries = maxEntries;
        index = new LongIntHashMap(maxEntries * 2);
        keys = new long[maxEntries];
        weights = new int[maxEntries];
        visited = new boolean[maxEntries];
        queue = new Links(maxEntries, 1);
        free = new int[maxEntries];
    }

    @Override
    public boolean access(long key, int w) {
        int node = index.getIfAbsent(key, -1);
        if (node >= 0) {
            visited[node] = true;
            return true;
        }
        if (w > capacity) {
            return false;
        }
        while (weight + w > capacity || index.size() == maxEntries) {
            int t = evict();
            weight -= weights[t];
            free[freeCount++] = t;
        }
        node = freeCount > 0 ? free[--freeCount] : used++;
        weights[node] = w;
        weight += w;
        keys[node] = key;
        visited[node] = false;
        index.put(key, node);
        queue.addFirst(0, node);
        return false;
    }

    /** Moves the hand to the first unvisited entry, removes it, and returns its free node. */
    private int evict() {
        int h = hand == Links.NIL ? queue.last(0) : hand;
        while (visited[h]) {
            visited[h] = false;
            h = queue.newer(h);
            if (h == Links.NIL) {
                h = queue.last(0);
            }
        }
        hand = queue.newer(h);
        queue.remove(0, h);
        index.remove(keys[h]);
        return h;
    }

    /** For the worked examples in tests. */
    boolean contains(long key) {
        return index.containsKey(key);
    }

    @Override
    public int size() {
        return index.size();
    }
}
