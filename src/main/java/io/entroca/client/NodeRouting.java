package io.entroca.client;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.dynatrace.hash4j.random.PseudoRandomGeneratorProvider;

/**
 * Which node of a list owns a key: jump consistent hashing (Lamping and Veach, 2014) of the key's
 * XXH64 hash, as hash4j implements it with SplitMix64 as its random source. docs/protocol.md §5.1
 * spells the algorithm out, so that clients in other languages route the same keys to the same
 * nodes.
 *
 * <p>Why jump hash: no ring to build or store, O(log n) per key, a perfectly even spread, and
 * when a node is appended to a list of n only 1/(n+1) of the keys move, all of them to the new
 * node. It numbers nodes by their place in the list, so a list grows and shrinks at its end,
 * which is exactly how a Kubernetes StatefulSet scales (pod ordinals 0, 1, 2, ...).
 *
 * <p>Independence from the port: the port within a node takes the top 32 bits of the hash
 * directly; the node choice runs the whole 64-bit hash through SplitMix64's finaliser first,
 * so which node a key lands on says nothing about which of that node's ports owns it.
 */
public final class NodeRouting {
    /** hash4j's hashers keep their random generator's state in a field, so one per thread. */
    private static final ThreadLocal<ConsistentBucketHasher> JUMP = ThreadLocal.withInitial(
            () -> ConsistentHashing.jumpHash(PseudoRandomGeneratorProvider.splitMix64_V1()));

    private NodeRouting() {
    }

    /** The index, in {@code [0, nodeCount)}, of the node that owns a key's XXH64 hash. */
    public static int nodeFor(long hash, int nodeCount) {
        if (nodeCount <= 0) {
            throw new IllegalArgumentException("no nodes");
        }
        return nodeCount == 1 ? 0 : JUMP.get().getBucket(hash, nodeCount);
    }
}
