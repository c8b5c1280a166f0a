package io.entroca.client;

import io.entroca.server.EntrocaServer;
import io.entroca.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a real server over real loopback sockets. */
@Timeout(60)
class EntrocaClientTest {
    private static EntrocaServer server;
    private static EntrocaClient client;

    @BeforeAll
    static void start() {
        server = TestServers.start(3, Map.of("entroca.ttl-resolution", "1ms", "entroca.memory", "64MiB"));
        client = EntrocaClient.connect("127.0.0.1", server.config().basePort());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @BeforeEach
    void empty() {
        client.flush();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void handshakeTellsPortsAndLimits() {
        assertEquals(3, client.serverInfo().portCount());
        assertEquals(0, client.serverInfo().portIndex());
        assertEquals(250, client.serverInfo().maxKeyLength());
        assertEquals(1, client.serverInfo().ttlUnitMs());
    }

    @Test
    void connectingThroughAnyPortFindsTheBase() {
        try (EntrocaClient viaLast = EntrocaClient.connect("127.0.0.1", server.config().basePort() + 2)) {
            client.set(b("shared"), b("v"));
            assertArrayEquals(b("v"), viaLast.get(b("shared")));
        }
    }

    @Test
    void setGetDeleteRoundTrip() {
        assertNull(client.get(b("k")));
        long v1 = client.set(b("k"), b("one"));
        VersionedValue got = client.getVersioned(b("k"));
        assertArrayEquals(b("one"), got.value());
        assertEquals(v1, got.version());
        long v2 = client.set(b("k"), b("two"));
        assertTrue(v2 > v1, "versions grow");
        assertTrue(client.delete(b("k")));
        assertFalse(client.delete(b("k")));
        assertNull(client.get(b("k")));
    }

    @Test
    void everySetCondition() {
        long v1 = client.add(b("c"), b("first"), Duration.ZERO);
        assertThrows(EntrocaException.KeyExists.class, () -> client.add(b("c"), b("again"), Duration.ZERO));
        assertThrows(EntrocaException.KeyNotFound.class, () -> client.replace(b("absent"), b("x"), Duration.ZERO));
        long v2 = client.replace(b("c"), b("second"), Duration.ZERO);
        assertThrows(EntrocaException.VersionMismatch.class, () -> client.compareAndSet(b("c"), b("stale"), v1, Duration.ZERO));
        long v3 = client.compareAndSet(b("c"), b("third"), v2, Duration.ZERO);
        assertNotEquals(v2, v3);
        assertArrayEquals(b("third"), client.get(b("c")));
        assertThrows(EntrocaException.KeyNotFound.class, () -> client.compareAndSet(b("gone"), b("x"), v3, Duration.ZERO));
        assertThrows(EntrocaException.VersionMismatch.class, () -> client.delete(b("c"), v2));
        assertTrue(client.delete(b("c"), v3));
    }

    @Test
    void ttlExpiresAndTouchExtends() throws InterruptedException {
        client.set(b("short"), b("x"), Duration.ofMillis(150));
        client.set(b("touched"), b("y"), Duration.ofMillis(150));
        assertTrue(client.touch(b("touched"), Duration.ofMinutes(5)));
        assertFalse(client.touch(b("missing"), Duration.ofSeconds(1)));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (client.get(b("short")) != null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertNull(client.get(b("short")), "expired entry is never returned");
        assertArrayEquals(b("y"), client.get(b("touched")));
    }

    @Test
    void binaryValuesSurviveUnchanged() {
        byte[] value = new byte[70_000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        client.set(b("blob"), value);
        assertArrayEquals(value, client.get(b("blob")));
    }

    @Test
    void hundredsOfPipelinedRequestsAnswerInOrder() {
        int n = 2_000;
        List<CompletableFuture<Long>> sets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sets.add(client.storeAsync(b("p" + i), b("value-" + i), EntrocaClient.Condition.ALWAYS, 0, Duration.ZERO));
        }
        sets.forEach(CompletableFuture::join);
        List<CompletableFuture<VersionedValue>> gets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            gets.add(client.getAsync(b("p" + i)));
        }
        for (int i = 0; i < n; i++) {
            assertArrayEquals(b("value-" + i), gets.get(i).join().value(), "reply " + i);
        }
    }

    @Test
    void quietRequestsAreSettledByALaterReply() {
        List<CompletableFuture<Void>> quiet = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            quiet.add(client.setQuietAsync(b("q" + i), b("v" + i), Duration.ZERO));
        }
        CompletableFuture<Void> failing = client.deleteQuietAsync(b("never-stored"));
        client.sync();
        quiet.forEach(CompletableFuture::join);
        assertTrue(failing.isCompletedExceptionally(), "a quiet request that fails still gets its reply");
        assertArrayEquals(b("v299"), client.get(b("q299")));
    }

    @Test
    void statsAndFlushCoverEveryPort() {
        for (int i = 0; i < 100; i++) {
            client.set(b("s" + i), b("v"));
        }
        List<Map<String, String>> stats = client.stats();
        assertEquals(3, stats.size());
        long items = stats.stream().mapToLong(s -> Long.parseLong(s.get("items"))).sum();
        assertEquals(100, items);
        assertTrue(stats.stream().allMatch(s -> Long.parseLong(s.get("items")) > 0), "keys spread over all ports");
        for (String name : new String[] {"payload_bytes", "allocated_bytes", "capacity_bytes", "arena_bytes", "fragmentation",
                "hits", "misses", "evictions", "expirations", "rejections", "page_reclaims"}) {
            assertTrue(stats.getFirst().containsKey(name), name + " missing from STATS");
        }
        client.flush();
        assertEquals(0, client.stats().stream().mapToLong(s -> Long.parseLong(s.get("items"))).sum());
    }

    @Test
    void theAnnouncedLargestValueIsStoredAndOneByteMoreIsNot() {
        int largest = client.serverInfo().maxValueLength();
        byte[] value = new byte[largest];
        value[largest - 1] = 42;
        byte[] key = new byte[client.serverInfo().maxKeyLength()];
        client.set(key, value);
        assertArrayEquals(value, client.get(key));
        assertThrows(EntrocaException.TooLarge.class, () -> client.set(b("big"), new byte[largest + 1]));
    }

    @Test
    void limitsAreCheckedBeforeSending() {
        assertThrows(IllegalArgumentException.class, () -> client.get(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> client.get(new byte[251]));
        assertThrows(EntrocaException.TooLarge.class, () -> client.set(b("big"), new byte[(1 << 20) + 1]));
    }

    @Test
    void connectionRefusedSaysWhere() {
        int closedPort = TestServers.freeBasePort(1);
        EntrocaException e = assertThrows(EntrocaException.ConnectionFailed.class,
                () -> EntrocaClient.connect("127.0.0.1", closedPort, Duration.ofSeconds(2)));
        assertTrue(e.getMessage().startsWith("cannot connect to 127.0.0.1:" + closedPort), e.getMessage());
    }
}
