package io.entroca.sim;

import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;

/**
 * Belady's OPT with bypass: on a miss in a full cache, of the residents and the newcomer, the one
 * whose next request is farthest in the future is left out. No online policy can hit more. Next
 * accesses are precomputed in one backward pass; the farthest resident is found with a max-heap
 * of next-access positions and lazy deletion (a position is live while its key is resident and
 * that position is still the key's next access).
 */
final class OptSim implements SimPolicy {
    private final int capacity;
    private final long[] trace;
    private final int[] nextAccess;  // position of the next request for the same key, or NEVER(i)
    private final LongIntHashMap residentNext; // resident key -> its current next-access code
    private int[] heap;
    private int heapSize;
    private int position;

    OptSim(int capacity, long[] trace) {
        this.capacity = capacity;
        this.trace = trace;
        int n = trace.length;
        nextAccess = new int[n];
        var last = new LongIntHashMap(1 << 16);
        for (int i = n - 1; i >= 0; i--) {
            int next = last.getIfAbsent(trace[i], -1);
            // "Never again" must compare above every real position and stay unique per request.
            nextAccess[i] = next >= 0 ? next : n + i;
            last.put(trace[i], i);
        }
        residentNext = new LongIntHashMap(capacity * 2);
        heap = new int[Math.max(16, capacity * 2)];
    }

    private long keyOf(int code) {
        return code >= trace.length ? trace[code - trace.length] : trace[code];
    }

    @Override
    public boolean access(long key, int weight) {
        if (weight != 1) {
            throw new UnsupportedOperationException("OPT here counts entries; with sizes Belady is not optimal");
        }
        int i = position++;
        if (trace[i] != key) {
            throw new IllegalStateException("OPT must replay the trace it was built for");
        }
        int next = nextAccess[i];
        if (residentNext.containsKey(key)) {
            residentNext.put(key, next);
            push(next);
            return true;
        }
        if (residentNext.size() >= capacity) {
            int farthest = topLive();
            if (farthest <= next) {
                return false; // the newcomer is needed last: bypass it
            }
            popTop();
            residentNext.remove(keyOf(farthest));
        }
        residentNext.put(key, next);
        push(next);
        return false;
    }

    private int topLive() {
        while (true) {
            int top = heap[0];
            if (residentNext.getIfAbsent(keyOf(top), -1) == top) {
                return top;
            }
            popTop();
        }
    }

    private void push(int v) {
        if (heapSize == heap.length) {
            compact();
            if (heapSize == heap.length) {
                heap = java.util.Arrays.copyOf(heap, heap.length * 2);
            }
        }
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] >= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
    }

    private void popTop() {
        int v = heap[--heapSize];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= v) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (heapSize > 0) {
            heap[i] = v;
        }
    }

    /** Drops stale positions and rebuilds the heap, so it stays near the number of residents. */
    private void compact() {
        int n = 0;
        for (int j = 0; j < heapSize; j++) {
            int v = heap[j];
            if (residentNext.getIfAbsent(keyOf(v), -1) == v) {
                heap[n++] = v;
            }
        }
        int[] live = java.util.Arrays.copyOf(heap, n);
        heapSize = 0;
        for (int v : live) {
            push(v);
        }
    }

    @Override
    public int size() {
        return residentNext.size();
    }
}
