package io.entroca.server;

import io.entroca.client.EntrocaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin listener over real HTTP: health, Prometheus metrics, JSON stats, hot keys. */
@Timeout(60)
class AdminEndpointsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthMetricsStatsAndHotKeysComeFromTheOwnersSnapshots() throws Exception {
        try (EntrocaServer server = TestServers.start(2);
             EntrocaClient client = EntrocaClient.connect("127.0.0.1", server.dataPorts().getFirst())) {
            int admin = server.adminPort();
            assertTrue(admin > 0);
            HttpResponse<String> health = get(admin, "/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"ready\""), health.body());

            byte[] hot = "the-hot-key".getBytes(StandardCharsets.UTF_8);
            client.set(hot, new byte[10]);
            for (int i = 0; i < 4000; i++) {
                client.getAsync(hot);
                client.getAsync(("cold-" + i).getBytes(StandardCharsets.UTF_8));
            }
            client.sync();
            Thread.sleep(PortOwner.PUBLISH_INTERVAL_NS / 1_000_000 + 300);

            String metrics = get(admin, "/metrics").body();
            int hotPort = client.portOf(hot);
            assertTrue(metrics.contains("entroca_operations_total{opcode=\"get\",port=\"" + hotPort + "\"}"), metrics);
            for (String name : new String[] {"entroca_hits_total", "entroca_misses_total", "entroca_evictions_total",
                    "entroca_expirations_total", "entroca_items", "entroca_payload_bytes", "entroca_mailbox_depth",
                    "entroca_drain_batch_size_count", "entroca_owner_busy_ratio", "entroca_service_time_seconds{port=\"0\",quantile=\"0.99\"}",
                    "entroca_hot_key_share", "entroca_ready 1"}) {
                assertTrue(metrics.contains(name), name + " missing from\n" + metrics);
            }
            for (String line : metrics.split("\n")) {
                assertTrue(line.isEmpty() || line.startsWith("# ") || line.startsWith("entroca_"), line);
            }
            assertTrue(metrics.matches("(?s).*entroca_hits_total\\{port=\"" + hotPort + "\"} [1-9].*"), metrics);

            String stats = get(admin, "/stats").body();
            assertTrue(stats.startsWith("{\"ready\":true"), stats);
            assertTrue(stats.contains("\"temperature\":{\"label\":"), stats);
            String hotKeys = get(admin, "/hotkeys").body();
            int at = hotKeys.indexOf("{\"port\":" + hotPort + ",\"hotKeys\":[{\"key\":\"the-hot-key\"");
            assertTrue(at >= 0, "the hot key ranks first on its port: " + hotKeys);

