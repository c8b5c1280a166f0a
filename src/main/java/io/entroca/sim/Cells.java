package io.entroca.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The 28 trace-by-size cells of the eviction issue, run together: one table with a column per
 * policy, then the mean over cells, the worst cell against LRU, and wins against each policy.
 */
public final class Cells {
    private Cells() {}

    /** A trace file under the traces folder and the cache sizes measured on it. */
    public record Cell(String file, String label, int[] sizes) {}

    public static final List<Cell> ALL = List.of(
            new Cell("arc/OLTP.lis.zst", "OLTP", new int[] {250, 500, 1000, 2000}),
            new Cell("lirs/gli.trace.gz", "gli", new int[] {1000, 2000}),
            new Cell("lirs/loop.trace.gz", "loop", new int[] {256, 512}),
            new Cell("lirs/cs.trace.gz", "cs", new int[] {500, 1000}),
            new Cell("lirs/multi2.trace.gz", "multi2", new int[] {1000, 2000}),
            new Cell("lirs/sprite.trace.gz", "sprite", new int[] {100, 1000}),
            new Cell("cache2k/web12.trace.xz", "web12", new int[] {300, 3000}),
            new Cell("cache2k/orm-busy.trace.xz", "orm-busy", new int[] {1000, 10000}),
            new Cell("scarab/scarab-recs.trace.xz", "scarab-recs", new int[] {25000, 100000}),
            new Cell("corda/trace_vaultservice.gz", "corda", new int[] {5000, 50000}),
            new Cell("cloud_physics/w106.trace.xz", "w106", new int[] {10000, 100000}),
            new Cell("arc/P3.lis.zst", "P3", new int[] {32768, 131072}),
            new Cell("arc/P6.lis.zst", "P6", new int[] {32768, 131072}));

    /**
     * Cells never used to choose thermo's constants: the other traces of shared/traces, at sizes
     * around a quarter and a half of their key counts. A check against tuning to the 28.
     */
    public static final List<Cell> HOLDOUT = List.of(
            new Cell("lirs/ps.trace.gz", "ps", new int[] {500, 1500}),
            new Cell("lirs/cpp.trace.gz", "cpp", new int[] {250, 600}),
            new Cell("lirs/multi1.trace.gz", "multi1", new int[] {600, 1300}),
            new Cell("lirs/multi3.trace.gz", "multi3", new int[] {1800, 3700}),
            new Cell("lirs/2_pools.trace.gz", "2_pools", new int[] {2500, 5000}),
            new Cell("lirs/zigzag.trace.gz", "zigzag", new int[] {500, 1000}),
            new Cell("lirs/scan.trace.gz", "scan", new int[] {500, 1000}),
            new Cell("libcachesim/cloudPhysicsIO.oracleGeneral.bin", "cloudPhysicsIO", new int[] {5000, 20000}));

    /** The quick subset: traces small enough to iterate on in seconds. */
    public static final List<String> SMALL = List.of("OLTP", "gli", "loop", "cs", "multi2", "sprite",
            "web12", "corda");

    public static List<Cell> select(String which) {
        if (which.equals("all")) {
            return ALL;
        }
        if (which.equals("holdout")) {
            return HOLDOUT;
        }
        List<String> labels = which.equals("small") ? SMALL : List.of(which.split("\\+"));
        return ALL.stream().filter(c -> labels.contains(c.label())).toList();
    }

    /** Runs the cells and prints the table; returns the mean per policy. */
    public static Map<String, Double> run(Path tracesDir, List<Cell> cells, List<String> policies,
                                          int runs, int threads, PrintStream out, PrintStream err)
            throws Exception {
        List<String> labels = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            for (Cell cell : cells) {
                Path file = tracesDir.resolve(cell.file());
                long t0 = System.nanoTime();
                Trace trace = TraceFormat.guess(file).read(file);
                for (int size : cell.sizes()) {
                    List<Future<Double>> parts = new ArrayList<>();
                    for (String p : policies) {
                        int n = Policies.randomised(p) ? runs : 1;
                        parts.add(pool.submit(() -> {
                            double sum = 0;
                            for (int r = 0; r < n; r++) {
                                sum += Simulator.run(p, size, trace, r);
                            }
                            return 100 * sum / n;
                        }));
                    }
                    double[] row = new double[policies.size()];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = parts.get(i).get();
                    }
                    labels.add(cell.label() + "@" + size);
                    rows.add(row);
                }
                err.printf(Locale.ROOT, "%s done in %.1fs%n", cell.label(), (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            pool.shutdown();
        }
        out.print("| cell |");
        policies.forEach(p -> out.print(" " + p + " |"));
        out.println();
        out.print("|---|");
        policies.forEach(p -> out.print("---:|"));
        out.println();
        for (int r = 0; r < rows.size(); r++) {
            out.print("| " + labels.get(r) + " |");
            for (double v : rows.get(r)) {
                out.printf(Locale.ROOT, " %.2f |", v);
            }
            out.println();
        }
        Map<String, Double> means = new LinkedHashMap<>();
        out.print("| **mean** |");
        for (int i = 0; i < policies.size(); i++) {
            double sum = 0;
            for (double[] row : rows) {
                sum += row[i];
            }
            double mean = sum / rows.size();
            means.put(policies.get(i), mean);
            out.printf(Locale.ROOT, " **%.2f** |", mean);
        }
        out.println();
        int lru = policies.indexOf("lru");
        if (lru >= 0) {
            out.print("| worst vs lru |");
            for (int i = 0; i < policies.size(); i++) {
                double worst = Double.MAX_VALUE;
                String at = "";
                for (int r = 0; r < rows.size(); r++) {
                    double d = rows.get(r)[i] - rows.get(r)[lru];
                    if (d < worst) {
                        worst = d;
                        at = labels.get(r);
                    }
                }
                out.printf(Locale.ROOT, " %+.2f (%s) |", worst, at);
            }
            out.println();
        }
        return means;
    }

    static Path defaultTraces() {
        String prop = System.getProperty("entroca.traces");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p : List.of(Path.of("../shared/traces"), Path.of("/work/shared/traces"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return Path.of("../shared/traces");
    }
}
