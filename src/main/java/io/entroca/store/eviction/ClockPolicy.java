package io.entroca.store.eviction;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * CLOCK (second chance): one "resident" bit and one "referenced" bit per slot, and a hand that
 * sweeps the slots. A hit sets the referenced bit; the hand passes over referenced entries,
 * clearing their bit, and evicts the first resident entry whose bit is already clear. The bits
 * live in two bitmaps of 64-bit words, so the policy costs 2 bits per slot and scans 64 slots per
 * word. It admits every newcomer and keeps no memory of misses.
 */
public final class ClockPolicy implements EvictionPolicy {
    /** Makes CLOCK policies inside the memory their stores set aside. */
    public static final Factory<ClockPolicy> FACTORY = new Factory<>() {
        @Override
        public long bytes(int slots) {
            return ClockPolicy.bytes(slots);
        }

        @Override
        public ClockPolicy create(int slots, MemorySegment memory) {
            return new ClockPolicy(slots, memory);
        }
    };

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG;

    private final int capacity;
    private final int words;
    /** Resident bits in words [0, words), referenced bits in words [words, 2 * words). */
    private final MemorySegment bits;
    private int hand;

    /** A policy in memory of its own, freed when the policy is no longer reachable. */
    public ClockPolicy(int capacity) {
        this(capacity, Arena.ofAuto().allocate(bytes(Math.max(1, capacity)), Long.BYTES));
    }

    /** A policy whose bits live in {@code memory}: zeroed, 8-byte aligned, {@link #bytes} long. */
    public ClockPolicy(int capacity, MemorySegment memory) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.words = (capacity + 63) >>> 6;
        this.bits = memory.asSlice(0, bytes(capacity));
    }

    /** Memory a policy over {@code capacity} slots takes: two bits per slot, in whole words. */
    public static long bytes(int capacity) {
        return 16L * ((capacity + 63) >>> 6);
    }

    public int capacity() {
        return capacity;
    }

    private long resident(int word) {
        return bits.getAtIndex(WORD, word);
    }

    private void setResident(int word, long value) {
        bits.setAtIndex(WORD, word, value);
    }

    private long referenced(int word) {
        return bits.getAtIndex(WORD, words + word);
    }

    private void setReferenced(int word, long value) {
        bits.setAtIndex(WORD, words + word, value);
    }

    private void check(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IndexOutOfBoundsException("slot " + slot + " not in [0, " + capacity + ")");
        }
    }

    @Override
    public void onInsert(int slot, long hash) {
        check(slot);
        setResident(slot >>> 6, resident(slot >>> 6) | 1L << slot);
        setReferenced(slot >>> 6, referenced(slot >>> 6) & ~(1L << slot));
    }

    @Override
    public void onHit(int slot, long hash) {
        check(slot);
        setReferenced(slot >>> 6, referenced(slot >>> 6) | 1L << slot);
    }

    @Override
    public void onMiss(long hash) {
    }

    @Override
    public void onRemove(int slot) {
        check(slot);
        setResident(slot >>> 6, resident(slot >>> 6) & ~(1L << slot));
        setReferenced(slot >>> 6, referenced(slot >>> 6) & ~(1L << slot));
    }

    @Override
    public int selectVictim() {
        // At most two turns: the first clears every referenced bit it passes, so the second
        // finds a resident entry with a clear bit if any entry is resident at all.
        int w = hand >>> 6;
        long fromHand = -1L << hand; // bits at or after the hand in its word
        for (int step = 0; step <= 2 * words; step++) {
            long res = resident(w) & fromHand;
            long cold = res & ~referenced(w);
            if (cold != 0) {
                int slot = (w << 6) + Long.numberOfTrailingZeros(cold);
                // Bits passed over before the victim lose their second chance.
                long passed = res & ((1L << slot) - 1);
                setReferenced(w, referenced(w) & ~passed);
                hand = slot + 1 >= capacity ? 0 : slot + 1;
                return slot;
            }
            setReferenced(w, referenced(w) & ~res);
            w = w + 1 == words ? 0 : w + 1;
            fromHand = -1L;
        }
        throw new IllegalStateException("selectVictim called with no resident entry");
    }

    @Override
    public int selectVictim(int[] candidates, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("no candidates");
        }
        for (int i = 0; i < count; i++) {
            int slot = candidates[i];
            check(slot);
            if ((referenced(slot >>> 6) & (1L << slot)) == 0) {
                return i;
            }
            setReferenced(slot >>> 6, referenced(slot >>> 6) & ~(1L << slot));
        }
        return 0;
    }

    @Override
    public void onEvict(int slot) {
        onRemove(slot);
    }

    @Override
    public boolean admit(long newcomerHash, int victimSlot) {
        return true;
    }
}
