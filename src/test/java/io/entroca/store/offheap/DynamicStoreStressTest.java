package io.entroca.store.offheap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.store.Outcome;
import io.entroca.store.SetCondition;
import io.entroca.store.Store;
import io.entroca.store.StoreConfig;
import io.entroca.store.Stores;
import io.entroca.store.eviction.ClockPolicy;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The paths that move memory between size classes (class-local eviction, page reclaim) under a
 * size mix that keeps changing, checked against a model: a hit always returns the last value
 * written, and the index, the entries and the allocator always agree.
 */
class DynamicStoreStressTest {

    /**
     * With fewer generation bits a page's generation wraps after 2 or 4 reclaims, so the sweep
     * that clears stale cells before their page's generation comes round must keep up.
     */
    @ParameterizedTest
    @ValueSource(ints = {DynamicStore.GENERATION_BITS, 2, 1})
    void shiftingSizeMixKeepsEverythingConsistent(int generationBits) {
        StoreConfig c = new StoreConfig(512 * 1024, 32, 12_000, 0, 0, 0);
        try (DynamicStore s = new DynamicStore(c, ClockPolicy.FACTORY, 96, 0, generationBits)) {
            long empty = s.stats().allocatedBytes;
            // A 512 KiB store keeps 128 pages of 4 KiB, so its largest value is below 12,000.
            int largest = DynamicStore.largestValue(c);
            Random r = new Random(21);
            Map<Integer, byte[]> model = new HashMap<>();
            int[][] phases = {{1, 64}, {200, 900}, {3000, 12_000}, {1, 12_000}, {16, 128}, {900, 4000}};
            long hits = 0;
            for (int round = 0; round < 2; round++) {
                for (int[] phase : phases) {
                    for (int op = 0; op < 15_000; op++) {
                        int id = r.nextInt(6000);
                        byte[] key = ("key" + id).getBytes();
                        long h = id * 0x9E3779B97F4A7C15L;
                        if (r.nextInt(3) == 0) {
                            long e = s.find(h, key, 0, key.length);
                            byte[] expected = model.get(id);
                            if (e >= 0) {
                                assertTrue(expected != null);
                                byte[] out = new byte[s.valueLength(e)];
                                s.copyValue(e, out, 0);
                                assertArrayEquals(expected, out);
                                hits++;
                            } else {
                                model.remove(id);
                            }
                        } else {
                            int length = Math.min(largest, phase[0] + r.nextInt(phase[1] - phase[0] + 1));
                            byte[] v = new byte[length];
                            Arrays.fill(v, (byte) id);
                            v[0] = (byte) op;
                            long version = s.set(h, key, 0, key.length, v, 0, v.length, SetCondition.ALWAYS, 0, 0);
                            assertTrue(version > 0, "set gave " + version);
                            model.put(id, v);
                        }
                        assertTrue(s.stats().allocatedBytes <= c.memoryBytes());
                    }
                    assertNull(s.verify());
                }
            }
            assertTrue(hits > 1000, "hits " + hits);
            assertTrue(s.stats().pageReclaims > 0, "no page was reclaimed");
            if (generationBits < DynamicStore.MIN_GENERATION_BITS) {
                // Generations came round many times; verify() above found no stale cell come back.
                assertTrue(s.generationWraps() > 10, "generations wrapped " + s.generationWraps() + " times");
            }
            // Deleting everything gives every byte back.
            for (int id = 0; id < 6000; id++) {
                byte[] key = ("key" + id).getBytes();
                int d = s.delete(id * 0x9E3779B97F4A7C15L, key, 0, key.length, 0);
                assertTrue(d == Outcome.OK || d == Outcome.NOT_FOUND);
            }
            assertEquals(0, s.stats().items);
            assertEquals(0, s.stats().payloadBytes);
            assertNull(s.verify());
            assertEquals(empty, s.stats().allocatedBytes, "every chunk given back");
        }
    }

    @Test
    void aValueOfExactlyMaxValueLengthFits() {
        StoreConfig c = new StoreConfig(64L << 20, 255, 1 << 20, 1000, 0, 0);
        // A 64 MiB budget would choose 1 MiB pages (see pageSizeIsChosenForTheBudget); force 2 MiB,
        // what a budget of 1 GiB or more gets, to check the large-page path without 1 GiB.
        try (DynamicStore s = new DynamicStore(c, ClockPolicy.FACTORY, 144, 2 << 20, DynamicStore.GENERATION_BITS)) {
            assertTrue(s.maxPayload() >= 255 + (1 << 20), "max payload " + s.maxPayload());
            byte[] key = new byte[255];
            Arrays.fill(key, (byte) 'k');
            byte[] v = new byte[1 << 20];
            new Random(5).nextBytes(v);
            for (int i = 0; i < 100; i++) { // 100 MiB through a 64 MiB store
                key[0] = (byte) i;
                assertTrue(s.set(i, key, 0, key.length, v, 0, v.length, SetCondition.ALWAYS, 0, 0) > 0);
                assertTrue(s.stats().allocatedBytes <= c.memoryBytes());
            }
            long e = s.find(99, key, 0, key.length);
            assertTrue(e >= 0);
            byte[] out = new byte[s.valueLength(e)];
            s.copyValue(e, out, 0);
            assertArrayEquals(v, out);
            byte[] over = new byte[(1 << 20) + 1];
            assertEquals(Outcome.TOO_LARGE, s.set(7, key, 0, key.length, over, 0, over.length, SetCondition.ALWAYS, 0, 0));
            assertNull(s.verify());
        }
    }

