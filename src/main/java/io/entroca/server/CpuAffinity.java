package io.entroca.server;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * Pins the calling platform thread to one CPU with Linux's {@code sched_setaffinity}, called
 * through java.lang.foreign, so no native library ships with the server. Where it cannot be done
 * (not Linux, native access not enabled, a CPU the process may not use) it says why and the thread
 * runs unpinned: pinning is a tuning, never a reason to fail.
 */
final class CpuAffinity {
    private static final int CPU_SET_BYTES = 512;

    private CpuAffinity() {
    }

    /**
     * Pins the calling thread to {@code cpu}.
     *
     * @return empty when pinned, otherwise why not
     */
    static Optional<String> pinCurrentThread(int cpu) {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("CPU pinning needs Linux (sched_setaffinity)");
        }
        if (cpu < 0 || cpu >= CPU_SET_BYTES * 8) {
            return Optional.of("CPU " + cpu + " is outside what sched_setaffinity takes here");
        }
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> symbol = linker.defaultLookup().find("sched_setaffinity")
                    .or(() -> SymbolLookup.libraryLookup("libc.so.6", Arena.global()).find("sched_setaffinity"));
            if (symbol.isEmpty()) {
                return Optional.of("sched_setaffinity is not in this C library");
            }
            Linker.Option errno = Linker.Option.captureCallState("errno");
            MethodHandle setAffinity = linker.downcallHandle(symbol.get(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                    errno);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
                MemorySegment mask = arena.allocate(CPU_SET_BYTES);
                mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
                // pid 0 means the calling thread; the owner thread calls this on itself.
                int result = (int) setAffinity.invokeExact(state, 0, (long) CPU_SET_BYTES, mask);
                if (result != 0) {
                    VarHandle errnoHandle = Linker.Option.captureStateLayout()
                            .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
                    int code = (int) errnoHandle.get(state, 0L);
                    return Optional.of("sched_setaffinity failed for CPU " + cpu + " (errno " + code
                            + (code == 22 ? ", no such CPU available to this process" : "") + ")");
                }
            }
            return Optional.empty();
        } catch (IllegalCallerException e) {
            return Optional.of("native access is not enabled (run with --enable-native-access=ALL-UNNAMED)");
        } catch (Throwable e) {
            return Optional.of("CPU pinning failed: " + e);
        }
    }
}
