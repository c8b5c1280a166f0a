package io.entroca.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.store.StoreFixtures.Kind;
import io.entroca.store.offheap.DynamicStore;
import io.entroca.store.offheap.FixedStore;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expiry: an entry set at t with ttl N is dead at every time >= ceil((t + N) / res) * res, where
 * res is the configured resolution; it is never returned after that, and it is reclaimed on
 * access or by the sweep.
 */
class StoreTtlTest {

    static List<Kind> ttlKinds() {
        return List.of(
                new Kind("dynamic-1ms", new StoreConfig(1 << 20, 32, 500, 1, 0, 0), DynamicStore.class),
                new Kind("dynamic-1s", new StoreConfig(1 << 20, 32, 500, 1000, 0, 0), DynamicStore.class),
                new Kind("fixed-1ms", new StoreConfig(1 << 20, 16, 16, 1, 16, 16), FixedStore.class),
                new Kind("fixed-1s", new StoreConfig(1 << 20, 16, 16, 1000, 16, 16), FixedStore.class));
    }

    static List<Kind> noTtlKinds() {
        return List.of(
                new Kind("dynamic-noTTL", new StoreConfig(1 << 20, 32, 500, 0, 0, 0), DynamicStore.class),
                new Kind("fixed-noTTL", new StoreConfig(1 << 20, 16, 16, 0, 16, 16), FixedStore.class));
    }

    private static long set(Store s, Kind kind, int id, long ttl) {
        byte[] k = kind.key(id);
        byte[] v = kind.value(new Random(id), 100);
        return s.set(StoreFixtures.hash(k), k, 0, k.length, v, 0, v.length, SetCondition.ALWAYS, 0, ttl);
    }

    private static boolean live(Store s, Kind kind, int id) {
        byte[] k = kind.key(id);
        return s.find(StoreFixtures.hash(k), k, 0, k.length) >= 0;
    }

    private static long res(Kind kind) {
        return kind.config().ttlResolutionMs();
    }

    @ParameterizedTest
    @MethodSource("ttlKinds")
    void deadExactlyAtTheRoundedBoundary(Kind kind) {
        try (Store s = kind.open()) {
            long res = res(kind);
            long t = 1_000_000 + res / 2; // not on a resolution boundary when res > 1
            s.tick(t);
            set(s, kind, 1, 100);
            long deadline = Math.ceilDiv(t + 100, res) * res;
            assertTrue(deadline >= t + 100 && deadline < t + 100 + res);
            s.tick(deadline - 1);
            assertTrue(live(s, kind, 1), "alive one ms before the deadline");
            s.tick(deadline);
            assertTrue(!live(s, kind, 1), "dead at the deadline");
            assertEquals(1, s.stats().expirations, "reclaimed on access");
            assertEquals(0, s.stats().items);
        }
    }

    @ParameterizedTest
    @MethodSource("ttlKinds")
    void onABoundaryTheTtlIsExact(Kind kind) {
        try (Store s = kind.open()) {
            long res = res(kind);
            long t = 7 * res * 1000;
            s.tick(t);
            set(s, kind, 1, 3 * res);
            s.tick(t + 3 * res - 1);
            assertTrue(live(s, kind, 1));
            s.tick(t + 3 * res);
            assertTrue(!live(s, kind, 1));
        }
    }

    @ParameterizedTest
    @MethodSource("ttlKinds")
    void expiredEntriesDoNotSatisfyConditions(Kind kind) {
        try (Store s = kind.open()) {
            s.tick(1000);
            long v = set(s, kind, 1, 10);
            s.tick(1000 + 10 + res(kind));
            byte[] k = kind.key(1);
            byte[] val = kind.value(new Random(9), 10);
            long h = StoreFixtures.hash(k);
            assertEquals(Outcome.NOT_FOUND, s.set(h, k, 0, k.length, val, 0, val.length, SetCondition.IF_VERSION, v, 0));
            assertEquals(Outcome.NOT_FOUND, s.set(h, k, 0, k.length, val, 0, val.length, SetCondition.IF_PRESENT, 0, 0));
            assertEquals(Outcome.NOT_FOUND, s.touch(h, k, 0, k.length, 1000));
            assertEquals(Outcome.NOT_FOUND, s.delete(h, k, 0, k.length, 0));
            assertTrue(s.set(h, k, 0, k.length, val, 0, val.length, SetCondition.IF_ABSENT, 0, 0) > v);
        }
    }

