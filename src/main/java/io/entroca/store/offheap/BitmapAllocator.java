package io.entroca.store.offheap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A multi-level bitmap allocator over one region of an off-heap segment. It owns no memory: the
 * store gives it a range of its arena, and the allocator keeps every byte of its bookkeeping
 * inside that range, so the store's budget covers it.
 *
 * <h2>Layout</h2>
 * <pre>
 *  region start (64-byte aligned)
 *  +-----------------------------------------------------------------------------------+
 *  | free-page tree       BitTree(P)      bit p = page p holds no allocated chunk       |
 *  | class trees          C x BitTree(P)  tree c, bit p = page p is in class c and has   |
 *  |                                      at least one free chunk                       |
 *  | page descriptors     P x 8 B         int class (-1 never assigned), int free count  |
 *  | chunk trees          P x BitTree(K)  K = pageSize/16; bit i = chunk i of the page   |
 *  |                                      is free (only the first pageSize/classSize     |
 *  |                                      bits of a page's tree are ever used)           |
 *  | (padding to 64 B)                                                                  |
 *  | page 0 | page 1 | ... | page P-1     pageSize each, a power of two                  |
 *  +-----------------------------------------------------------------------------------+
 * </pre>
 *
 * Every tree is a {@link BitTree}: leaf bits plus summary words above them, so finding a page with
 * a free chunk in class c, and then the chunk in that page, is two descents of at most four
 * trailing-zero counts each, whatever the arena's size. Free is O(1): the chunk's page is
 * {@code offset >>> pageShift}, its index an exact division by the class size, and setting its bit
 * touches at most one word per level.
 *
 * <h2>Pages moving between classes</h2>
 * A page whose chunks are all free is put in the free-page tree at once, while keeping its class:
 * its own class reuses it without re-initialising, and any other class that finds no page of its
 * own takes it from the free-page tree, clears its chunk tree, and re-cuts it. So memory freed in
 * one size class is available to every other class as soon as a page empties; the store's
 * eviction path empties pages on purpose when a class has none (see {@code DynamicStore}).
 *
 * <h2>Size classes</h2>
 * Multiples of 8 from 16 to 128; then eight classes per doubling up to pageSize/8 (rounding loss
 * at most 12.5%, about 6% on average for uniform sizes); then pageSize/n for n = 7..1 (rounded
 * down to 8 bytes), so that no class wastes more than one chunk's worth at a page's tail.
 *
 * <p>Not thread-safe: the store's owner thread is its only caller. Every free is checked (inside
 * the region, page in use, at a chunk boundary, chunk allocated), so a double free or a stray
 * offset throws instead of corrupting the bitmaps.
 */
public final class BitmapAllocator {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    public static final int MIN_CHUNK = 16;
    public static final int MIN_PAGE_SIZE = 4 * 1024;

    private final MemorySegment m;
    private final int pageSize;
    private final int pageShift;
    private final int pageCount;
    private final int[] classSize;
    private final int[] classChunks;
    private final BitTree pageTree;
    private final BitTree chunkTree;
    private final long freePagesBase;
    private final long classTreesBase;
    private final long descriptorsBase;
    private final long chunkTreesBase;
    private final long pagesBase;
    private final long regionStart;
    private final long regionEnd;

    private final int[] classPages;
    private int freePages;
    private long allocatedBytes;
    private long allocatedChunks;

    /**
     * Lays the allocator out in {@code [start, start + length)} of {@code m}, with as many pages
     * as fit after the bookkeeping.
     *
     * @param pageSize a power of two, at least {@link #MIN_PAGE_SIZE}
     */
    public BitmapAllocator(MemorySegment m, long start, long length, int pageSize) {
        if (Integer.bitCount(pageSize) != 1 || pageSize < MIN_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be a power of two >= " + MIN_PAGE_SIZE + ": " + pageSize);
        }
        if ((start & 63) != 0 || start < 0 || length < 0 || start + length > m.byteSize()) {
            throw new IllegalArgumentException("bad region " + start + "+" + length + " in " + m.byteSize());
        }
        this.m = m;
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.classSize = sizeClasses(pageSize);
        this.classChunks = new int[classSize.length];
        this.classPages = new int[classSize.length];
        for (int c = 0; c < classSize.length; c++) {
            classChunks[c] = pageSize / classSize[c];
        }
        this.chunkTree = new BitTree(pageSize / MIN_CHUNK);
        int pages = (int) Math.min(Integer.MAX_VALUE - 1, length / (pageSize + 8 + chunkTree.bytes()));
        while (pages > 0 && layoutBytes(pages) > length) {
            pages--;
        }
        if (pages < 1) {
            throw new IllegalArgumentException("region of " + length + " bytes holds no page of " + pageSize);
        }
        this.pageCount = pages;
        this.pageTree = new BitTree(pages);
        this.regionStart = start;
        this.regionEnd = start + length;
        this.freePagesBase = start;
        this.classTreesBase = freePagesBase + pageTree.bytes();
        this.descriptorsBase = classTreesBase + pageTree.bytes() * classSize.length;
        this.chunkTreesBase = descriptorsBase + 8L * pages;
        this.pagesBase = align64(chunkTreesBase + chunkTree.bytes() * pages);
        reset();
    }

