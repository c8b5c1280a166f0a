package io.entroca.bench;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * What a run measured, over the measurement window only (the warm-up is not counted).
 *
 * @param latency nanoseconds from send (closed loop) or from the intended send time (fixed rate)
 *     to the reply
 */
record BenchResult(String target, long operations, double seconds, long hits, long misses, long stored,
                   long errors, Histogram latency) {

    double opsPerSecond() {
        return operations / seconds;
    }

    double hitRatio() {
        long gets = hits + misses;
        return gets == 0 ? 0 : (double) hits / gets;
    }

    double micros(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The last line of every run, for scripts: one space-separated name=value list. */
    String resultLine() {
        return String.format(Locale.ROOT,
                "RESULT target=%s ops_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f hit_ratio=%.4f errors=%d",
                target, opsPerSecond(), micros(50), micros(99), micros(99.9), hitRatio(), errors);
    }
}
