package io.entroca.client;

import io.entroca.protocol.Handshake;
import io.entroca.protocol.Routing;
import io.entroca.protocol.ServerInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that shakes hands and then never answers: every request, synchronous or not, fails
 * with a timeout close to the client's timeout, never hangs, and never fails early.
 */
@Timeout(30)
class RequestTimeoutTest {

    @Test
    void requestsWithoutRepliesTimeOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> acceptAndIgnore(silent));
            Duration timeout = Duration.ofMillis(300);
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", silent.getLocalPort(), timeout)) {
                byte[] key = "k".getBytes(StandardCharsets.US_ASCII);

                long start = System.nanoTime();
                CompletableFuture<VersionedValue> get = client.getAsync(key);
                CompletableFuture<Long> set = client.storeAsync(key, key, EntrocaClient.Condition.ALWAYS, 0, Duration.ZERO);
                ExecutionException failed = assertThrows(ExecutionException.class, get::get);
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertInstanceOf(TimeoutException.class, failed.getCause());
                assertTrue(waitedMs >= 290 && waitedMs < 2_000, "timed out after " + waitedMs + " ms");
                assertInstanceOf(TimeoutException.class, assertThrows(ExecutionException.class, set::get).getCause());

                assertThrows(EntrocaException.Timeout.class, () -> client.get(key));
            }
        }
    }

    private static void acceptAndIgnore(ServerSocket server) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            in.readNBytes(Handshake.CLIENT_HELLO_LENGTH);
            socket.getOutputStream().write(Handshake.serverHello(
                    new ServerInfo(0, 1, Routing.HASH_XXH64, Routing.HASH_SEED, 250, 1 << 20, 1000, false, false)));
            socket.getOutputStream().flush();
            in.transferTo(OutputSink.INSTANCE);
        } catch (IOException ignored) {
            // The client closed: the test is over.
        }
    }

    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
