package io.entroca.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** The memory limit holds: writing far past it never allocates past it. */
class StoreLimitTest {

    static List<Kind> kinds() {
        return StoreFixtures.kinds();
    }

    @Test
    void aBudgetBeyondWhatOneStoreAddressesIsRefusedBeforeAnyMemoryIsTaken() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new StoreConfig(StoreConfig.MAX_MEMORY_BYTES + 1, 255, 1 << 20, 0, 0, 0));
    }

    /**
     * The metadata target: at most 16 B per entry, index included, for small entries (16 B keys,
     * 64 B values) in both stores with the simple policy (docs/store.md, "Metadata per item").
     */
    @Test
    void smallEntriesCostAtMost16BytesOfMetadataEach() {
        long memory = 32L << 20;
        StoreConfig dynamic = new StoreConfig(memory, 255, 1 << 20, 0, 0, 0);
        StoreConfig fixed = new StoreConfig(memory, 16, 64, 0, 16, 64);
        for (StoreConfig config : new StoreConfig[] {dynamic, fixed}) {
            try (Store s = Stores.open(config, io.entroca.store.eviction.ClockPolicy.FACTORY)) {
                byte[] key = new byte[16];
                byte[] value = new byte[64];
                for (long id = 0; id < 3 * memory / 80; id++) {
                    for (int b = 0; b < 8; b++) {
                        key[b] = (byte) (id >>> (8 * b));
                    }
                    long h = id * 0x9E3779B97F4A7C15L;
                    assertTrue(s.set(h ^ (h >>> 29), key, 0, 16, value, 0, 64, SetCondition.ALWAYS, 0, 0) > 0);
                }
                StoreStats st = s.stats();
                assertTrue(st.evictions > 0, "the store never filled");
                double perItem = (double) (st.allocatedBytes - st.payloadBytes) / st.items;
                assertTrue(perItem <= 16.0, s.getClass().getSimpleName() + " spends " + perItem + " B per item");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void writingFarPastTheLimitNeverExceedsIt(Kind kind) {
        try (Store s = kind.open()) {
            long budget = kind.config().memoryBytes();
            assertEquals(budget, s.stats().arenaBytes, "the arena is exactly the budget");
            Random r = new Random(11);
            long written = 0;
            int id = 0;
            long maxAllocated = 0;
            byte[] lastValue = null;
            byte[] lastKey = null;
            while (written < 20 * budget) {
                byte[] k = kind.key(id++);
                byte[] v = kind.value(r, r.nextInt(20) == 0 ? 4000 : 400);
                long result = s.set(StoreFixtures.hash(k), k, 0, k.length, v, 0, v.length, SetCondition.ALWAYS, 0, 0);
                assertTrue(result > 0, "set failed with " + result);
                written += k.length + v.length;
                StoreStats st = s.stats();
                assertTrue(st.allocatedBytes <= budget, "allocated " + st.allocatedBytes + " > " + budget);
                maxAllocated = Math.max(maxAllocated, st.allocatedBytes);
                lastKey = k;
                lastValue = v;
            }
            // The last write always survives (it was admitted and nothing came after it).
            long e = s.find(StoreFixtures.hash(lastKey), lastKey, 0, lastKey.length);
            assertTrue(e >= 0);
            byte[] out = new byte[s.valueLength(e)];
            s.copyValue(e, out, 0);
            assertArrayEquals(lastValue, out);
            assertTrue(s.stats().evictions > 0);
            assertNull(StoreFixtures.verify(s));
            // Full means full: at least 70% of the budget holds entries (index and bookkeeping
            // included), so eviction is not firing while memory sits idle.
            assertTrue(maxAllocated > 0.7 * budget, kind + " used only " + maxAllocated + " of " + budget);
        }
    }

    @Test
    void aChangingSizeMixMovesPagesBetweenClasses() {
        // First small values fill the store; then only large ones arrive. The large ones must
        // get (nearly) all the memory back, not be stuck in the pages small values had.
        StoreConfig c = new StoreConfig(8 << 20, 32, 20_000, 0, 0, 0);
        try (DynamicStore s = new DynamicStore(c, io.entroca.store.eviction.ClockPolicy.FACTORY, 256)) {
            Random r = new Random(12);
            byte[] small = new byte[40];
            byte[] large = new byte[6000];
            int id = 0;
            for (int i = 0; i < 300_000; i++) {
                byte[] k = ("s" + id++).getBytes();
                s.set(StoreFixtures.hash(k), k, 0, k.length, small, 0, small.length, SetCondition.ALWAYS, 0, 0);
            }
            long largeCount = 0;
            for (int i = 0; i < 20_000; i++) {
                byte[] k = ("L" + id++).getBytes();
                r.nextBytes(large);
                assertTrue(s.set(StoreFixtures.hash(k), k, 0, k.length, large, 0, large.length, SetCondition.ALWAYS, 0, 0) > 0);
            }
            StoreStats st = s.stats();
            // Count resident large entries by payload: what is left of the small ones is tiny.
            largeCount = st.payloadBytes / 6000;
            long capacityForLarge = (c.memoryBytes() - s.indexBytes()) / 6144;
            assertTrue(largeCount > 0.8 * capacityForLarge, "large entries resident " + largeCount + " of ~" + capacityForLarge);
            assertNull(s.verify());
        }
    }

    /**
     * The index cannot grow, so it is sized at start for the entries expected to fit. Sized for
     * the default (small) entries, a store of 500 B values spends memory on cells and eviction
     * state it never fills; told the typical entry, it holds more of them in the same budget.
     */
    @Test
    void aTypicalEntrySizeSizesTheIndexForTheEntriesThatFit() {
        long budget = 32L << 20;
        int derived = filledWith500ByteValues(new StoreConfig(budget, 250, 4096, 0, 0, 0));
        int told = filledWith500ByteValues(new StoreConfig(budget, 250, 4096, 0, 0, 0, 520));
        assertTrue(told > derived * 1.05, "told the typical entry: " + told + " entries, derived: " + derived);
    }

    private static int filledWith500ByteValues(StoreConfig config) {
        try (Store s = Stores.open(config, io.entroca.store.eviction.ThermodynamicPolicy.factory(
                io.entroca.store.eviction.ThermodynamicPolicy.Config.defaults()))) {
            byte[] value = new byte[500];
            for (int id = 0; id < 200_000; id++) {
                byte[] k = ("key-" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                s.set(StoreFixtures.hash(k), k, 0, k.length, value, 0, value.length, SetCondition.ALWAYS, 0, 0);
                assertTrue(s.stats().allocatedBytes <= config.memoryBytes());
            }
            return (int) s.stats().items;
        }
    }
}
