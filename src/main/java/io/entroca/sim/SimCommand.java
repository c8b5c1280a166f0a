package io.entroca.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code entroca sim}: replays a trace through eviction policies and prints their hit ratios as
 * a markdown table. The thermodynamic policy run here is the store's own class, driven through
 * the {@code EvictionPolicy} seam by {@link SlotTableSim}.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Trace-driven simulation of eviction policies (hit ratio per cache size).")
public final class SimCommand implements Callable<Integer> {

    @Option(names = "--trace", description = "Trace file (gzip, xz, zstd or plain).")
    Path trace;

    @Option(names = "--synthetic", description = "Instead of a file: zipf:N:SKEW:REQUESTS, "
            + "scanzipf:N:SKEW:REQUESTS:SCANFRACTION or shift:N:SKEW:REQUESTS:PERIOD.")
    String synthetic;

    @Option(names = "--format", description = "lirs, arc, be-int32, int32, be-int64, oracle-general "
            + "(guessed from the file name when omitted).")
    String format;

    @Option(names = "--sizes", split = ",", description = "Cache sizes in entries (in bytes with --bytes).")
    List<Long> sizes;

    @Option(names = "--bytes", description = "Sizes are byte capacities and each object weighs its size "
            + "(traces with sizes: oracle-general). Not for opt.")
    boolean bytes;

    @Option(names = "--policies", split = ",", defaultValue = "thermo,lru,sieve,s3fifo,wtinylfu,opt",
            description = "Policies: ${DEFAULT-VALUE}. thermo:key=value/key=value overrides thermo settings.")
    List<String> policies;

    @Option(names = "--runs", defaultValue = "1",
            description = "Runs of each randomised policy (thermo, wtinylfu), averaged.")
    int runs;

    @Option(names = "--cells", description = "Run the issue's trace-by-size cells instead of one trace: "
            + "all (the 28), small (quick subset), holdout (other traces, never tuned on) or labels "
            + "joined by + (OLTP+gli).")
    String cells;

    @Option(names = "--traces-dir", description = "Folder of shared/traces for --cells "
            + "(default: the entroca.traces property, ../shared/traces, /work/shared/traces).")
    Path tracesDir;

    @Option(names = "--threads", defaultValue = "1", description = "Parallel simulations for --cells.")
    int threads;

    @Option(names = "--plot", description = "Also write hit ratio against size to this PNG.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        if (cells != null) {
            Path dir = tracesDir != null ? tracesDir : Cells.defaultTraces();
            Cells.run(dir, Cells.select(cells), policies, runs, threads, System.out, err);
            return 0;
        }
        if (sizes == null || sizes.isEmpty()) {
            err.println("entroca sim: give --sizes N[,N...]");
            return 2;
        }
        Trace t;
        if (synthetic != null) {
            t = Synthetic.parse(synthetic, 1);
        } else if (trace != null) {
            TraceFormat f = format == null ? TraceFormat.guess(trace) : TraceFormat.byName(format);
            t = f.read(trace);
        } else {
            err.println("entroca sim: give --trace FILE or --synthetic SPEC");
            return 2;
        }
        long jobs = 0;
        for (String p : policies) {
            jobs += (long) sizes.size() * (Policies.randomised(p) ? runs : 1);
        }
        var progress = new Simulator.Progress(err, jobs * t.length());
        Map<String, double[]> results = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        for (int si = 0; si < sizes.size(); si++) {
            long size = sizes.get(si);
            for (String p : policies) {
                int n = Policies.randomised(p) ? runs : 1;
                double sum = 0;
                for (int r = 0; r < n; r++) {
                    sum += Simulator.run(Policies.create(p, size, t, r, bytes), t, bytes, progress);
                }
                double hr = 100 * sum / n;
                results.computeIfAbsent(p, k -> new double[sizes.size()])[si] = hr;
                rows.add(new String[] {Long.toString(size), p, String.format(Locale.ROOT, "%.2f", hr)});
            }
        }
        progress.finish();
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "%s: %,d requests, %,d unique keys%n%n", t.name(), t.length(), t.uniqueKeys());
        out.println("| size | policy | hit ratio % |");
        out.println("|---:|---|---:|");
        for (String[] row : rows) {
            out.printf("| %s | %s | %s |%n", row[0], row[1], row[2]);
        }
        if (plot != null) {
            writePlot(t.name(), results);
        }
        return 0;
    }

    private void writePlot(String title, Map<String, double[]> results) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle(bytes ? "cache size (bytes)" : "cache size (entries)").yAxisTitle("hit ratio %").build();
        chart.getStyler().setXAxisLogarithmic(sizes.size() > 1
                && sizes.get(sizes.size() - 1) >= 4L * sizes.get(0));
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        double[] x = sizes.stream().mapToDouble(Long::doubleValue).toArray();
        for (var e : results.entrySet()) {
            chart.addSeries(e.getKey(), x, e.getValue()).setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, plot.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
