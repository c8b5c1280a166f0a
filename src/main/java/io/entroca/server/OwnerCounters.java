package io.entroca.server;

import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.LongAdder;

/**
 * A port's counters beside its store's: plain fields written by the owner thread, and the one
 * counter connections bump (a full mailbox), which must be safe from many threads.
 *
 * <p>Nothing but the owner thread reads the plain fields. Other threads (the admin listener's
 * handlers) see them only through the {@link PortSnapshot} the owner publishes.
 */
final class OwnerCounters {
    /** Longest service time the histogram tells apart; longer ones are recorded as this. */
    static final long MAX_TRACKED_NS = 10_000_000_000L;

    /** Requests executed, by opcode. */
    final long[] operations = new long[256];
    long errors;
    long batches;
    /** Requests answered (each frame once, whatever round of its batch answered it). */
    long requests;
    /** Mailbox drains that found work, and the batches they took: their ratio is the drain batch size. */
    long drains;
    long drainedBatches;
    /** Nanoseconds spent executing batches: the owner's busy time. */
    long busyNs;
    /**
     * Service time per request in nanoseconds, since the last snapshot: each executed batch
     * records its time divided by the requests it answered, once per request. Two clock reads
     * per batch, not per request, so pipelined batches cost little to measure.
     */
    final Histogram serviceNs = new Histogram(1, MAX_TRACKED_NS, 2);
    long serviceNsSum;
    long serviceCount;
    /** Sampled top-K keys of this port. */
    final HotKeys hotKeys;
    private final LongAdder mailboxFullWaits = new LongAdder();

    OwnerCounters(int maxKeyLength) {
        this.hotKeys = new HotKeys(maxKeyLength);
    }

    OwnerCounters() {
        this(255);
    }

    /** Owner thread: one round of a batch took {@code ns} and answered {@code answered} requests. */
    void recordBatch(long ns, int answered) {
        busyNs += ns;
        if (answered <= 0) {
            return;
        }
        requests += answered;
        long perRequest = Math.max(1, Math.min(ns / answered, MAX_TRACKED_NS));
        serviceNs.recordValueWithCount(perRequest, answered);
        serviceNsSum += ns;
        serviceCount += answered;
    }

    /** Called from a connection thread that found the mailbox full. */
    void onMailboxFull() {
        mailboxFullWaits.increment();
    }

    long mailboxFullWaits() {
        return mailboxFullWaits.sum();
    }
}
