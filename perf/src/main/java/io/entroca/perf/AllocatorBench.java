package io.entroca.perf;

import io.entroca.store.offheap.BitmapAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Churn of mixed sizes: 64 Ki live chunks of uniform 16..1024 B (about 34 MB live); each op frees
 * a random live chunk and allocates one of a new random size in its place. {@code offheap} is
 * the store's {@link BitmapAllocator} (free + allocate); {@code heap} replaces a {@code byte[]}
 * in an array of references, which is what a per-entry heap object costs (allocation, zeroing,
 * and the collector's work to reclaim the old one).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx256m"})
public class AllocatorBench {
    static final int LIVE = 1 << 16;
    static final int SIZES = 1 << 20;

    @Param({"offheap", "heap"})
    public String kind;

    private Arena arena;
    private BitmapAllocator alloc;
    private long[] offsets;
    private byte[][] arrays;
    private int[] sizes;
    private int[] slots;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(3);
        sizes = new int[SIZES];
        slots = new int[SIZES];
        for (int k = 0; k < SIZES; k++) {
            sizes[k] = 16 + r.nextInt(1009);
            slots[k] = r.nextInt(LIVE);
        }
        if (kind.equals("offheap")) {
            arena = Arena.ofConfined();
            MemorySegment m = arena.allocate(64L << 20, 64);
            alloc = new BitmapAllocator(m, 0, m.byteSize(), 1 << 20);
            offsets = new long[LIVE];
            for (int k = 0; k < LIVE; k++) {
                offsets[k] = alloc.allocate(alloc.classFor(sizes[k]));
            }
        } else {
            arrays = new byte[LIVE][];
            for (int k = 0; k < LIVE; k++) {
                arrays[k] = new byte[sizes[k]];
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (arena != null) {
            String e = alloc.verify();
            arena.close();
            if (e != null) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Benchmark
    public long churn() {
        int n = i++ & (SIZES - 1);
        int slot = slots[n];
        int size = sizes[n];
        if (alloc != null) {
            alloc.free(offsets[slot]);
            long off = alloc.allocate(alloc.classFor(size));
            offsets[slot] = off;
            return off;
        }
        byte[] b = new byte[size];
        arrays[slot] = b;
        return b.length;
    }
}
