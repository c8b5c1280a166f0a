package io.entroca.store.eviction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Drives the policy the way a store does (slots, removals, buckets) with checks on every call:
 * victims are resident slots, temperatures stay in range, and equal seeds give equal decisions.
 */
class ThermodynamicPolicyTest {

    /** A minimal store: key to slot, with deletes mixed in; returns the sequence of victims. */
    private static int[] drive(ThermodynamicPolicy policy, int capacity, long seed, int requests) {
        var random = new SplittableRandom(seed);
        Map<Long, Integer> index = new HashMap<>();
        long[] slotKey = new long[capacity];
        boolean[] used = new boolean[capacity];
        int[] freeSlots = new int[capacity];
        int free = 0;
        for (int s = capacity - 1; s >= 0; s--) {
            freeSlots[free++] = s;
        }
        int[] victims = new int[requests];
        int nv = 0;
        for (int i = 0; i < requests; i++) {
            // Zipf-ish keys with a scan every so often and a delete now and then.
            long key = i % 997 < 100 ? 1_000_000 + i : (long) Math.pow(random.nextDouble(), 3) * 5000;
            long hash = key * 0x9E3779B97F4A7C15L;
            Integer slot = index.get(key);
            if (slot != null) {
                if (random.nextInt(50) == 0) {
                    index.remove(key);
                    used[slot] = false;
                    freeSlots[free++] = slot;
                    policy.onRemove(slot);
                } else {
                    policy.onHit(slot, hash);
                }
                continue;
            }
            policy.onMiss(hash);
            int s;
            if (free > 0) {
                s = freeSlots[--free];
            } else {
                s = policy.selectVictim();
                assertTrue(s >= 0 && s < capacity && used[s], "victim " + s + " must be a resident slot");
                victims[nv++] = s;
                if (!policy.admit(hash, s)) {
                    continue;
                }
                index.remove(slotKey[s]);
                policy.onEvict(s);
                used[s] = false;
            }
            slotKey[s] = key;
            used[s] = true;
            index.put(key, s);
            policy.onInsert(s, hash);
            for (int c = 0; c < capacity; c++) {
                assertEquals(used[c], policy.resident(c), "slot " + c + " residency");
            }
            int t = policy.temperature(s);
            assertTrue(t >= 0 && t <= 31, "temperature " + t + " out of range");
        }
        for (int c = 0; c < capacity; c++) {
            assertTrue(policy.temperature(c) <= 31);
        }
        assertTrue(policy.windowSize() >= 0 && policy.windowSize() <= capacity);
        return Arrays.copyOf(victims, nv);
    }

    @Test
    void victimsAreResidentAndTemperaturesBounded() {
        for (int capacity : new int[] {1, 2, 7, 64, 300}) {
            int[] victims = drive(new ThermodynamicPolicy(capacity), capacity, 3, 20_000);
            assertTrue(victims.length > 0, "the workload must force evictions at capacity " + capacity);
        }
    }

    @Test
    void deterministicForAFixedSeed() {
        var config = ThermodynamicPolicy.Config.defaults().with("seed=7");
        int[] first = drive(new ThermodynamicPolicy(128, config), 128, 11, 30_000);
        int[] second = drive(new ThermodynamicPolicy(128, config), 128, 11, 30_000);
        assertArrayEquals(first, second);
        int[] other = drive(new ThermodynamicPolicy(128, config.with("seed=8")), 128, 11, 30_000);
        assertTrue(!Arrays.equals(first, other), "a different seed samples differently");
    }

    @Test
    void bucketVictimIsOneOfTheCandidatesAndTheColdest() {
        var policy = new ThermodynamicPolicy(16, ThermodynamicPolicy.Config.defaults().with("window=0.0625"));
        for (int s = 0; s < 16; s++) {
            policy.onMiss(s);
            policy.onInsert(s, s);
        }
        // Slot 3 is made hot; of the candidates it must never be chosen.
        for (int i = 0; i < 20; i++) {
            policy.onHit(3, 3);
        }
        int[] candidates = {3, 5, 9, 12};
        int pick = policy.selectVictim(candidates, 3);
        assertTrue(pick >= 0 && pick < 3);
        assertTrue(candidates[pick] != 3, "the hot slot was chosen");
        assertTrue(policy.temperature(3) > policy.temperature(5));
    }

    @Test
    void configOverridesParse() {
        var c = ThermodynamicPolicy.Config.defaults().with("samples=4/barrier=1.5/adaptive=false");
        assertEquals(4, c.samples());
        assertEquals(1.5, c.barrier());
        assertTrue(!c.adaptive());
    }

    /**
     * The window is kept without a queue, by a hand over the slots, so check what a queue would
     * guarantee: a newcomer that nobody asks for again stays in the window for about the window's
     * size in arrivals before it is judged, never only for a few.
     */
    @Test
    void newcomersStayInTheWindowForAboutItsSizeInArrivals() {
        int capacity = 4096;
        var policy = new ThermodynamicPolicy(capacity, ThermodynamicPolicy.Config.defaults().with("adaptive=false/window=0.05"));
        int window = (int) Math.round(capacity * 0.05);
        long[] arrivedAt = new long[capacity];
        long arrivals = 0;
        long minStay = Long.MAX_VALUE;
        long totalStay = 0;
        int judged = 0;
        // Every key is new (a scan), so each eviction judges one window entry, whoever wins the duel.
        for (long key = 0; key < 40L * capacity; key++) {
            long hash = key * 0x9E3779B97F4A7C15L;
            policy.onMiss(hash);
            int slot;
            if (key < capacity) {
                slot = (int) key;
            } else {
                slot = policy.selectVictim();
                boolean fromWindow = policy.inWindow(slot);
                policy.onEvict(slot);
                if (key > 4L * capacity && fromWindow) {
                    // The victim was a window entry that lost its duel: judged after this stay.
                    long stay = arrivals - arrivedAt[slot];
                    minStay = Math.min(minStay, stay);
                    totalStay += stay;
                    judged++;
                }
            }
            policy.onInsert(slot, hash);
            arrivedAt[slot] = arrivals++;
        }
        assertTrue(judged > capacity, "the scan must judge window entries: " + judged);
        double meanStay = (double) totalStay / judged;
        assertTrue(minStay >= window / 4, "shortest stay " + minStay + " arrivals, window " + window);
        assertTrue(meanStay >= 0.8 * window && meanStay <= 1.25 * window, "mean stay " + meanStay + ", window " + window);
    }
}
