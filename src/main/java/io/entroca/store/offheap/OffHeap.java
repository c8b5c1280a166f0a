package io.entroca.store.offheap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Takes a store's memory, once. On Linux it maps anonymous memory and asks for transparent huge
 * pages ({@code madvise(MADV_HUGEPAGE)}, which the kernel's default "madvise" mode needs), then
 * touches every page so the whole budget is resident from the start: a store's random accesses
 * over gigabytes then miss the TLB far less often. Anywhere else, or if any call fails, it
 * falls back to {@link Arena#allocate}. Either way the segment is exactly {@code bytes} long,
 * zeroed, and freed when the arena closes.
 */
@SuppressWarnings("restricted") // mmap, madvise, munmap: the launcher and the jar enable native access
final class OffHeap {
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long HUGE_PAGE = 2L << 20;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        if (System.getProperty("os.name", "").startsWith("Linux") && "amd64".equals(System.getProperty("os.arch"))
                && !Boolean.getBoolean("entroca.store.noHugePages")) {
            try {
                Linker linker = Linker.nativeLinker();
                Optional<MemorySegment> fm = linker.defaultLookup().find("mmap");
                Optional<MemorySegment> fu = linker.defaultLookup().find("munmap");
                Optional<MemorySegment> fa = linker.defaultLookup().find("madvise");
                if (fm.isPresent() && fu.isPresent() && fa.isPresent()) {
                    mmap = linker.downcallHandle(fm.get(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                    munmap = linker.downcallHandle(fu.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                    madvise = linker.downcallHandle(fa.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                }
            } catch (RuntimeException | Error e) {
                mmap = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private OffHeap() {
    }

    /** Exactly {@code bytes} of zeroed, resident memory owned by {@code arena}, 64-byte aligned. */
    static MemorySegment allocate(Arena arena, long bytes) {
        if (MMAP != null && bytes >= HUGE_PAGE) {
            MemorySegment m = mapped(arena, bytes);
            if (m != null) {
                return m;
            }
        }
        return arena.allocate(bytes, 64);
    }

    private static MemorySegment mapped(Arena arena, long bytes) {
        try {
            MemorySegment address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (address.address() == -1L || address.address() == 0) {
                return null;
            }
            int ignored = (int) MADVISE.invokeExact(address, bytes, MADV_HUGEPAGE); // advice only
            MemorySegment m = address.reinterpret(bytes, arena, s -> unmap(s.address(), bytes));
            // Touch every 4 KiB page now (anonymous memory reads as zero): the budget is taken at
            // start, never page-faulted in under traffic.
            for (long a = 0; a < bytes; a += 4096) {
                m.set(ValueLayout.JAVA_BYTE, a, (byte) 0);
            }
            return m;
        } catch (Throwable t) {
            return null;
        }
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }
}
