package io.entroca.server;

import java.util.concurrent.atomic.LongAdder;

/**
 * A port's counters beside its store's: plain fields written by the owner thread, and the one
 * counter connections bump (a full mailbox), which must be safe from many threads.
 */
final class OwnerCounters {
    /** Requests executed, by opcode. */
    final long[] operations = new long[256];
    long errors;
    long batches;
    private final LongAdder mailboxFullWaits = new LongAdder();

    /** Called from a connection thread that found the mailbox full. */
    void onMailboxFull() {
        mailboxFullWaits.increment();
    }

    long mailboxFullWaits() {
        return mailboxFullWaits.sum();
    }
}
