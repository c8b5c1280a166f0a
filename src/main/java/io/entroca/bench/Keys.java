package io.entroca.bench;

import io.entroca.protocol.Routing;

import java.nio.charset.StandardCharsets;

/**
 * The key space of a run, made before it starts: every key's bytes, its XXH64 hash (what an
 * Entroca client sends) and the port that owns it under the target's port count. Key {@code i}
 * is {@code key:} followed by {@code i} in eight or more digits.
 */
final class Keys {
    final byte[][] bytes;
    final long[] hashes;
    final int[] ports;
    final int portCount;
    final int maxLength;

    Keys(int count, int portCount) {
        this.bytes = new byte[count][];
        this.hashes = new long[count];
        this.ports = new int[count];
        this.portCount = portCount;
        int longest = 0;
        for (int i = 0; i < count; i++) {
            byte[] key = String.format("key:%08d", i).getBytes(StandardCharsets.US_ASCII);
            bytes[i] = key;
            hashes[i] = Routing.hash(key);
            ports[i] = Routing.portFor(hashes[i], portCount);
            longest = Math.max(longest, key.length);
        }
        this.maxLength = longest;
    }

    int count() {
        return bytes.length;
    }
}
