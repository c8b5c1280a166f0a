package io.entroca.store.offheap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.store.Outcome;
import io.entroca.store.SetCondition;
import io.entroca.store.StoreConfig;
import io.entroca.store.eviction.ClockPolicy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * One bucket of the dynamic index filled way by way with hashes whose tags are chosen to trip a
 * word-at-a-time tag match: tag 0, neighbours that differ in the lowest bit (a borrow from a
 * matching lane makes the next lane look like a match), tags with the top bit set, and the last
 * two ways, which are read apart from the others.
 */
class DynamicStoreIndexTest {
    private static final long MIX = 0x9E37_79B9_7F4A_7C15L;
    private static final int[] TAGS = {
        0x0000, 0x0001, 0x8000, 0xFFFF, 0x0101, 0x0100, 0x0002, 0x0003, 0x7FFF,
        0x8001, 0x1234, 0x1235, 0x0005, 0x0004, 0xFFFE, 0x4000, 0x0006, 0x0007,
    };

    @Test
    void everyWayOfAFullBucketIsFoundByItsTagAndOnlyByItsKey() {
        StoreConfig config = new StoreConfig(4L << 20, 32, 1000, 0, 0, 0);
        try (DynamicStore s = new DynamicStore(config, ClockPolicy.FACTORY, 64)) {
            long buckets = s.cells() / DynamicStore.WAYS;
            long bucket = buckets / 3;
            assertEquals(DynamicStore.WAYS, TAGS.length);
            for (int w = 0; w < TAGS.length; w++) {
                long h = hashFor(bucket, TAGS[w], buckets, w);
                assertEquals(bucket, IndexHash.bucket(h, buckets));
                assertEquals(TAGS[w], (int) h & 0xFFFF);
                byte[] k = key(w);
                assertTrue(s.set(h, k, 0, k.length, value(w), 0, value(w).length, SetCondition.ALWAYS, 0, 0) > 0);
            }
            assertEquals(TAGS.length, s.stats().items);
            assertEquals(0, s.stats().evictions, "18 keys fill the bucket's 18 ways without evicting");
            for (int w = 0; w < TAGS.length; w++) {
                long h = hashFor(bucket, TAGS[w], buckets, w);
                byte[] k = key(w);
                long e = s.find(h, k, 0, k.length);
                assertTrue(e >= 0, "way " + w + " (tag " + Integer.toHexString(TAGS[w]) + ") not found");
                byte[] out = new byte[s.valueLength(e)];
                s.copyValue(e, out, 0);
                assertArrayEquals(value(w), out);
                // The same tag with another key, and another tag with this key, both miss.
                byte[] stranger = key(100 + w);
                assertEquals(Outcome.NOT_FOUND, s.find(h, stranger, 0, stranger.length));
                long otherTag = hashFor(bucket, 0x5A5A, buckets, w);
                assertEquals(Outcome.NOT_FOUND, s.find(otherTag, k, 0, k.length));
            }
            // Deleting from the middle and the end leaves the rest found.
            for (int w : new int[] {17, 0, 9}) {
                byte[] k = key(w);
                assertEquals(Outcome.OK, s.delete(hashFor(bucket, TAGS[w], buckets, w), k, 0, k.length, 0));
            }
            for (int w = 0; w < TAGS.length; w++) {
                byte[] k = key(w);
                long e = s.find(hashFor(bucket, TAGS[w], buckets, w), k, 0, k.length);
                assertEquals(w != 17 && w != 0 && w != 9, e >= 0, "way " + w);
            }
            assertNull(s.verify());
        }
    }

    /**
     * A hash in {@code bucket} whose low 16 bits are {@code tag}: the bucket is the top of
     * {@code hash * MIX}, so pick that product inside the bucket's range with the low 16 bits the
     * tag needs, and multiply back by MIX's inverse. {@code salt} varies the bits in between.
     */
    private static long hashFor(long bucket, int tag, long buckets, int salt) {
        long rangeStart = Long.divideUnsigned(-1L, buckets) * bucket + 1;
        long product = ((rangeStart + ((long) (salt + 1) << 20)) & ~0xFFFFL) | ((tag * MIX) & 0xFFFFL);
        return product * inverse(MIX);
    }

    private static long inverse(long odd) {
        long x = odd; // Newton's iteration: each step doubles the correct low bits
        for (int i = 0; i < 6; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }

    private static byte[] key(int id) {
        return ("key-" + id).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int id) {
        byte[] v = new byte[40 + id];
        java.util.Arrays.fill(v, (byte) id);
        return v;
    }
}
