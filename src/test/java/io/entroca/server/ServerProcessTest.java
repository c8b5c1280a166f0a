package io.entroca.server;

import io.entroca.client.EntrocaClient;
import io.entroca.client.EntrocaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server as an operator runs it: a process, a config file, the environment, SIGTERM. */
@Timeout(120)
class ServerProcessTest {
    @TempDir
    Path dir;

    @Test
    void servesFromAConfigFileWithEnvironmentOverridesAndStopsOnSigterm() throws Exception {
        int filePort = TestServers.freeBasePort(3);
        int envPort = TestServers.freeBasePort(3);
        Path config = dir.resolve("entroca.yaml");
        Files.writeString(config, "entroca:\n  base-port: " + filePort + "\n  ports: 3\n  memory: 48MiB\n");
        try (ServerProcess server = ServerProcess.start(Map.of("ENTROCA_BASE_dash_PORT", String.valueOf(envPort)),
                "serve", "--config", config.toString())) {
            String ready = server.awaitReady();
            assertTrue(ready.matches("entroca ready bind=127\\.0\\.0\\.1 ports=" + envPort + "," + (envPort + 1) + ","
                    + (envPort + 2) + " admin=[1-9][0-9]*"), "the environment variable overrides the file: " + ready);
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", envPort)) {
                assertEquals(3, client.serverInfo().portCount());
                client.set("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
                assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), client.get("k".getBytes(StandardCharsets.UTF_8)));
            }
            int status = server.terminate();
            assertTrue(status == 0 || status == 143, "clean exit on SIGTERM, got " + status);
            String stderr = server.stderr();
            assertFalse(stderr.contains("sun.misc.Unsafe"), "no Unsafe warning at start: " + stderr);
            assertFalse(stderr.contains("WARNING"), "a clean start logs no warnings: " + stderr);
        }
    }

    /**
     * The launcher's heap (256 MiB here, as in ./entroca) is far below a 3 GiB budget: a store
     * whose eviction state lived on the heap (10 B per index cell, about 270 MiB here) failed to
     * start with OutOfMemoryError. The state now lives in the budget, off the heap.
     */
    @Test
    void aMemoryBudgetFarAboveTheHeapStartsAndHoldsItsLimit() throws Exception {
        int port = TestServers.freeBasePort(1);
        Path config = dir.resolve("big.yaml");
        Files.writeString(config, "entroca:\n  base-port: " + port + "\n  ports: 1\n  admin-port: 0\n  memory: 3GiB\n");
        try (ServerProcess server = ServerProcess.start(Map.of(), "serve", "--config", config.toString())) {
            server.awaitReady();
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", port)) {
                for (int i = 0; i < 10_000; i++) {
                    client.set(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[512]);
                }
                assertArrayEquals(new byte[512], client.get("k9999".getBytes(StandardCharsets.UTF_8)));
            }
            long limit = 3L << 30;
            long resident = server.residentBytes();
            assertTrue(resident > limit * 9 / 10, "the budget is taken at start: " + resident);
            assertTrue(resident < limit + (384L << 20), "resident " + resident + " B, limit " + limit + " B");
            int status = server.terminate();
            assertTrue(status == 0 || status == 143, "clean exit, got " + status + ": " + server.stderr());
        }
    }

    @Test
    void sigtermAnswersTheRequestsAlreadyReceived() throws Exception {
        int port = TestServers.freeBasePort(1);
        try (ServerProcess server = ServerProcess.start(Map.of(), "serve", "--config", config(port).toString())) {
            server.awaitReady();
            EntrocaClient client = EntrocaClient.connect("127.0.0.1", port, Duration.ofSeconds(20));
            List<CompletableFuture<Long>> inFlight = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                inFlight.add(client.storeAsync(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[100],
                        EntrocaClient.Condition.ALWAYS, 0, Duration.ZERO));
            }
            inFlight.getFirst().join();  // the server is reading; the rest are on their way or queued
            int status = server.terminate();
            assertTrue(status == 0 || status == 143, "clean exit, got " + status);
            int answered = 0;
            for (CompletableFuture<Long> future : inFlight) {
                try {
                    future.join();
                    answered++;
                } catch (CompletionException e) {
                    assertInstanceOf(EntrocaException.class, e.getCause(),
                            "an unanswered request fails with a clear exception: " + e.getCause());
                }
            }
            assertTrue(answered > 0, "requests received before SIGTERM were answered");
            client.close();
        }
    }

    @Test
    void anInvalidConfigurationStopsTheStartWithAMessage() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "entroca:\n  ports: many\n");
        try (ServerProcess server = ServerProcess.start(Map.of(), "serve", "--config", config.toString())) {
            assertEquals(2, server.awaitExit());
            assertTrue(server.stderr().contains("entroca.ports: expected a whole number, got 'many'"), server.stderr());
        }
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        try (EntrocaServer taken = TestServers.start(1);
             ServerProcess server = ServerProcess.start(Map.of(), "serve", "--config", config(taken.config().basePort()).toString())) {
            assertEquals(2, server.awaitExit());
            assertTrue(server.stderr().contains("cannot listen on 127.0.0.1 ports " + taken.config().basePort()), server.stderr());
        }
    }

    private Path config(int port) throws java.io.IOException {
        Path config = dir.resolve("one-port.yaml");
        Files.writeString(config, "entroca:\n  base-port: " + port + "\n  ports: 1\n  memory: 16MiB\n");
        return config;
    }
}
