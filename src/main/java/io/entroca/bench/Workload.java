package io.entroca.bench;

import java.util.SplittableRandom;

/**
 * Everything a run sends, made before it starts so that the hot loop only reads arrays: for each
 * port, a long sequence of operations (a key index, with the top bit set for a SET) drawn from the
 * key distribution, restricted to the keys that port owns; a sequence of value sizes; and a pool
 * of value bytes that SETs copy slices of.
 */
final class Workload {
    static final int SET_BIT = 0x8000_0000;
    private static final int SEQUENCE = 1 << 18;
    private static final int SIZES = 1 << 16;

    final Keys keys;
    final int[][] operations;
    final int[] valueSizes;
    final byte[] valuePool;
    final int maxValue;

    /**
     * @param zipfExponent 0 for uniform keys, else the exponent s of a Zipf distribution over key ranks
     * @param getsPercent how many of every 100 operations are GETs; the rest are SETs
     */
    Workload(Keys keys, double zipfExponent, int minValue, int maxValue, int getsPercent, long seed) {
        this.keys = keys;
        this.maxValue = maxValue;
        SplittableRandom random = new SplittableRandom(seed);
        double[] cdf = zipfExponent > 0 ? zipfCdf(keys.count(), zipfExponent) : null;
        int[] keysOfPort = new int[keys.portCount];
        for (int port : keys.ports) {
            keysOfPort[port]++;
        }
        operations = new int[keys.portCount][];
        for (int port = 0; port < keys.portCount; port++) {
            if (keysOfPort[port] == 0) {
                throw new IllegalArgumentException("no key of the " + keys.count() + " routes to port " + port
                        + "; use more keys");
            }
            int[] sequence = new int[SEQUENCE];
            for (int i = 0; i < SEQUENCE; i++) {
                int key;
                do {
                    key = cdf == null ? random.nextInt(keys.count()) : sample(cdf, random.nextDouble());
                } while (keys.ports[key] != port);
                boolean set = random.nextInt(100) >= getsPercent;
                sequence[i] = set ? key | SET_BIT : key;
            }
            operations[port] = sequence;
        }
        valueSizes = new int[SIZES];
        for (int i = 0; i < SIZES; i++) {
            valueSizes[i] = minValue == maxValue ? minValue : minValue + random.nextInt(maxValue - minValue + 1);
        }
        valuePool = new byte[maxValue + 1024];
        for (int i = 0; i < valuePool.length; i++) {
            valuePool[i] = (byte) ('a' + random.nextInt(26));
        }
    }

    /** Cumulative probabilities of ranks 0..n-1 under Zipf(s): rank r has weight 1/(r+1)^s. */
    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            sum += 1.0 / Math.pow(r + 1, s);
            cdf[r] = sum;
        }
        for (int r = 0; r < n; r++) {
            cdf[r] /= sum;
        }
        return cdf;
    }

    private static int sample(double[] cdf, double u) {
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static int sequenceMask() {
        return SEQUENCE - 1;
    }

    static int sizesMask() {
        return SIZES - 1;
    }
}
