package io.entroca.sim;

import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;
import org.eclipse.collections.impl.map.mutable.primitive.LongLongHashMap;

/**
 * S3-FIFO (Yang et al., SOSP'23): a small FIFO S (10% of the entries), a main FIFO M (the
 * rest), and a ghost FIFO G of keys only (as many as M holds). Each entry has a 2-bit frequency,
 * raised on hits and capped at 3. Newcomers enter S, or M directly if G remembers them. When
 * room is needed and S holds at least its 10%, S's tail moves to M if it was accessed while in S
 * (and to G otherwise, which is the eviction); otherwise M's tail is reinserted with its frequency
 * decremented while that frequency is positive, and evicted when it is zero.
 */
final class S3FifoSim implements SimPolicy {
    private static final int S = 0;
    private static final int M = 1;

    private final long capacity;
    private final int maxEntries;
    private final long smallTarget;
    private final int moveThreshold;
    private final LongIntHashMap index;
    private final long[] keys;
    private final byte[] freq;
    private final byte[] queueOf;
    private final Links queues;
    private int used;
    private final int[] free;
    private int freeCount;
    private final int[] weights;
    private long weightS;
    private long weightM;

    // Ghost: a ring of keys with the sequence number each was added at; a key is in G if its
    // recorded sequence is among the last ghostCapacity added.
    private final int ghostCapacity;
    private final long[] ghostRing;
    private final LongLongHashMap ghostSeq;
    private long ghostAdded;

    S3FifoSim(int capacity) {
        this(capacity, 0.10, 1);
    }

    /**
     * @param moveThreshold hits an entry needs while in S to be moved to M (the paper: accessed
     *     at least once, so 1)
     */
    S3FifoSim(int capacity, double smallRatio, int moveThreshold) {
        this(capacity, capacity, smallRatio, moveThreshold);
    }

    /**
     * A cache of {@code capacity} units of weight holding at most {@code maxEntries} entries. S's
     * share is a share of the weight; G remembers as many keys as M can hold entries.
     */
    S3FifoSim(long capacity, int maxEntries, double smallRatio, int moveThreshold) {
        this.capacity = capacity;
        this.maxEntries = maxEntries;
        this.smallTarget = Math.max(1, (long) (capacity * smallRatio));
        this.moveThreshold = moveThreshold;
        index = new LongIntHashMap(maxEntries * 2);
        keys = new long[maxEntries];
        freq = new byte[maxEntries];
        queueOf = new byte[maxEntries];
        weights = new int[maxEntries];
        queues = new Links(maxEntries, 2);
        free = new int[maxEntries];
        ghostCapacity = (int) Math.max(1, capacity == maxEntries ? capacity - smallTarget
                : (long) (maxEntries * (1 - smallRatio)));
        ghostRing = new long[ghostCapacity];
        ghostSeq = new LongLongHashMap(ghostCapacity * 2);
    }

    @Override
    public boolean access(long key, int w) {
        int node = index.getIfAbsent(key, -1);
        if (node >= 0) {
            if (freq[node] < 3) {
                freq[node]++;
            }
            return true;
        }
        // The request is checked against G before making room, as it arrives.
        boolean ghostHit = ghostContains(key);
        if (ghostHit) {
            ghostSeq.remove(key);
        }
        if (w > capacity) {
            return false;
        }
        while (weightS + weightM + w > capacity || index.size() == maxEntries) {
            evict();
        }
        node = freeCount > 0 ? free[--freeCount] : used++;
        keys[node] = key;
        freq[node] = 0;
        weights[node] = w;
        index.put(key, node);
        if (ghostHit) {
            queueOf[node] = M;
            queues.addFirst(M, node);
            weightM += w;
        } else {
            queueOf[node] = S;
            queues.addFirst(S, node);
            weightS += w;
        }
        return false;
    }

    private void evict() {
        if (weightS >= smallTarget || queues.size(M) == 0) {
            if (evictSmall()) {
                return;
            }
        }
        evictMain();
    }

    /** Returns true if an entry left the cache (to G); false if S emptied by promotions. */
    private boolean evictSmall() {
        while (queues.size(S) > 0) {
            int t = queues.last(S);
            queues.remove(S, t);
            weightS -= weights[t];
            if (freq[t] >= moveThreshold) {
                queueOf[t] = M;
                freq[t] = 0;
                queues.addFirst(M, t);
                weightM += weights[t];
            } else {
                ghostAdd(keys[t]);
                drop(t);
                return true;
            }
        }
        return false;
    }

    private void evictMain() {
        while (true) {
            int t = queues.last(M);
            if (freq[t] > 0) {
                freq[t]--;
                queues.moveToFront(M, t);
            } else {
                queues.remove(M, t);
                weightM -= weights[t];
                drop(t);
                return;
            }
        }
    }

    private void drop(int node) {
        index.remove(keys[node]);
        free[freeCount++] = node;
    }

    private boolean ghostContains(long key) {
        long seq = ghostSeq.getIfAbsent(key, -1);
        return seq >= 0 && seq >= ghostAdded - ghostCapacity;
    }

    private void ghostAdd(long key) {
        int at = (int) (ghostAdded % ghostCapacity);
        if (ghostAdded >= ghostCapacity) {
            long old = ghostRing[at];
            if (ghostSeq.getIfAbsent(old, -1) == ghostAdded - ghostCapacity) {
                ghostSeq.remove(old);
            }
        }
        ghostRing[at] = key;
        ghostSeq.put(key, ghostAdded);
        ghostAdded++;
    }

    /** For the worked examples in tests: 'S', 'M', 'G' or '-' (absent). */
    char whereIs(long key) {
        int node = index.getIfAbsent(key, -1);
        if (node >= 0) {
            return queueOf[node] == S ? 'S' : 'M';
        }
        return ghostContains(key) ? 'G' : '-';
    }

    @Override
    public int size() {
        return index.size();
    }
}
