package io.entroca.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.net.URI;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code entroca bench}: drives an Entroca, memcached or Redis server with a pipelined GET/SET
 * mix, closed loop or at a fixed rate, and prints a summary whose last line is
 * {@code RESULT target=... ops_s=... p50_us=... p99_us=... p999_us=... hit_ratio=... errors=...}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Load-test a cache server: Entroca, memcached (meta protocol) or Redis (RESP).",
                "Closed loop by default; --rate sets a fixed rate with latency measured from each request's "
                        + "intended send time (coordinated omission corrected).",
                "The last line printed is RESULT target=... ops_s=... p50_us=... p99_us=... p999_us=... "
                        + "hit_ratio=... errors=..."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--target", required = true, paramLabel = "URI",
            description = "entroca://HOST:PORT (any data port), memcached://HOST:PORT or redis://HOST:PORT; "
                    + "entroca-client://HOST:PORT sends through EntrocaClient's async API instead of the bare codec")
    String target;

    @Option(names = "--conns", defaultValue = "50", description = "TCP connections (Entroca: spread over its ports, "
            + "each sending only the keys its port owns). Default ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--pipeline", defaultValue = "1", description = "Requests in flight per connection. Default ${DEFAULT-VALUE}.")
    int pipeline;

    @Option(names = "--threads", defaultValue = "1", description = "Load threads, each with a selector. Default ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--duration", defaultValue = "10s", description = "Measured time, e.g. 10s, 500ms, 1m. Default ${DEFAULT-VALUE}.")
    String duration;

    @Option(names = "--warmup", defaultValue = "2s", description = "Unmeasured time before it. Default ${DEFAULT-VALUE}.")
    String warmup;

    @Option(names = "--keys", defaultValue = "100000", description = "Distinct keys. Default ${DEFAULT-VALUE}.")
    int keys;

    @Option(names = "--key-dist", defaultValue = "uniform", description = "uniform or zipf:S (e.g. zipf:0.99). Default ${DEFAULT-VALUE}.")
    String keyDistribution;

    @Option(names = "--value-size", defaultValue = "32", description = "Bytes per value: N, or MIN-MAX drawn uniformly. Default ${DEFAULT-VALUE}.")
    String valueSize;

    @Option(names = "--gets", defaultValue = "90", description = "Percent of operations that are GETs; 0 is all SETs. Default ${DEFAULT-VALUE}.")
    int gets;

    @Option(names = "--rate", defaultValue = "0", description = "Fixed rate in operations/s over all connections; 0 = closed loop. Default ${DEFAULT-VALUE}.")
    long rate;

    @Option(names = "--prefill", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "SET every key once before the run so GETs can hit. Default ${DEFAULT-VALUE}.")
    boolean prefill;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the key, operation and size sequences.")
    long seed;

    @Override
    public Integer call() throws Exception {
        URI uri = URI.create(target);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "--target must look like entroca://127.0.0.1:7400");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean throughClient = scheme.equals("entroca-client");
        if (!throughClient) {
            Driver.forScheme(scheme);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : switch (scheme) {
            case "entroca", "entroca-client" -> 7400;
            case "memcached" -> 11211;
            default -> 6379;
        };
        require(connections >= 1, "--conns must be at least 1");
        require(pipeline >= 1 && pipeline <= 65536, "--pipeline must be 1 to 65536");
        require(threads >= 1, "--threads must be at least 1");
        require(keys >= 1 && keys <= 100_000_000, "--keys must be 1 to 100000000");
        require(gets >= 0 && gets <= 100, "--gets is a percentage, 0 to 100");
        require(rate >= 0, "--rate must be 0 (closed loop) or positive");
        int[] sizes = parseSizes(valueSize);
        double zipf = parseDistribution(keyDistribution);
        long warmupNanos = parseDuration(warmup, "--warmup");
        long durationNanos = parseDuration(duration, "--duration");
        require(durationNanos > 0, "--duration must be above 0");

        LoadRunner.Settings settings = new LoadRunner.Settings(uri.getHost(), port,
                throughClient ? null : () -> Driver.forScheme(scheme),
                connections, pipeline, threads, warmupNanos, durationNanos, keys, zipf, sizes[0], sizes[1], gets, rate,
                prefill, seed);
        var out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "bench %s: %s, %d conns x %d in flight, %d thread(s), %s warm-up + %s, %d keys %s, "
                        + "values %s B, %d%% GETs%n", target, rate > 0 ? "fixed rate " + rate + " ops/s" : "closed loop",
                connections, pipeline, threads, warmup, duration, keys, keyDistribution, valueSize, gets);
        out.flush();
        BenchResult result = throughClient ? new ClientRunner(settings).run() : new LoadRunner(settings).run();
        out.printf(Locale.ROOT, "  throughput  %,.0f ops/s (%,d operations in %.1f s)%n", result.opsPerSecond(),
                result.operations(), result.seconds());
        out.printf(Locale.ROOT, "  latency us  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  p99.99 %.1f  max %.1f%s%n",
                result.micros(50), result.micros(90), result.micros(99), result.micros(99.9), result.micros(99.99),
                result.latency().getMaxValue() / 1000.0, rate > 0 ? " (from intended send times)" : "");
        out.printf(Locale.ROOT, "  replies     %,d hits  %,d misses  %,d stored  %,d errors  (hit ratio %.4f)%n",
                result.hits(), result.misses(), result.stored(), result.errors(), result.hitRatio());
        out.println(result.resultLine());
        out.flush();
        return result.operations() > 0 ? 0 : 1;
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private int[] parseSizes(String text) {
        try {
            String[] parts = text.split("-", 2);
            int min = Integer.parseInt(parts[0].trim());
            int max = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : min;
            require(min >= 0 && max >= min && max <= 64 * 1024 * 1024, "--value-size must be N or MIN-MAX, 0 to 64 MiB");
            return new int[] {min, max};
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--value-size must be N or MIN-MAX, got " + text);
        }
    }

    private double parseDistribution(String text) {
        if (text.equals("uniform")) {
            return 0;
        }
        if (text.startsWith("zipf:")) {
            try {
                double s = Double.parseDouble(text.substring(5));
                require(s > 0 && s < 10, "zipf exponent must be above 0 and below 10");
                return s;
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new ParameterException(spec.commandLine(), "--key-dist must be uniform or zipf:S, got " + text);
    }

    private long parseDuration(String text, String option) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Long.parseLong(t.substring(0, t.length() - 2)) * 1_000_000L;
            }
            if (t.endsWith("s")) {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9);
            }
            if (t.endsWith("m")) {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60e9);
            }
            return Math.round(Double.parseDouble(t) * 1e9);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), option + " must be a duration like 10s or 500ms, got " + text);
        }
    }
}
