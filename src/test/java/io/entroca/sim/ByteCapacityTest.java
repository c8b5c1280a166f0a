package io.entroca.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.store.eviction.ThermodynamicPolicy;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Byte-bounded caches (--bytes): weights respected, and unit weights behave as entry counts. */
class ByteCapacityTest {

    @Test
    void lruNeverHoldsMoreBytesThanItsCapacityAndSkipsGiants() {
        var lru = new LruSim(1000, 100);
        var random = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            lru.access(random.nextInt(300), 1 + random.nextInt(200));
            assertTrue(lru.weight() <= 1000, "weight " + lru.weight());
        }
        assertFalse(lru.access(9999, 1001), "an object larger than the cache is never stored");
        assertFalse(lru.access(9999, 1001));
    }

    @Test
    void thermoThroughTheSlotTableRespectsTheByteBudget() {
        var table = new SlotTableSim(64, 5000, new ThermodynamicPolicy(64));
        var random = new SplittableRandom(6);
        int hits = 0;
        for (int i = 0; i < 50_000; i++) {
            long key = (long) (Math.pow(random.nextDouble(), 2) * 500);
            if (table.access(key, 10 + (int) (key % 300))) {
                hits++;
            }
            assertTrue(table.weight() <= 5000, "weight " + table.weight());
            assertTrue(table.size() <= 64);
        }
        assertTrue(hits > 0);
    }

    @Test
    void unitWeightsGiveTheEntryCountedResults() {
        Trace t = Synthetic.parse("scanzipf:3000:0.9:30000:0.2", 3);
        int[] ones = new int[t.length()];
        java.util.Arrays.fill(ones, 1);
        Trace weighted = new Trace(t.name(), t.keys(), ones);
        for (String p : new String[] {"lru", "sieve", "s3fifo", "thermo"}) {
            double entries = Simulator.run(Policies.create(p, 200, t, 0), t, null);
            double bytes = Simulator.run(Policies.create(p, 200, weighted, 0, true), weighted, true, null);
            if (p.equals("thermo")) {
                // In byte mode thermo gets one spare slot (capacity / smallest size + 1), which
                // shifts its window and clock slightly; it must still be close.
                assertEquals(entries, bytes, 0.05, p);
            } else {
                assertEquals(entries, bytes, 1e-12, p);
            }
        }
    }
}
