package io.entroca.server;

import io.entroca.client.EntrocaClient;
import io.entroca.protocol.Handshake;
import io.entroca.protocol.Opcode;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.Routing;
import io.entroca.protocol.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input over a real socket. After each case the server must still be up, every
 * owner must still answer, and the data stored before must be intact.
 */
@Timeout(60)
class BadInputTest {
    private static final byte[] SENTINEL_KEY = "sentinel".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENTINEL_VALUE = "still here".getBytes(StandardCharsets.US_ASCII);
    private static EntrocaServer server;
    private static EntrocaClient client;
    private static int port0;

    @BeforeAll
    static void start() {
        server = TestServers.start(2, Map.of("entroca.max-value-length", "64KiB", "entroca.max-key-length", "100"));
        port0 = server.config().basePort();
        client = EntrocaClient.connect("127.0.0.1", port0);
        client.set(SENTINEL_KEY, SENTINEL_VALUE);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @AfterEach
    void serverIsUnharmed() {
        client.sync();
        assertArrayEquals(SENTINEL_VALUE, client.get(SENTINEL_KEY));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A key owned by port 0 and its hash. */
    private static byte[] keyOnPort0(String prefix) {
        for (int i = 0; ; i++) {
            byte[] key = ascii(prefix + i);
            if (Routing.portFor(Routing.hash(key), 2) == 0) {
                return key;
            }
        }
    }

    private static void assertRefusedHandshake(RawConnection connection, int status) throws IOException {
        byte[] head = connection.readFully(Handshake.SERVER_HEAD_LENGTH);
        assertTrue(Handshake.hasMagic(head, 0));
        assertEquals(Status.name(status), Status.name(Handshake.serverStatus(head)));
        assertTrue(connection.closedByServer(), "refused handshake closes the connection");
    }

    @Test
    void garbageInsteadOfAHandshakeIsRefused() throws IOException {
        try (RawConnection raw = new RawConnection(port0)) {
            raw.send(new byte[] {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 1, 2, 3, 4, 5, 6});
            assertRefusedHandshake(raw, Status.BAD_REQUEST);
        }
    }

    @Test
    void httpRequestToADataPortIsRefused() throws IOException {
        try (RawConnection raw = new RawConnection(port0)) {
            raw.send(ascii("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            assertRefusedHandshake(raw, Status.BAD_REQUEST);
        }
    }

    @Test
    void requestBeforeTheHandshakeIsRefused() throws IOException {
        try (RawConnection raw = new RawConnection(port0)) {
            byte[] key = keyOnPort0("k");
            raw.send(RawConnection.request(Opcode.GET, 0, key, new byte[0], 1, Routing.hash(key)));
            assertRefusedHandshake(raw, Status.BAD_REQUEST);
        }
    }

    @Test
    void unknownProtocolVersionIsRefusedWithTheServersVersion() throws IOException {
        try (RawConnection raw = new RawConnection(port0)) {
            raw.send(Handshake.clientHello(9));
            byte[] head = raw.readFully(Handshake.SERVER_HEAD_LENGTH);
            assertEquals(Status.UNSUPPORTED_VERSION, Handshake.serverStatus(head));
            assertEquals(Handshake.VERSION, Handshake.serverVersion(head));
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void unknownOpcodeAndBadLengthsAreAnsweredAndTheConnectionGoesOn() throws IOException {
        byte[] key = keyOnPort0("k");
        long hash = Routing.hash(key);
        try (RawConnection raw = RawConnection.afterHandshake(port0)) {
            raw.send(RawConnection.request(0x42, 0, key, new byte[0], 1, hash));
            raw.send(RawConnection.request(Opcode.GET, 0, new byte[0], new byte[0], 2, hash));
            raw.send(RawConnection.request(Opcode.GET, 0, new byte[101], new byte[0], 3, hash));
            raw.send(RawConnection.request(Opcode.NOOP, 0, new byte[0], new byte[0], 4, 0));
            RawConnection.Response unknown = raw.read();
            assertEquals(Status.UNKNOWN_OPCODE, unknown.status());
            assertEquals(1, unknown.opaque());
            assertEquals("unknown opcode", unknown.text());
            assertEquals(Status.BAD_REQUEST, raw.read().status());
            assertEquals(Status.TOO_LARGE, raw.read().status());
            RawConnection.Response noop = raw.read();
            assertEquals(Status.OK, noop.status());
            assertEquals(4, noop.opaque());
        }
    }

    @Test
    void valueLengthOverTheMaximumIsTooLargeAndCloses() throws IOException {
        byte[] key = keyOnPort0("k");
        for (long length : new long[] {(64 << 10) + 1, 0xFFFF_FFF0L, 0xFFFF_FFFFL}) {
            try (RawConnection raw = RawConnection.afterHandshake(port0)) {
                raw.send(RawConnection.request(Opcode.SET, 0, key.length, length, key, new byte[16], 5, Routing.hash(key)));
                RawConnection.Response reply = raw.read();
                assertEquals(Status.TOO_LARGE, reply.status(), "length " + length);
                assertEquals(5, reply.opaque());
                assertTrue(raw.closedByServer());
            }
        }
    }

    @Test
    void badMagicMidStreamAnswersWhatCameBeforeThenCloses() throws IOException {
        byte[] key = keyOnPort0("k");
        try (RawConnection raw = RawConnection.afterHandshake(port0)) {
            byte[] noop = RawConnection.request(Opcode.NOOP, 0, new byte[0], new byte[0], 1, 0);
            byte[] bad = RawConnection.request(Opcode.GET, 0, key, new byte[0], 2, Routing.hash(key));
            bad[0] = 0x00;
            byte[] both = new byte[noop.length + bad.length];
            System.arraycopy(noop, 0, both, 0, noop.length);
            System.arraycopy(bad, 0, both, noop.length, bad.length);
            raw.send(both);
            assertEquals(Status.OK, raw.read().status());
            assertEquals(Status.BAD_REQUEST, raw.read().status());
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void frameCutOffMidwayThenCloseLeavesNoTrace() throws IOException {
        byte[] key = keyOnPort0("cut");
        byte[] frame = RawConnection.request(Opcode.SET, 0, key, new byte[1000], 1, Routing.hash(key));
        try (RawConnection raw = RawConnection.afterHandshake(port0)) {
            raw.send(java.util.Arrays.copyOf(frame, 500));
        }
        try (RawConnection raw = RawConnection.afterHandshake(port0)) {
            raw.send(java.util.Arrays.copyOf(frame, RequestHeader.LENGTH - 3));
        }
        client.sync();
        assertEquals(null, client.get(key), "a half-received SET stores nothing");
    }

    @Test
    void aHashForAnotherPortIsWrongPortNotAMiss() throws IOException {
        byte[] key = ascii("misrouted");
        long hashOnPort1 = 0xC000_0000_0000_0000L;
        try (RawConnection raw = RawConnection.afterHandshake(port0)) {
            raw.send(RawConnection.request(Opcode.GET, 0, key, new byte[0], 9, hashOnPort1));
            assertEquals(Status.WRONG_PORT, raw.read().status());
        }
    }

    @Test
    void aClientThatSendsAndNeverReadsHurtsNoOneElse() throws Exception {
        byte[] key = keyOnPort0("big");
        client.set(key, new byte[60 << 10]);
        byte[] get = RawConnection.request(Opcode.GET, 0, key, new byte[0], 0, Routing.hash(key));
        RawConnection greedy = RawConnection.afterHandshake(port0);
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                // Thousands of 60 KiB replies: far more than the socket buffers hold.
                for (int i = 0; i < 4_000; i++) {
                    greedy.send(get);
                }
            } catch (IOException expectedOnceClosed) {
                // The test closes the socket while this is blocked writing.
            }
        });
        Thread.sleep(300);
        try (EntrocaClient other = EntrocaClient.connect("127.0.0.1", port0)) {
            for (int i = 0; i < 200; i++) {
                byte[] k = keyOnPort0("other" + i);
                other.set(k, k);
                assertArrayEquals(k, other.get(k));
            }
        }
        greedy.close();
        sender.join(10_000);
    }

    @Test
    void manySmallBadFramesInOneWriteAreEachAnswered() throws IOException {
        byte[] key = keyOnPort0("k");
        long hash = Routing.hash(key);
        int n = 1_000;
        byte[] all = new byte[n * (RequestHeader.LENGTH + key.length)];
        for (int i = 0; i < n; i++) {
            byte[] frame = RawConnection.request(i % 2 == 0 ? 0x33 : Opcode.GET, 0, key, new byte[0], i, hash);
            System.arraycopy(frame, 0, all, i * frame.length, frame.length);
        }
        try (RawConnection raw = RawConnection.afterHandshake(port0)) {
            raw.send(all);
            for (int i = 0; i < n; i++) {
                RawConnection.Response reply = raw.read();
                assertEquals(i, reply.opaque());
                assertEquals(i % 2 == 0 ? Status.UNKNOWN_OPCODE : Status.NOT_FOUND, reply.status());
            }
        }
    }
}
