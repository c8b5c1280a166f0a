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
 * The general store: keys and values of any length up to the configured maxima, held in chunks
 * of a {@link BitmapAllocator}, found through a set-associative index keyed by the client's hash.
 * All of it lives in one off-heap segment of exactly {@code memoryBytes}, taken once from a
 * confined arena, so <b>the store must be created on its owner thread</b>.
 *
 * <h2>Segment layout</h2>
 * <pre>
 *  offset 0                                                              memoryBytes
 *  | index: B buckets x 16 cells x 8 B | eviction state | allocator bookkeeping | pages ... | tail |
 * </pre>
 *
 * <h2>Index</h2>
 * Bucket {@code b = unsignedMultiplyHigh(hash, B)} (the hash's high bits), 16 ways in 128 bytes:
 * two adjacent cache lines, which the hardware's adjacent-line prefetch fetches together. (With 8
 * ways a few buckets overflow, and evict, even at 20% load; with 16 that is negligible up to
 * about 60% and rare at 80%.) A cell is one long:
 * <pre>
 *   63              32 31               0
 *   [ tag: hash low 32 ][ handle: (chunk - pagesBase)/8 + 1 ]   handle 0 = empty cell
 * </pre>
 * A lookup reads one bucket, compares tags, and compares the whole key only where the tag
 * matches. A slot, the number the eviction policy knows an entry by, is its cell's number
 * {@code b * 8 + way}: dense in {@code [0, 8B)} and stable for the entry's life. There is no
 * resize, so no resize pause: a full bucket evicts one of its own entries (the policy chooses
 * among the 16). At most {@value #MAX_SAME_TAG} entries of a bucket may share a tag; a further key
 * with that tag (a client sending colliding hashes) evicts among those only, so colliding keys
 * cost their sender its own hits and bound any lookup to {@value #MAX_SAME_TAG} key comparisons.
 *
 * <h2>Entry (a chunk)</h2>
 * <pre>
 *   +0  long  version
 *   +8  int   slot (back-pointer to the index cell, for page reclaim)
 *   +12 int   key length (bits 0-7) | value length (bits 8-31)
 *   +16 long  deadline in ms, 0 = never    (only when TTL is configured)
 *   +H  key bytes, then value bytes        (H = 24 with TTL, 16 without)
 * </pre>
 *
 * <h2>Making room</h2>
 * A new key needs a cell and a chunk. For the cell: an empty way, else an expired one, else the
 * policy's pick among the bucket's entries. For the chunk: the allocator, else evict the policy's
 * global victim and retry, up to {@value #EVICTION_TRIES} times; if the size class still has no
 * room, the last victim's whole page is emptied (every entry in it evicted), which returns it to
 * the free pool for any class. So a class never starves while memory sits in another class.
 */
public final class DynamicStore implements Store {
    static final int WAYS = 16;
    static final int MAX_SAME_TAG = 2;
    static final int EVICTION_TRIES = 8;
    static final long DEMAND_WINDOW = 1 << 16;
    static final int MIN_PAGES_FOR_LARGE = 512;
    static final int MIN_PAGES_TO_FIT = 128;
    /** Per-port ceiling: handles are 32 bits of 8-byte units. */
    static final long MAX_PAGES_BYTES = 0xFFFF_FFFFL << 3;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final long REJECTED = -2;

    private static final int REMOVED = 0;
    private static final int EXPIRED = 1;
    private static final int EVICTED = 2;

    private final Arena arena;
    private final MemorySegment mem;
    private final long memoryBytes;
    private final long buckets;
    private final int cells;
    private final long indexBytes;
    /** The index and the eviction policy's state: what the store spends before any entry. */
    private final long fixedMetaBytes;
    private final BitmapAllocator alloc;
    private final long pagesBase;
    private final long pagesEnd;
    private final EvictionPolicy policy;
    private final boolean ttl;
    private final int header;
    private final int maxKey;
    private final int maxValue;
    private final int fixedKey;
    private final int fixedValue;
    private final StoreStats stats = new StoreStats();
    private final int[] candidates = new int[WAYS];

    /** Recent allocations per size class, halved every {@value #DEMAND_WINDOW}. */
    private final long[] demand;
    private long demandTotal;
    /** Sum of demand(c) * size(c), kept as demand changes. */
    private long demandBytes;
    private int pageRover;
    private long chunkRover;

    private final Expiry expiry;
    private final Expiry.Slots sweepView = new Expiry.Slots() {
        @Override
        public long deadline(int slot) {
            long c = cell(slot);
            return (int) c == 0 ? 0 : mem.get(LONG, entryOf(c) + 16);
        }

        @Override
        public void expire(int slot) {
            drop(slot, entryOf(cell(slot)), EXPIRED);
        }
    };
    private long lastVersion;
    private boolean closed;


    /**
     * @param bytesPerCell memory per index cell: the index takes {@code 8 / bytesPerCell} of the
     *     budget (the eviction state its policy needs per cell besides) and holds up to
     *     {@code memoryBytes / bytesPerCell} entries
     */
    public DynamicStore(StoreConfig config, EvictionPolicy.Factory<?> policies, int bytesPerCell) {
        this(config, policies, bytesPerCell, 0);
    }

    /** As above, with a page size to use instead of {@link #pageSizeFor}'s (0 = choose). */
    DynamicStore(StoreConfig config, EvictionPolicy.Factory<?> policies, int bytesPerCell, int forcedPageSize) {
        if (bytesPerCell < 16) {
            throw new IllegalArgumentException("bytesPerCell must be at least 16: " + bytesPerCell);
        }
        this.memoryBytes = config.memoryBytes();
        this.ttl = config.ttlEnabled();
        this.expiry = new Expiry(config);
        this.header = ttl ? 24 : 16;
        this.maxKey = config.maxKeyLength();
        this.maxValue = config.maxValueLength();
        this.fixedKey = config.fixedKeyLength();
        this.fixedValue = config.fixedValueLength();
        long wantedBuckets = Math.max(1, memoryBytes / bytesPerCell / WAYS);
        this.buckets = Math.min(wantedBuckets, Integer.MAX_VALUE / WAYS);
        this.cells = (int) (buckets * WAYS);
        this.indexBytes = (long) cells * 8;
        long policyBytes = (policies.bytes(cells) + 63) & ~63L; // the allocator starts on a cache line
        long metaBytes = indexBytes + policyBytes;
        this.fixedMetaBytes = metaBytes;
        int pageSize = forcedPageSize > 0 ? forcedPageSize : pageSizeFor(memoryBytes, header + maxKey + (long) maxValue);
        if (metaBytes + 2L * pageSize > memoryBytes) {
            throw new IllegalArgumentException("memoryBytes " + memoryBytes + " is too small for an index of "
                    + indexBytes + " B, eviction state of " + policyBytes + " B and two pages of " + pageSize + " B");
        }
        this.arena = Arena.ofConfined();
        try {
            this.mem = OffHeap.allocate(arena, memoryBytes);
            this.alloc = new BitmapAllocator(mem, metaBytes, memoryBytes - metaBytes, pageSize);
            this.pagesBase = alloc.pagesBase();
            this.pagesEnd = alloc.pagesEnd();
            this.demand = new long[alloc.classCount()];
            if (pagesEnd - pagesBase > MAX_PAGES_BYTES) {
                throw new IllegalArgumentException("one store holds at most " + MAX_PAGES_BYTES + " B of pages");
            }
            this.policy = Objects.requireNonNull(policies.create(cells, mem.asSlice(indexBytes, policyBytes)), "policy");
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        this.lastVersion = System.currentTimeMillis() << 20;
        stats.capacityBytes = memoryBytes;
        stats.arenaBytes = mem.byteSize();
        refreshAllocated();
    }

    /**
     * The longest value a store of this configuration accepts next to a key of the longest length:
     * the configured maximum, unless one page (the largest entry) cannot hold it with its header
     * and key.
     */
    public static int largestValue(StoreConfig config) {
        int header = config.ttlEnabled() ? 24 : 16;
        long maxEntry = header + config.maxKeyLength() + (long) config.maxValueLength();
        int page = pageSizeFor(config.memoryBytes(), maxEntry);
        return (int) Math.min(config.maxValueLength(), (long) page - header - config.maxKeyLength());
    }

    /**
     * Pages of 1 MiB, or smaller for small budgets so there are at least 256 pages to share among
     * the size classes, and never smaller than {@link BitmapAllocator#MIN_PAGE_SIZE}. The largest
     * entry is one page, so pages grow towards the largest entry the configuration allows (header
     * + maxKeyLength + maxValueLength, at most 4 MiB), but only while the budget still holds
     * {@value #MIN_PAGES_TO_FIT} of them ({@value #MIN_PAGES_FOR_LARGE} for pages over 1 MiB):
     * every size class in use keeps partly used pages, and with too few pages the classes take
     * pages from each other on every set (measured: a 16 MiB store with 1 MiB pages kept 15 of
     * 2,000 small entries; with 256 KiB pages, all of them), and large pages strand memory
     * (9-12% of a 256 MiB store with 2 MiB pages, 3-4% with 1 MiB; with 64 pages of 512 KiB a
     * 32 MiB store filled with 16-1024 B values held payload worth 54% of its budget, with 128
     * pages of 256 KiB 75%, `perf/memory-compare.sh 64 200000`). Where the largest entry does
     * not fit a page, {@link #largestValue} is lower than maxValueLength and the handshake says so.
     */
    static int pageSizeFor(long memoryBytes, long maxEntry) {
        long byBudget = Math.min(1 << 20, Math.max(BitmapAllocator.MIN_PAGE_SIZE,
                Long.highestOneBit(Math.max(1, memoryBytes / 256))));
        long page = Math.max(BitmapAllocator.MIN_PAGE_SIZE, Long.highestOneBit(Math.min(maxEntry, 4 << 20) - 1) << 1);
        while (page > byBudget && memoryBytes / page < (page > (1 << 20) ? MIN_PAGES_FOR_LARGE : MIN_PAGES_TO_FIT)) {
            page >>= 1;
        }
        return (int) Math.max(page, byBudget);
    }

    // ---------------------------------------------------------------- index and entry access

    private long bucketBase(long hash) {
        return IndexHash.bucket(hash, buckets) * WAYS;
    }

    private long cell(int slot) {
        return mem.get(LONG, (long) slot << 3);
    }

    private long entryOf(long cell) {
        return pagesBase + (((cell & 0xFFFF_FFFFL) - 1) << 3);
    }

    private long cellFor(int tag, long entry) {
        return ((long) tag << 32) | (((entry - pagesBase) >>> 3) + 1);
    }

    private boolean expired(long entry) {
        if (!ttl) {
            return false;
        }
        return expiry.passed(mem.get(LONG, entry + 16));
    }

    /** The slot of the live entry for this key, or -1; an expired match is reclaimed on the way. */
    private int locate(long hash, byte[] key, int offset, int length) {
        int base = (int) bucketBase(hash);
        int tag = (int) hash;
        for (int w = 0; w < WAYS; w++) {
            int slot = base + w;
            long c = cell(slot);
            if ((int) c == 0 || (int) (c >>> 32) != tag) {
                continue;
            }
            long e = entryOf(c);
            if ((mem.get(INT, e + 12) & 0xFF) != length || !KeyBytes.equal(mem, e + header, key, offset, length)) {
                continue;
            }
            if (expired(e)) {
                drop(slot, e, EXPIRED);
                return -1;
            }
            return slot;
        }
        return -1;
    }

    private void drop(int slot, long entry, int why) {
        if (mem.get(INT, entry + 8) != slot) {
            throw new IllegalStateException("entry " + entry + " points back to slot " + mem.get(INT, entry + 8) + ", not " + slot);
        }
        int lens = mem.get(INT, entry + 12);
        stats.payloadBytes -= (lens & 0xFF) + (lens >>> 8);
        stats.items--;
        mem.set(LONG, (long) slot << 3, 0L);
        alloc.free(entry);
        switch (why) {
            case EVICTED -> {
                stats.evictions++;
                policy.onEvict(slot);
            }
            case EXPIRED -> {
                stats.expirations++;
                policy.onRemove(slot);
            }
            default -> policy.onRemove(slot);
        }
    }

    private void checkEntry(long entry) {
        if (entry < pagesBase || entry >= pagesEnd || (entry & 7) != 0) {
            throw new IllegalArgumentException("not an entry reference: " + entry);
        }
    }

    /** The slot of the live entry for this key, or -1 (a key of a length never stored has none). */
    private int slotOf(long hash, byte[] key, int keyOffset, int keyLength) {
        Objects.checkFromIndexSize(keyOffset, keyLength, key.length);
        return keyFits(keyLength) ? locate(hash, key, keyOffset, keyLength) : -1;
    }

    private boolean keyFits(int length) {
        return length >= 1 && length <= maxKey && (fixedKey == 0 || length == fixedKey);
    }

    // ---------------------------------------------------------------- Store

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
        return entryOf(cell(slot));
    }

    @Override
    public int valueLength(long entry) {
        checkEntry(entry);
        return mem.get(INT, entry + 12) >>> 8;
    }

    @Override
    public long version(long entry) {
        checkEntry(entry);
        return mem.get(LONG, entry);
    }

    @Override
    public void copyValue(long entry, byte[] destination, int offset) {
        checkEntry(entry);
        int lens = mem.get(INT, entry + 12);
        int length = lens >>> 8;
        Objects.checkFromIndexSize(offset, length, destination.length);
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, entry + header + (lens & 0xFF), destination, offset, length);
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
        if (!keyFits(keyLength) || valueLength > maxValue || (fixedValue != 0 && valueLength != fixedValue)) {
            return Outcome.TOO_LARGE;
        }
        int cls = alloc.classFor(header + keyLength + valueLength);
        if (cls < 0) {
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
                if (mem.get(LONG, entryOf(cell(slot))) != expectedVersion) {
                    return Outcome.VERSION_MISMATCH;
                }
            }
            default -> {
            }
        }
        long deadline = expiry.deadlineFor(ttlMs);
        long version = ++lastVersion;
        stats.sets++;
        if (deadline < 0) { // stored and dead at once: nothing to keep, and the old value must go
            if (slot >= 0) {
                drop(slot, entryOf(cell(slot)), EXPIRED);
            }
            return version;
        }
        if (slot >= 0) {
            long e = entryOf(cell(slot));
            if (alloc.classOfChunk(e) == cls) {
                int old = mem.get(INT, e + 12);
                stats.payloadBytes += keyLength + valueLength - (old & 0xFF) - (old >>> 8);
                write(e, slot, key, keyOffset, keyLength, value, valueOffset, valueLength, version, deadline);
                policy.onHit(slot, hash);
                return version;
            }
            drop(slot, e, REMOVED);
        }
        slot = claimCell(hash);
        if (slot < 0) {
            stats.rejections++;
            return version;
        }
        long e = allocate(cls, hash);
        if (e == REJECTED) {
            stats.rejections++;
            return version;
        }
        if (e < 0) {
            return Outcome.OUT_OF_MEMORY;
        }
        write(e, slot, key, keyOffset, keyLength, value, valueOffset, valueLength, version, deadline);
        mem.set(LONG, (long) slot << 3, cellFor((int) hash, e));
        stats.items++;
        stats.payloadBytes += keyLength + valueLength;
        policy.onInsert(slot, hash);
        return version;
    }

    private void write(long e, int slot, byte[] key, int keyOffset, int keyLength,
                       byte[] value, int valueOffset, int valueLength, long version, long deadline) {
        mem.set(LONG, e, version);
        mem.set(INT, e + 8, slot);
        mem.set(INT, e + 12, keyLength | (valueLength << 8));
        if (ttl) {
            mem.set(LONG, e + 16, deadline);
            expiry.stored(deadline);
        }
        MemorySegment.copy(key, keyOffset, mem, ValueLayout.JAVA_BYTE, e + header, keyLength);
        MemorySegment.copy(value, valueOffset, mem, ValueLayout.JAVA_BYTE, e + header + keyLength, valueLength);
    }

    /**
     * An empty cell in the key's bucket, made by expiry or eviction if need be; -1 if refused.
     * A key whose tag already has {@value #MAX_SAME_TAG} entries in the bucket replaces one of
     * them even if other ways are empty, so colliding hashes never hold more than that.
     */
    private int claimCell(long hash) {
        int base = (int) bucketBase(hash);
        int tag = (int) hash;
        int empty = -1;
        int same = 0;
        for (int w = 0; w < WAYS; w++) {
            long c = cell(base + w);
            if ((int) c == 0) {
                if (empty < 0) {
                    empty = base + w;
                }
            } else if ((int) (c >>> 32) == tag) {
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
                    long e = entryOf(cell(base + w));
                    if (expired(e)) {
                        drop(base + w, e, EXPIRED);
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
        drop(victim, entryOf(cell(victim)), EVICTED);
        return victim;
    }

    /** A chunk of class {@code cls}, evicting to make one; -1 if impossible, REJECTED if refused. */
    private long allocate(int cls, long hash) {
        noteDemand(cls);
        long e = alloc.allocate(cls);
        if (e >= 0) {
            return e;
        }
        int emptiest = -1;
        int emptiestUsed = Integer.MAX_VALUE;
        for (int attempt = 1; ; attempt++) {
            if (stats.items == 0) {
                return -1;
            }
            int victim = policy.selectVictim();
            if (victim < 0 || victim >= cells || (int) cell(victim) == 0) {
                throw new IllegalStateException("policy chose slot " + victim + ", which holds no entry");
            }
            if (attempt == 1 && !policy.admit(hash, victim)) {
                return REJECTED;
            }
            long ve = entryOf(cell(victim));
            int page = alloc.pageOf(ve);
            drop(victim, ve, EVICTED);
            e = alloc.allocate(cls);
            if (e >= 0) {
                return e;
            }
            if (attempt == 1 && hasFairShare(cls)) {
                // The class holds its share of pages already: make room inside it.
                e = evictWithinClass(cls);
                if (e >= 0) {
                    return e;
                }
            }
            // Remember the victims' page that is closest to empty: the cheapest one to reclaim.
            int used = alloc.usedChunks(page);
            if (used < emptiestUsed) {
                emptiest = page;
                emptiestUsed = used;
            }
            if (attempt >= EVICTION_TRIES) {
                reclaimPage(emptiest);
                e = alloc.allocate(cls);
                if (e < 0) {
                    throw new IllegalStateException("page " + emptiest + " was emptied but class " + cls + " still has no room");
                }
                return e;
            }
        }
    }

    private void noteDemand(int cls) {
        demand[cls]++;
        demandBytes += alloc.classSize(cls);
        if (++demandTotal >= DEMAND_WINDOW) {
            demandTotal = 0;
            demandBytes = 0;
            for (int c = 0; c < demand.length; c++) {
                demand[c] >>>= 1;
                demandTotal += demand[c];
                demandBytes += demand[c] * alloc.classSize(c);
            }
        }
    }

    /**
     * Whether the class's share of pages is at least its share of recent allocations, counted
     * in bytes: {@code pages(c) / pages >= demand(c) * size(c) / sum of demand * size}. A class
     * below its share takes pages from others (page reclaim) instead of evicting its own entries.
     */
    private boolean hasFairShare(int cls) {
        double mine = (double) demand[cls] * alloc.classSize(cls);
        return demandBytes == 0 || (double) alloc.pagesOf(cls) / alloc.pageCount() >= mine / demandBytes;
    }

    /** Evicts the policy's pick among up to {@value #WAYS} entries of one page of {@code cls}. */
    private long evictWithinClass(int cls) {
        int page = alloc.nextPageOf(cls, pageRover);
        if (page < 0) {
            return -1;
        }
        pageRover = page + 1 == alloc.pageCount() ? 0 : page + 1;
        int chunks = alloc.chunksPerPage(cls);
        int start = (int) ((chunkRover++ & 0x7FFF_FFFFL) % chunks);
        int n = 0;
        for (int i = 0; i < chunks && n < WAYS; i++) {
            int index = start + i < chunks ? start + i : start + i - chunks;
            long chunk = alloc.allocatedChunk(page, index);
            if (chunk >= 0) {
                candidates[n++] = mem.get(INT, chunk + 8);
            }
        }
        if (n == 0) {
            return -1;
        }
        int pick = policy.selectVictim(candidates, n);
        if (pick < 0 || pick >= n) {
            throw new IllegalStateException("policy picked candidate " + pick + " of " + n);
        }
        int victim = candidates[pick];
        drop(victim, entryOf(cell(victim)), EVICTED);
        return alloc.allocate(cls);
    }

    /** Evicts every entry in a page, which returns the page to the free pool. */
    private void reclaimPage(int page) {
        stats.pageReclaims++;
        long e;
        while ((e = alloc.firstAllocated(page)) >= 0) {
            int slot = mem.get(INT, e + 8);
            if (slot < 0 || slot >= cells || entryOf(cell(slot)) != e || (int) cell(slot) == 0) {
                throw new IllegalStateException("chunk " + e + " in page " + page + " is not indexed by its slot " + slot);
            }
            drop(slot, e, EVICTED);
        }
    }

    @Override
    public int delete(long hash, byte[] key, int keyOffset, int keyLength, long expectedVersion) {
        int slot = slotOf(hash, key, keyOffset, keyLength);
        if (slot < 0) {
            return Outcome.NOT_FOUND;
        }
        long e = entryOf(cell(slot));
        if (expectedVersion != 0 && mem.get(LONG, e) != expectedVersion) {
            return Outcome.VERSION_MISMATCH;
        }
        drop(slot, e, REMOVED);
        stats.deletes++;
        return Outcome.OK;
    }

    @Override
    public long touch(long hash, byte[] key, int keyOffset, int keyLength, long ttlMs) {
        int slot = slotOf(hash, key, keyOffset, keyLength);
        if (slot < 0) {
            return Outcome.NOT_FOUND;
        }
        long e = entryOf(cell(slot));
        long version = mem.get(LONG, e);
        if (ttl) {
            long deadline = expiry.deadlineFor(ttlMs);
            if (deadline < 0) {
                drop(slot, e, EXPIRED);
                return version;
            }
            mem.set(LONG, e + 16, deadline);
            expiry.stored(deadline);
        }
        policy.onHit(slot, hash);
        return version;
    }

    @Override
    public void flush() {
        for (int slot = 0; slot < cells; slot++) {
            if ((int) cell(slot) != 0) {
                policy.onRemove(slot);
            }
        }
        mem.asSlice(0, indexBytes).fill((byte) 0);
        alloc.reset();
        stats.items = 0;
        stats.payloadBytes = 0;
        expiry.reset();
        refreshAllocated();
    }

    @Override
    public int sweepExpired(int budget) {
        return expiry.sweep(budget, cells, sweepView);
    }

    private void refreshAllocated() {
        stats.allocatedBytes = fixedMetaBytes + alloc.metadataBytes() + alloc.allocatedBytes();
    }

    @Override
    public StoreStats stats() {
        refreshAllocated();
        return stats;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    // ---------------------------------------------------------------- introspection

    public int cells() {
        return cells;
    }

    public long indexBytes() {
        return indexBytes;
    }

    public int pageSize() {
        return alloc.pageSize();
    }

    public int headerBytes() {
        return header;
    }

    /** Largest key + value this store can hold, whatever the configured maxima say. */
    public int maxPayload() {
        return alloc.maxChunk() - header;
    }

    /**
     * Cross-checks the index, the entries and the allocator: every cell's chunk is allocated,
     * of the right class, and points back to its cell; counts and payload add up.
     *
     * @return null when consistent, otherwise what is wrong; O(size), for tests
     */
    public String verify() {
        String e = alloc.verify();
        if (e != null) {
            return "allocator: " + e;
        }
        long items = 0;
        long payload = 0;
        long chunkBytes = 0;
        for (int slot = 0; slot < cells; slot++) {
            long c = cell(slot);
            if ((int) c == 0) {
                continue;
            }
            long entry = entryOf(c);
            if (entry < pagesBase || entry >= pagesEnd) {
                return "slot " + slot + " points outside the pages";
            }
            if (mem.get(INT, entry + 8) != slot) {
                return "slot " + slot + " entry points back to " + mem.get(INT, entry + 8);
            }
            int lens = mem.get(INT, entry + 12);
            int total = header + (lens & 0xFF) + (lens >>> 8);
            if (alloc.chunkSize(entry) < total || alloc.classFor(total) != alloc.classOfChunk(entry)) {
                return "slot " + slot + " holds " + total + " B in a chunk of " + alloc.chunkSize(entry);
            }
            if (mem.get(LONG, entry) == 0) {
                return "slot " + slot + " has version 0";
            }
            items++;
            payload += (lens & 0xFF) + (lens >>> 8);
            chunkBytes += alloc.chunkSize(entry);
        }
        if (items != stats.items || payload != stats.payloadBytes) {
            return "stats say " + stats.items + " items / " + stats.payloadBytes + " B, index says " + items + " / " + payload;
        }
        if (items != alloc.allocatedChunks() || chunkBytes != alloc.allocatedBytes()) {
            return "index holds " + items + " chunks / " + chunkBytes + " B, allocator " + alloc.allocatedChunks() + " / " + alloc.allocatedBytes();
        }
        return null;
    }
}