    @ParameterizedTest
    @MethodSource("ttlKinds")
    void touchMovesTheDeadline(Kind kind) {
        try (Store s = kind.open()) {
            long res = res(kind);
            s.tick(0);
            long v = set(s, kind, 1, 2 * res);
            s.tick(res);
            byte[] k = kind.key(1);
            long h = StoreFixtures.hash(k);
            assertEquals(v, s.touch(h, k, 0, k.length, 5 * res));
            s.tick(6 * res - 1);
            assertTrue(live(s, kind, 1));
            s.tick(6 * res);
            assertTrue(!live(s, kind, 1));
            // Touch with 0 makes an entry immortal.
            set(s, kind, 2, res);
            byte[] k2 = kind.key(2);
            assertTrue(s.touch(StoreFixtures.hash(k2), k2, 0, k2.length, 0) > 0);
            s.tick(1_000_000 * res);
            assertTrue(live(s, kind, 2));
            // A negative ttl (touch or set) expires at once.
            assertTrue(s.touch(StoreFixtures.hash(k2), k2, 0, k2.length, -1) > 0);
            assertTrue(!live(s, kind, 2));
            assertTrue(set(s, kind, 3, -1) > 0);
            assertTrue(!live(s, kind, 3));
        }
    }

    @ParameterizedTest
    @MethodSource("ttlKinds")
    void theSweepReclaimsWithoutTraffic(Kind kind) {
        try (Store s = kind.open()) {
            s.tick(0);
            assertEquals(0, s.sweepExpired(100), "nothing with a ttl yet");
            long base = s.stats().allocatedBytes;
            int n = 2000;
            for (int i = 0; i < n; i++) {
                set(s, kind, i, i < n / 2 ? 100 : 0);
            }
            int stored = (int) s.stats().items;
            assertEquals(0, s.sweepExpired(100), "nothing can have expired yet");
            s.tick(100 + res(kind));
            int visits = 0;
            int rounds = 0;
            int r;
            while ((r = s.sweepExpired(64)) > 0) {
                assertTrue(r <= 64);
                visits += r;
                rounds++;
                assertTrue(rounds < 1_000_000, "the sweep must finish");
            }
            long expired = s.stats().expirations;
            assertTrue(expired > 0 && expired <= n / 2);
            assertEquals(stored - expired, s.stats().items);
            assertEquals(0, s.stats().hits + s.stats().misses, "no traffic was needed");
            assertTrue(s.stats().allocatedBytes < base + (s.stats().items + 1) * 2000);
            assertNull(StoreFixtures.verify(s));
            assertEquals(0, s.sweepExpired(64), "idle until the next deadline");
            // Entries set after the pass are still swept when their time comes.
            set(s, kind, 5000, 50);
            assertEquals(0, s.sweepExpired(64));
            s.tick(100 + res(kind) + 50 + res(kind));
            while (s.sweepExpired(64) > 0) {
                // sweep
            }
            assertEquals(expired + 1, s.stats().expirations);
            assertTrue(visits > 0);
        }
    }

    @ParameterizedTest
    @MethodSource("noTtlKinds")
    void noTtlModeKeepsEverything(Kind kind) {
        try (Store s = kind.open()) {
            s.tick(0);
            long v = set(s, kind, 1, 5);
            s.tick(Long.MAX_VALUE / 2);
            assertTrue(live(s, kind, 1));
            byte[] k = kind.key(1);
            assertEquals(v, s.touch(StoreFixtures.hash(k), k, 0, k.length, 1));
            assertTrue(set(s, kind, 2, -1) > 0, "a negative ttl is ignored too");
            assertTrue(live(s, kind, 2));
            assertEquals(0, s.sweepExpired(1000));
            assertEquals(0, s.stats().expirations);
        }
    }

    @Test
    void noTtlEntriesAreSmaller() {
        StoreConfig with = new StoreConfig(1 << 20, 32, 500, 1, 0, 0);
        StoreConfig without = new StoreConfig(1 << 20, 32, 500, 0, 0, 0);
        try (DynamicStore a = (DynamicStore) Stores.open(with); DynamicStore b = (DynamicStore) Stores.open(without)) {
            assertEquals(16, a.headerBytes());
            assertEquals(8, b.headerBytes());
        }
        try (FixedStore a = (FixedStore) Stores.open(new StoreConfig(1 << 20, 16, 16, 1, 16, 16));
             FixedStore b = (FixedStore) Stores.open(new StoreConfig(1 << 20, 16, 16, 0, 16, 16))) {
            assertEquals(8 + 8 + 32, a.recordBytes());
            assertEquals(8 + 32, b.recordBytes());
        }
    }
}
