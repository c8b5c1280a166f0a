package io.entroca.server;

import io.entroca.client.EntrocaClient;
import io.entroca.client.VersionedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class BackpressureAndTimeoutTest {
    @Test
    void aFullMailboxMakesConnectionsWaitAndLosesNothing() throws Exception {
        int connections = 24;
        int perConnection = 400;
        try (EntrocaServer server = TestServers.start(1, Map.of("entroca.mailbox.capacity", "2",
                "entroca.connections.batch-requests", "4"));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = server.config().basePort();
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int id = c;
                clients.add(pool.submit(() -> {
                    try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", port, Duration.ofSeconds(30))) {
                        List<CompletableFuture<Long>> sets = new ArrayList<>();
                        for (int i = 0; i < perConnection; i++) {
                            sets.add(client.storeAsync(key(id, i), key(id, i), EntrocaClient.Condition.ALWAYS, 0, Duration.ZERO));
                        }
                        sets.forEach(CompletableFuture::join);
                        List<CompletableFuture<VersionedValue>> gets = new ArrayList<>();
                        for (int i = 0; i < perConnection; i++) {
                            gets.add(client.getAsync(key(id, i)));
                        }
                        for (int i = 0; i < perConnection; i++) {
                            assertArrayEquals(key(id, i), gets.get(i).join().value());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get();
            }
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", port)) {
                Map<String, String> stats = client.stats().getFirst();
                // Hundreds in practice: the test exercises backpressure, not just a quiet mailbox.
                assertTrue(Long.parseLong(stats.get("mailbox_full_waits")) > 0, "the mailbox never filled");
                assertEquals(connections * perConnection, Long.parseLong(stats.get("items")));
                assertEquals(2L * connections * perConnection, Long.parseLong(stats.get("ops_set")) + Long.parseLong(stats.get("ops_get")));
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (EntrocaServer server = TestServers.start(1, Map.of("entroca.connections.idle-timeout", "1s"));
             RawConnection idle = RawConnection.afterHandshake(server.config().basePort())) {
            long start = System.nanoTime();
            assertTrue(idle.closedByServer(), "the server closed the idle connection");
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(seconds < 8, "closed after " + seconds + " s, timeout 1 s");
        }
    }

    private static byte[] key(int connection, int i) {
        return ("c" + connection + "-" + i).getBytes(StandardCharsets.US_ASCII);
    }
}
