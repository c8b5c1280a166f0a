package io.entroca.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.entroca.store.StoreFixtures.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link Store} contract, run against every implementation {@link Stores#open} can pick. */
class StoreContractTest {

    static List<Kind> kinds() {
        return StoreFixtures.kinds();
    }

    private static long set(Store s, byte[] k, byte[] v, int condition, long expected, long ttl) {
        return s.set(StoreFixtures.hash(k), k, 0, k.length, v, 0, v.length, condition, expected, ttl);
    }

    private static long set(Store s, byte[] k, byte[] v) {
        return set(s, k, v, SetCondition.ALWAYS, 0, 0);
    }

    /** The value stored under k, or null on a miss; checks the version too when asked. */
    private static byte[] get(Store s, byte[] k) {
        long e = s.find(StoreFixtures.hash(k), k, 0, k.length);
        if (e < 0) {
            assertEquals(Outcome.NOT_FOUND, e);
            return null;
        }
        byte[] out = new byte[s.valueLength(e) + 3];
        s.copyValue(e, out, 3); // at an offset, to check offsets are honoured
        return java.util.Arrays.copyOfRange(out, 3, out.length);
    }

    private static long versionOf(Store s, byte[] k) {
        long e = s.find(StoreFixtures.hash(k), k, 0, k.length);
        return e < 0 ? e : s.version(e);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void setThenGet(Kind kind) {
        try (Store s = kind.open()) {
            s.tick(1);
            Random r = new Random(1);
            byte[] k = kind.key(1);
            byte[] v = kind.value(r, 100);
            long version = set(s, k, v);
            assertTrue(version > 0);
            assertArrayEquals(v, get(s, k));
            assertEquals(version, versionOf(s, k));
            assertNull(get(s, kind.key(2)));
            StoreStats st = s.stats();
            assertEquals(1, st.items);
            assertEquals(k.length + v.length, st.payloadBytes);
            assertTrue(st.hits >= 2 && st.misses >= 1);
            assertEquals(kind.config().memoryBytes(), st.arenaBytes);
            assertEquals(kind.config().memoryBytes(), st.capacityBytes);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void everySetCondition(Kind kind) {
        try (Store s = kind.open()) {
            Random r = new Random(2);
            byte[] k = kind.key(7);
            byte[] v1 = kind.value(r, 50);
            byte[] v2 = kind.value(r, 50);
            byte[] v3 = kind.value(r, 50);
            assertEquals(Outcome.NOT_FOUND, set(s, k, v1, SetCondition.IF_PRESENT, 0, 0));
            assertEquals(Outcome.NOT_FOUND, set(s, k, v1, SetCondition.IF_VERSION, 1, 0));
            assertNull(get(s, k));
            long a = set(s, k, v1, SetCondition.IF_ABSENT, 0, 0);
            assertTrue(a > 0);
            assertEquals(Outcome.EXISTS, set(s, k, v2, SetCondition.IF_ABSENT, 0, 0));
            assertArrayEquals(v1, get(s, k));
            long b = set(s, k, v2, SetCondition.IF_PRESENT, 0, 0);
            assertTrue(b > a);
            assertArrayEquals(v2, get(s, k));
            assertEquals(Outcome.VERSION_MISMATCH, set(s, k, v3, SetCondition.IF_VERSION, a, 0));
            assertArrayEquals(v2, get(s, k));
            long c = set(s, k, v3, SetCondition.IF_VERSION, b, 0);
            assertTrue(c > b);
            assertArrayEquals(v3, get(s, k));
            assertEquals(c, versionOf(s, k));
            long d = set(s, k, v1, SetCondition.ALWAYS, 0, 0);
            assertTrue(d > c);
            assertArrayEquals(v1, get(s, k));
            assertEquals(1, s.stats().items);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void versionsAreFreshPositiveAndIncreasing(Kind kind) {
        long before = System.currentTimeMillis() << 20;
        long last;
        try (Store s = kind.open()) {
            Random r = new Random(3);
            last = 0;
            for (int i = 0; i < 200; i++) {
                long v = set(s, kind.key(i % 17), kind.value(r, 30));
                assertTrue(v > last, "version " + v + " after " + last);
                assertTrue(v > before, "versions are seeded from the clock");
                last = v;
            }
        }
        // A store opened later (a restart) issues versions above everything the first one did,
        // as long as the first issued fewer than 2^20 per millisecond of its life.
        long opened = System.currentTimeMillis();
        while (System.currentTimeMillis() == opened) {
            Thread.onSpinWait();
        }
        try (Store s = kind.open()) {
            assertTrue(set(s, kind.key(1), kind.value(new Random(4), 30)) > last);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void deleteWithAndWithoutVersion(Kind kind) {
        try (Store s = kind.open()) {
            Random r = new Random(5);
            byte[] k = kind.key(3);
            assertEquals(Outcome.NOT_FOUND, s.delete(StoreFixtures.hash(k), k, 0, k.length, 0));
            long v = set(s, k, kind.value(r, 40));
            assertEquals(Outcome.VERSION_MISMATCH, s.delete(StoreFixtures.hash(k), k, 0, k.length, v + 1));
            assertTrue(get(s, k) != null);
            assertEquals(Outcome.OK, s.delete(StoreFixtures.hash(k), k, 0, k.length, v));
            assertNull(get(s, k));
            assertEquals(Outcome.NOT_FOUND, s.delete(StoreFixtures.hash(k), k, 0, k.length, v));
            set(s, k, kind.value(r, 40));
            assertEquals(Outcome.OK, s.delete(StoreFixtures.hash(k), k, 0, k.length, 0));
            assertNull(get(s, k));
            assertEquals(0, s.stats().items);
            assertEquals(0, s.stats().payloadBytes);
            assertEquals(2, s.stats().deletes);
            assertNull(StoreFixtures.verify(s));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void touchKeepsTheVersion(Kind kind) {
        try (Store s = kind.open()) {
            byte[] k = kind.key(4);
            assertEquals(Outcome.NOT_FOUND, s.touch(StoreFixtures.hash(k), k, 0, k.length, 100));
            long v = set(s, k, kind.value(new Random(6), 40));
            assertEquals(v, s.touch(StoreFixtures.hash(k), k, 0, k.length, 100));
            assertEquals(v, versionOf(s, k));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void flushEmptiesAndVersionsKeepRising(Kind kind) {
        try (Store s = kind.open()) {
            Random r = new Random(7);
            long last = 0;
            for (int i = 0; i < 500; i++) {
                last = set(s, kind.key(i), kind.value(r, 200));
            }
            s.flush();
            assertEquals(0, s.stats().items);
            assertEquals(0, s.stats().payloadBytes);
            for (int i = 0; i < 500; i++) {
                assertNull(get(s, kind.key(i)));
            }
            assertNull(StoreFixtures.verify(s));
            byte[] v = kind.value(r, 200);
            long after = set(s, kind.key(1), v);
            assertTrue(after > last);
            assertArrayEquals(v, get(s, kind.key(1)));
            assertNull(StoreFixtures.verify(s));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void lengthsAreChecked(Kind kind) {
        try (Store s = kind.open()) {
            StoreConfig c = kind.config();
            byte[] k = kind.key(1);
            byte[] tooLong = new byte[c.maxValueLength() + 1];
            assertEquals(Outcome.TOO_LARGE, set(s, k, tooLong));
            byte[] longKey = new byte[c.maxKeyLength() + 1];
            assertEquals(Outcome.TOO_LARGE, set(s, longKey, kind.value(new Random(1), 8)));
            assertEquals(Outcome.TOO_LARGE, set(s, new byte[0], kind.value(new Random(1), 8)));
            if (c.fixedValues()) {
                assertEquals(Outcome.TOO_LARGE, set(s, k, new byte[c.fixedValueLength() - 1]));
            }
            if (c.fixedKeys()) {
                byte[] shortKey = new byte[c.fixedKeyLength() - 1];
                assertEquals(Outcome.TOO_LARGE, set(s, shortKey, kind.value(new Random(1), 8)));
                assertEquals(Outcome.NOT_FOUND, s.find(1, shortKey, 0, shortKey.length));
            }
            assertEquals(0, s.stats().items);
            // Offsets and lengths outside the arrays are the caller's bug, never read past.
            byte[] v = kind.value(new Random(1), 8);
            assertThrowsIndex(() -> s.set(1, k, 1, k.length, v, 0, v.length, SetCondition.ALWAYS, 0, 0));
            assertThrowsIndex(() -> s.find(1, k, -1, k.length));
            long e = set(s, k, v);
            assertTrue(e > 0);
            long ref = s.find(StoreFixtures.hash(k), k, 0, k.length);
            assertThrowsIndex(() -> s.copyValue(ref, new byte[v.length + 1], 2));
        }
    }

    private static void assertThrowsIndex(Runnable r) {
        try {
            r.run();
            fail("expected IndexOutOfBoundsException");
        } catch (IndexOutOfBoundsException expected) {
            // good
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void overwriteAcrossSizeClasses(Kind kind) {
        try (Store s = kind.open()) {
            Random r = new Random(8);
            byte[] k = kind.key(9);
            for (int i = 0; i < 300; i++) {
                byte[] v = kind.value(r, 3000);
                long version = set(s, k, v);
                assertTrue(version > 0);
                assertArrayEquals(v, get(s, k));
                assertEquals(1, s.stats().items);
            }
            assertNull(StoreFixtures.verify(s));
        }
    }

    private record M(byte[] value, long version, long deadline) {
        boolean live(long now) {
            return deadline == 0 || now < deadline;
        }
    }

    /**
     * Random operations against a HashMap model. The store may evict: a key the model holds may
     * read as a miss (the model then forgets it), but a hit must return the model's value and
     * version exactly, and every condition must be decided as the model (or an eviction) says.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void randomAgainstAModel(Kind kind) {
        StoreConfig c = kind.config();
        // Shrink the budget so that eviction is constant.
        StoreConfig small = new StoreConfig(c.fixedKeys() && c.fixedValues() || c.fixedKeys() && c.maxValueLength() <= 64
                || c.fixedValues() && c.maxKeyLength() <= 64 ? 64 * 1024 : 512 * 1024,
                c.maxKeyLength(), c.maxValueLength(), c.ttlResolutionMs(), c.fixedKeyLength(), c.fixedValueLength());
        Kind k2 = new Kind(kind.name(), small, kind.type());
        long res = Math.max(1, c.ttlResolutionMs());
        try (Store s = k2.open()) {
            Random r = new Random(kind.name().hashCode());
            Map<Integer, M> model = new HashMap<>();
            long now = 10;
            s.tick(now);
            long lastVersion = 0;
            int keys = 4000;
            int hitsChecked = 0;
            for (int op = 0; op < 60_000; op++) {
                int id = r.nextInt(keys);
                byte[] key = k2.key(id);
                long h = StoreFixtures.hash(key);
                M m = model.get(id);
                if (m != null && !m.live(now)) {
                    m = null;
                    model.remove(id);
                }
                int what = r.nextInt(100);
                if (what < 35) { // find
                    long e = s.find(h, key, 0, key.length);
                    if (e >= 0) {
                        assertTrue(m != null, "hit on a key the model does not hold: " + id);
                        byte[] out = new byte[s.valueLength(e)];
                        s.copyValue(e, out, 0);
                        assertArrayEquals(m.value(), out, "value of " + id);
                        assertEquals(m.version(), s.version(e));
                        hitsChecked++;
                    } else {
                        assertEquals(Outcome.NOT_FOUND, e);
                        model.remove(id);
                    }
                } else if (what < 75) { // set
                    int condition = r.nextInt(4);
                    long expected = m != null && r.nextInt(10) < 7 ? m.version() : lastVersion + 1 + r.nextInt(3);
                    long ttl = c.ttlEnabled() && r.nextInt(3) == 0 ? 1 + r.nextInt(3000) : 0;
                    byte[] v = k2.value(r, r.nextInt(50) == 0 ? 3000 : 300);
                    long result = s.set(h, key, 0, key.length, v, 0, v.length, condition, expected, ttl);
                    boolean present = m != null;
                    boolean stored;
                    switch (condition) {
                        case SetCondition.ALWAYS -> stored = true;
                        case SetCondition.IF_ABSENT -> {
                            stored = !present || result != Outcome.EXISTS;
                            if (!stored) {
                                assertEquals(Outcome.EXISTS, result);
                            }
                        }
                        case SetCondition.IF_PRESENT -> {
                            stored = present && result != Outcome.NOT_FOUND;
                            if (!stored) {
                                assertEquals(Outcome.NOT_FOUND, result);
                                model.remove(id);
                            }
                        }
                        default -> {
                            if (!present) {
                                assertEquals(Outcome.NOT_FOUND, result);
                                stored = false;
                            } else if (expected == m.version()) {
                                stored = result != Outcome.NOT_FOUND;
                                if (!stored) {
                                    model.remove(id);
                                }
                            } else {
                                assertTrue(result == Outcome.VERSION_MISMATCH || result == Outcome.NOT_FOUND, "result " + result);
                                if (result == Outcome.NOT_FOUND) {
                                    model.remove(id);
                                }
                                stored = false;
                            }
                        }
                    }
                    if (stored) {
                        assertTrue(result > lastVersion, "set of " + id + " under " + condition + " gave " + result);
                        lastVersion = result;
                        long deadline = ttl == 0 || !c.ttlEnabled() ? 0 : Math.ceilDiv(now + ttl, res) * res;
                        model.put(id, new M(v, result, deadline));
                    }
                } else if (what < 85) { // delete
                    long expected = r.nextInt(3) == 0 ? 0 : m != null && r.nextBoolean() ? m.version() : lastVersion + 1;
                    int result = s.delete(h, key, 0, key.length, expected);
                    if (m == null) {
                        assertEquals(Outcome.NOT_FOUND, result);
                    } else if (expected == 0 || expected == m.version()) {
                        assertTrue(result == Outcome.OK || result == Outcome.NOT_FOUND);
                        model.remove(id);
                    } else {
                        assertTrue(result == Outcome.VERSION_MISMATCH || result == Outcome.NOT_FOUND);
                        if (result == Outcome.NOT_FOUND) {
                            model.remove(id);
                        }
                    }
                } else if (what < 90) { // touch
                    long ttl = c.ttlEnabled() && r.nextBoolean() ? 1 + r.nextInt(3000) : 0;
                    long result = s.touch(h, key, 0, key.length, ttl);
                    if (m == null) {
                        assertEquals(Outcome.NOT_FOUND, result);
                    } else if (result == Outcome.NOT_FOUND) {
                        model.remove(id);
                    } else {
                        assertEquals(m.version(), result);
                        long deadline = ttl == 0 || !c.ttlEnabled() ? 0 : Math.ceilDiv(now + ttl, res) * res;
                        model.put(id, new M(m.value(), m.version(), deadline));
                    }
                } else if (what < 97) {
                    now += r.nextInt(40);
                    s.tick(now);
                } else {
                    s.sweepExpired(1 + r.nextInt(200));
                }
                StoreStats st = s.stats();
                assertTrue(st.allocatedBytes <= small.memoryBytes(), "allocated " + st.allocatedBytes);
                if (op % 10_000 == 0) {
                    assertNull(StoreFixtures.verify(s));
                }
            }
            assertNull(StoreFixtures.verify(s));
            assertTrue(hitsChecked > 1000, "too few hits to mean anything: " + hitsChecked);
            assertTrue(s.stats().evictions > 100, "the run should have evicted: " + s.stats().evictions);
            // Every key the model still holds and the store still has reads back exactly.
            for (Map.Entry<Integer, M> e : model.entrySet()) {
                if (!e.getValue().live(now)) {
                    continue;
                }
                byte[] key = k2.key(e.getKey());
                long ref = s.find(StoreFixtures.hash(key), key, 0, key.length);
                if (ref >= 0) {
                    byte[] out = new byte[s.valueLength(ref)];
                    s.copyValue(ref, out, 0);
                    assertArrayEquals(e.getValue().value(), out);
                }
            }
        }
    }
}
