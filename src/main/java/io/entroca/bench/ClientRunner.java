package io.entroca.bench;

import io.entroca.client.EntrocaClient;
import io.entroca.client.EntrocaClient.Condition;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code entroca-client://} target: the same workload sent through the project's public
 * client, {@link EntrocaClient}'s asynchronous API (one {@code CompletableFuture} per request,
 * routing by the client, one pipelined connection per port per client). Set beside
 * {@code entroca://}, which drives the same server through the bare codec, it shows what the
 * client library itself costs per request.
 *
 * <p>{@code --conns N} is N clients, each with its own connection to every port, and at most P
 * requests in flight per client. Closed loop only.
 */
final class ClientRunner {
    private static final long HIGHEST_NANOS = 60_000_000_000L;

    private final LoadRunner.Settings s;

    ClientRunner(LoadRunner.Settings settings) {
        if (settings.rate() > 0) {
            throw new IllegalArgumentException("entroca-client:// runs closed loop only; use entroca:// for --rate");
        }
        this.s = settings;
    }

    BenchResult run() throws InterruptedException {
        List<EntrocaClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < s.connections(); i++) {
                clients.add(EntrocaClient.connect(s.host(), s.port(), Duration.ofSeconds(30)));
            }
            Keys keys = new Keys(s.keyCount(), 1);
            Workload workload = new Workload(keys, s.zipfExponent(), s.minValue(), s.maxValue(), s.getsPercent(), s.seed());
            byte[][] values = new byte[s.maxValue() - s.minValue() + 1][];
            for (int size = s.minValue(); size <= s.maxValue(); size++) {
                values[size - s.minValue()] = java.util.Arrays.copyOfRange(workload.valuePool, 0, size);
            }
            if (s.prefill()) {
                Semaphore window = new Semaphore(64 * clients.size());
                for (int k = 0; k < keys.count(); k++) {
                    window.acquire();
                    clients.get(k % clients.size())
                            .storeAsync(keys.bytes[k], values[workload.valueSizes[k & Workload.sizesMask()] - s.minValue()],
                                    Condition.ALWAYS, 0, Duration.ZERO)
                            .whenComplete((version, error) -> window.release());
                }
                window.acquire(64 * clients.size());
            }

            Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
            LongAdder hits = new LongAdder(), misses = new LongAdder(), stored = new LongAdder(), errors = new LongAdder();
            long measureFrom = System.nanoTime() + s.warmupNanos();
            long measureUntil = measureFrom + s.durationNanos();
            int threads = Math.min(s.threads(), clients.size());
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<EntrocaClient> mine = new ArrayList<>();
                for (int i = t; i < clients.size(); i += threads) {
                    mine.add(clients.get(i));
                }
                int thread = t;
                running.add(Thread.ofPlatform().name("entroca-bench-client-" + t).start(() -> {
                    Semaphore[] windows = new Semaphore[mine.size()];
                    for (int i = 0; i < windows.length; i++) {
                        windows[i] = new Semaphore(s.pipeline());
                    }
                    int[] sequence = workload.operations[0];
                    int cursor = (thread * 0x3C6EF35F) & Workload.sequenceMask();
                    int sizeCursor = thread * 7919 & Workload.sizesMask();
                    while (System.nanoTime() < measureUntil) {
                        boolean sent = false;
                        for (int i = 0; i < windows.length; i++) {
                            Semaphore window = windows[i];
                            EntrocaClient client = mine.get(i);
                            while (window.tryAcquire()) {
                                sent = true;
                                int op = sequence[cursor];
                                cursor = (cursor + 1) & Workload.sequenceMask();
                                byte[] key = keys.bytes[op & ~Workload.SET_BIT];
                                long start = System.nanoTime();
                                if (op < 0) {
                                    byte[] value = values[workload.valueSizes[sizeCursor] - s.minValue()];
                                    sizeCursor = (sizeCursor + 1) & Workload.sizesMask();
                                    client.storeAsync(key, value, Condition.ALWAYS, 0, Duration.ZERO)
                                            .whenComplete((version, error) -> done(start, error == null ? Driver.STORED
                                                    : Driver.ERROR, window, measureFrom, measureUntil, recorder, hits,
                                                    misses, stored, errors));
                                } else {
                                    client.getAsync(key).whenComplete((hit, error) -> done(start, error != null
                                            ? Driver.ERROR : hit != null ? Driver.HIT : Driver.MISS, window,
                                            measureFrom, measureUntil, recorder, hits, misses, stored, errors));
                                }
                            }
                        }
                        if (!sent) {
                            LockSupport.parkNanos(20_000);
                        }
                    }
                }));
            }
            for (Thread thread : running) {
                thread.join();
            }
            TimeUnit.MILLISECONDS.sleep(200);
            Histogram latency = recorder.getIntervalHistogram();
            long operations = hits.sum() + misses.sum() + stored.sum() + errors.sum();
            return new BenchResult("entroca-client", operations, s.durationNanos() / 1e9, hits.sum(), misses.sum(),
                    stored.sum(), errors.sum(), latency);
        } finally {
            for (EntrocaClient client : clients) {
                client.close();
            }
        }
    }

    private static void done(long start, int outcome, Semaphore window, long from, long until, Recorder recorder,
                             LongAdder hits, LongAdder misses, LongAdder stored, LongAdder errors) {
        long now = System.nanoTime();
        window.release();
        if (now < from || now >= until) {
            return;
        }
        recorder.recordValue(Math.min(now - start, HIGHEST_NANOS));
        switch (outcome) {
            case Driver.HIT -> hits.increment();
            case Driver.MISS -> misses.increment();
            case Driver.STORED -> stored.increment();
            default -> errors.increment();
        }
    }
}