    @Test
    void pageSizeIsChosenForTheBudget() {
        int kib = 1024;
        int mib = 1024 * kib;
        // Small budgets: at least 256 pages, never under 4 KiB; larger to fit the largest entry
        // only while 128 pages remain.
        assertEquals(4 * kib, DynamicStore.pageSizeFor(512 * kib, 100));
        assertEquals(4 * kib, DynamicStore.pageSizeFor(512 * kib, 5000));
        assertEquals(8 * kib, DynamicStore.pageSizeFor(1024 * kib, 5000));
        assertEquals(256 * kib, DynamicStore.pageSizeFor(64L * mib, 1000));
        assertEquals(mib, DynamicStore.pageSizeFor(256L * mib, 1000));
        assertEquals(mib, DynamicStore.pageSizeFor(64L * 1024 * mib, 1000));
        // Entries over 1 MiB get larger pages only when there are still >= 512 of them.
        assertEquals(mib, DynamicStore.pageSizeFor(256L * mib, mib + 300));
        assertEquals(2 * mib, DynamicStore.pageSizeFor(1024L * mib, mib + 300));
        assertEquals(4 * mib, DynamicStore.pageSizeFor(4096L * mib, 3 * mib));
        assertEquals(4 * mib, DynamicStore.pageSizeFor(4096L * mib, 100L * mib));
        // A small store keeps at least 128 pages, even if its largest entry then cannot fit one.
        assertEquals(128 * kib, DynamicStore.pageSizeFor(16L * mib, mib + 300));
        assertEquals(mib, DynamicStore.pageSizeFor(128L * mib, mib + 300));
    }

    @Test
    void aSmallStoreWithALargeValueLimitStillHoldsManySmallEntries() {
        StoreConfig config = new StoreConfig(16L << 20, 250, 1 << 20, 1000, 0, 0);
        assertEquals((128 << 10) - DynamicStore.headerBytes(config) - 250, DynamicStore.largestValue(config));
        try (Store store = Stores.open(config)) {
            store.tick(0);
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < 2_000; i++) {
                byte[] key = ("key-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] value = new byte[16 + random.nextInt(1009)];
                store.set(i * 0x9E3779B97F4A7C15L, key, 0, key.length, value, 0, value.length, SetCondition.ALWAYS, 0, 0);
            }
            assertEquals(2_000, store.stats().items, "about 1 MB of entries in a 16 MiB store: nothing to evict");
            assertEquals(0, store.stats().evictions);
        }
    }

    /**
     * Reclaiming a page leaves its entries' cells stale instead of looking for them; none of them
     * may ever answer a lookup, and each is cleared where it is met.
     */
    @Test
    void cellsOfAReclaimedPageNeverAnswerAndAreClearedWhereMet() {
        StoreConfig c = new StoreConfig(1 << 20, 32, 8000, 0, 0, 0);
        try (DynamicStore s = new DynamicStore(c, ClockPolicy.FACTORY, 64)) {
            int small = 0;
            while (s.stats().evictions == 0) { // fill with 40 B values until the store is full
                byte[] key = ("small" + small).getBytes();
                s.set(hash(small), key, 0, key.length, value(small, 40), 0, 40, SetCondition.ALWAYS, 0, 0);
                small++;
            }
            long maxStale = 0;
            for (int i = 0; i < 200; i++) { // then only 6000 B values: pages move to their class
                byte[] key = ("large" + i).getBytes();
                assertTrue(s.set(hash(1_000_000 + i), key, 0, key.length, value(i, 6000), 0, 6000, SetCondition.ALWAYS, 0, 0) > 0);
                maxStale = Math.max(maxStale, s.staleCells());
            }
            assertTrue(s.stats().pageReclaims > 0 && maxStale > 0, "reclaims " + s.stats().pageReclaims + ", stale " + maxStale);
            assertNull(s.verify());
            long staleBefore = s.staleCells();
            for (int id = 0; id < small; id++) {
                byte[] key = ("small" + id).getBytes();
                long e = s.find(hash(id), key, 0, key.length);
                if (e >= 0) {
                    byte[] out = new byte[s.valueLength(e)];
                    s.copyValue(e, out, 0);
                    assertArrayEquals(value(id, 40), out, "small" + id);
                }
            }
            assertTrue(s.staleCells() < staleBefore || staleBefore == 0, "lookups cleared none of " + staleBefore);
            assertNull(s.verify());
        }
    }

    @Test
    void versionsAreRebuiltFromTheirLow32Bits() {
        long last = 0x1234_5678_9ABC_DEF0L;
        assertEquals(last, DynamicStore.rebuildVersion(last, (int) last));
        assertEquals(last - 1, DynamicStore.rebuildVersion(last, (int) (last - 1)));
        assertEquals(last - 0xFFFF_FFFFL, DynamicStore.rebuildVersion(last, (int) (last + 1)));
        // Across a carry into the high half: written at ...0001_FFFF_FFFE, read at ...0002_0000_0003.
        long written = 0x0000_0001_FFFF_FFFEL;
        assertEquals(written, DynamicStore.rebuildVersion(0x0000_0002_0000_0003L, (int) written));
    }

    private static long hash(int id) {
        return id * 0x9E3779B97F4A7C15L;
    }

    private static byte[] value(int id, int length) {
        byte[] v = new byte[length];
        Arrays.fill(v, (byte) id);
        v[length - 1] = (byte) (id >>> 8);
        return v;
    }
}
