package io.entroca.server;

import java.util.concurrent.locks.LockSupport;

/**
 * How an owner thread waits for work: spin for a while, because a request that arrives during the
 * spin is served without a wake-up (20–50 µs on a small VM); then yield a few times; then park
 * until a connection wakes it, or until {@code parkMaxNs} passes so that idle housekeeping runs.
 *
 * <p>The spin is a time, not a count, so it means the same on every machine. One instance per
 * owner thread; not thread-safe.
 */
final class IdleStrategy {
    private final long spinNs;
    private final int yields;
    private final long parkMaxNs;

    private long idleSinceNs;
    private int yieldsDone;

    IdleStrategy(ServerConfig.IdleSettings settings) {
        this.spinNs = settings.spinNs();
        this.yields = settings.yields();
        this.parkMaxNs = settings.parkMaxNs();
    }

    /** Work was found: the next idle period starts from the beginning. */
    void reset() {
        idleSinceNs = 0;
        yieldsDone = 0;
    }

    /**
     * One step of waiting.
     *
     * @return true when the caller should park now (the spin and the yields are used up)
     */
    boolean idle(long nowNs) {
        if (idleSinceNs == 0) {
            idleSinceNs = nowNs;
        }
        if (nowNs - idleSinceNs < spinNs) {
            Thread.onSpinWait();
            return false;
        }
        if (yieldsDone < yields) {
            yieldsDone++;
            Thread.yield();
            return false;
        }
        return true;
    }

    void park(Object blocker) {
        LockSupport.parkNanos(blocker, parkMaxNs);
    }
}
