package io.entroca.bench;

import io.entroca.protocol.Opcode;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.ResponseHeader;
import io.entroca.protocol.Routing;
import io.entroca.protocol.Status;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The three drivers' encoders and parsers on exact bytes: replies as the servers send them (taken
 * from memcached 1.6 and Redis 7 sessions and docs/protocol.md), split at every byte to prove a
 * reply cut by the network is reported incomplete, never misread.
 */
class DriverParseTest {
    private static final Keys KEYS = new Keys(3, 2);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses {@code bytes} as one reply, and checks that every strict prefix is incomplete. */
    private static long parseOne(Driver driver, byte[] bytes) throws IOException {
        byte[] padded = new byte[bytes.length + 8];
        System.arraycopy(bytes, 0, padded, 4, bytes.length);
        for (int cut = 0; cut < bytes.length; cut++) {
            assertEquals(Driver.INCOMPLETE, driver.parse(padded, 4, 4 + cut), "prefix of " + cut + " bytes");
        }
        long reply = driver.parse(padded, 4, 4 + bytes.length);
        assertEquals(bytes.length, Driver.consumed(reply));
        return reply;
    }

    @Test
    void memcachedMetaCommandsAndReplies() throws IOException {
        Driver d = new MemcachedDriver();
        byte[] out = new byte[256];
        int end = d.encodeGet(out, 0, KEYS, 1);
        assertEquals("mg key:00000001 v\r\n", new String(out, 0, end, StandardCharsets.US_ASCII));
        end = d.encodeSet(out, 0, KEYS, 2, ascii("xxhello"), 2, 5);
        assertEquals("ms key:00000002 5\r\nhello\r\n", new String(out, 0, end, StandardCharsets.US_ASCII));

        assertEquals(Driver.HIT, Driver.outcome(parseOne(d, ascii("VA 5\r\nhello\r\n"))));
        assertEquals(Driver.HIT, Driver.outcome(parseOne(d, ascii("VA 12 f0\r\nab\r\ncd\r\nefgh\r\n"))));
        assertEquals(Driver.MISS, Driver.outcome(parseOne(d, ascii("EN\r\n"))));
        assertEquals(Driver.STORED, Driver.outcome(parseOne(d, ascii("HD\r\n"))));
        assertEquals(Driver.ERROR, Driver.outcome(parseOne(d, ascii("SERVER_ERROR out of memory storing object\r\n"))));
        assertEquals(Driver.ERROR, Driver.outcome(parseOne(d, ascii("NS\r\n"))));
        assertThrows(IOException.class, () -> d.parse(ascii("BOGUS\r\n"), 0, 7));
        assertThrows(IOException.class, () -> d.parse(ascii("VA 2\r\nabXY"), 0, 10));
    }

    @Test
    void redisRespCommandsAndReplies() throws IOException {
        Driver d = new RedisDriver();
        byte[] out = new byte[256];
        int end = d.encodeGet(out, 0, KEYS, 1);
        assertEquals("*2\r\n$3\r\nGET\r\n$12\r\nkey:00000001\r\n", new String(out, 0, end, StandardCharsets.US_ASCII));
        end = d.encodeSet(out, 0, KEYS, 0, ascii("hello"), 0, 5);
        assertEquals("*3\r\n$3\r\nSET\r\n$12\r\nkey:00000000\r\n$5\r\nhello\r\n",
                new String(out, 0, end, StandardCharsets.US_ASCII));

        assertEquals(Driver.HIT, Driver.outcome(parseOne(d, ascii("$5\r\nhello\r\n"))));
        assertEquals(Driver.HIT, Driver.outcome(parseOne(d, ascii("$0\r\n\r\n"))));
        assertEquals(Driver.HIT, Driver.outcome(parseOne(d, ascii("$6\r\na\r\nb\r\n\r\n"))));
        assertEquals(Driver.MISS, Driver.outcome(parseOne(d, ascii("$-1\r\n"))));
        assertEquals(Driver.STORED, Driver.outcome(parseOne(d, ascii("+OK\r\n"))));
        assertEquals(Driver.ERROR, Driver.outcome(parseOne(d,
                ascii("-OOM command not allowed when used memory > 'maxmemory'.\r\n"))));
        assertThrows(IOException.class, () -> d.parse(ascii(":1\r\n"), 0, 4));
    }

    @Test
    void entrocaFramesAreTheProjectCodecs() throws IOException {
        Driver d = new EntrocaDriver();
        byte[] out = new byte[256];
        int end = d.encodeSet(out, 0, KEYS, 1, ascii("hello"), 0, 5);
        byte[] key = ascii("key:00000001");
        assertEquals(RequestHeader.LENGTH + key.length + 5, end);
        assertEquals(Opcode.SET, RequestHeader.opcode(out, 0));
        assertEquals(Routing.hash(key), RequestHeader.hash(out, 0));
        assertEquals(5, RequestHeader.valueLength(out, 0));
        byte[] written = java.util.Arrays.copyOfRange(out, RequestHeader.LENGTH, end);
        assertArrayEquals(ascii("key:00000001hello"), written);
        assertEquals(Routing.portFor(Routing.hash(key), 2), KEYS.ports[1]);

        byte[] hit = new byte[ResponseHeader.LENGTH + 5];
        ResponseHeader.write(hit, 0, Opcode.GET, Status.OK, 5, 8, 0x019d3a2b40000001L);
        System.arraycopy(ascii("hello"), 0, hit, ResponseHeader.LENGTH, 5);
        assertEquals(Driver.HIT, Driver.outcome(parseOne(d, hit)));
        byte[] miss = new byte[ResponseHeader.LENGTH];
        ResponseHeader.write(miss, 0, Opcode.GET, Status.NOT_FOUND, 0, 9, 0);
        assertEquals(Driver.MISS, Driver.outcome(parseOne(d, miss)));
        byte[] stored = new byte[ResponseHeader.LENGTH];
        ResponseHeader.write(stored, 0, Opcode.SET, Status.OK, 0, 9, 1);
        assertEquals(Driver.STORED, Driver.outcome(parseOne(d, stored)));
        byte[] full = new byte[ResponseHeader.LENGTH + 3];
        ResponseHeader.write(full, 0, Opcode.SET, Status.OUT_OF_MEMORY, 3, 9, 0);
        assertEquals(Driver.ERROR, Driver.outcome(parseOne(d, full)));
        byte[] bad = new byte[ResponseHeader.LENGTH];
        assertThrows(IOException.class, () -> d.parse(bad, 0, bad.length));
    }
}
