package io.entroca.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The StoreBench workloads timed by the thread's CPU time instead of wall time, so that other
 * processes on a shared machine (which take the CPU away, not add work) disturb the figure less
 * than they disturb JMH's throughput. Not a replacement for JMH; a cross-check.
 *
 * <pre>
 *   java -Xmx512m --enable-native-access=ALL-UNNAMED -cp perf/target/benchmarks.jar io.entroca.perf.StoreCpuTime
 * </pre>
 */
public final class StoreCpuTime {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (String mode : new String[] {"dynamic", "fixed"}) {
            StoreBench b = new StoreBench();
            b.mode = mode;
            b.setUp();
            long[] best = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
            int ops = 4_000_000;
            for (int round = 0; round < rounds; round++) {
                long sink = 0;
                long t = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    sink += b.get();
                }
                best[0] = Math.min(best[0], mx.getCurrentThreadCpuTime() - t);
                t = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    sink += b.set();
                }
                best[1] = Math.min(best[1], mx.getCurrentThreadCpuTime() - t);
                t = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    sink += b.setEvicting();
                }
                best[2] = Math.min(best[2], mx.getCurrentThreadCpuTime() - t);
                if (sink == 42) {
                    System.out.print("");
                }
            }
            System.out.printf("%-8s CPU ns/op (best of %d x %,d): get %.0f  set %.0f  setEvicting %.0f%n", mode, rounds, ops,
                    (double) best[0] / ops, (double) best[1] / ops, (double) best[2] / ops);
            b.tearDown();
        }
    }

    private StoreCpuTime() {
    }

}
