package io.entroca.sim;

/**
 * Doubly linked lists of nodes {@code 0..nodes-1} kept in two int arrays, with one sentinel per
 * list, so LRU, SIEVE and S3-FIFO queues cost no objects per entry. A node is in at most one list.
 * "First" is the most recently added end (head), "last" the oldest (tail).
 */
final class Links {
    static final int NIL = -1;
    private final int[] prev;
    private final int[] next;
    private final int nodes;
    private final int[] sizes;

    Links(int nodes, int lists) {
        this.nodes = nodes;
        prev = new int[nodes + lists];
        next = new int[nodes + lists];
        sizes = new int[lists];
        for (int l = 0; l < lists; l++) {
            int s = nodes + l;
            prev[s] = s;
            next[s] = s;
        }
        java.util.Arrays.fill(prev, 0, nodes, NIL);
        java.util.Arrays.fill(next, 0, nodes, NIL);
    }

    int size(int list) {
        return sizes[list];
    }

    void addFirst(int list, int node) {
        int s = nodes + list;
        int first = next[s];
        next[s] = node;
        prev[node] = s;
        next[node] = first;
        prev[first] = node;
        sizes[list]++;
    }

    void remove(int list, int node) {
        int p = prev[node];
        int n = next[node];
        next[p] = n;
        prev[n] = p;
        prev[node] = NIL;
        next[node] = NIL;
        sizes[list]--;
    }

    /** The oldest node of a list, or NIL. */
    int last(int list) {
        int s = nodes + list;
        int l = prev[s];
        return l == s ? NIL : l;
    }

    /** The node added just after this one (towards the head), or NIL at the head. */
    int newer(int node) {
        int p = prev[node];
        return p >= nodes ? NIL : p;
    }

    void moveToFront(int list, int node) {
        remove(list, node);
        addFirst(list, node);
    }
}
