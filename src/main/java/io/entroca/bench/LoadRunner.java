package io.entroca.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The load generator's engine: T platform threads, each with its own selector and its share of
 * the N non-blocking connections, keeping up to P requests in flight on each.
 *
 * <ul>
 *   <li><b>Closed loop</b> (rate 0): every reply is answered by a new request at once, so each
 *       connection always has P in flight; latency is from send to reply.</li>
 *   <li><b>Fixed rate</b> (open loop): each connection has a schedule of intended send times at
 *       rate/N per second; a request is sent when its time has come and a pipeline slot is free,
 *       and its latency is measured from the intended time, so a stalled server is charged for
 *       the requests it delayed (coordinated omission corrected, as wrk2 does).</li>
 * </ul>
 *
 * Before the timed run each connection SETs its share of the keys (prefill), so GETs hit. The
 * hot loop allocates nothing: requests come from the precomputed {@link Workload}, are encoded
 * into a per-connection byte array, and replies are parsed in place; send times sit in a ring.
 */
final class LoadRunner {

    record Settings(String host, int port, Supplier<Driver> drivers, int connections, int pipeline, int threads,
                    long warmupNanos, long durationNanos, int keyCount, double zipfExponent, int minValue,
                    int maxValue, int getsPercent, long rate, boolean prefill, long seed) {
    }

    private static final int PREFILL_WINDOW = 64;
    private static final long DRAIN_NANOS = 1_000_000_000L;
    private static final long HIGHEST_NANOS = 60_000_000_000L;

    private final Settings settings;

    LoadRunner(Settings settings) {
        this.settings = settings;
    }

