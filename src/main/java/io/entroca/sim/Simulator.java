package io.entroca.sim;

import java.io.PrintStream;
import java.util.function.LongConsumer;

/** Replays a trace through a policy: cold start, every request counted. */
public final class Simulator {
    private Simulator() {}

    /** The hit ratio in [0, 1] of one policy on one trace. */
    public static double run(SimPolicy policy, Trace trace, LongConsumer progress) {
        return run(policy, trace, false, progress);
    }

    /**
     * @param bytes whether each request weighs its object size (for a byte-bounded cache)
     *     rather than 1
     */
    public static double run(SimPolicy policy, Trace trace, boolean bytes, LongConsumer progress) {
        long[] keys = trace.keys();
        int[] sizes = bytes ? trace.sizes() : null;
        long hits = 0;
        final int chunk = 1 << 16;
        for (int i = 0; i < keys.length; i++) {
            if (sizes == null ? policy.access(keys[i]) : policy.access(keys[i], Math.max(1, sizes[i]))) {
                hits++;
            }
            if (progress != null && (i & (chunk - 1)) == chunk - 1) {
                progress.accept(chunk);
            }
        }
        if (progress != null) {
            progress.accept(keys.length & (chunk - 1));
        }
        return keys.length == 0 ? 0 : (double) hits / keys.length;
    }

    public static double run(String policy, int capacity, Trace trace, int run) {
        return run(Policies.create(policy, capacity, trace, run), trace, null);
    }

    /** A one-line progress bar on stderr, drawn only once a job has run a few seconds. */
    static final class Progress implements LongConsumer {
        private final PrintStream out;
        private final long total;
        private final long started = System.nanoTime();
        private long done;
        private long lastDraw;
        private boolean drawn;

        Progress(PrintStream out, long total) {
            this.out = out;
            this.total = Math.max(1, total);
        }

        @Override
        public void accept(long n) {
            done += n;
            long t = System.nanoTime();
            if (t - started < 3_000_000_000L || t - lastDraw < 250_000_000L) {
                return;
            }
            lastDraw = t;
            drawn = true;
            int width = 40;
            int filled = (int) Math.min(width, width * done / total);
            double secs = (t - started) / 1e9;
            double eta = done == 0 ? 0 : secs * (total - done) / done;
            out.printf("\r[%s%s] %5.1f%%  %.0fs elapsed, ~%.0fs left ", "#".repeat(filled),
                    " ".repeat(width - filled), 100.0 * done / total, secs, eta);
            out.flush();
        }

        void finish() {
            if (drawn) {
                out.print("\r" + " ".repeat(78) + "\r");
                out.flush();
            }
        }
    }
}
