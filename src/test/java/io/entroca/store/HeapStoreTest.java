package io.entroca.store;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The semantics every store owes the protocol, on the plain on-heap store. */
class HeapStoreTest {
    private static final long MEMORY = 64 * 1024;
    private HeapStore store;

    @BeforeEach
    void open() {
        store = new HeapStore(new StoreConfig(MEMORY, 250, 4096, 10, 0, 0));
        store.tick(1_000);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private long set(String key, String value, int condition, long expected, long ttlMs) {
        byte[] k = b(key);
        byte[] v = b(value);
        return store.set(k.length, k, 0, k.length, v, 0, v.length, condition, expected, ttlMs);
    }

    private long set(String key, String value) {
        return set(key, value, SetCondition.ALWAYS, 0, 0);
    }

    private String get(String key) {
        byte[] k = b(key);
        long entry = store.find(k.length, k, 0, k.length);
        if (entry < 0) {
            return null;
        }
        byte[] value = new byte[store.valueLength(entry)];
        store.copyValue(entry, value, 0);
        return new String(value, StandardCharsets.UTF_8);
    }

    private long versionOf(String key) {
        byte[] k = b(key);
        return store.version(store.find(k.length, k, 0, k.length));
    }

    @Test
    void everySetConditionAndVersions() {
        assertEquals(Outcome.NOT_FOUND, set("k", "x", SetCondition.IF_PRESENT, 0, 0));
        long v1 = set("k", "one", SetCondition.IF_ABSENT, 0, 0);
        assertTrue(v1 > 0);
        assertEquals(Outcome.EXISTS, set("k", "two", SetCondition.IF_ABSENT, 0, 0));
        long v2 = set("k", "two", SetCondition.IF_PRESENT, 0, 0);
        assertTrue(v2 > v1);
        assertEquals(Outcome.VERSION_MISMATCH, set("k", "three", SetCondition.IF_VERSION, v1, 0));
        long v3 = set("k", "three", SetCondition.IF_VERSION, v2, 0);
        assertEquals("three", get("k"));
        assertEquals(v3, versionOf("k"));
        assertEquals(Outcome.NOT_FOUND, set("other", "x", SetCondition.IF_VERSION, v3, 0));
    }

    @Test
    void keysWithTheSameHashStayApart() {
        byte[] a = b("alpha");
        byte[] c = b("gamma");
        store.set(42, a, 0, a.length, b("A"), 0, 1, SetCondition.ALWAYS, 0, 0);
        store.set(42, c, 0, c.length, b("C"), 0, 1, SetCondition.ALWAYS, 0, 0);
        assertEquals(2, store.stats().items);
        assertEquals(Outcome.OK, store.delete(42, a, 0, a.length, 0));
        long entry = store.find(42, c, 0, c.length);
        assertTrue(entry >= 0);
        assertEquals(Outcome.NOT_FOUND, store.find(42, a, 0, a.length));
    }

    @Test
    void deleteWithAndWithoutVersion() {
        long v = set("k", "v");
        byte[] k = b("k");
        assertEquals(Outcome.VERSION_MISMATCH, store.delete(k.length, k, 0, k.length, v + 1));
        assertEquals(Outcome.OK, store.delete(k.length, k, 0, k.length, v));
        assertEquals(Outcome.NOT_FOUND, store.delete(k.length, k, 0, k.length, 0));
    }

    @Test
    void ttlExpiresExactlyAtTheDeadlineRoundedUpToTheResolution() {
        set("k", "v", SetCondition.ALWAYS, 0, 95);  // now 1000, ttl 95 -> deadline 1095 -> 1100 at 10 ms resolution
        store.tick(1099);
        assertEquals("v", get("k"));
        store.tick(1100);
        assertEquals(null, get("k"));
        assertEquals(1, store.stats().expirations);
        assertEquals(0, store.stats().items);
    }

    @Test
    void touchGivesANewDeadlineAndZeroMeansForever() {
        set("k", "v", SetCondition.ALWAYS, 0, 100);
        byte[] k = b("k");
        assertTrue(store.touch(k.length, k, 0, k.length, 0) > 0);
        store.tick(1_000_000);
        assertEquals("v", get("k"));
        assertEquals(Outcome.NOT_FOUND, store.touch(1, b("z"), 0, 1, 10));
    }

    @Test
    void sweepReclaimsExpiredEntriesWithoutTraffic() {
        for (int i = 0; i < 100; i++) {
            set("k" + i, "v", SetCondition.ALWAYS, 0, 50);
        }
        set("forever", "v");
        store.tick(2_000);
        int examined = 0;
        for (int round = 0; round < 10; round++) {
            examined += store.sweepExpired(16);
        }
        assertTrue(examined > 0);
        assertEquals(1, store.stats().items);
        assertEquals(100, store.stats().expirations);
    }

    @Test
    void noTtlConfigurationNeverExpires() {
        HeapStore noTtl = new HeapStore(new StoreConfig(MEMORY, 250, 4096, 0, 0, 0));
        noTtl.tick(0);
        byte[] k = b("k");
        noTtl.set(1, k, 0, 1, k, 0, 1, SetCondition.ALWAYS, 0, 5);
        noTtl.tick(Long.MAX_VALUE / 2);
        assertTrue(noTtl.find(1, k, 0, 1) >= 0);
    }

    @Test
    void writingFarPastTheLimitEvictsAndNeverExceedsIt() {
        byte[] value = new byte[1000];
        for (int i = 0; i < 5_000; i++) {
            byte[] key = b("key-" + i);
            assertTrue(store.set(i, key, 0, key.length, value, 0, value.length, SetCondition.ALWAYS, 0, 0) > 0);
            assertTrue(store.stats().allocatedBytes <= MEMORY, "over the limit at write " + i);
        }
        assertTrue(store.stats().evictions > 4_000);
        assertEquals("key-4999".length() + 1000, store.stats().payloadBytes / store.stats().items);
        byte[] last = b("key-4999");
        assertTrue(store.find(4999, last, 0, last.length) >= 0, "the newest entry survives");
    }

    @Test
    void anEntryLargerThanTheWholeStoreIsTooLarge() {
        HeapStore tiny = new HeapStore(new StoreConfig(1024, 250, 4096, 0, 0, 0));
        byte[] k = b("k");
        assertEquals(Outcome.TOO_LARGE, tiny.set(1, k, 0, 1, new byte[2000], 0, 2000, SetCondition.ALWAYS, 0, 0));
    }

    @Test
    void flushEmptiesEverything() {
        set("a", "1");
        set("b", "2");
        store.flush();
        assertEquals(0, store.stats().items);
        assertEquals(0, store.stats().allocatedBytes);
        assertEquals(null, get("a"));
    }
}
