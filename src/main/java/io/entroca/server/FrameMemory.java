package io.entroca.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The heap that all the connections of one server may hold together for frames larger than their
 * batch buffers ({@code entroca.connections.frame-memory}). Every length from the wire is checked
 * against the protocol's maximum before anything is allocated, but a few hundred connections that
 * each announce a 1 MiB value and then send it slowly would still ask for hundreds of MiB of heap
 * at once. Past this budget a connection waits, without reading from its client, until another
 * connection's large frame is answered; nothing fails and nothing is dropped.
 *
 * <p>Waiting polls every millisecond: it only happens while the budget is exhausted, and a poll
 * keeps the connections that give bytes back from having to know who waits.
 */
final class FrameMemory {
    private static final long POLL_NS = 1_000_000;

    private final long capacity;
    private final AtomicLong free;

    FrameMemory(long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        this.capacity = capacity;
        this.free = new AtomicLong(capacity);
    }

    /** Takes {@code bytes} if that many are free now. */
    boolean tryTake(long bytes) {
        if (bytes > capacity) {
            return false;
        }
        long f;
        do {
            f = free.get();
            if (f < bytes) {
                return false;
            }
        } while (!free.compareAndSet(f, f - bytes));
        return true;
    }

    /**
     * Takes {@code bytes}, waiting while they are not free.
     *
     * @param givingUp checked between polls: true abandons the wait (the connection is closing)
     * @return whether the bytes were taken
     */
    boolean take(long bytes, BooleanSupplier givingUp) {
        if (bytes > capacity) {
            throw new IllegalArgumentException(bytes + " B can never fit a frame memory of " + capacity + " B");
        }
        while (!tryTake(bytes)) {
            if (givingUp.getAsBoolean()) {
                return false;
            }
            LockSupport.parkNanos(this, POLL_NS);
        }
        return true;
    }

    void give(long bytes) {
        if (bytes > 0) {
            free.addAndGet(bytes);
        }
    }

    /** Less than half is free: connections give back what they keep only for speed. */
    boolean scarce() {
        return free.get() < capacity / 2;
    }

    long capacity() {
        return capacity;
    }

    long free() {
        return free.get();
    }
}
