package io.entroca.store.offheap;

/**
 * Where a hash lands in a store's index. The hash arrives from the client already used once: its
 * top 32 bits chose the port ({@code io.entroca.protocol.Routing#portFor}), so every key of one
 * port shares a narrow range of top bits, and an index that took its bucket from those bits would
 * use only 1/P of its buckets. The hash is therefore multiplied by an odd constant first (a
 * bijection, so equal hashes still meet and a client that sends colliding hashes still only
 * collides with itself), which makes the product's top bits depend on every bit of the hash.
 */
final class IndexHash {
    /** 2^64 / φ, odd: Knuth's multiplicative hashing constant. */
    private static final long MIX = 0x9E37_79B9_7F4A_7C15L;

    private IndexHash() {
    }

    /** The bucket, in {@code [0, buckets)}, for a hash. */
    static long bucket(long hash, long buckets) {
        return Math.unsignedMultiplyHigh(hash * MIX, buckets);
    }
}
