package io.entroca.store.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BitmapAllocatorTest {

    @Test
    void bitTreeFindsAndSummarises() {
        for (int bits : new int[] {1, 63, 64, 65, 4096, 4097, 300_000}) {
            BitTree t = new BitTree(bits);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment m = arena.allocate(t.bytes(), 64);
                assertEquals(-1, t.first(m, 0));
                Random r = new Random(bits);
                java.util.TreeSet<Integer> model = new java.util.TreeSet<>();
                for (int op = 0; op < 3000; op++) {
                    int i = r.nextInt(bits);
                    if (r.nextBoolean()) {
                        t.set(m, 0, i);
                        model.add(i);
                    } else {
                        t.clear(m, 0, i);
                        model.remove(i);
                    }
                    assertEquals(model.isEmpty() ? -1 : model.first(), t.first(m, 0));
                }
                assertNull(t.verify(m, 0));
                t.clearAll(m, 0);
                t.setPrefix(m, 0, bits);
                assertNull(t.verify(m, 0));
                assertEquals(0, t.first(m, 0));
                t.clearAll(m, 0);
                assertEquals(-1, t.first(m, 0));
                assertNull(t.verify(m, 0));
            }
        }
    }

    @Test
    void sizeClassesAreAscendingAndBounded() {
        for (int pageSize : new int[] {4096, 16 * 1024, 64 * 1024, 1 << 20, 2 << 20, 4 << 20}) {
            int[] sizes = BitmapAllocator.sizeClasses(pageSize);
            assertEquals(16, sizes[0]);
            assertEquals(pageSize, sizes[sizes.length - 1]);
            for (int i = 1; i < sizes.length; i++) {
                assertTrue(sizes[i] > sizes[i - 1]);
                assertEquals(0, sizes[i] % 8);
                if (sizes[i] <= pageSize / 8) {
                    assertTrue(sizes[i] <= sizes[i - 1] * 1.125 + 8, "spacing at " + sizes[i]);
                }
            }
        }
    }

    @Test
    void classForPicksTheSmallestFittingClass() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(1 << 20, 64);
            BitmapAllocator a = new BitmapAllocator(m, 0, m.byteSize(), 16 * 1024);
            for (int size = 1; size <= a.maxChunk(); size++) {
                int c = a.classFor(size);
                assertTrue(a.classSize(c) >= size);
                assertTrue(c == 0 || a.classSize(c - 1) < size, "size " + size);
            }
            assertEquals(-1, a.classFor(a.maxChunk() + 1));
        }
    }

    /** Random alloc/free against a model of live chunks: nothing handed out twice, nothing lost. */
    @Test
    void randomChurnAgainstAModel() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(4L << 20, 64);
            BitmapAllocator a = new BitmapAllocator(m, 0, m.byteSize(), 16 * 1024);
            assertTrue(a.metadataBytes() + (long) a.pageCount() * a.pageSize() <= m.byteSize());
            Random r = new Random(42);
            TreeMap<Long, Integer> live = new TreeMap<>();
            List<Long> order = new ArrayList<>();
            long liveBytes = 0;
            int refusals = 0;
            for (int phase = 0; phase < 6; phase++) {
                // Each phase favours another size range, so pages must move between classes.
                int lo = switch (phase % 3) { case 0 -> 1; case 1 -> 100; default -> 1500; };
                int hi = switch (phase % 3) { case 0 -> 120; case 1 -> 1400; default -> a.maxChunk(); };
                for (int op = 0; op < 20_000; op++) {
                    boolean alloc = r.nextInt(100) < 55;
                    if (alloc) {
                        int size = lo + r.nextInt(hi - lo + 1);
                        int c = a.classFor(size);
                        long off = a.allocate(c);
                        if (off < 0) {
                            assertTrue(a.freePages() == 0, "refused with free pages");
                            refusals++;
                            alloc = false;
                        } else {
                            int cs = a.classSize(c);
                            assertTrue(off >= a.pagesBase() && off + cs <= a.pagesEnd());
                            assertEquals(cs, a.chunkSize(off));
                            Map.Entry<Long, Integer> below = live.floorEntry(off);
                            assertTrue(below == null || below.getKey() + below.getValue() <= off, "overlaps below");
                            Map.Entry<Long, Integer> above = live.ceilingEntry(off);
                            assertTrue(above == null || off + cs <= above.getKey(), "overlaps above");
                            // The chunk must not straddle a page.
                            assertEquals(a.pageOf(off), a.pageOf(off + cs - 1));
                            live.put(off, cs);
                            order.add(off);
                            liveBytes += cs;
                            // Both ends of the chunk: a chunk tree kept in the page must lie outside both.
                            m.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, off + cs - 8, off);
                            m.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, off, ~off);
                        }
                    }
                    if (!alloc && !order.isEmpty()) {
                        int k = r.nextInt(order.size());
                        long off = order.get(k);
                        order.set(k, order.get(order.size() - 1));
                        order.remove(order.size() - 1);
                        int cs = live.remove(off);
                        // What we wrote at the chunk's end is still there: no one else got this chunk.
                        assertEquals(off, m.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, off + cs - 8));
                        assertEquals(~off, m.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, off));
                        assertTrue(a.isAllocated(off));
                        a.free(off);
                        assertTrue(!a.isAllocated(off) || live.containsKey(off));
                        liveBytes -= cs;
                    }
                    assertEquals(liveBytes, a.allocatedBytes());
                    if (op % 5000 == 0) {
                        assertNull(a.verify());
                    }
                }
                assertNull(a.verify());
            }
            assertTrue(refusals > 1000, "the churn never filled the region: " + refusals);
            for (long off : order) {
                a.free(off);
            }
            assertNull(a.verify());
            assertEquals(0, a.allocatedBytes());
            assertEquals(a.pageCount(), a.freePages());
        }
    }

    @Test
    void memoryFreedInOneClassServesAnother() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(1L << 20, 64);
            BitmapAllocator a = new BitmapAllocator(m, 0, m.byteSize(), 16 * 1024);
            List<Long> small = new ArrayList<>();
            long off;
            while ((off = a.allocate(a.classFor(16))) >= 0) {
                small.add(off);
            }
            assertEquals(0, a.freePages());
            assertEquals(-1, a.allocate(a.classFor(4000)));
            for (long o : small) {
                a.free(o);
            }
            int big = 0;
            while (a.allocate(a.classFor(a.maxChunk())) >= 0) {
                big++;
            }
            assertEquals(a.pageCount(), big);
            assertNull(a.verify());
        }
    }

    @Test
    void badFreesThrowAndChangeNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(1L << 20, 64);
            BitmapAllocator a = new BitmapAllocator(m, 0, m.byteSize(), 16 * 1024);
            long x = a.allocate(a.classFor(100));
            long y = a.allocate(a.classFor(100));
            a.free(x);
            assertThrows(IllegalStateException.class, () -> a.free(x));
            assertThrows(IllegalStateException.class, () -> a.free(y + 8));
            assertThrows(IllegalStateException.class, () -> a.free(a.pagesBase() - 8));
            assertThrows(IllegalStateException.class, () -> a.free(a.pagesEnd()));
            assertThrows(IllegalStateException.class, () -> a.free(a.pagesEnd() - a.pageSize()));
            assertNull(a.verify());
            assertEquals(a.classSize(a.classFor(100)), a.allocatedBytes());
            a.free(y);
            assertEquals(0, a.allocatedBytes());
            assertNull(a.verify());
        }
    }
}
