package io.entroca.store.eviction;

/**
 * CLOCK (second chance): one "resident" bit and one "referenced" bit per slot, and a hand that
 * sweeps the slots. A hit sets the referenced bit; the hand passes over referenced entries,
 * clearing their bit, and evicts the first resident entry whose bit is already clear. The bits
 * live in two {@code long[]}, so the policy costs 2 bits of heap per slot and scans 64 slots per
 * word. It admits every newcomer and keeps no memory of misses.
 */
public final class ClockPolicy implements EvictionPolicy {
    private final int capacity;
    private final long[] resident;
    private final long[] referenced;
    private int hand;

    public ClockPolicy(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.resident = new long[(capacity + 63) >>> 6];
        this.referenced = new long[resident.length];
    }

    public int capacity() {
        return capacity;
    }

    /** Heap bytes the policy's per-slot state takes. */
    public long footprintBytes() {
        return 16L * resident.length;
    }

    private void check(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IndexOutOfBoundsException("slot " + slot + " not in [0, " + capacity + ")");
        }
    }

    @Override
    public void onInsert(int slot, long hash) {
        check(slot);
        resident[slot >>> 6] |= 1L << slot;
        referenced[slot >>> 6] &= ~(1L << slot);
    }

    @Override
    public void onHit(int slot, long hash) {
        check(slot);
        referenced[slot >>> 6] |= 1L << slot;
    }

    @Override
    public void onMiss(long hash) {
    }

    @Override
    public void onRemove(int slot) {
        check(slot);
        resident[slot >>> 6] &= ~(1L << slot);
        referenced[slot >>> 6] &= ~(1L << slot);
    }

    @Override
    public int selectVictim() {
        // At most two turns: the first clears every referenced bit it passes, so the second
        // finds a resident entry with a clear bit if any entry is resident at all.
        int words = resident.length;
        int w = hand >>> 6;
        long fromHand = -1L << hand; // bits at or after the hand in its word
        for (int step = 0; step <= 2 * words; step++) {
            long res = resident[w] & fromHand;
            long cold = res & ~referenced[w];
            if (cold != 0) {
                int slot = (w << 6) + Long.numberOfTrailingZeros(cold);
                // Bits passed over before the victim lose their second chance.
                long passed = res & ((1L << slot) - 1);
                referenced[w] &= ~passed;
                hand = slot + 1 >= capacity ? 0 : slot + 1;
                return slot;
            }
            referenced[w] &= ~res;
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
            if ((referenced[slot >>> 6] & (1L << slot)) == 0) {
                return i;
            }
            referenced[slot >>> 6] &= ~(1L << slot);
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
