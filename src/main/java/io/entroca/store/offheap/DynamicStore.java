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
 *  offset 0                                                                               memoryBytes
 *  | index: B buckets x 128 B | eviction state | page generations | allocator | pages | tail |
 * </pre>
 *
 * <h2>Index</h2>
 * Bucket {@code b = IndexHash.bucket(hash, B)}, 18 ways in 128 bytes: two adjacent cache lines,
 * which the hardware's adjacent-line prefetch fetches together. (With 8 ways a few buckets
 * overflow, and evict, even at 20% load; with 16 or more that is negligible up to about 60% and
 * rare at 80%.) A way is a 16-bit tag and a 40-bit reference, 7 bytes; each cache line of the
 * bucket holds nine whole ways, ways 0-8 in the first, 9-17 in the second:
 * <pre>
 *   line bytes  0 .. 17   9 tags, 2 bytes each: the hash's low 16 bits
 *   line bytes 18 .. 62   9 references, 5 bytes each, little-endian:
 *                         [ handle: (chunk - pagesBase)/8 + 1 | generation: G bits ]   0 = empty way
 *   line byte  63         unused
 * </pre>
 * The handle takes as many bits as the store's pages need (25 for 256 MiB), the generation the
 * rest of the 40, at most 16 and at least 8 (so a store holds at most 32 GiB of pages). A lookup
 * compares a line's tags four at a time (one long, lanes of 16 bits), reads a reference only
 * where a tag matches, and compares the whole key only where that reference is live; it reads the
 * second line only if the first has no match. Ways fill from 0, so most hits cost one line (with
 * all tags first and all references after them, hits cost two: 20% more per get, measured). A
 * reference is read as the top five bytes of the long that ends with it, inside its line.
 *
 * <p>A slot, the number the eviction policy knows an entry by, is its way's number
 * {@code b * 18 + way}: dense in {@code [0, 18B)} and stable for the entry's life. There is no
 * resize, so no resize pause: a full bucket evicts one of its own entries (the policy chooses
 * among the 18). At most {@value #MAX_SAME_TAG} entries of a bucket may share a tag; a
 * further key with that tag (a client sending colliding hashes) evicts among those only, so
 * colliding keys cost their sender its own hits and bound any lookup to {@value #MAX_SAME_TAG} key
 * comparisons.
 *
 * <h2>Generations: no back-pointer</h2>
 * Moving a page to another size class evicts every entry in it, and the server cannot hash a key
 * to find its cell. Instead of a back-pointer in every entry (4 B each), every page has a G-bit
 * generation and every reference carries the generation of its entry's page. Reclaiming a page
 * walks its chunks only to take them out of the stats, then bumps the page's generation: every
 * cell that pointed into it is <em>stale</em> at once, reads as empty wherever it is met (a
 * lookup, an insert into its bucket, a victim the policy offers, the within-class scan) and is
 * cleared there, with the policy told {@code onEvict} then. So that a stale cell can never come
 * back to life when its page's generation comes round again, every reclaim also sweeps the next
 * {@code cells / (2^G - 1)} cells from a rover, clearing the stale ones: a page comes round only
 * after 2^G - 1 further reclaims, by which time the sweep has passed every cell once.
 *
 * <h2>Entry (a chunk)</h2>
 * <pre>
 *   +0  int   version, low 32 bits (the rest is rebuilt from the store's counter: {@link #rebuildVersion})
 *   +4  int   key length (bits 0-7) | value length (bits 8-31)
 *   +8  long  deadline in ms, 0 = never    (only when TTL is configured)
 *   +H  key bytes, then value bytes        (H = 16 with TTL, 8 without)
 * </pre>
 *
 * <h2>Making room</h2>
 * A new key needs a cell and a chunk. For the cell: an empty or stale way, else an expired one,
 * else the policy's pick among the bucket's entries. For the chunk: the allocator, else evict the
 * policy's global victim and retry; if the class holds its share of pages, the policy's pick among
 * up to {@value #WAYS} entries of the class found by scanning index cells from a rover; after
 * {@value #EVICTION_TRIES} victims, the emptiest of their pages is reclaimed (every entry in it
 * evicted at once, as above), which returns it to the free pool for any class. So a class never
 * starves while memory sits in another class.
 */
public final class DynamicStore implements Store {
    static final int WAYS = 18;
    static final int BUCKET_BYTES = 128;
    /** Ways in one cache line of a bucket. */
    private static final int LINE_WAYS = WAYS / 2;
    /** Where a line's references start; its tags fill the bytes before. */
    private static final int REFERENCES = 2 * LINE_WAYS;
    private static final long LANES = 0x0001_0001_0001_0001L;
    private static final long LANE_TOPS = 0x8000_8000_8000_8000L;
    static final int MAX_SAME_TAG = 2;
    static final int EVICTION_TRIES = 8;
    /** Index cells the within-class eviction looks at, at most, to find candidates of one class. */
    static final int CLASS_SCAN = 1024;
    static final int GENERATION_BITS = 16;
    static final int MIN_GENERATION_BITS = 8;
    static final long DEMAND_WINDOW = 1 << 16;
    static final int MIN_PAGES_FOR_LARGE = 512;
    static final int MIN_PAGES_TO_FIT = 128;
    /** Per-port ceiling: a handle (8-byte units) leaves {@value #MIN_GENERATION_BITS} of a reference's 40 bits. */
    static final long MAX_PAGES_BYTES = ((1L << (40 - MIN_GENERATION_BITS)) - 1) << 3;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfLong UNALIGNED_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfChar TAG = ValueLayout.JAVA_CHAR;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfChar GENERATION = ValueLayout.JAVA_CHAR;
    private static final long REJECTED = -2;
    private static final int NO_MATCH = -2;

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
    /** Where the pages' generations start: one char per page. */
    private final long generationsBase;
    /** G: the low bits of a reference. */
    private final int generationBits;
    private final int generationMask;
    /** Cells the stale sweep passes per page reclaim: cells / (2^G - 1), rounded up. */
    private final int sweepStep;
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
    private int classRover;
    /** Cells left pointing into reclaimed pages, not yet met and cleared. */
    private long staleCells;
    private int staleRover;
    /** How often a page's generation came round to 0; for tests. */
    private long generationWraps;

    private final Expiry expiry;
    private final Expiry.Slots sweepView = new Expiry.Slots() {
        @Override
        public long deadline(int slot) {
            long r = reference(slot);
            return live(r) ? mem.get(LONG, entryOf(r) + 8) : 0;
        }

        @Override
        public void expire(int slot) {
            drop(slot, entryOf(reference(slot)), EXPIRED);
        }
    };
    private long lastVersion;
    private boolean closed;
    /** The entry the last successful {@link #locate} found. */
    private long found;


    /**
     * @param bytesPerCell memory per index cell: the index takes {@code (128 / 18) / bytesPerCell}
     *     of the budget (the eviction state its policy needs per cell besides) and holds up to
     *     {@code memoryBytes / bytesPerCell} entries
     */
    public DynamicStore(StoreConfig config, EvictionPolicy.Factory<?> policies, int bytesPerCell) {
        this(config, policies, bytesPerCell, 0, GENERATION_BITS);
    }

    /**
     * As above, with a page size to use instead of {@link #pageSizeFor}'s (0 = choose) and at most
     * {@code generationBits} generation bits, so that tests can make generations wrap often.
     */
    DynamicStore(StoreConfig config, EvictionPolicy.Factory<?> policies, int bytesPerCell, int forcedPageSize,
                 int generationBits) {
        if (generationBits < 1 || generationBits > GENERATION_BITS) {
            throw new IllegalArgumentException("generationBits must be in [1, " + GENERATION_BITS + "]: " + generationBits);
        }
        if (bytesPerCell < 16) {
            throw new IllegalArgumentException("bytesPerCell must be at least 16: " + bytesPerCell);
        }
        this.memoryBytes = config.memoryBytes();
        this.ttl = config.ttlEnabled();
        this.expiry = new Expiry(config);
        this.header = headerBytes(config);
        this.maxKey = config.maxKeyLength();
        this.maxValue = config.maxValueLength();
        this.fixedKey = config.fixedKeyLength();
        this.fixedValue = config.fixedValueLength();
        long wantedBuckets = Math.max(1, memoryBytes / bytesPerCell / WAYS);
        this.buckets = Math.min(wantedBuckets, Integer.MAX_VALUE / WAYS);
        this.cells = (int) (buckets * WAYS);
        this.indexBytes = buckets * BUCKET_BYTES;
        long policyBytes = (policies.bytes(cells) + 63) & ~63L;
        int pageSize = forcedPageSize > 0 ? forcedPageSize : pageSizeFor(memoryBytes, header + maxKey + (long) maxValue);
        this.generationsBase = indexBytes + policyBytes;
        long generationBytes = (2 * (memoryBytes / pageSize + 1) + 63) & ~63L; // the allocator starts on a cache line
        long metaBytes = generationsBase + generationBytes;
        this.fixedMetaBytes = metaBytes;
        if (metaBytes + 2L * pageSize > memoryBytes) {
            throw new IllegalArgumentException("memoryBytes " + memoryBytes + " is too small for an index of "
                    + indexBytes + " B, eviction state of " + policyBytes + " B and two pages of " + pageSize + " B");
        }
        if (memoryBytes - metaBytes > MAX_PAGES_BYTES) { // before taking the memory, not after
            throw new IllegalArgumentException("one store holds at most " + MAX_PAGES_BYTES + " B of pages");
        }
        this.arena = Arena.ofConfined();
        try {
            this.mem = OffHeap.allocate(arena, memoryBytes);
            this.alloc = new BitmapAllocator(mem, metaBytes, memoryBytes - metaBytes, pageSize);
            this.pagesBase = alloc.pagesBase();
            this.pagesEnd = alloc.pagesEnd();
            this.demand = new long[alloc.classCount()];
            int handleBits = 64 - Long.numberOfLeadingZeros((pagesEnd - pagesBase) >>> 3);
            this.generationBits = Math.min(generationBits, 40 - handleBits);
            this.generationMask = (1 << this.generationBits) - 1;
            this.sweepStep = (int) ((cells + generationMask - 1L) / generationMask);
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
        int header = headerBytes(config);
        long maxEntry = header + config.maxKeyLength() + (long) config.maxValueLength();
        int page = pageSizeFor(config.memoryBytes(), maxEntry);
        return (int) Math.min(config.maxValueLength(), (long) page - header - config.maxKeyLength());
    }

    /** The header of an entry in a store of this configuration: version and lengths, and a deadline with TTL. */
    public static int headerBytes(StoreConfig config) {
        return config.ttlEnabled() ? 16 : 8;
    }

    /**
     * The full version of an entry that stores its low 32 bits, given the last version the store
     * issued: the largest number at or below {@code last} with those low bits. Exact while fewer
     * than 2^32 versions were issued after the entry's; past that it is larger than the true one,
     * never equal to a version a client saw for an older write of the key, so a compare-and-set
     * can only fail where it would have succeeded, never the other way round.
     */
    static long rebuildVersion(long last, int stored) {
        return last - (((int) last - stored) & 0xFFFF_FFFFL);
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

    private static long bucketAddress(int slot) {
        return (long) (slot / WAYS) * BUCKET_BYTES;
    }

    /** The long whose top five bytes are the reference of way {@code w}: it ends where the reference does. */
    private static long referenceWord(long bucketAddress, int w) {
        return w < LINE_WAYS
                ? bucketAddress + REFERENCES - 3 + 5 * w
                : bucketAddress + 64 + REFERENCES - 3 + 5 * (w - LINE_WAYS);
    }

    private static long tagAddress(long bucketAddress, int w) {
        return w < LINE_WAYS ? bucketAddress + 2 * w : bucketAddress + 64 + 2 * (w - LINE_WAYS);
    }

    /** Way {@code w}'s reference: 0 for an empty way. */
    private long reference(long bucketAddress, int w) {
        return mem.get(UNALIGNED_LONG, referenceWord(bucketAddress, w)) >>> 24;
    }

    private long reference(int slot) {
        return reference(bucketAddress(slot), slot % WAYS);
    }

    private int tag(long bucketAddress, int w) {
        return mem.get(TAG, tagAddress(bucketAddress, w));
    }

    private static int tagOf(long hash) {
        return (int) hash & 0xFFFF;
    }

    /** Writes a reference, keeping the three bytes before it (the previous way's, or tags). */
    private void setReference(long bucketAddress, int w, long reference) {
        long a = referenceWord(bucketAddress, w);
        mem.set(UNALIGNED_LONG, a, (mem.get(UNALIGNED_LONG, a) & 0xFF_FFFFL) | (reference << 24));
    }

    private void setReference(int slot, long reference) {
        setReference(bucketAddress(slot), slot % WAYS, reference);
    }

    private void setCell(int slot, long reference, int tag) {
        long b = bucketAddress(slot);
        int w = slot % WAYS;
        setReference(b, w, reference);
        mem.set(TAG, tagAddress(b, w), (char) tag);
    }

    private long entryOf(long reference) {
        return pagesBase + ((handle(reference) - 1) << 3);
    }

    private int generationOf(long reference) {
        return (int) reference & generationMask;
    }

    /** The chunk a reference names, in 8-byte units from the first page, plus one: 0 for an empty way. */
    private long handle(long reference) {
        return reference >>> generationBits;
    }

    private int generation(int page) {
        return mem.get(GENERATION, generationsBase + 2L * page);
    }

    private long referenceTo(long entry) {
        long generation = generation(alloc.pageOf(entry));
        return ((((entry - pagesBase) >>> 3) + 1) << generationBits) | generation;
    }

    /**
     * Whether a reference names an entry: not empty, and not left pointing into a reclaimed page.
     * While no cell is stale (no page reclaimed since the last was swept), every reference is live
     * and its page's generation need not be read.
     */
    private boolean live(long reference) {
        return reference != 0 && (staleCells == 0 || current(reference));
    }

    /** Whether a (non-empty) reference carries its page's generation. */
    private boolean current(long reference) {
        return generationOf(reference) == generation(alloc.pageOf(entryOf(reference)));
    }

    /** Clears a stale cell: its entry went with its page, whose reclaim counted it as evicted. */
    private void clearStale(int slot) {
        setReference(slot, 0);
        staleCells--;
        policy.onEvict(slot);
    }

    private long versionOf(long entry) {
        return rebuildVersion(lastVersion, mem.get(INT, entry));
    }

    private boolean expired(long entry) {
        if (!ttl) {
            return false;
        }
        return expiry.passed(mem.get(LONG, entry + 8));
    }

    /**
     * The slot of the live entry for this key, or -1; an expired match is reclaimed on the way.
     * The entry found is left in {@link #found}. Kept small enough for the JIT to inline into its
     * callers; what a tag match leads to is {@link #match}'s.
     */
    private int locate(long hash, byte[] key, int offset, int length) {
        int bucket = (int) IndexHash.bucket(hash, buckets);
        long address = (long) bucket * BUCKET_BYTES;
        long pattern = tagOf(hash) * LANES;
        for (int line = 0; line < 2; line++) {
            long tags = address + (line << 6);
            for (int first = 0; first < LINE_WAYS; first += 4) { // tags 0-3, 4-7, then 8 alone
                long x = pattern ^ mem.get(LONG, tags + 2 * first);
                // A lane's top bit: that lane of x may be zero (exactly, or by a borrow from below).
                long matches = (x - LANES) & ~x & (first + 4 > LINE_WAYS ? 0x8000L : LANE_TOPS);
                while (matches != 0) {
                    int lane = Long.numberOfTrailingZeros(matches) >>> 4;
                    matches &= matches - 1;
                    if ((x >>> (lane << 4) & 0xFFFF) == 0) {
                        int slot = match(bucket, address, line * LINE_WAYS + first + lane, key, offset, length);
                        if (slot != NO_MATCH) {
                            return slot;
                        }
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Way {@code w} has the key's tag: its slot if it holds the key (entry in {@link #found}), -1
     * if it held it expired (now reclaimed), else {@link #NO_MATCH}.
     */
    private int match(int bucket, long address, int w, byte[] key, int offset, int length) {
        long c = reference(address, w);
        if (c == 0) {
            return NO_MATCH;
        }
        int slot = bucket * WAYS + w;
        if (!live(c)) {
            clearStale(slot);
            return NO_MATCH;
        }
        long e = entryOf(c);
        if ((mem.get(INT, e + 4) & 0xFF) != length || !KeyBytes.equal(mem, e + header, key, offset, length)) {
            return NO_MATCH;
        }
        if (expired(e)) {
            drop(slot, e, EXPIRED);
            return -1;
        }
        found = e;
        return slot;
    }

    private void drop(int slot, long entry, int why) {
        int lens = mem.get(INT, entry + 4);
        stats.payloadBytes -= (lens & 0xFF) + (lens >>> 8);
        stats.items--;
        setReference(slot, 0);
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
        return found;
    }

    @Override
    public int valueLength(long entry) {
        checkEntry(entry);
        return mem.get(INT, entry + 4) >>> 8;
    }

    @Override
    public long version(long entry) {
        checkEntry(entry);
        return versionOf(entry);
    }

    @Override
    public void copyValue(long entry, byte[] destination, int offset) {
        checkEntry(entry);
        int lens = mem.get(INT, entry + 4);
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
                if (versionOf(found) != expectedVersion) {
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
                drop(slot, found, EXPIRED);
            }
            return version;
        }
        if (slot >= 0) {
            long e = found;
            if (alloc.classOfChunk(e) == cls) {
                int old = mem.get(INT, e + 4);
                stats.payloadBytes += keyLength + valueLength - (old & 0xFF) - (old >>> 8);
                write(e, key, keyOffset, keyLength, value, valueOffset, valueLength, version, deadline);
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
        write(e, key, keyOffset, keyLength, value, valueOffset, valueLength, version, deadline);
        setCell(slot, referenceTo(e), tagOf(hash));
        stats.items++;
        stats.payloadBytes += keyLength + valueLength;
        policy.onInsert(slot, hash);
        return version;
    }

    private void write(long e, byte[] key, int keyOffset, int keyLength,
                       byte[] value, int valueOffset, int valueLength, long version, long deadline) {
        mem.set(INT, e, (int) version);
        mem.set(INT, e + 4, keyLength | (valueLength << 8));
        if (ttl) {
            mem.set(LONG, e + 8, deadline);
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
        int bucket = (int) IndexHash.bucket(hash, buckets);
        long address = (long) bucket * BUCKET_BYTES;
        int base = bucket * WAYS;
        int tag = tagOf(hash);
        int vacant = -1;
        int same = 0;
        for (int w = 0; w < WAYS; w++) {
            long c = reference(address, w);
            if (c != 0 && !live(c)) {
                clearStale(base + w);
                c = 0;
            }
            if (c == 0) {
                if (vacant < 0) {
                    vacant = base + w;
                }
            } else if (tag(address, w) == tag) {
                candidates[same++] = base + w;
            }
        }
        int n = same;
        if (same < MAX_SAME_TAG) {
            if (vacant >= 0) {
                return vacant;
            }
            if (ttl) {
                for (int w = 0; w < WAYS; w++) {
                    long e = entryOf(reference(address, w));
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
        drop(victim, entryOf(reference(victim)), EVICTED);
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
        int attempt = 0;
        while (true) {
            if (stats.items == 0) {
                return -1;
            }
            int victim = policy.selectVictim();
            if (victim < 0 || victim >= cells || reference(victim) == 0) {
                throw new IllegalStateException("policy chose slot " + victim + ", which holds no entry");
            }
            if (!live(reference(victim))) {
                clearStale(victim); // its entry is gone already; ask again
                continue;
            }
            attempt++;
            if (attempt == 1 && !policy.admit(hash, victim)) {
                return REJECTED;
            }
            long ve = entryOf(reference(victim));
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

    /**
     * Evicts the policy's pick among up to {@value #WAYS} entries of class {@code cls}, found by
     * reading index cells from a rover ({@value #CLASS_SCAN} at most): a cell names its chunk, the
     * chunk's page its class, so no entry is read. -1 if the scan met no entry of the class.
     */
    private long evictWithinClass(int cls) {
        int n = 0;
        for (int i = 0; i < CLASS_SCAN && n < WAYS; i++) {
            int slot = classRover;
            classRover = slot + 1 == cells ? 0 : slot + 1;
            long c = reference(slot);
            if (c == 0) {
                continue;
            }
            if (!live(c)) {
                clearStale(slot);
            } else if (alloc.classOfPage(alloc.pageOf(entryOf(c))) == cls) {
                candidates[n++] = slot;
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
        drop(victim, entryOf(reference(victim)), EVICTED);
        return alloc.allocate(cls);
    }

    /**
     * Evicts every entry in a page, which returns the page to the free pool. The entries' cells are
     * not looked for: the page's generation moves on, which makes them all stale at once.
     */
    private void reclaimPage(int page) {
        stats.pageReclaims++;
        int cls = alloc.classOfPage(page);
        int chunks = alloc.chunksPerPage(cls);
        long reclaimed = 0;
        for (int i = 0; i < chunks && alloc.usedChunks(page) > 0; i++) {
            long e = alloc.allocatedChunk(page, i);
            if (e < 0) {
                continue;
            }
            int lens = mem.get(INT, e + 4);
            stats.payloadBytes -= (lens & 0xFF) + (lens >>> 8);
            stats.items--;
            stats.evictions++;
            alloc.free(e);
            reclaimed++;
        }
        staleCells += reclaimed;
        int next = (generation(page) + 1) & generationMask;
        mem.set(GENERATION, generationsBase + 2L * page, (char) next);
        if (next == 0) {
            generationWraps++;
        }
        sweepStale();
    }

    /**
     * Clears the stale cells among the next {@link #sweepStep} from the sweep's rover. Run after
     * every reclaim, it passes every cell within 2^G - 1 reclaims, so a cell made stale by one
     * is cleared before its page's generation can come round to the cell's again.
     */
    private void sweepStale() {
        for (int i = 0; i < sweepStep && staleCells > 0; i++) {
            int slot = staleRover;
            staleRover = slot + 1 == cells ? 0 : slot + 1;
            long c = reference(slot);
            if (c != 0 && !live(c)) {
                clearStale(slot);
            }
        }
    }

    @Override
    public int delete(long hash, byte[] key, int keyOffset, int keyLength, long expectedVersion) {
        int slot = slotOf(hash, key, keyOffset, keyLength);
        if (slot < 0) {
            return Outcome.NOT_FOUND;
        }
        long e = found;
        if (expectedVersion != 0 && versionOf(e) != expectedVersion) {
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
        long e = found;
        long version = versionOf(e);
        if (ttl) {
            long deadline = expiry.deadlineFor(ttlMs);
            if (deadline < 0) {
                drop(slot, e, EXPIRED);
                return version;
            }
            mem.set(LONG, e + 8, deadline);
            expiry.stored(deadline);
        }
        policy.onHit(slot, hash);
        return version;
    }

    @Override
    public void flush() {
        for (int slot = 0; slot < cells; slot++) {
            if (reference(slot) != 0) {
                policy.onRemove(slot);
            }
        }
        mem.asSlice(0, indexBytes).fill((byte) 0);
        staleCells = 0;
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
     * Cross-checks the index, the entries and the allocator: every live cell's chunk is allocated,
     * of the right class, and no other live cell names it; stale cells are as many as counted;
     * counts and payload add up.
     *
     * @return null when consistent, otherwise what is wrong; O(size log size), for tests
     */
    public String verify() {
        String e = alloc.verify();
        if (e != null) {
            return "allocator: " + e;
        }
        long items = 0;
        long stale = 0;
        long payload = 0;
        long chunkBytes = 0;
        long[] handles = new long[(int) Math.min(cells, alloc.allocatedChunks() + 1)];
        for (int slot = 0; slot < cells; slot++) {
            long c = reference(slot);
            if (c == 0) {
                continue;
            }
            long entry = entryOf(c);
            if (entry < pagesBase || entry >= pagesEnd) {
                return "slot " + slot + " points outside the pages";
            }
            if (!current(c)) { // not live(c), which trusts the count verify checks
                stale++;
                continue;
            }
            if (!alloc.isAllocated(entry)) {
                return "slot " + slot + " names a chunk that is not allocated: " + entry;
            }
            int cls = alloc.classOfChunk(entry);
            int lens = mem.get(INT, entry + 4);
            int total = header + (lens & 0xFF) + (lens >>> 8);
            if (alloc.chunkSize(entry) < total || alloc.classFor(total) != cls) {
                return "slot " + slot + " holds " + total + " B in a chunk of " + alloc.chunkSize(entry);
            }
            if (versionOf(entry) <= 0) {
                return "slot " + slot + " has version " + versionOf(entry);
            }
            if (items == handles.length) {
                return "more live cells than allocated chunks (" + alloc.allocatedChunks() + ")";
            }
            handles[(int) items++] = handle(c);
            payload += (lens & 0xFF) + (lens >>> 8);
            chunkBytes += alloc.chunkSize(entry);
        }
        java.util.Arrays.sort(handles, 0, (int) items);
        for (int i = 1; i < items; i++) {
            if (handles[i] == handles[i - 1]) {
                return "two live cells name the chunk with handle " + handles[i];
            }
        }
        if (stale != staleCells) {
            return "found " + stale + " stale cells, counted " + staleCells;
        }
        if (items != stats.items || payload != stats.payloadBytes) {
            return "stats say " + stats.items + " items / " + stats.payloadBytes + " B, index says " + items + " / " + payload;
        }
        if (items != alloc.allocatedChunks() || chunkBytes != alloc.allocatedBytes()) {
            return "index holds " + items + " chunks / " + chunkBytes + " B, allocator " + alloc.allocatedChunks() + " / " + alloc.allocatedBytes();
        }
        return null;
    }

    /** Cells left pointing into reclaimed pages and not yet cleared; for tests. */
    long staleCells() {
        return staleCells;
    }

    /** How often a page's generation came round to 0; for tests. */
    long generationWraps() {
        return generationWraps;
    }
}
