package io.entroca.sim;

import java.util.SplittableRandom;

/**
 * Synthetic workloads, for experiments and tests where no real trace is at hand:
 * {@code zipf:N:S:R} (R requests over N keys, skew S), {@code scanzipf:N:S:R:F} (a fraction F
 * of requests are a sequential scan over fresh keys), {@code shift:N:S:R:P} (Zipf whose hot set
 * moves to new keys every P requests).
 */
public final class Synthetic {
    private Synthetic() {}

    public static Trace parse(String spec, long seed) {
        String[] p = spec.split(":");
        int n = Integer.parseInt(p[1]);
        double s = Double.parseDouble(p[2]);
        int r = Integer.parseInt(p[3]);
        return switch (p[0]) {
            case "zipf" -> new Trace(spec, zipf(n, s, r, seed, 0, 0), null);
            case "scanzipf" -> new Trace(spec, zipf(n, s, r, seed, Double.parseDouble(p[4]), 0), null);
            case "shift" -> new Trace(spec, zipf(n, s, r, seed, 0, Integer.parseInt(p[4])), null);
            default -> throw new IllegalArgumentException("unknown synthetic workload " + spec);
        };
    }

    /** {@code requests} key ranks in {@code [0, n)}, Zipf-distributed with exponent {@code skew}. */
    public static long[] zipf(int n, double skew, int requests, long seed) {
        return zipf(n, skew, requests, seed, 0, 0);
    }

    /** Zipf by inverse CDF over precomputed cumulative weights (binary search per request). */
    static long[] zipf(int n, double skew, int requests, long seed, double scanFraction, int shiftEvery) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, skew);
            cdf[i] = sum;
        }
        var random = new SplittableRandom(seed);
        long[] keys = new long[requests];
        long scanKey = 1L << 40;
        long offset = 0;
        for (int i = 0; i < requests; i++) {
            if (shiftEvery > 0 && i > 0 && i % shiftEvery == 0) {
                offset += n / 2;
            }
            if (scanFraction > 0 && random.nextDouble() < scanFraction) {
                keys[i] = scanKey++;
                continue;
            }
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = n - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) lo = mid + 1; else hi = mid;
            }
            keys[i] = lo + offset;
        }
        return keys;
    }
}
