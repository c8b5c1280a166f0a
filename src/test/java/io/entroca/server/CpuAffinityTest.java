package io.entroca.server;

import io.entroca.client.EntrocaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class CpuAffinityTest {
    @Test
    void pinsAPlatformThreadToAnAvailableCpu() throws Exception {
        CompletableFuture<Optional<String>> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> result.complete(CpuAffinity.pinCurrentThread(0))).join();
        assertEquals(Optional.empty(), result.get(), "CPU 0 exists on every machine");
    }

    @Test
    void aCpuThatIsNotThereIsAReasonNotACrash() throws Exception {
        CompletableFuture<Optional<String>> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> result.complete(CpuAffinity.pinCurrentThread(4000))).join();
        assertTrue(result.get().isPresent());
        assertTrue(result.get().get().contains("4000"), result.get().get());
    }

    @Test
    void aServerAskedToPinToMissingCpusStillServes() {
        try (EntrocaServer server = TestServers.start(2, Map.of("entroca.owner.cpus", "4000-4001"));
             EntrocaClient client = EntrocaClient.connect("127.0.0.1", server.config().basePort())) {
            byte[] key = "pinned".getBytes(StandardCharsets.US_ASCII);
            client.set(key, key);
            assertArrayEquals(key, client.get(key));
        }
    }
}
