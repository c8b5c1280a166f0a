package io.entroca.server;

import io.entroca.protocol.Opcode;
import io.entroca.store.Store;
import io.entroca.store.StoreConfig;
import io.entroca.store.StoreStats;
import io.entroca.store.Stores;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import java.util.Arrays;
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
 * <h2>Figures for other threads</h2>
 * The owner's counters and its store's are plain fields that only this thread touches. Every
 * {@link #PUBLISH_INTERVAL_NS} (checked once per loop, one comparison with a clock value the
 * loop reads anyway) the owner copies them into an immutable {@link PortSnapshot} and publishes
 * it with one volatile write; the admin listener reads {@link #snapshot()} and nothing else. An
 * idle owner wakes at least every {@code park-max}, so snapshots keep coming on an idle server,
 * and a snapshot that stops coming means a stuck owner (which {@code /health} reports).
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
    /** How often the owner publishes a snapshot of its figures. */
    static final long PUBLISH_INTERVAL_NS = 500_000_000L;
    /** Hot keys each snapshot carries. */
    static final int HOT_KEYS_REPORTED = 10;

    private final int portIndex;
    private final ServerConfig config;
    private final Function<StoreConfig, Store> storeFactory;
    private final MessagePassingQueue<RequestBatch> mailbox;
    private final OwnerCounters counters;
    private final Function<Store, TemperatureProbe> temperatureProbes;
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    private volatile boolean parked;
    private volatile boolean accepting = true;
    private volatile PortSnapshot snapshot;
    private volatile boolean exited;

    /** Owner-thread only: the batch being executed, so an owner that dies can wake its connection. */
    private RequestBatch current;

    // Owner-thread state: the store is created on this thread and never leaves it.
    private Store store;
    private BatchExecutor executor;
    private TemperatureProbe temperatureProbe;
    private final long[] temperature = new long[TemperatureProbe.BUCKETS];
    private long lastPublishNs;
    private long lastPublishedRequests;
    private long lastPublishedBusyNs;

    PortOwner(int portIndex, ServerConfig config, Function<StoreConfig, Store> storeFactory,
              Function<Store, TemperatureProbe> temperatureProbes) {
        this.portIndex = portIndex;
        this.config = config;
        this.storeFactory = storeFactory;
        this.temperatureProbes = temperatureProbes;
        this.counters = new OwnerCounters(config.maxKeyLength());
        this.snapshot = PortSnapshot.empty(portIndex);
        this.mailbox = new MpscVarHandleArrayQueue<>(config.mailboxCapacity());
        this.thread = Thread.ofPlatform().name("entroca-owner-" + portIndex).unstarted(this);
    }

    PortOwner(int portIndex, ServerConfig config, Function<StoreConfig, Store> storeFactory) {
        this(portIndex, config, storeFactory, TemperatureProbe::unavailable);
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

    /** Any thread: the latest figures the owner published. */
    PortSnapshot snapshot() {
        return snapshot;
    }

    /** Any thread: batches waiting in the mailbox (the queue's own thread-safe, approximate size). */
    int mailboxDepth() {
        return mailbox.size();
    }

    /** Any thread: how many times connections found the mailbox full. */
    long mailboxFullWaits() {
        return counters.mailboxFullWaits();
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
                temperatureProbe = temperatureProbes.apply(store);
                lastPublishNs = System.nanoTime();
                publish(lastPublishNs);
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
            if (nowNs - lastPublishNs >= PUBLISH_INTERVAL_NS) {
                publish(nowNs);
            }
            int drained = mailbox.drain(onBatch, drainLimit);
            if (drained > 0) {
                counters.drains++;
                counters.drainedBatches += drained;
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
        int firstFrame = batch.next;
        long startNs = System.nanoTime();
        current = batch;
        try {
            executor.execute(batch);
            counters.recordBatch(System.nanoTime() - startNs, batch.next - firstFrame);
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

    /**
     * Copies this owner's figures into a new {@link PortSnapshot} and publishes it. Allocates a
     * few small objects twice a second; the per-request path stays allocation-free.
     */
    private void publish(long nowNs) {
        long intervalNs = Math.max(1, nowNs - lastPublishNs);
        StoreStats storeStats = new StoreStats();
        store.stats().copyTo(storeStats);
        long[] percentiles = new long[PortSnapshot.SERVICE_QUANTILES.length];
        if (counters.serviceNs.getTotalCount() > 0) {
            for (int i = 0; i < percentiles.length - 1; i++) {
                percentiles[i] = counters.serviceNs.getValueAtPercentile(PortSnapshot.SERVICE_QUANTILES[i] * 100);
            }
            percentiles[percentiles.length - 1] = counters.serviceNs.getMaxValue();
        }
        counters.serviceNs.reset();
        Arrays.fill(temperature, 0);
        boolean hasTemperature = temperatureProbe.fill(temperature);
        long requests = counters.requests;
        long busy = counters.busyNs;
        snapshot = new PortSnapshot(portIndex, System.currentTimeMillis(), intervalNs,
                Arrays.copyOf(counters.operations, Opcode.STATS + 1),
                counters.errors, counters.batches, requests, counters.drains, counters.drainedBatches, busy,
                storeStats,
                (requests - lastPublishedRequests) * 1e9 / intervalNs,
                Math.min(1.0, (double) (busy - lastPublishedBusyNs) / intervalNs),
                percentiles, counters.serviceNsSum, counters.serviceCount,
                counters.hotKeys.top(HOT_KEYS_REPORTED),
                temperatureProbe.label(), hasTemperature ? temperature.clone() : null);
        counters.hotKeys.decay();
        lastPublishNs = nowNs;
        lastPublishedRequests = requests;
        lastPublishedBusyNs = busy;
    }
}