    /** Connects, prefills, runs warm-up and measurement, and returns the measurement. */
    BenchResult run() throws IOException, InterruptedException {
        Settings s = settings;
        Driver probe = s.drivers().get();
        int[] layout;
        int basePort;
        try (SocketChannel first = SocketChannel.open(new InetSocketAddress(s.host(), s.port()))) {
            layout = probe.handshake(first);
            basePort = s.port() - layout[0];
        }
        int portCount = layout[1];
        Keys keys = new Keys(s.keyCount(), portCount);
        Workload workload = new Workload(keys, s.zipfExponent(), s.minValue(), s.maxValue(), s.getsPercent(), s.seed());

        int threads = Math.min(s.threads(), s.connections());
        List<List<Connection>> perThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            perThread.add(new ArrayList<>());
        }
        int[] connectionsOnPort = new int[portCount];
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < s.connections(); i++) {
                int port = i % portCount;
                Driver driver = s.drivers().get();
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(new InetSocketAddress(s.host(), basePort + port));
                int[] got = driver.handshake(channel);
                if (got[0] != port || got[1] != portCount) {
                    channel.close();
                    throw new IOException("port " + (basePort + port) + " says it is " + got[0] + " of " + got[1]
                            + ", expected " + port + " of " + portCount);
                }
                channel.configureBlocking(false);
                Connection c = new Connection(channel, driver, port, workload, s.pipeline(),
                        connectionsOnPort[port]++, i);
                all.add(c);
                perThread.get(i % threads).add(c);
            }
            for (Connection c : all) {
                c.assignPrefill(keys, connectionsOnPort[c.port]);
            }

            long[] times = new long[2];
            CyclicBarrier started = new CyclicBarrier(threads, () -> {
                times[0] = System.nanoTime() + s.warmupNanos();
                times[1] = times[0] + s.durationNanos();
            });
            List<Worker> workers = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Worker worker = new Worker(perThread.get(t), started, times);
                workers.add(worker);
                Thread thread = Thread.ofPlatform().name("entroca-bench-" + t).start(() -> {
                    try {
                        worker.run();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        started.reset();
                    }
                });
                running.add(thread);
            }
            for (Thread thread : running) {
                thread.join();
            }
            if (failure.get() != null) {
                throw new IOException("load thread failed: " + failure.get(), failure.get());
            }
            Histogram latency = new Histogram(HIGHEST_NANOS, 3);
            long operations = 0, hits = 0, misses = 0, stored = 0, errors = 0;
            for (Worker w : workers) {
                latency.add(w.latency);
                operations += w.operations;
                hits += w.hits;
                misses += w.misses;
                stored += w.stored;
                errors += w.errors;
            }
            return new BenchResult(probe.name(), operations, s.durationNanos() / 1e9, hits, misses, stored, errors,
                    latency);
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
    }

    /** One connection's buffers, its ring of send times and its place in the operation sequence. */
    private final class Connection {
        final SocketChannel channel;
        final Driver driver;
        final int port;
        final int[] operations;
        final int[] valueSizes;
        final byte[] valuePool;
        final Keys keys;
        final int maxRequest;
        final byte[] out;
        final ByteBuffer outBuffer;
        int outStart;
        int outEnd;
        byte[] in;
        ByteBuffer inBuffer;
        int inStart;
        int inEnd;
        final long[] sent;
        final int sentMask;
        long sentHead;
        long sentTail;
        int cursor;
        int sizeCursor;
        final int indexOnPort;
        int[] prefillKeys;
        int prefillNext;
        long nextDue;
        long interval;
        boolean dead;
        SelectionKey key;

        Connection(SocketChannel channel, Driver driver, int port, Workload workload, int pipeline, int indexOnPort,
                   int index) {
            this.channel = channel;
            this.driver = driver;
            this.port = port;
            this.keys = workload.keys;
            this.operations = workload.operations[port];
            this.valueSizes = workload.valueSizes;
            this.valuePool = workload.valuePool;
            this.maxRequest = driver.maxRequestLength(keys.maxLength, workload.maxValue);
            int window = Math.max(pipeline, PREFILL_WINDOW);
            this.out = new byte[Math.max(64 * 1024, 2 * (window + 1) * maxRequest)];
            this.outBuffer = ByteBuffer.wrap(out);
            this.in = new byte[256 * 1024];
            this.inBuffer = ByteBuffer.wrap(in);
            this.sent = new long[Integer.highestOneBit(window * 2 - 1) * 2];
            this.sentMask = sent.length - 1;
            this.indexOnPort = indexOnPort;
            // Spread the connections over the sequence so they do not send the same keys in step.
            this.cursor = (int) ((index * 0x9E3779B97F4A7C15L) >>> 40) & Workload.sequenceMask();
            this.sizeCursor = (index * 7919) & Workload.sizesMask();
        }

        void assignPrefill(Keys keys, int connectionsOnThisPort) {
            int count = 0;
            int seen = 0;
            int[] mine = new int[keys.count() / Math.max(1, connectionsOnThisPort * keys.portCount / 2) + 16];
            for (int k = 0; k < keys.count(); k++) {
                if (keys.ports[k] != port) {
                    continue;
                }
                if (seen++ % connectionsOnThisPort == indexOnPort) {
                    if (count == mine.length) {
                        mine = java.util.Arrays.copyOf(mine, mine.length * 2);
                    }
                    mine[count++] = k;
                }
            }
            prefillKeys = java.util.Arrays.copyOf(mine, count);
        }

        int inFlight() {
            return (int) (sentHead - sentTail);
        }

        private void makeRoom() {
            if (out.length - outEnd < maxRequest) {
                System.arraycopy(out, outStart, out, 0, outEnd - outStart);
                outEnd -= outStart;
                outStart = 0;
            }
        }

        /** Encodes the next operation of the sequence, sent (or due) at {@code at}. */
        void enqueueNext(long at) {
            makeRoom();
            int op = operations[cursor];
            cursor = (cursor + 1) & Workload.sequenceMask();
            int k = op & ~Workload.SET_BIT;
            if (op < 0) {
                int size = valueSizes[sizeCursor];
                sizeCursor = (sizeCursor + 1) & Workload.sizesMask();
                outEnd = driver.encodeSet(out, outEnd, keys, k, valuePool, cursor & 1023, size);
            } else {
                outEnd = driver.encodeGet(out, outEnd, keys, k);
            }
            sent[(int) (sentHead++ & sentMask)] = at;
        }

        /** Encodes the next prefill SET, if any is left. */
        boolean enqueuePrefill(long at) {
            if (prefillNext >= prefillKeys.length) {
                return false;
            }
            makeRoom();
            int size = valueSizes[sizeCursor];
            sizeCursor = (sizeCursor + 1) & Workload.sizesMask();
            outEnd = driver.encodeSet(out, outEnd, keys, prefillKeys[prefillNext++], valuePool, prefillNext & 1023, size);
            sent[(int) (sentHead++ & sentMask)] = at;
            return true;
        }

        /** Writes what it can; asks the selector for writability while bytes remain. */
        void flush() throws IOException {
            if (outStart == outEnd) {
                return;
            }
            outBuffer.limit(outEnd).position(outStart);
            channel.write(outBuffer);
            outStart = outBuffer.position();
            if (outStart == outEnd) {
                outStart = 0;
                outEnd = 0;
                if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            } else if ((key.interestOps() & SelectionKey.OP_WRITE) == 0) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        /** Reads what has arrived; returns false at end of stream. */
        boolean read() throws IOException {
            if (inEnd == in.length) {
                if (inStart > 0) {
                    System.arraycopy(in, inStart, in, 0, inEnd - inStart);
                    inEnd -= inStart;
                    inStart = 0;
                } else {
                    in = java.util.Arrays.copyOf(in, in.length * 2);
                    inBuffer = ByteBuffer.wrap(in);
                }
            }
            inBuffer.limit(in.length).position(inEnd);
            int n = channel.read(inBuffer);
            if (n < 0) {
                return false;
            }
            inEnd += n;
            return true;
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Leaving anyway.
            }
        }
    }

    /** One load thread: its selector, its connections, its histogram and counters. */
    private final class Worker {
        final List<Connection> connections;
        final CyclicBarrier started;
        final long[] times;
        final Selector selector;
        final Histogram latency = new Histogram(HIGHEST_NANOS, 3);
        long operations;
        long hits;
        long misses;
        long stored;
        long errors;
        long measureFrom;
        long measureUntil;
        boolean prefilling;

        Worker(List<Connection> connections, CyclicBarrier started, long[] times) throws IOException {
            this.connections = connections;
            this.started = started;
            this.times = times;
            this.selector = Selector.open();
            for (Connection c : connections) {
                c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
            }
        }

        void run() throws Exception {
            try {
                if (settings.prefill()) {
                    prefill();
                }
                started.await();
                measureFrom = times[0];
                measureUntil = times[1];
                if (settings.rate() > 0) {
                    fixedRate();
                } else {
                    closedLoop();
                }
                drain();
            } finally {
                selector.close();
            }
        }

        private void prefill() throws IOException {
            prefilling = true;
            long now = System.nanoTime();
            for (Connection c : connections) {
                while (c.inFlight() < PREFILL_WINDOW && c.enqueuePrefill(now)) {
                    // fill the window
                }
                c.flush();
            }
            while (!prefilled()) {
                selector.select(100);
                handleSelected(false);
            }
            prefilling = false;
        }

        private boolean prefilled() {
            for (Connection c : connections) {
                if (!c.dead && (c.inFlight() > 0 || c.prefillNext < c.prefillKeys.length)) {
                    return false;
                }
            }
            return true;
        }

        private void closedLoop() throws IOException {
            long now = System.nanoTime();
            for (Connection c : connections) {
                while (c.inFlight() < settings.pipeline()) {
                    c.enqueueNext(now);
                }
                c.flush();
            }
            while (System.nanoTime() < measureUntil) {
                selector.select(10);
                handleSelected(true);
            }
        }

        private void fixedRate() throws IOException {
            int total = settings.connections();
            long interval = Math.max(1, Math.round(1e9 * total / settings.rate()));
            long start = System.nanoTime();
            int i = 0;
            for (Connection c : connections) {
                c.interval = interval;
                c.nextDue = start + (interval * i++) / Math.max(1, connections.size());
            }
            while (true) {
                long now = System.nanoTime();
                if (now >= measureUntil) {
                    return;
                }
                long earliest = Long.MAX_VALUE;
                for (Connection c : connections) {
                    if (c.dead) {
                        continue;
                    }
                    boolean sentSome = false;
                    while (c.nextDue <= now && c.inFlight() < settings.pipeline()) {
                        c.enqueueNext(c.nextDue);
                        c.nextDue += c.interval;
                        sentSome = true;
                    }
                    if (sentSome) {
                        c.flush();
                    }
                    if (c.inFlight() < settings.pipeline()) {
                        earliest = Math.min(earliest, c.nextDue);
                    }
                }
                // Every connection at its pipeline limit: a reply wakes the select; bound the wait
                // anyway so a server that stops answering cannot hold the run past its end.
                long wait = Math.min(earliest, Math.min(measureUntil, System.nanoTime() + 10_000_000L)) - System.nanoTime();
                if (wait > 2_000_000) {
                    // Wake a millisecond early and spin the rest, so the select timer's coarseness
                    // does not delay sends (which the latency, measured from the intended time, would show).
                    selector.select(wait / 1_000_000 - 1);
                } else {
                    selector.selectNow();
                }
                handleSelected(false);
            }
        }

        /** After the end: no new requests; wait a little for the replies in flight, not counted. */
        private void drain() throws IOException {
            long until = System.nanoTime() + DRAIN_NANOS;
            measureUntil = Long.MIN_VALUE;
            while (System.nanoTime() < until) {
                boolean idle = true;
                for (Connection c : connections) {
                    if (!c.dead && c.inFlight() > 0) {
                        idle = false;
                    }
                }
                if (idle) {
                    return;
                }
                selector.select(10);
                handleSelected(false);
            }
        }

        private void handleSelected(boolean refill) throws IOException {
            var selected = selector.selectedKeys();
            if (selected.isEmpty()) {
                return;
            }
            for (SelectionKey key : selected) {
                Connection c = (Connection) key.attachment();
                if (c.dead || !key.isValid()) {
                    continue;
                }
                try {
                    if (key.isWritable()) {
                        c.flush();
                    }
                    if (key.isReadable()) {
                        onReadable(c, refill);
                    }
                } catch (IOException e) {
                    lose(c, e);
                }
            }
            selected.clear();
        }

        private void onReadable(Connection c, boolean refill) throws IOException {
            if (!c.read()) {
                throw new IOException("the server closed the connection");
            }
            long now = System.nanoTime();
            boolean counting = now >= measureFrom && now < measureUntil && !prefilling;
            int start = c.inStart;
            int end = c.inEnd;
            byte[] in = c.in;
            while (start < end) {
                long reply = c.driver.parse(in, start, end);
                if (reply == Driver.INCOMPLETE) {
                    break;
                }
                if (c.inFlight() == 0) {
                    throw new IOException("a reply that answers no request");
                }
                long sentAt = c.sent[(int) (c.sentTail++ & c.sentMask)];
                start += Driver.consumed(reply);
                int outcome = Driver.outcome(reply);
                if (prefilling) {
                    if (outcome == Driver.ERROR) {
                        errors++;
                    }
                    c.enqueuePrefill(now);
                    continue;
                }
                if (!counting) {
                    continue;
                }
                operations++;
                latency.recordValue(Math.min(Math.max(0, now - sentAt), HIGHEST_NANOS));
                switch (outcome) {
                    case Driver.HIT -> hits++;
                    case Driver.MISS -> misses++;
                    case Driver.STORED -> stored++;
                    default -> errors++;
                }
            }
            if (start == end) {
                c.inStart = 0;
                c.inEnd = 0;
            } else {
                c.inStart = start;
            }
            if (refill && now < measureUntil) {
                while (c.inFlight() < settings.pipeline()) {
                    c.enqueueNext(now);
                }
            }
            c.flush();
        }

        private void lose(Connection c, IOException e) {
            if (!c.dead) {
                c.dead = true;
                errors += c.inFlight() + 1;
                System.err.println("entroca bench: connection " + c.channel + " lost: " + e.getMessage());
                c.key.cancel();
                c.close();
            }
        }
    }
}
