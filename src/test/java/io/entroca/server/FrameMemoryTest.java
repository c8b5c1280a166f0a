package io.entroca.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entroca.client.EntrocaClient;
import io.entroca.protocol.Opcode;
import io.entroca.protocol.Routing;
import io.entroca.protocol.Status;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames larger than a connection's batch buffer share one heap budget per server: a connection
 * that would pass it waits, unread, until another large frame is answered, so slow senders of
 * large values cannot run the server out of heap, and nothing is lost while they try.
 */
@Timeout(60)
class FrameMemoryTest {
    private static final byte[] SLOW_KEY = "slow".getBytes(StandardCharsets.US_ASCII);

    /** One 200 KiB frame fits this server's frame memory, two do not (its 32 MiB store takes values up to ~255 KiB). */
    private static EntrocaServer tightServer() {
        return TestServers.start(1, Map.of("entroca.max-value-length", "200KiB", "entroca.connections.frame-memory", "300KiB"));
    }

    private static byte[] value(int fill) {
        byte[] value = new byte[200 << 10];
        Arrays.fill(value, (byte) fill);
        return value;
    }

    /**
     * A slow client announces a large frame and sends a little of it, so that its buffer takes
     * the frame memory; returns the whole frame, whose rest it sends later.
     */
    private static byte[] startSlowFrame(RawConnection slow, FrameMemory memory, byte[] value) throws Exception {
        byte[] frame = RawConnection.request(Opcode.SET, 0, SLOW_KEY, value, 1, Routing.hash(SLOW_KEY));
        slow.send(Arrays.copyOf(frame, 4096));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (memory.free() == memory.capacity() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(memory.free() < memory.capacity(), "the slow frame holds frame memory");
        return frame;
    }

    @Test
    void aLargeFrameWaitsForFrameMemoryAndIsAnsweredOnceItIsFree() throws Exception {
        try (EntrocaServer server = tightServer()) {
            int port = server.config().basePort();
            FrameMemory memory = server.frameMemory();
            byte[] value = value(7);
            byte[] laterKey = "later".getBytes(StandardCharsets.US_ASCII);
            byte[] laterFrame = RawConnection.request(Opcode.SET, 0, laterKey, value, 2, Routing.hash(laterKey));
            try (RawConnection slow = RawConnection.afterHandshake(port);
                 RawConnection later = RawConnection.afterHandshake(port)) {
                byte[] slowFrame = startSlowFrame(slow, memory, value);

                // A whole frame from another client does not fit beside it: it waits, unanswered.
                // (Sent from another thread: the server reads no more of it, so the send may block.)
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        later.send(laterFrame);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                later.timeout(500);
                assertThrows(SocketTimeoutException.class, later::read, "answered while the memory was taken");

                // The slow client finishes; its frame is answered and its memory freed, then the other.
                slow.send(Arrays.copyOfRange(slowFrame, 4096, slowFrame.length));
                assertEquals(Status.OK, slow.read().status());
                later.timeout(10_000);
                assertEquals(Status.OK, later.read().status());
                sender.join();
            }
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", port)) {
                assertArrayEquals(value, client.get(SLOW_KEY));
                assertArrayEquals(value, client.get(laterKey));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (memory.free() != memory.capacity() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(memory.capacity(), memory.free(), "every connection gave its frame memory back");
        }
    }

    @Test
    void aReplyThatFindsTheFrameMemoryTakenIsBusyAndSucceedsOnRetry() throws Exception {
        try (EntrocaServer server = tightServer()) {
            int port = server.config().basePort();
            FrameMemory memory = server.frameMemory();
            byte[] value = value(9);
            byte[] bigKey = "big".getBytes(StandardCharsets.US_ASCII);
            try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", port)) {
                client.set(bigKey, value);
            }
            byte[] get = RawConnection.request(Opcode.GET, 0, bigKey, new byte[0], 7, Routing.hash(bigKey));
            try (RawConnection slow = RawConnection.afterHandshake(port);
                 RawConnection reader = RawConnection.afterHandshake(port)) {
                byte[] slowFrame = startSlowFrame(slow, memory, value);
                // The 200 KiB reply does not fit beside the slow frame: BUSY, not executed, retry later.
                reader.send(get);
                RawConnection.Response busy = reader.read();
                assertEquals(Status.BUSY, busy.status());
                assertEquals(7, busy.opaque());

                slow.send(Arrays.copyOfRange(slowFrame, 4096, slowFrame.length));
                assertEquals(Status.OK, slow.read().status());
                reader.send(get);
                RawConnection.Response hit = reader.read();
                assertEquals(Status.OK, hit.status());
                assertArrayEquals(value, hit.body());
            }
        }
    }

    @Test
    void frameMemoryMustHoldTheLargestFrame() {
        var e = assertThrows(InvalidConfigException.class, () -> TestServers.config(1,
                Map.of("entroca.max-value-length", "1MiB", "entroca.connections.frame-memory", "512KiB")));
        assertTrue(e.getMessage().startsWith("entroca.connections.frame-memory: expected at least the largest request frame"),
                e.getMessage());
    }
}