    private long layoutBytes(int pages) {
        BitTree pt = new BitTree(pages);
        long meta = pt.bytes() * (1 + classSize.length) + 8L * pages + chunkTree.bytes() * pages;
        return align64(meta) + (long) pages * pageSize;
    }

    private static long align64(long x) {
        return (x + 63) & ~63L;
    }

    /** The size classes for a page size, ascending. */
    static int[] sizeClasses(int pageSize) {
        List<Integer> sizes = new ArrayList<>();
        for (int s = MIN_CHUNK; s <= 128; s += 8) {
            sizes.add(s);
        }
        int eighth = pageSize / 8;
        for (int g = 128; g < eighth; g <<= 1) {
            int step = g / 8;
            for (int s = g + step; s <= 2 * g && s <= eighth; s += step) {
                sizes.add(s);
            }
        }
        for (int n = 7; n >= 1; n--) {
            int s = (pageSize / n) & ~7;
            if (s > sizes.get(sizes.size() - 1)) {
                sizes.add(s);
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Forgets every allocation: all pages free and unassigned. O(metadata). */
    public void reset() {
        for (long a = regionStart; a < pagesBase; a += 8) {
            m.set(ValueLayout.JAVA_LONG, a, 0L);
        }
        pageTree.setPrefix(m, freePagesBase, pageCount);
        for (int p = 0; p < pageCount; p++) {
            m.set(INT, descriptor(p), -1);
            m.set(INT, descriptor(p) + 4, 0);
        }
        freePages = pageCount;
        java.util.Arrays.fill(classPages, 0);
        allocatedBytes = 0;
        allocatedChunks = 0;
    }

    private long descriptor(int page) {
        return descriptorsBase + ((long) page << 3);
    }

    private long classTree(int cls) {
        return classTreesBase + pageTree.bytes() * cls;
    }

    private long chunkTreeOf(int page) {
        return chunkTreesBase + chunkTree.bytes() * page;
    }

    /** The smallest class whose chunks hold {@code size} bytes, or -1 if none does. */
    public int classFor(int size) {
        if (size <= MIN_CHUNK) {
            return 0;
        }
        if (size <= 128) {
            return (size - MIN_CHUNK + 7) >>> 3;
        }
        if (size > pageSize) {
            return -1;
        }
        int i = Arrays.binarySearch(classSize, size);
        return i >= 0 ? i : -i - 1;
    }

    public int classSize(int cls) {
        return classSize[cls];
    }

    public int classCount() {
        return classSize.length;
    }

    /** The largest chunk this allocator hands out: one whole page. */
    public int maxChunk() {
        return pageSize;
    }

    /**
     * Takes a free chunk of class {@code cls}.
     *
     * @return the chunk's offset in the segment, or -1 when no page of this class has a free
     *     chunk and no page is free
     */
    public long allocate(int cls) {
        long tree = classTree(cls);
        int p = pageTree.first(m, tree);
        if (p < 0) {
            p = pageTree.first(m, freePagesBase);
            if (p < 0) {
                return -1;
            }
            int old = m.get(INT, descriptor(p));
            if (old == cls) {
                throw new IllegalStateException("page " + p + " is empty in class " + cls + " but not in its tree");
            }
            if (old >= 0) { // an empty page of another class: take it over
                pageTree.clear(m, classTree(old), p);
                chunkTree.clearPrefix(m, chunkTreeOf(p), classChunks[old]);
                classPages[old]--;
            }
            classPages[cls]++;
            m.set(INT, descriptor(p), cls);
            m.set(INT, descriptor(p) + 4, classChunks[cls]);
            chunkTree.setPrefix(m, chunkTreeOf(p), classChunks[cls]);
            pageTree.set(m, tree, p);
        }
        long chunks = chunkTreeOf(p);
        int i = chunkTree.first(m, chunks);
        int chunkCount = classChunks[cls];
        if (i < 0 || i >= chunkCount) {
            throw new IllegalStateException("page " + p + " of class " + cls + " is in the class tree but its chunk tree gives " + i);
        }
        chunkTree.clear(m, chunks, i);
        long d = descriptor(p) + 4;
        int free = m.get(INT, d) - 1;
        m.set(INT, d, free);
        if (free == chunkCount - 1) {
            pageTree.clear(m, freePagesBase, p);
            freePages--;
        }
        if (free == 0) {
            pageTree.clear(m, tree, p);
        }
        int size = classSize[cls];
        allocatedBytes += size;
        allocatedChunks++;
        return pagesBase + ((long) p << pageShift) + (long) i * size;
    }

    /** Gives a chunk back. Throws, changing nothing, if {@code offset} is not an allocated chunk. */
    public void free(long offset) {
        int p = pageOf(offset);
        int cls = m.get(INT, descriptor(p));
        if (cls < 0) {
            throw new IllegalStateException("free of " + offset + " in page " + p + " that was never cut");
        }
        int within = (int) (offset - pagesBase) & (pageSize - 1);
        int size = classSize[cls];
        int i = within / size;
        int chunkCount = classChunks[cls];
        if (i * size != within || i >= chunkCount) {
            throw new IllegalStateException("free of " + offset + ": not a chunk start in class " + cls);
        }
        long chunks = chunkTreeOf(p);
        if (chunkTree.get(m, chunks, i)) {
            throw new IllegalStateException("double free of " + offset);
        }
        chunkTree.set(m, chunks, i);
        long d = descriptor(p) + 4;
        int free = m.get(INT, d) + 1;
        m.set(INT, d, free);
        if (free == 1) {
            pageTree.set(m, classTree(cls), p);
        }
        if (free == chunkCount) {
            pageTree.set(m, freePagesBase, p);
            freePages++;
        }
        allocatedBytes -= size;
        allocatedChunks--;
    }

    /** The page holding {@code offset}, which must lie in the pages area. */
    public int pageOf(long offset) {
        long rel = offset - pagesBase;
        if (rel < 0 || rel >= ((long) pageCount << pageShift)) {
            throw new IllegalStateException("offset " + offset + " is outside the pages");
        }
        return (int) (rel >>> pageShift);
    }

    /** The size of the chunk at {@code offset} (its class size). */
    public int chunkSize(long offset) {
        int cls = m.get(INT, descriptor(pageOf(offset)));
        if (cls < 0) {
            throw new IllegalStateException("offset " + offset + " is in a page that was never cut");
        }
        return classSize[cls];
    }

    public int classOfChunk(long offset) {
        return classOfPage(pageOf(offset));
    }

    /** The class a page is cut for, or -1 if it never was. */
    public int classOfPage(int page) {
        return m.get(INT, descriptor(page));
    }

    /** How many chunks of a page are allocated (0 for a free page). */
    public int usedChunks(int page) {
        int cls = m.get(INT, descriptor(page));
        return cls < 0 ? 0 : classChunks[cls] - m.get(INT, descriptor(page) + 4);
    }

    /** Pages cut for class {@code cls}, empty ones not yet taken by another class included. */
    public int pagesOf(int cls) {
        return classPages[cls];
    }

    /** The first page at or after {@code from} (circularly) cut for {@code cls}, or -1. O(pages). */
    public int nextPageOf(int cls, int from) {
        for (int i = 0; i < pageCount; i++) {
            int p = from + i;
            if (p >= pageCount) {
                p -= pageCount;
            }
            if (m.get(INT, descriptor(p)) == cls) {
                return p;
            }
        }
        return -1;
    }

    /** Chunks a page of class {@code cls} is cut into. */
    public int chunksPerPage(int cls) {
        return classChunks[cls];
    }

    /** The address of chunk {@code index} of {@code page} if it is allocated, else -1. */
    public long allocatedChunk(int page, int index) {
        int cls = m.get(INT, descriptor(page));
        if (cls < 0 || index < 0 || index >= classChunks[cls] || chunkTree.get(m, chunkTreeOf(page), index)) {
            return -1;
        }
        return pagesBase + ((long) page << pageShift) + (long) index * classSize[cls];
    }

    /** The lowest allocated chunk in a page, or -1 if it has none. */
    public long firstAllocated(int page) {
        int cls = m.get(INT, descriptor(page));
        if (cls < 0 || m.get(INT, descriptor(page) + 4) == classChunks[cls]) {
            return -1;
        }
        int n = classChunks[cls];
        long tree = chunkTreeOf(page);
        for (int w = 0; (w << 6) < n; w++) {
            int valid = Math.min(64, n - (w << 6));
            long mask = valid == 64 ? -1L : (1L << valid) - 1;
            long used = ~chunkTree.leafWord(m, tree, w) & mask;
            if (used != 0) {
                int i = (w << 6) + Long.numberOfTrailingZeros(used);
                return pagesBase + ((long) page << pageShift) + (long) i * classSize[cls];
            }
        }
        throw new IllegalStateException("page " + page + " counts allocated chunks but its bitmap shows none");
    }

    public long pagesBase() {
        return pagesBase;
    }

    public long pagesEnd() {
        return pagesBase + ((long) pageCount << pageShift);
    }

    public int pageCount() {
        return pageCount;
    }

    public int pageSize() {
        return pageSize;
    }

    public int freePages() {
        return freePages;
    }

    /** Bytes in allocated chunks (class sizes, so rounding is included). */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    public long allocatedChunks() {
        return allocatedChunks;
    }

    /** Bytes of bookkeeping before the first page, alignment padding included. */
    public long metadataBytes() {
        return pagesBase - regionStart;
    }

    /** Bytes of the region the allocator does not use at all (past the last page). */
    public long unusedBytes() {
        return regionEnd - pagesEnd();
    }

    /**
     * Recomputes every invariant from the bitmaps: summaries match their words, each page's free
     * count matches its bitmap, class trees hold exactly the pages with free chunks, the free-page
     * tree exactly the pages with no allocated chunk, and the byte counters add up.
     *
     * @return null when consistent, otherwise what is wrong; O(metadata), for tests
     */
    public String verify() {
        String e = pageTree.verify(m, freePagesBase);
        if (e != null) {
            return "free-page tree: " + e;
        }
        for (int c = 0; c < classSize.length; c++) {
            e = pageTree.verify(m, classTree(c));
            if (e != null) {
                return "class " + c + " tree: " + e;
            }
        }
        long bytes = 0;
        long chunks = 0;
        int free = 0;
        for (int p = 0; p < pageCount; p++) {
            int cls = m.get(INT, descriptor(p));
            int freeCount = m.get(INT, descriptor(p) + 4);
            long tree = chunkTreeOf(p);
            e = chunkTree.verify(m, tree);
            if (e != null) {
                return "page " + p + " chunk tree: " + e;
            }
            int setBits = 0;
            for (int w = 0; w < (chunkTree.bits + 63) >>> 6; w++) {
                setBits += Long.bitCount(chunkTree.leafWord(m, tree, w));
            }
            boolean inFree = pageTree.get(m, freePagesBase, p);
            for (int c = 0; c < classSize.length; c++) {
                boolean in = pageTree.get(m, classTree(c), p);
                boolean expected = c == cls && freeCount > 0;
                if (in != expected) {
                    return "page " + p + " (class " + cls + ", " + freeCount + " free) is " + (in ? "" : "not ") + "in class tree " + c;
                }
            }
            if (cls < 0) {
                if (setBits != 0 || freeCount != 0 || !inFree) {
                    return "uncut page " + p + " has " + setBits + " bits, count " + freeCount + ", in free tree " + inFree;
                }
                free++;
                continue;
            }
            if (setBits != freeCount) {
                return "page " + p + " counts " + freeCount + " free chunks but its bitmap has " + setBits;
            }
            long firstWordBeyond = ((long) classChunks[cls] + 63) >>> 6;
            long lastWord = chunkTree.leafWord(m, tree, (classChunks[cls] - 1) >>> 6);
            int tail = classChunks[cls] & 63;
            if (tail != 0 && (lastWord >>> tail) != 0) {
                return "page " + p + " has free bits past its " + classChunks[cls] + " chunks";
            }
            for (long w = firstWordBeyond; w < (chunkTree.bits + 63) >>> 6; w++) {
                if (chunkTree.leafWord(m, tree, (int) w) != 0) {
                    return "page " + p + " has bits in word " + w + " beyond its chunks";
                }
            }
            boolean empty = freeCount == classChunks[cls];
            if (empty != inFree) {
                return "page " + p + " with " + freeCount + "/" + classChunks[cls] + " free is " + (inFree ? "" : "not ") + "in the free-page tree";
            }
            if (empty) {
                free++;
            }
            int used = classChunks[cls] - freeCount;
            chunks += used;
            bytes += (long) used * classSize[cls];
        }
        if (free != freePages) {
            return "free pages counted " + freePages + " but found " + free;
        }
        int[] perClass = new int[classSize.length];
        for (int p = 0; p < pageCount; p++) {
            int cls = m.get(INT, descriptor(p));
            if (cls >= 0) {
                perClass[cls]++;
            }
        }
        if (!java.util.Arrays.equals(perClass, classPages)) {
            return "pages per class counted " + java.util.Arrays.toString(classPages) + " but found " + java.util.Arrays.toString(perClass);
        }
        if (bytes != allocatedBytes || chunks != allocatedChunks) {
            return "counters say " + allocatedChunks + " chunks / " + allocatedBytes + " B but bitmaps say " + chunks + " / " + bytes;
        }
        return null;
    }
}
