package io.entroca.store.offheap;

import io.entroca.store.Outcome;
import io.entroca.store.SetCondition;
import io.entroca.store.Store;
import io.entroca.store.StoreConfig;
import io.entroca.store.StoreStats;
import io.entroca.store.eviction.EvictionPolicy;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The specialised store for a declared key size and/or value size: every entry has the same
 * record size, so entries sit inline in their index slot and there is no allocator, no handle,
 * no length field for a fixed side, and no eviction other than within a bucket. Chosen by
 * {@link io.entroca.store.Stores#open} when at least one side is fixed and the other side is
 * short (a variable side is stored in a field as long as its maximum, with a length byte).
 * Like {@link DynamicStore} it takes exactly {@code memoryBytes} from a confined arena and must
 * be created on its owner thread.
 *
 * <h2>Segment layout</h2>
 * <pre>
 *  offset 0                                                                     memoryBytes
 *  | tags: S x 4 B (16 per bucket = one 64 B line) | records: S x R B | eviction state | tail |
 *
 *  record (R bytes, no padding, read unaligned):
 *   +0        long  version (0 = empty slot; versions are never 0)
 *   +8        long  deadline ms, 0 = never          (only with TTL)
 *   +T        byte  key length                      (only if keys vary)
 *   +T(+1)    byte  value length                    (only if values vary)
 *   +K        key area: fixedKeyLength, or maxKeyLength bytes
 *   +V        value area: fixedValueLength, or maxValueLength bytes
 * </pre>
 * Tag = the hash's low 32 bits (0 is stored as 1, so 0 can mean empty); bucket = the hash's high
 * bits, as in {@link DynamicStore}. The slot the policy sees is the record's number.
 */
public final class FixedStore implements Store {
    static final int WAYS = 16;
    static final int MAX_SAME_TAG = 2;
    /** A variable side may be at most this long to be stored inline. */
    public static final int MAX_INLINE_VARIABLE = 255;

    private static final ValueLayout.OfLong LONG_U = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private final Arena arena;
    private final MemorySegment mem;
    private final long memoryBytes;
    private final long buckets;
    private final int slots;
    private final long tagsBytes;
    private final long recordsBase;
    private final long recordsEnd;
    private final long policyBytes;
    private final int record;
    private final EvictionPolicy policy;
    private final boolean ttl;
    private final int fixedKey;
    private final int fixedValue;
    private final int maxKey;
    private final int maxValue;
    private final int keyLenAt;
    private final int valueLenAt;
    private final int keyAt;
    private final int valueAt;
    private final StoreStats stats = new StoreStats();
    private final int[] candidates = new int[WAYS];

    private final Expiry expiry;
    private final Expiry.Slots sweepView = new Expiry.Slots() {
        @Override
        public long deadline(int slot) {
            return tag(slot) == 0 ? 0 : mem.get(LONG_U, recordOf(slot) + 8);
        }

        @Override
        public void expire(int slot) {
            drop(slot, recordOf(slot), true, false);
        }
    };
    private long lastVersion;
    private boolean closed;

    public FixedStore(StoreConfig config, EvictionPolicy.Factory<?> policies) {
        if (!config.fixedKeys() && !config.fixedValues()) {
            throw new IllegalArgumentException("a fixed store needs a fixed key or value length");
        }
        if (!config.fixedValues() && config.maxValueLength() > MAX_INLINE_VARIABLE) {
            throw new IllegalArgumentException("variable values are inline only up to " + MAX_INLINE_VARIABLE + " B");
        }
        this.memoryBytes = config.memoryBytes();
        this.ttl = config.ttlEnabled();
        this.expiry = new Expiry(config);
        this.fixedKey = config.fixedKeyLength();
        this.fixedValue = config.fixedValueLength();
        this.maxKey = config.maxKeyLength();
        this.maxValue = config.maxValueLength();
        int at = 8 + (ttl ? 8 : 0);
        this.keyLenAt = fixedKey == 0 ? at++ : -1;
        this.valueLenAt = fixedValue == 0 ? at++ : -1;
        this.keyAt = at;
        at += fixedKey != 0 ? fixedKey : maxKey;
        this.valueAt = at;
        at += fixedValue != 0 ? fixedValue : maxValue;
        this.record = at;
        this.buckets = bucketsFitting(memoryBytes, record, policies);
        this.slots = (int) (buckets * WAYS);
        this.tagsBytes = 4L * slots;
        this.recordsBase = tagsBytes;
        this.recordsEnd = recordsBase + (long) slots * record;
        long policyBase = (recordsEnd + 7) & ~7L;
        this.arena = Arena.ofConfined();
        try {
            this.mem = OffHeap.allocate(arena, memoryBytes);
            var policyMemory = mem.asSlice(policyBase, policies.bytes(slots));
            this.policyBytes = policyMemory.byteSize();
            this.policy = Objects.requireNonNull(policies.create(slots, policyMemory), "policy");
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        this.lastVersion = System.currentTimeMillis() << 20;
        stats.capacityBytes = memoryBytes;
        stats.arenaBytes = mem.byteSize();
        stats.allocatedBytes = tagsBytes + policyBytes;
    }

    /** The most buckets whose tags, records and eviction state fit in {@code memoryBytes}. */
    private static long bucketsFitting(long memoryBytes, int record, EvictionPolicy.Factory<?> policies) {
        long perBucket = (long) WAYS * (4 + record);
        long buckets = Math.min(memoryBytes / perBucket, Integer.MAX_VALUE / WAYS);
        while (buckets > 0 && footprint(buckets, record, policies) > memoryBytes) {
            long over = footprint(buckets, record, policies) - memoryBytes;
            buckets -= Math.max(1, over / perBucket);
        }
        if (buckets < 1) {
            throw new IllegalArgumentException("memoryBytes " + memoryBytes + " holds no bucket of " + perBucket
                    + " B and its eviction state");
        }
        return buckets;
    }

    private static long footprint(long buckets, int record, EvictionPolicy.Factory<?> policies) {
        int slots = (int) (buckets * WAYS);
        long records = (long) slots * (4 + record);
        return ((records + 7) & ~7L) + policies.bytes(slots);
    }

    private static int tagOf(long hash) {
        int t = (int) hash;
        return t == 0 ? 1 : t;
    }

    private int bucketBase(long hash) {
        return (int) (IndexHash.bucket(hash, buckets) * WAYS);
    }

    private int tag(int slot) {
        return mem.get(INT, (long) slot << 2);
    }

    private long recordOf(int slot) {
        return recordsBase + (long) slot * record;
    }

    private int keyLength(long r) {
        return fixedKey != 0 ? fixedKey : mem.get(ValueLayout.JAVA_BYTE, r + keyLenAt) & 0xFF;
    }

    private int valueLengthAt(long r) {
        return fixedValue != 0 ? fixedValue : mem.get(ValueLayout.JAVA_BYTE, r + valueLenAt) & 0xFF;
    }

    private boolean expired(long r) {
        if (!ttl) {
            return false;
        }
        return expiry.passed(mem.get(LONG_U, r + 8));
    }

    /** The slot of the live entry for this key, or -1 (a key of a length never stored has none). */
    private int slotOf(long hash, byte[] key, int keyOffset, int keyLength) {
        Objects.checkFromIndexSize(keyOffset, keyLength, key.length);
        return keyFits(keyLength) ? locate(hash, key, keyOffset, keyLength) : -1;
    }

    private boolean keyFits(int length) {
        return fixedKey != 0 ? length == fixedKey : length >= 1 && length <= maxKey;
    }

    private int locate(long hash, byte[] key, int offset, int length) {
        int base = bucketBase(hash);
        int tag = tagOf(hash);
        for (int w = 0; w < WAYS; w++) {
            int slot = base + w;
            if (tag(slot) != tag) {
                continue;
            }
            long r = recordOf(slot);
            if (keyLength(r) != length || !KeyBytes.equal(mem, r + keyAt, key, offset, length)) {
                continue;
            }
            if (expired(r)) {
                drop(slot, r, true, false);
                return -1;
            }
            return slot;
        }
        return -1;
    }

    private void drop(int slot, long r, boolean expired, boolean evicted) {
        stats.payloadBytes -= keyLength(r) + valueLengthAt(r);
        stats.items--;
        mem.set(INT, (long) slot << 2, 0);
        mem.set(LONG_U, r, 0L);
        if (evicted) {
            stats.evictions++;
            policy.onEvict(slot);
        } else {
            if (expired) {
                stats.expirations++;
            }
            policy.onRemove(slot);
        }
    }

    /** Range only (no division on the read path): a stale or forged reference reads bytes of the
     *  records area, never outside the segment. */
    private void checkEntry(long r) {
        if (r < recordsBase || r > recordsEnd - record) {
            throw new IllegalArgumentException("not an entry reference: " + r);
        }
    }

    @Override
    public void tick(long nowMs) {
        expiry.tick(nowMs);
    }

    @Override
    public long find(long hash, byte[] key, int keyOffset, int keyLength) {
        int slot = slotOf(hash, key, keyOffset, keyLength);
        if (slot < 0) {
            stats.misses++;
            policy.onMiss(hash);
            return Outcome.NOT_FOUND;
        }
        stats.hits++;
        policy.onHit(slot, hash);
        return recordOf(slot);
    }

    @Override
    public int valueLength(long entry) {
        checkEntry(entry);
        return valueLengthAt(entry);
    }

    @Override
    public long version(long entry) {
        checkEntry(entry);
        return mem.get(LONG_U, entry);
    }

    @Override
    public void copyValue(long entry, byte[] destination, int offset) {
        checkEntry(entry);
        int length = valueLengthAt(entry);
        Objects.checkFromIndexSize(offset, length, destination.length);
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, entry + valueAt, destination, offset, length);
    }

    @Override
    public long set(long hash, byte[] key, int keyOffset, int keyLength,
                    byte[] value, int valueOffset, int valueLength,
                    int condition, long expectedVersion, long ttlMs) {
        Objects.checkFromIndexSize(keyOffset, keyLength, key.length);
        Objects.checkFromIndexSize(valueOffset, valueLength, value.length);
        if (!SetCondition.isValid(condition)) {
            throw new IllegalArgumentException("unknown set condition " + condition);
        }
        if (!keyFits(keyLength) || (fixedValue != 0 ? valueLength != fixedValue : valueLength > maxValue)) {
            return Outcome.TOO_LARGE;
        }
        int slot = locate(hash, key, keyOffset, keyLength);
        switch (condition) {
            case SetCondition.IF_ABSENT -> {
                if (slot >= 0) {
                    return Outcome.EXISTS;
                }
            }
            case SetCondition.IF_PRESENT -> {
                if (slot < 0) {
                    return Outcome.NOT_FOUND;
                }
            }
            case SetCondition.IF_VERSION -> {
                if (slot < 0) {
                    return Outcome.NOT_FOUND;
                }
                if (mem.get(LONG_U, recordOf(slot)) != expectedVersion) {
                    return Outcome.VERSION_MISMATCH;
                }
            }
            default -> {
            }
        }
        long deadline = expiry.deadlineFor(ttlMs);
        long version = ++lastVersion;
        stats.sets++;
        if (deadline < 0) {
            if (slot >= 0) {
                drop(slot, recordOf(slot), true, false);
            }
            return version;
        }
        if (slot >= 0) {
            long r = recordOf(slot);
            stats.payloadBytes += valueLength - valueLengthAt(r);
            write(r, key, keyOffset, keyLength, value, valueOffset, valueLength, version, deadline);
            policy.onHit(slot, hash);
            return version;
        }
        slot = claimSlot(hash);
        if (slot < 0) {
            stats.rejections++;
            return version;
        }
        write(recordOf(slot), key, keyOffset, keyLength, value, valueOffset, valueLength, version, deadline);
        mem.set(INT, (long) slot << 2, tagOf(hash));
        stats.items++;
        stats.payloadBytes += keyLength + valueLength;
        policy.onInsert(slot, hash);
        return version;
    }

    private void write(long r, byte[] key, int keyOffset, int keyLength,
                       byte[] value, int valueOffset, int valueLength, long version, long deadline) {
        mem.set(LONG_U, r, version);
        if (ttl) {
            mem.set(LONG_U, r + 8, deadline);
            expiry.stored(deadline);
        }
        if (fixedKey == 0) {
            mem.set(ValueLayout.JAVA_BYTE, r + keyLenAt, (byte) keyLength);
        }
        if (fixedValue == 0) {
            mem.set(ValueLayout.JAVA_BYTE, r + valueLenAt, (byte) valueLength);
        }
        MemorySegment.copy(key, keyOffset, mem, ValueLayout.JAVA_BYTE, r + keyAt, keyLength);
        MemorySegment.copy(value, valueOffset, mem, ValueLayout.JAVA_BYTE, r + valueAt, valueLength);
    }

    /** As {@code DynamicStore.claimCell}: an empty slot, else an expired one, else a victim. */
    private int claimSlot(long hash) {
        int base = bucketBase(hash);
        int tag = tagOf(hash);
        int empty = -1;
        int same = 0;
        for (int w = 0; w < WAYS; w++) {
            int t = tag(base + w);
            if (t == 0) {
                if (empty < 0) {
                    empty = base + w;
                }
            } else if (t == tag) {
                candidates[same++] = base + w;
            }
        }
        int n = same;
        if (same < MAX_SAME_TAG) {
            if (empty >= 0) {
                return empty;
            }
            if (ttl) {
                for (int w = 0; w < WAYS; w++) {
                    long r = recordOf(base + w);
                    if (expired(r)) {
                        drop(base + w, r, true, false);
                        return base + w;
                    }
                }
            }
            for (int w = 0; w < WAYS; w++) {
                candidates[w] = base + w;
            }
            n = WAYS;
        }
        int pick = policy.selectVictim(candidates, n);
        if (pick < 0 || pick >= n) {
            throw new IllegalStateException("policy picked candidate " + pick + " of " + n);
        }
        int victim = candidates[pick];
        if (!policy.admit(hash, victim)) {
            return -1;
        }
        drop(victim, recordOf(victim), false, true);
        return victim;
    }

    @Override
    public int delete(long hash, byte[] key, int keyOffset, int keyLength, long expectedVersion) {
        int slot = slotOf(hash, key, keyOffset, keyLength);
        if (slot < 0) {
            return Outcome.NOT_FOUND;
        }
        long r = recordOf(slot);
        if (expectedVersion != 0 && mem.get(LONG_U, r) != expectedVersion) {
            return Outcome.VERSION_MISMATCH;
        }
        drop(slot, r, false, false);
        stats.deletes++;
        return Outcome.OK;
    }

    @Override
    public long touch(long hash, byte[] key, int keyOffset, int keyLength, long ttlMs) {
        int slot = slotOf(hash, key, keyOffset, keyLength);
        if (slot < 0) {
            return Outcome.NOT_FOUND;
        }
        long r = recordOf(slot);
        long version = mem.get(LONG_U, r);
        if (ttl) {
            long deadline = expiry.deadlineFor(ttlMs);
            if (deadline < 0) {
                drop(slot, r, true, false);
                return version;
            }
            mem.set(LONG_U, r + 8, deadline);
            expiry.stored(deadline);
        }
        policy.onHit(slot, hash);
        return version;
    }

    @Override
    public void flush() {
        for (int slot = 0; slot < slots; slot++) {
            if (tag(slot) != 0) {
                policy.onRemove(slot);
                mem.set(LONG_U, recordOf(slot), 0L);
            }
        }
        mem.asSlice(0, tagsBytes).fill((byte) 0);
        stats.items = 0;
        stats.payloadBytes = 0;
        expiry.reset();
    }

    @Override
    public int sweepExpired(int budget) {
        return expiry.sweep(budget, slots, sweepView);
    }

    @Override
    public StoreStats stats() {
        stats.allocatedBytes = tagsBytes + policyBytes + stats.items * record;
        return stats;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    public int slots() {
        return slots;
    }

    public int recordBytes() {
        return record;
    }

    /** @return null when tags, records and counters agree, otherwise what is wrong (for tests) */
    public String verify() {
        long items = 0;
        long payload = 0;
        for (int slot = 0; slot < slots; slot++) {
            long r = recordOf(slot);
            boolean used = tag(slot) != 0;
            long version = mem.get(LONG_U, r);
            if (used != (version != 0)) {
                return "slot " + slot + " tag " + tag(slot) + " but version " + version;
            }
            if (used) {
                items++;
                payload += keyLength(r) + valueLengthAt(r);
            }
        }
        if (items != stats.items || payload != stats.payloadBytes) {
            return "stats say " + stats.items + " / " + stats.payloadBytes + ", slots say " + items + " / " + payload;
        }
        return null;
    }
}
