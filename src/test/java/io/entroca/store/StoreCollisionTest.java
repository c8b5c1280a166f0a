package io.entroca.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.store.StoreFixtures.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A client sending one hash for many keys costs only its own hits. */
class StoreCollisionTest {

    static List<Kind> kinds() {
        return StoreFixtures.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void collidingHashesCostOnlyTheirSender(Kind kind) {
        try (Store s = kind.open()) {
            Random r = new Random(13);
            // Honest keys, few enough that none is evicted by capacity.
            int honest = 300;
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < honest; i++) {
                byte[] k = kind.key(i);
                byte[] v = kind.value(r, 30);
                values.add(v);
                assertTrue(s.set(StoreFixtures.hash(k), k, 0, k.length, v, 0, v.length, SetCondition.ALWAYS, 0, 0) > 0);
            }
            // The attacker: thousands of distinct keys, all with the hash of honest key 0.
            long evil = StoreFixtures.hash(kind.key(0));
            for (int i = 0; i < 5000; i++) {
                byte[] k = kind.key(100_000 + i);
                byte[] v = kind.value(r, 30);
                assertTrue(s.set(evil, k, 0, k.length, v, 0, v.length, SetCondition.ALWAYS, 0, 0) > 0);
            }
            // Every honest key outside the attacked bucket is intact; inside it, at most
            // MAX_SAME_TAG = 2 neighbours lost their place (to the attacker's first two keys).
            int lost = 0;
            for (int i = 0; i < honest; i++) {
                byte[] k = kind.key(i);
                long e = s.find(StoreFixtures.hash(k), k, 0, k.length);
                if (e < 0) {
                    lost++;
                    continue;
                }
                byte[] out = new byte[s.valueLength(e)];
                s.copyValue(e, out, 0);
                assertArrayEquals(values.get(i), out);
            }
            assertTrue(lost <= 2, "the attacker evicted " + lost + " honest keys");
            // The attacker's keys occupy at most two cells, so its lookups cost at most two
            // key comparisons: only its most recent keys are resident.
            int resident = 0;
            for (int i = 0; i < 5000; i++) {
                byte[] k = kind.key(100_000 + i);
                if (s.find(evil, k, 0, k.length) >= 0) {
                    resident++;
                }
            }
            assertTrue(resident <= 2, "attacker keys resident: " + resident);
            assertEquals(0, s.stats().rejections);
            assertNull(StoreFixtures.verify(s));
        }
    }
}
