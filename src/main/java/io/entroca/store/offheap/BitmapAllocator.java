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
 *  | page descriptors     P x 16 B        int class (-1 never cut), int free chunks,     |
 *  |                                      long chunk bitmap (classes of <= 64 chunks)    |
 *  | (padding to 64 B)                                                                  |
 *  | page 0 | page 1 | ... | page P-1     pageSize each, a power of two                  |
 *  +-----------------------------------------------------------------------------------+
 *
 *  a page cut for class c, when a page holds more than 64 chunks of c:
 *  +---------------------------------------+---------+---------+-----+-----------+------+
 *  | chunk tree: BitTree(n), bit i = chunk | chunk 0 | chunk 1 | ... | chunk n-1 | tail |
 *  | i is free (padded to 8 B)             |         |         |     |           |      |
 *  +---------------------------------------+---------+---------+-----+-----------+------+
 *  n = the most chunks of c that fit beside their own tree; with 64 chunks or fewer the tree is
 *  the descriptor's one word and chunk 0 starts the page.
 * </pre>
 *
 * A page's chunk tree is sized for its class, not for the smallest class: one bit per chunk plus
 * summaries, 0.8% of a page of 16-byte chunks, 0.14% of one of 88-byte chunks, nothing inside a
 * page of chunks of 16 KiB and up (at 1 MiB pages). It is rewritten whenever the page is cut for
 * a class, so it costs nothing while the page is free.
 *
 * <p>Every tree is a {@link BitTree}: leaf bits plus summary words above them, so finding a page
 * with a free chunk in class c, and then the chunk in that page, is two descents of at most four
 * trailing-zero counts each, whatever the arena's size. Free is O(1): the chunk's page is
 * {@code offset >>> pageShift}, its index an exact division by the class size, and setting its bit
 * touches at most one word per level.
 *
 * <h2>Pages moving between classes</h2>
 * A page whose chunks are all free is put in the free-page tree at once, while keeping its class:
 * its own class reuses it without re-cutting, and any other class that finds no page of its own
 * takes it from the free-page tree and re-cuts it, writing a chunk tree for the new class over
 * whatever the page held. So memory freed in one size class is available to every other class as
 * soon as a page empties; the store's eviction path empties pages on purpose when a class has
 * none (see {@code DynamicStore}).
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
    /** Class, free count, and the chunk bitmap of a class with at most 64 chunks a page. */
    private static final int DESCRIPTOR_BYTES = 16;

    private final MemorySegment m;
    private final int pageSize;
    private final int pageShift;
    private final int pageCount;
    private final int[] classSize;
    private final int[] classChunks;
    /** The shape of a page's chunk tree, per class. */
    private final BitTree[] chunkTree;
    /** Where chunk 0 starts in a page of the class: its tree's bytes, or 0 if in the descriptor. */
    private final int[] chunksStart;
    private final BitTree pageTree;
    private final long freePagesBase;
    private final long classTreesBase;
    private final long descriptorsBase;
    private final long pagesBase;
    private final long regionStart;
    private final long regionEnd;

    private final int[] classPages;
    private int freePages;
    private long allocatedBytes;
    private long allocatedChunks;
    /** Chunk-tree bytes inside the pages that are cut. */
    private long inPageTreeBytes;

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
        int classes = classSize.length;
        this.classChunks = new int[classes];
        this.chunkTree = new BitTree[classes];
        this.chunksStart = new int[classes];
        this.classPages = new int[classes];
        for (int c = 0; c < classes; c++) {
            int n = pageSize / classSize[c];
            if (n > 64) { // the tree goes in the page, in front of the chunks it describes
                while ((long) n * classSize[c] + new BitTree(n).bytes() > pageSize) {
                    n--;
                }
                chunksStart[c] = (int) new BitTree(n).bytes();
            }
            classChunks[c] = n;
            chunkTree[c] = new BitTree(n);
        }
        int pages = (int) Math.min(Integer.MAX_VALUE - 1, length / (pageSize + DESCRIPTOR_BYTES));
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
        this.descriptorsBase = classTreesBase + pageTree.bytes() * classes;
        this.pagesBase = align64(descriptorsBase + (long) DESCRIPTOR_BYTES * pages);
        reset();
    }

    private long layoutBytes(int pages) {
        long meta = new BitTree(pages).bytes() * (1 + classSize.length) + (long) DESCRIPTOR_BYTES * pages;
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

    /** Forgets every allocation: all pages free and never cut. O(bookkeeping before the pages). */
    public void reset() {
        for (long a = regionStart; a < pagesBase; a += 8) {
            m.set(ValueLayout.JAVA_LONG, a, 0L);
        }
        pageTree.setPrefix(m, freePagesBase, pageCount);
        for (int p = 0; p < pageCount; p++) {
            m.set(INT, descriptor(p), -1);
        }
        freePages = pageCount;
        Arrays.fill(classPages, 0);
        allocatedBytes = 0;
        allocatedChunks = 0;
        inPageTreeBytes = 0;
    }

    private long descriptor(int page) {
        return descriptorsBase + (long) page * DESCRIPTOR_BYTES;
    }

    private long classTree(int cls) {
        return classTreesBase + pageTree.bytes() * cls;
    }

    private long pageStart(int page) {
        return pagesBase + ((long) page << pageShift);
    }

    /** Where the chunk tree of a page cut for {@code cls} lives. */
    private long chunkTreeOf(int page, int cls) {
        return chunksStart[cls] == 0 ? descriptor(page) + 8 : pageStart(page);
    }

    private long chunkAt(int page, int cls, int index) {
        return pageStart(page) + chunksStart[cls] + (long) index * classSize[cls];
    }

    /** The index of the chunk of class {@code cls} starting at {@code offset}, or -1 if none does. */
    private int chunkIndex(int page, int cls, long offset) {
        long within = offset - pageStart(page) - chunksStart[cls];
        int size = classSize[cls];
        if (within < 0) {
            return -1;
        }
        long i = within / size;
        return i * size == within && i < classChunks[cls] ? (int) i : -1;
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
        long pages = classTree(cls);
        int p = pageTree.first(m, pages);
        if (p < 0) {
            p = pageTree.first(m, freePagesBase);
            if (p < 0) {
                return -1;
            }
            cut(p, cls);
        }
        BitTree tree = chunkTree[cls];
        long chunks = chunkTreeOf(p, cls);
        int i = tree.first(m, chunks);
        int chunkCount = classChunks[cls];
        if (i < 0 || i >= chunkCount) {
            throw new IllegalStateException("page " + p + " of class " + cls + " is in the class tree but its chunk tree gives " + i);
        }
        tree.clear(m, chunks, i);
        long d = descriptor(p) + 4;
        int free = m.get(INT, d) - 1;
        m.set(INT, d, free);
        if (free == chunkCount - 1) {
            pageTree.clear(m, freePagesBase, p);
            freePages--;
        }
        if (free == 0) {
            pageTree.clear(m, pages, p);
        }
        allocatedBytes += classSize[cls];
        allocatedChunks++;
        return chunkAt(p, cls, i);
    }

    /** Cuts a free page for {@code cls}: a fresh chunk tree, every chunk free, over whatever the page held. */
    private void cut(int p, int cls) {
        int old = m.get(INT, descriptor(p));
        if (old == cls) {
            throw new IllegalStateException("page " + p + " is empty in class " + cls + " but not in its tree");
        }
        if (old >= 0) {
            pageTree.clear(m, classTree(old), p);
            classPages[old]--;
            inPageTreeBytes -= chunksStart[old];
        }
        classPages[cls]++;
        inPageTreeBytes += chunksStart[cls];
        m.set(INT, descriptor(p), cls);
        m.set(INT, descriptor(p) + 4, classChunks[cls]);
        long chunks = chunkTreeOf(p, cls);
        chunkTree[cls].clearAll(m, chunks);
        chunkTree[cls].setPrefix(m, chunks, classChunks[cls]);
        pageTree.set(m, classTree(cls), p);
    }

    /** Gives a chunk back. Throws, changing nothing, if {@code offset} is not an allocated chunk. */
    public void free(long offset) {
        int p = pageOf(offset);
        int cls = m.get(INT, descriptor(p));
        if (cls < 0) {
            throw new IllegalStateException("free of " + offset + " in page " + p + " that was never cut");
        }
        int i = chunkIndex(p, cls, offset);
        if (i < 0) {
            throw new IllegalStateException("free of " + offset + ": not a chunk start in class " + cls);
        }
        BitTree tree = chunkTree[cls];
        long chunks = chunkTreeOf(p, cls);
        if (tree.get(m, chunks, i)) {
            throw new IllegalStateException("double free of " + offset);
        }
        tree.set(m, chunks, i);
        long d = descriptor(p) + 4;
        int free = m.get(INT, d) + 1;
        m.set(INT, d, free);
        if (free == 1) {
            pageTree.set(m, classTree(cls), p);
        }
        if (free == classChunks[cls]) {
            pageTree.set(m, freePagesBase, p);
            freePages++;
        }
        allocatedBytes -= classSize[cls];
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

    /** Chunks a page of class {@code cls} is cut into. */
    public int chunksPerPage(int cls) {
        return classChunks[cls];
    }

    /** The address of chunk {@code index} of {@code page} if it is allocated, else -1. */
    public long allocatedChunk(int page, int index) {
        int cls = m.get(INT, descriptor(page));
        if (cls < 0 || index < 0 || index >= classChunks[cls] || chunkTree[cls].get(m, chunkTreeOf(page, cls), index)) {
            return -1;
        }
        return chunkAt(page, cls, index);
    }

    /** Whether {@code offset} is the start of an allocated chunk. */
    public boolean isAllocated(long offset) {
        if (offset < pagesBase || offset >= pagesEnd()) {
            return false;
        }
        int p = pageOf(offset);
        int cls = m.get(INT, descriptor(p));
        if (cls < 0) {
            return false;
        }
        int i = chunkIndex(p, cls, offset);
        return i >= 0 && !chunkTree[cls].get(m, chunkTreeOf(p, cls), i);
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

    /**
     * Bytes of bookkeeping: everything before the first page (alignment padding included) and the
     * chunk trees inside the pages that are cut.
     */
    public long metadataBytes() {
        return pagesBase - regionStart + inPageTreeBytes;
    }

    /** Bytes of the region the allocator does not use at all (past the last page). */
    public long unusedBytes() {
        return regionEnd - pagesEnd();
    }

    /**
     * Recomputes every invariant from the bitmaps: summaries match their words, each page's free
     * count matches its bitmap, class trees hold exactly the pages with free chunks, the free-page
     * tree exactly the pages with no allocated chunk, and the counters add up.
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
        long treeBytes = 0;
        int free = 0;
        int[] perClass = new int[classSize.length];
        for (int p = 0; p < pageCount; p++) {
            int cls = m.get(INT, descriptor(p));
            int freeCount = m.get(INT, descriptor(p) + 4);
            boolean inFree = pageTree.get(m, freePagesBase, p);
            for (int c = 0; c < classSize.length; c++) {
                boolean in = pageTree.get(m, classTree(c), p);
                boolean expected = c == cls && freeCount > 0;
                if (in != expected) {
                    return "page " + p + " (class " + cls + ", " + freeCount + " free) is " + (in ? "" : "not ") + "in class tree " + c;
                }
            }
            if (cls < 0) {
                if (freeCount != 0 || !inFree) {
                    return "uncut page " + p + " counts " + freeCount + " free chunks, in free tree " + inFree;
                }
                free++;
                continue;
            }
            perClass[cls]++;
            treeBytes += chunksStart[cls];
            BitTree tree = chunkTree[cls];
            long base = chunkTreeOf(p, cls);
            e = tree.verify(m, base); // also: no bit past the page's chunks
            if (e != null) {
                return "page " + p + " chunk tree: " + e;
            }
            int setBits = 0;
            for (int w = 0; w < (tree.bits + 63) >>> 6; w++) {
                setBits += Long.bitCount(tree.leafWord(m, base, w));
            }
            if (setBits != freeCount) {
                return "page " + p + " counts " + freeCount + " free chunks but its bitmap has " + setBits;
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
        if (!Arrays.equals(perClass, classPages)) {
            return "pages per class counted " + Arrays.toString(classPages) + " but found " + Arrays.toString(perClass);
        }
        if (treeBytes != inPageTreeBytes) {
            return "in-page trees counted " + inPageTreeBytes + " B but found " + treeBytes;
        }
        if (bytes != allocatedBytes || chunks != allocatedChunks) {
            return "counters say " + allocatedChunks + " chunks / " + allocatedBytes + " B but bitmaps say " + chunks + " / " + bytes;
        }
        return null;
    }
}
