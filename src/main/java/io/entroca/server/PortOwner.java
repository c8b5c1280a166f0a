package io.entroca.server;

import io.entroca.store.Store;
import io.entroca.store.StoreConfig;
import io.entroca.store.Stores;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that owns a port's store. Connections hand it batches through an MPSC mailbox;
 * it drains the mailbox, executes each batch against the store, and wakes the connection. Nothing
 * else touches the store, so the store needs no locks, and eviction has a single writer.
 *
 * <h2>Waking the owner without losing a wake-up</h2>
 * The owner parks only after announcing it: it writes {@code parked = true}, then looks at the
 * mailbox once more, and parks only if it is still empty. A connection first offers its batch
 * (the offer is a CAS on the producer index), then reads {@code parked}, and unparks the owner
 * if it is set. Both sides write one variable and then read the other with volatile (sequentially
 * consistent) accesses, so at least one of them sees the other's write: either the owner sees
 * the batch and does not park, or the connection sees {@code parked} and unparks it. An unpark
 * that arrives before the park is remembered by the thread's permit, so it is never lost either.
 * The owner also never parks for longer than {@code park-max}, a bound that doubles as the
 * period of its idle housekeeping (the expiry sweep).
 *
 * <h2>Never leaving a connection waiting</h2>
 * A connection waits for its batch with an untimed park (a timed park of a virtual thread costs
 * a timer task in the scheduler's delay queue per request, which profiling showed as a fifth of
 * the server's CPU). So the owner must wake every waiter when its thread ends, however it ends:
 * it writes {@code exited = true}, then wakes the connection of the batch it was executing (if it
 * did not complete it) and of every batch still in the mailbox. A connection offers its batch,
 * then reads {@code exited} before each park: the same write-then-read pairing as for
 * {@code parked}, so either the owner finds the batch and wakes it, or the connection sees
 * {@code exited} and stops waiting.
 */
final class PortOwner implements Runnable {
    private static final Logger LOG = Logger.getLogger(PortOwner.class.getName());
    /** Entries the expiry sweep examines each time the owner is about to park. */
    private static final int SWEEP_BUDGET = 256;

    private final int portIndex;
    private final ServerConfig config;
    private final Function<StoreConfig, Store> storeFactory;
    private final MessagePassingQueue<RequestBatch> mailbox;
    private final OwnerCounters counters = new OwnerCounters();
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    private volatile boolean parked;
    private volatile boolean accepting = true;
    private volatile boolean exited;

    /** Owner-thread only: the batch being executed, so an owner that dies can wake its connection. */
    private RequestBatch current;

    // Owner-thread state: the store is created on this thread and never leaves it.
    private Store store;
    private BatchExecutor executor;

    PortOwner(int portIndex, ServerConfig config, Function<StoreConfig, Store> storeFactory) {
        this.portIndex = portIndex;
        this.config = config;
        this.storeFactory = storeFactory;
        this.mailbox = new MpscVarHandleArrayQueue<>(config.mailboxCapacity());
        this.thread = Thread.ofPlatform().name("entroca-owner-" + portIndex).unstarted(this);
    }

    PortOwner(int portIndex, ServerConfig config) {
        this(portIndex, config, Stores::open);
    }

    /** Starts the thread and waits until its store is open; a store that fails to open fails the start. */
    void start() {
        thread.start();
        started.join();
    }

    int portIndex() {
        return portIndex;
    }

    OwnerCounters counters() {
        return counters;
    }

    /**
     * Called from a connection thread: hands a batch to the owner.
     *
     * @return false when the mailbox is full (try again later) ; the batch is then still the caller's
     */
    boolean offer(RequestBatch batch) {
        if (!mailbox.offer(batch)) {
            return false;
        }
        if (parked) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Called from a connection thread: false once the owner stops taking work (shutdown). */
    boolean isAccepting() {
        return accepting;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** True once the owner thread has ended or is ending: it will complete no batch any more. */
    boolean hasExited() {
        return exited;
    }

    /**
     * Stops taking new batches, executes every batch already in the mailbox, and ends the thread.
     * Call it only after the listeners stopped, so no connection is waiting on a batch.
     */
    void stop() throws InterruptedException {
        accepting = false;
        LockSupport.unpark(thread);
        thread.join();
    }

    @Override
    public void run() {
        try {
            try {
                pinIfConfigured();
                store = storeFactory.apply(config.storeConfig());
                executor = new BatchExecutor(store, config.ttlResolutionMs(), portIndex, counters);
            } catch (Throwable e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(null);
            try {
                serve();
            } finally {
                store.close();
            }
        } finally {
            wakeWaitersOnExit();
        }
    }

    /** See "Never leaving a connection waiting" above. */
    private void wakeWaitersOnExit() {
        exited = true;
        RequestBatch executing = current;
        if (executing != null && !executing.isCompleted()) {
            LockSupport.unpark(executing.connectionThread);
        }
        for (RequestBatch batch; (batch = mailbox.poll()) != null; ) {
            LockSupport.unpark(batch.connectionThread);
        }
    }

    /** Owner i takes the i-th CPU of the configured list (wrapping); a failure is a warning, not an error. */
    private void pinIfConfigured() {
        if (config.cpus().isEmpty()) {
            return;
        }
        int cpu = config.cpus().get(portIndex % config.cpus().size());
        CpuAffinity.pinCurrentThread(cpu).ifPresentOrElse(
                why -> LOG.warning("owner " + portIndex + " runs unpinned: " + why),
                () -> LOG.fine("owner " + portIndex + " pinned to CPU " + cpu));
    }

    private void serve() {
        IdleStrategy idle = new IdleStrategy(config.idle());
        int drainLimit = config.drainLimit();
        MessagePassingQueue.Consumer<RequestBatch> onBatch = this::onBatch;
        while (accepting || !mailbox.isEmpty()) {
            long nowNs = System.nanoTime();
            store.tick(nowNs / 1_000_000);
            if (mailbox.drain(onBatch, drainLimit) > 0) {
                idle.reset();
                continue;
            }
            if (idle.idle(nowNs)) {
                store.sweepExpired(SWEEP_BUDGET);
                parked = true;
                if (mailbox.isEmpty() && accepting) {
                    idle.park(this);
                }
                parked = false;
            }
        }
    }

    private void onBatch(RequestBatch batch) {
        counters.batches++;
        current = batch;
        try {
            executor.execute(batch);
        } catch (RuntimeException e) {
            // A bug, not bad input (input was validated): keep the owner and the store alive. The
            // replies from this frame on are lost, so the connection must close rather than let
            // its client pair later replies with the wrong requests.
            LOG.log(Level.SEVERE, "owner " + portIndex + " failed on a request; closing that connection", e);
            batch.failed = true;
        }
        batch.complete();
        current = null;
        LockSupport.unpark(batch.connectionThread);
    }
}
