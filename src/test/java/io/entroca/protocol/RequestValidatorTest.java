package io.entroca.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestValidatorTest {
    private static final ServerInfo TWO_PORTS = new ServerInfo(0, 2, Routing.HASH_XXH64, 0, 250, 1024, 1000, false, false);
    private final RequestValidator validator = new RequestValidator(TWO_PORTS);

    /** A hash that routes to port 0 of 2. */
    private static final long HASH = 0x1000_0000_0000_0000L;

    private static byte[] frame(int opcode, int flags, int keyLength, long valueLength, int ttl, long hash, long version) {
        byte[] b = new byte[RequestHeader.LENGTH];
        RequestHeader.write(b, 0, opcode, flags, keyLength, (int) valueLength, 1, ttl, hash, version);
        return b;
    }

    private int check(byte[] frame) {
        return validator.check(frame, 0);
    }

    private void assertRejected(int status, String reason, byte[] frame) {
        int verdict = check(frame);
        assertEquals(Status.name(status), Status.name(RequestValidator.status(verdict)));
        assertEquals(reason, new String(RequestValidator.message(verdict), StandardCharsets.UTF_8));
    }

    @Test
    void acceptsWellFormedRequests() {
        assertEquals(RequestValidator.ACCEPT, check(frame(Opcode.GET, 0, 5, 0, 0, HASH, 0)));
        assertEquals(RequestValidator.ACCEPT, check(frame(Opcode.SET, RequestHeader.flags(true, 3), 5, 1024, 60, HASH, 42)));
        assertEquals(RequestValidator.ACCEPT, check(frame(Opcode.DELETE, RequestHeader.FLAG_QUIET, 5, 0, 0, HASH, 7)));
        assertEquals(RequestValidator.ACCEPT, check(frame(Opcode.TOUCH, 0, 250, 0, 10, HASH, 0)));
        assertEquals(RequestValidator.ACCEPT, check(frame(Opcode.STATS, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void badMagicClosesTheConnection() {
        byte[] frame = frame(Opcode.GET, 0, 5, 0, 0, HASH, 0);
        frame[0] = 'G';
        int verdict = check(frame);
        assertTrue(RequestValidator.closes(verdict));
        assertEquals(Status.BAD_REQUEST, RequestValidator.status(verdict));
    }

    @Test
    void valueOverTheLimitIsTooLargeAndClosesEvenNear4GiB() {
        for (long length : new long[] {1025, 0x7FFF_FFFFL, 0xFFFF_FFFFL}) {
            int verdict = check(frame(Opcode.SET, 0, 5, length, 0, HASH, 0));
            assertEquals(Status.TOO_LARGE, RequestValidator.status(verdict), "length " + length);
            assertTrue(RequestValidator.closes(verdict));
        }
    }

    @Test
    void keyLengthsAreChecked() {
        assertRejected(Status.BAD_REQUEST, "key length 0", frame(Opcode.GET, 0, 0, 0, 0, HASH, 0));
        assertRejected(Status.TOO_LARGE, "key longer than this server's maximum key length",
                frame(Opcode.GET, 0, 251, 0, 0, HASH, 0));
        RequestValidator fixed = new RequestValidator(new ServerInfo(0, 1, 1, 0, 16, 8, 0, true, true));
        assertEquals(Status.BAD_REQUEST, RequestValidator.status(fixed.check(frame(Opcode.GET, 0, 15, 0, 0, HASH, 0), 0)));
        assertEquals(Status.BAD_REQUEST, RequestValidator.status(fixed.check(frame(Opcode.SET, 0, 16, 7, 0, HASH, 0), 0)));
        assertEquals(RequestValidator.ACCEPT, fixed.check(frame(Opcode.SET, 0, 16, 8, 0, HASH, 0), 0));
    }

    @Test
    void malformedFieldsAreBadRequestsThatKeepTheConnection() {
        assertRejected(Status.UNKNOWN_OPCODE, "unknown opcode", frame(0x7F, 0, 5, 0, 0, HASH, 0));
        assertRejected(Status.BAD_REQUEST, "reserved flag bits set", frame(Opcode.GET, 0x80, 5, 0, 0, HASH, 0));
        assertRejected(Status.BAD_REQUEST, "this opcode cannot be quiet", frame(Opcode.GET, 1, 5, 0, 0, HASH, 0));
        assertRejected(Status.BAD_REQUEST, "a SET condition on an opcode other than SET", frame(Opcode.DELETE, 2, 5, 0, 0, HASH, 0));
        assertRejected(Status.BAD_REQUEST, "a value on an opcode other than SET", frame(Opcode.GET, 0, 5, 3, 0, HASH, 0));
        assertRejected(Status.BAD_REQUEST, "this opcode takes no key and no value", frame(Opcode.NOOP, 0, 1, 0, 0, HASH, 0));
        assertRejected(Status.BAD_REQUEST, "a ttl on an opcode other than SET or TOUCH", frame(Opcode.GET, 0, 5, 0, 9, HASH, 0));
        assertRejected(Status.BAD_REQUEST, "a version on a request that does not compare versions", frame(Opcode.SET, 0, 5, 1, 0, HASH, 9));
        for (int verdict : new int[] {check(frame(0x7F, 0, 5, 0, 0, HASH, 0)), check(frame(Opcode.GET, 0, 0, 0, 0, HASH, 0))}) {
            assertFalse(RequestValidator.closes(verdict));
        }
    }

    @Test
    void ttlOnAServerWithoutTtlIsRefused() {
        RequestValidator noTtl = new RequestValidator(new ServerInfo(0, 1, 1, 0, 250, 1024, 0, false, false));
        assertEquals(Status.BAD_REQUEST, RequestValidator.status(noTtl.check(frame(Opcode.SET, 0, 5, 1, 10, HASH, 0), 0)));
        assertEquals(RequestValidator.ACCEPT, noTtl.check(frame(Opcode.SET, 0, 5, 1, 0, HASH, 0), 0));
    }

    @Test
    void aHashOfAnotherPortIsWrongPort() {
        assertRejected(Status.WRONG_PORT, "the hash routes to another port of this server",
                frame(Opcode.GET, 0, 5, 0, 0, 0x9000_0000_0000_0000L, 0));
    }
}
