package io.entroca.client;

import io.entroca.server.EntrocaServer;
import io.entroca.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight threads with their own connections hammer a few shared keys with every kind of write.
 * Versions order the writes of a port, so the write with the highest acknowledged version is the
 * last one; the final reads must show exactly it (or nothing, if that very version was deleted).
 */
@Timeout(120)
class ConcurrentClientsTest {
    private static final int THREADS = 8;
    private static final int OPERATIONS = 3_000;
    private static final int KEYS = 24;

    /** The latest acknowledged store of a key: its version and its value. */
    private record Write(long version, byte[] value) {
    }

    private final ConcurrentHashMap<Integer, Write> latest = new ConcurrentHashMap<>();
    /**
     * (key, version) pairs removed by a successful versioned delete. Kept apart from
     * {@link #latest} because a delete's reply may be seen before the reply of the store that made
     * that version; keyed by key too, because versions are unique per port, not per server.
     */
    private final Set<String> deletedVersions = ConcurrentHashMap.newKeySet();

    private static byte[] key(int k) {
        return ("shared-" + k).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int k, int thread, int seq) {
        return ("k" + k + "|t" + thread + "|s" + seq).getBytes(StandardCharsets.US_ASCII);
    }

    private void acknowledge(int k, long version, byte[] value) {
        latest.merge(k, new Write(version, value), (old, now) -> now.version() > old.version() ? now : old);
    }

    /** A delete of exactly {@code version} succeeded: if that is the latest store, the key is gone. */
    private void acknowledgeDelete(int k, long version) {
        deletedVersions.add(k + "@" + version);
    }

    @Test
    void finalReadsAgreeWithTheLastAcknowledgedWrites() throws Exception {
        try (EntrocaServer server = TestServers.start(2);
             ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            int base = server.config().basePort();
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                workers.add(pool.submit(() -> work(base, thread)));
            }
            int reads = 0;
            for (Future<Integer> worker : workers) {
                reads += worker.get();
            }
            assertTrue(reads > 0, "the mix includes reads");
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", base)) {
                for (int k = 0; k < KEYS; k++) {
                    Write expected = latest.get(k);
                    VersionedValue actual = client.getVersioned(key(k));
                    if (expected == null || deletedVersions.contains(k + "@" + expected.version())) {
                        assertNull(actual, "key " + k + " was last deleted");
                    } else {
                        assertNotNull(actual, "key " + k);
                        assertEquals(expected.version(), actual.version(), "key " + k);
                        assertArrayEquals(expected.value(), actual.value(), "key " + k);
                    }
                }
            }
        }
    }

    private int work(int base, int thread) {
        int reads = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", base)) {
            for (int seq = 0; seq < OPERATIONS; seq++) {
                int k = random.nextInt(KEYS);
                byte[] value = value(k, thread, seq);
                switch (random.nextInt(6)) {
                    case 0, 1 -> {
                        VersionedValue got = client.getVersioned(key(k));
                        if (got != null) {
                            String text = new String(got.value(), StandardCharsets.US_ASCII);
                            assertTrue(text.startsWith("k" + k + "|"), "value of another key under key " + k + ": " + text);
                        }
                        reads++;
                    }
                    case 2 -> acknowledge(k, client.set(key(k), value), value);
                    case 3 -> {
                        VersionedValue got = client.getVersioned(key(k));
                        if (got != null) {
                            try {
                                acknowledge(k, client.compareAndSet(key(k), value, got.version(), Duration.ZERO), value);
                            } catch (EntrocaException.VersionMismatch | EntrocaException.KeyNotFound lostRace) {
                                // Another thread wrote in between: exactly what compare-and-set is for.
                            }
                        }
                    }
                    case 4 -> {
                        try {
                            acknowledge(k, client.add(key(k), value, Duration.ZERO), value);
                        } catch (EntrocaException.KeyExists present) {
                            // Expected most of the time.
                        }
                    }
                    default -> {
                        VersionedValue got = client.getVersioned(key(k));
                        if (got != null) {
                            try {
                                if (client.delete(key(k), got.version())) {
                                    acknowledgeDelete(k, got.version());
                                }
                            } catch (EntrocaException.VersionMismatch lostRace) {
                                // Rewritten in between; the delete did nothing.
                            }
                        }
                    }
                }
            }
        }
        return reads;
    }
}
