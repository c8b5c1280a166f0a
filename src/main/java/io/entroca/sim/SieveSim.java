package io.entroca.sim;

import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;

/**
 * SIEVE (Zhang et al., NSDI'24): one FIFO queue, one visited bit per entry, and a hand. A hit
 * only sets the bit. To evict, the hand moves from the tail (oldest) towards the head, clearing
 * set bits, and evicts the first entry whose bit is clear; it then rests on the next newer
 * entry and wraps to the tail when it passes the head. Newcomers go to the head.
 */
final class SieveSim implements SimPolicy {
    private final int capacity;
    private final LongIntHashMap index;
    private final long[] keys;
    private final boolean[] visited;
    private final Links queue;
    private int used;
    private int hand = Links.NIL;

    SieveSim(int capacity) {
        this.capacity = capacity;
        index = new LongIntHashMap(capacity * 2);
        keys = new long[capacity];
        visited = new boolean[capacity];
        queue = new Links(capacity, 1);
    }

    @Override
    public boolean access(long key) {
        int node = index.getIfAbsent(key, -1);
        if (node >= 0) {
            visited[node] = true;
            return true;
        }
        if (used < capacity) {
            node = used++;
        } else {
            node = evict();
        }
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
