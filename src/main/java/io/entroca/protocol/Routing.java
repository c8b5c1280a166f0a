package io.entroca.protocol;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * How a key finds its port: the client hashes the key with XXH64 (seed 0, as the original
 * Entroca clients do) and maps the hash onto the server's ports. The server never hashes; it
 * only checks that a hash belongs to the port it arrived on.
 */
public final class Routing {
    /** Handshake code of the only hash function v1 defines. */
    public static final int HASH_XXH64 = 1;
    public static final long HASH_SEED = 0L;

    private static final Hasher64 XXH64 = Hashing.xxh64(HASH_SEED);

    private Routing() {
    }

    public static long hash(byte[] key) {
        return XXH64.hashBytesToLong(key);
    }

    public static long hash(byte[] key, int offset, int length) {
        return XXH64.hashBytesToLong(key, offset, length);
    }

    /**
     * The port index, in {@code [0, portCount)}, that owns a hash: the top 32 bits of the hash,
     * scaled to the port count. Taking the top bits leaves the low bits, which a store indexes by,
     * evenly spread within every port; the product fits in 48 bits, so any language computes it
     * with plain 64-bit (even double-precision) arithmetic.
     */
    public static int portFor(long hash, int portCount) {
        return (int) (((hash >>> 32) * portCount) >>> 32);
    }
}
