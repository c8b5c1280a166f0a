package io.entroca.protocol;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds docs/protocol.md to the code: every test vector in the document is decoded and checked
 * field by field, and the codec must produce each one byte for byte.
 */
class ProtocolSpecVectorsTest {
    private static final Pattern VECTOR = Pattern.compile("<!-- vector: ([a-z-]+) -->\\s*```\\s*\\n([0-9a-f\\s]+?)```");
    private static final long VERSION = 0x019d3a2b40000001L;
    private static final byte[] KEY = "user:42".getBytes(StandardCharsets.US_ASCII);
    private static final long KEY_HASH = 0xdc1fea7da8d2d1c2L;
    private static final Map<String, byte[]> vectors = new HashMap<>();

    @BeforeAll
    static void readSpec() throws IOException {
        String spec = Files.readString(Path.of("docs", "protocol.md"));
        Matcher m = VECTOR.matcher(spec);
        while (m.find()) {
            vectors.put(m.group(1), HexFormat.of().parseHex(m.group(2).replaceAll("\\s+", "")));
        }
        assertFalse(vectors.isEmpty(), "no vectors found in docs/protocol.md");
    }

    private static byte[] vector(String name) {
        assertTrue(vectors.containsKey(name), "docs/protocol.md has no vector " + name);
        return vectors.get(name);
    }

    private static byte[] request(int opcode, int flags, byte[] key, byte[] value, int opaque, int ttl, long version) {
        byte[] frame = new byte[RequestHeader.LENGTH + key.length + value.length];
        RequestHeader.write(frame, 0, opcode, flags, key.length, value.length, opaque, ttl,
                key.length == 0 ? 0 : Routing.hash(key), version);
        System.arraycopy(key, 0, frame, RequestHeader.LENGTH, key.length);
        System.arraycopy(value, 0, frame, RequestHeader.LENGTH + key.length, value.length);
        return frame;
    }

    private static byte[] response(int opcode, int status, byte[] body, int opaque, long version) {
        byte[] frame = new byte[ResponseHeader.LENGTH + body.length];
        ResponseHeader.write(frame, 0, opcode, status, body.length, opaque, version);
        System.arraycopy(body, 0, frame, ResponseHeader.LENGTH, body.length);
        return frame;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void routingExamplesInTheTextHold() {
        assertEquals(KEY_HASH, Routing.hash(KEY));
        assertEquals(1, Routing.portFor(KEY_HASH, 2));
        assertEquals(2, Routing.portFor(KEY_HASH, 3));
        assertEquals(6, Routing.portFor(KEY_HASH, 7));
        assertEquals(0x26c7827d889f6da3L, Routing.hash(ascii("hello")));
        assertEquals(0, Routing.portFor(Routing.hash(ascii("hello")), 2));
    }

    @Test
    void handshakeVectors() {
        assertArrayEquals(vector("client-hello"), Handshake.clientHello(1));
        assertEquals(1, Handshake.clientVersion(vector("client-hello"), 0));
        ServerInfo info = new ServerInfo(0, 2, Routing.HASH_XXH64, 0, 250, 1 << 20, 1000, false, false);
        byte[] hello = vector("server-hello");
        assertArrayEquals(hello, Handshake.serverHello(info));
        assertEquals(Status.OK, Handshake.serverStatus(hello));
        assertEquals(Handshake.SERVER_BODY_LENGTH, Handshake.serverBodyLength(hello));
        byte[] body = java.util.Arrays.copyOfRange(hello, Handshake.SERVER_HEAD_LENGTH, hello.length);
        assertEquals(info, Handshake.parseServerBody(body));
    }

    @Test
    void requestVectorsAreWhatTheCodecWrites() {
        assertArrayEquals(vector("set-request"), request(Opcode.SET, 0, KEY, ascii("hello"), 7, 60, 0));
        assertArrayEquals(vector("get-request"), request(Opcode.GET, 0, KEY, new byte[0], 8, 0, 0));
        assertArrayEquals(vector("cas-request"), request(Opcode.SET,
                RequestHeader.flags(false, RequestHeader.CONDITION_IF_VERSION), KEY, ascii("world"), 10, 0, VERSION));
        assertArrayEquals(vector("delete-quiet-request"), request(Opcode.DELETE, RequestHeader.FLAG_QUIET, KEY, new byte[0], 11, 0, 0));
        assertArrayEquals(vector("stats-request"), request(Opcode.STATS, 0, new byte[0], new byte[0], 12, 0, 0));
    }

    @Test
    void requestVectorsDecodeToTheirFields() {
        byte[] cas = vector("cas-request");
        assertEquals(Opcode.SET, RequestHeader.opcode(cas, 0));
        assertEquals(RequestHeader.CONDITION_IF_VERSION, RequestHeader.condition(cas, 0));
        assertFalse(RequestHeader.quiet(cas, 0));
        assertEquals(KEY.length, RequestHeader.keyLength(cas, 0));
        assertEquals(5, RequestHeader.valueLength(cas, 0));
        assertEquals(10, RequestHeader.opaque(cas, 0));
        assertEquals(KEY_HASH, RequestHeader.hash(cas, 0));
        assertEquals(VERSION, RequestHeader.version(cas, 0));
        assertEquals(60, RequestHeader.ttl(vector("set-request"), 0));
        assertTrue(RequestHeader.quiet(vector("delete-quiet-request"), 0));
        RequestValidator port1 = new RequestValidator(new ServerInfo(1, 2, 1, 0, 250, 1 << 20, 1000, false, false));
        for (String name : new String[] {"set-request", "get-request", "cas-request", "delete-quiet-request", "stats-request"}) {
            assertEquals(RequestValidator.ACCEPT, port1.check(vector(name), 0), name + " is a valid request for port 1 of 2");
        }
    }

    @Test
    void responseVectorsAreWhatTheCodecWritesAndDecodeBack() {
        assertArrayEquals(vector("set-response"), response(Opcode.SET, Status.OK, new byte[0], 7, VERSION));
        assertArrayEquals(vector("get-response-hit"), response(Opcode.GET, Status.OK, ascii("hello"), 8, VERSION));
        assertArrayEquals(vector("get-response-miss"), response(Opcode.GET, Status.NOT_FOUND, new byte[0], 9, 0));
        assertArrayEquals(vector("error-response"), response(0x42, Status.UNKNOWN_OPCODE, ascii("unknown opcode"), 13, 0));
        byte[] hit = vector("get-response-hit");
        assertEquals(ResponseHeader.MAGIC, ResponseHeader.magic(hit, 0));
        assertEquals(Status.OK, ResponseHeader.status(hit, 0));
        assertEquals(5, ResponseHeader.bodyLength(hit, 0));
        assertEquals(8, ResponseHeader.opaque(hit, 0));
        assertEquals(VERSION, ResponseHeader.version(hit, 0));
    }
}