            assertEquals(200, get(admin, "/").statusCode());
        }
    }

    @Test
    void aPolicyThatKnowsTemperaturesReachesTheStatsThroughTheProbe() throws Exception {
        TemperatureProbe.Wiring wiring = TemperatureProbe.forPolicy(io.entroca.store.eviction.ClockPolicy.FACTORY,
                (policy, buckets) -> buckets[3] = 42, "test bands");
        try (EntrocaServer server = EntrocaServer.start(TestServers.config(2, java.util.Map.of()), wiring.stores(), wiring.probes())) {
            String stats = get(server.adminPort(), "/stats").body();
            assertTrue(stats.contains("\"temperature\":{\"label\":\"test bands\",\"buckets\":[0,0,0,42,0,0,0,0,0,0,0,0,0,0,0,0]}"), stats);
        }
    }

    @Test
    void theDefaultThermodynamicPolicyReportsWhereEveryEntrySits() throws Exception {
        try (EntrocaServer server = TestServers.start(1);
             EntrocaClient client = EntrocaClient.connect("127.0.0.1", server.dataPorts().getFirst())) {
            int stored = 3_000;
            for (int i = 0; i < stored; i++) {
                client.setQuietAsync(("entry-" + i).getBytes(StandardCharsets.UTF_8), new byte[8], Duration.ZERO);
            }
            client.sync();
            Thread.sleep(PortOwner.PUBLISH_INTERVAL_NS / 1_000_000 + 300);
            String stats = get(server.adminPort(), "/stats").body();
            java.util.regex.Matcher bands = java.util.regex.Pattern
                    .compile("\"temperature\":\\{\"label\":\"entries by temperature \\(thermodynamic eviction\\)[^\"]*\",\"buckets\":\\[([0-9,]+)]")
                    .matcher(stats);
            assertTrue(bands.find(), stats);
            long total = java.util.Arrays.stream(bands.group(1).split(",")).mapToLong(Long::parseLong).sum();
            // The bands come from a sample of the store's slots: an estimate, close at this size.
            assertTrue(Math.abs(total - stored) <= stored / 10, "the bands hold " + total + " entries of " + stored);
        }
    }

    @Test
    void healthSaysNotReadyOnceAnOwnerThreadDied() throws Exception {
        byte[] poison = "kill-the-owner".getBytes(StandardCharsets.UTF_8);
        try (EntrocaServer server = EntrocaServer.start(TestServers.config(1, java.util.Map.of("entroca.shutdown-grace", "100ms")),
                config -> new DyingStore(io.entroca.store.Stores.open(config), poison))) {
            assertEquals(200, get(server.adminPort(), "/health").statusCode());
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", server.dataPorts().getFirst(), Duration.ofSeconds(1))) {
                client.getAsync(poison); // its owner throws an Error, which ends the thread
                long deadline = System.nanoTime() + 5_000_000_000L;
                HttpResponse<String> health = get(server.adminPort(), "/health");
                while (health.statusCode() == 200 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    health = get(server.adminPort(), "/health");
                }
                assertEquals(503, health.statusCode(), health.body());
                assertTrue(health.body().contains("owner thread is not running"), health.body());
                assertTrue(get(server.adminPort(), "/metrics").body().contains("entroca_ready 0"));
            }
        }
    }

    /** A store that dies the way a bug would: an Error on one key, which the owner does not catch. */
    private record DyingStore(io.entroca.store.Store store, byte[] poison) implements io.entroca.store.Store {
        @Override
        public void tick(long nowMs) {
            store.tick(nowMs);
        }

        @Override
        public long find(long hash, byte[] key, int keyOffset, int keyLength) {
            if (java.util.Arrays.equals(key, keyOffset, keyOffset + keyLength, poison, 0, poison.length)) {
                throw new AssertionError("a store bug, planted by the test");
            }
            return store.find(hash, key, keyOffset, keyLength);
        }

        @Override
        public int valueLength(long entry) {
            return store.valueLength(entry);
        }

        @Override
        public long version(long entry) {
            return store.version(entry);
        }

        @Override
        public void copyValue(long entry, byte[] destination, int offset) {
            store.copyValue(entry, destination, offset);
        }

        @Override
        public long set(long hash, byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength,
                        int condition, long expectedVersion, long ttlMs) {
            return store.set(hash, key, keyOffset, keyLength, value, valueOffset, valueLength, condition, expectedVersion, ttlMs);
        }

        @Override
        public int delete(long hash, byte[] key, int keyOffset, int keyLength, long expectedVersion) {
            return store.delete(hash, key, keyOffset, keyLength, expectedVersion);
        }

        @Override
        public long touch(long hash, byte[] key, int keyOffset, int keyLength, long ttlMs) {
            return store.touch(hash, key, keyOffset, keyLength, ttlMs);
        }

        @Override
        public void flush() {
            store.flush();
        }

        @Override
        public int sweepExpired(int budget) {
            return store.sweepExpired(budget);
        }

        @Override
        public io.entroca.store.StoreStats stats() {
            return store.stats();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    void hotKeysFindTheHeavyHittersInBoundedMemory() {
        HotKeys keys = new HotKeys(16);
        byte[] key = new byte[8];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 100_000; i++) {
            long id = i % 4 == 0 ? 42 : random.nextInt(1_000_000);
            java.nio.ByteBuffer.wrap(key).putLong(0, id);
            keys.offer(id * 0x9E3779B97F4A7C15L, key, 0, key.length);
        }
        HotKeys.HotKey top = keys.top(1).getFirst();
        assertEquals(42, java.nio.ByteBuffer.wrap(top.key()).getLong());
        assertTrue(top.share() > 0.2 && top.share() < 0.35, "share " + top.share());
        keys.decay();
        assertFalse(keys.top(10).isEmpty());
    }
}
