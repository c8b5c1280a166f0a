package io.entroca.server;

import io.entroca.protocol.Opcode;
import io.entroca.store.StoreStats;

import java.util.List;

/**
 * One port's figures at one moment, built by its owner thread and published whole through a
 * volatile field ({@link PortOwner#snapshot()}). Everything here is a copy; the admin listener's
 * threads read only these, never the owner's live fields, so the owner keeps its plain,
 * unsynchronised counters. Treat every array and the {@link StoreStats} as read-only.
 *
 * <p>Counters ({@code operations}, {@code hits}, ...) are totals since start. The rates, the busy
 * ratio and the service-time percentiles cover the interval since the previous snapshot.
 *
 * @param takenAtMillis wall-clock time of the snapshot
 * @param intervalNs nanoseconds since the previous snapshot
 * @param operations requests executed, indexed by opcode ({@link Opcode#GET} to {@link Opcode#STATS})
 * @param store a copy of the store's counters
 * @param opsPerSecond requests answered per second over the interval
 * @param busyRatio share of the interval the owner spent executing batches, 0 to 1
 * @param serviceNs per-request service time percentiles over the interval: p50, p90, p99, p99.9, max
 * @param serviceSumNs total busy nanoseconds spent answering requests, since start
 * @param serviceCount requests the service time covers, since start
 * @param temperatureLabel what {@code temperature} holds, or why it is null
 * @param temperature entries per temperature band, coldest first, or null when not reported
 */
record PortSnapshot(
        int port,
        long takenAtMillis,
        long intervalNs,
        long[] operations,
        long errors,
        long batches,
        long requests,
        long drains,
        long drainedBatches,
        long busyNs,
        StoreStats store,
        double opsPerSecond,
        double busyRatio,
        long[] serviceNs,
        long serviceSumNs,
        long serviceCount,
        List<HotKeys.HotKey> hotKeys,
        String temperatureLabel,
        long[] temperature) {

    /** Quantiles that {@link #serviceNs} holds, in its order (the last is the maximum). */
    static final double[] SERVICE_QUANTILES = {0.5, 0.9, 0.99, 0.999, 1.0};

    /** What a port reports before its owner published anything. */
    static PortSnapshot empty(int port) {
        StoreStats none = new StoreStats();
        return new PortSnapshot(port, System.currentTimeMillis(), 0, new long[Opcode.STATS + 1], 0, 0, 0, 0, 0, 0,
                none, 0, 0, new long[SERVICE_QUANTILES.length], 0, 0, List.of(), "no snapshot yet", null);
    }

    /** Hits over lookups, 0 when there were none. */
    public double hitRatio() {
        long lookups = store.hits + store.misses;
        return lookups == 0 ? 0.0 : (double) store.hits / lookups;
    }
}
