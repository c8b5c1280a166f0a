package io.entroca.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.store.eviction.ClockPolicy;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClockPolicyTest {

    @Test
    void victimsAreResidentAndReferencedOnesGetASecondChance() {
        ClockPolicy p = new ClockPolicy(200);
        for (int s = 0; s < 200; s += 2) {
            p.onInsert(s, s);
        }
        p.onHit(0, 0);
        p.onHit(2, 2);
        int v = p.selectVictim();
        assertEquals(4, v, "0 and 2 were referenced, odd slots are empty");
        p.onEvict(v);
        // Random use: every victim is resident, none chosen twice without re-insertion.
        Random r = new Random(1);
        Set<Integer> resident = new HashSet<>();
        for (int s = 0; s < 200; s += 2) {
            if (s != 4) {
                resident.add(s);
            }
        }
        for (int i = 0; i < 10_000; i++) {
            int slot = r.nextInt(200);
            if (resident.contains(slot)) {
                if (r.nextBoolean()) {
                    p.onHit(slot, slot);
                } else {
                    p.onRemove(slot);
                    resident.remove(slot);
                }
            } else {
                p.onInsert(slot, slot);
                resident.add(slot);
            }
            if (!resident.isEmpty() && r.nextInt(4) == 0) {
                int victim = p.selectVictim();
                assertTrue(resident.remove(victim), "victim " + victim + " not resident");
                p.onEvict(victim);
            }
        }
    }

    @Test
    void candidatesPreferUnreferenced() {
        ClockPolicy p = new ClockPolicy(64);
        int[] c = {10, 11, 12};
        for (int s : c) {
            p.onInsert(s, s);
        }
        p.onHit(10, 10);
        assertEquals(1, p.selectVictim(c, 3));
        p.onHit(11, 11);
        p.onHit(12, 12);
        int pick = p.selectVictim(c, 3);
        assertTrue(pick >= 0 && pick < 3);
        assertNotEquals(-1, pick);
        assertThrows(IllegalStateException.class, () -> new ClockPolicy(5).selectVictim());
        assertThrows(IndexOutOfBoundsException.class, () -> p.onInsert(64, 0));
    }
}
