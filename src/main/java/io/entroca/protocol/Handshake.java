package io.entroca.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The first exchange on every connection. The client sends an 8-byte hello naming the protocol
 * version it speaks; the server answers with its own version, a status, and (when the status is
 * OK) the {@link ServerInfo} body. A server that cannot speak the client's version answers
 * UNSUPPORTED_VERSION with its own version and closes, so a client can tell "old server" from
 * "not an Entroca server" without guessing.
 *
 * <pre>
 * client hello (8 bytes)                server hello (12-byte head + body)
 *  0  "ENTR" (0x45 0x4E 0x54 0x52)        0  "ENTR"
 *  4  version (u16)                       4  version the server speaks (u16)
 *  6  reserved, 0 (u16)                   6  status (u16)
 *                                         8  body length (u32): 32 in v1
 *                                        12  body, see below
 *
 * body (v1, 32 bytes, offsets from the start of the body)
 *  0  port index (u16)        2  port count (u16)
 *  4  hash function (u8)      5  flags (u8): bit 0 TTL, bit 1 fixed keys, bit 2 fixed values
 *  6  reserved, 0 (u16)       8  hash seed (u64)
 * 16  max key length (u32)   20  max value length (u32)
 * 24  ttl unit in ms (u32)   28  reserved, 0 (u32)
 * </pre>
 *
 * A client must ignore body bytes past the ones its version knows, so later versions may add to it.
 */
public final class Handshake {
    public static final int VERSION = 1;
    public static final byte[] MAGIC = "ENTR".getBytes(StandardCharsets.US_ASCII);
    public static final int CLIENT_HELLO_LENGTH = 8;
    public static final int SERVER_HEAD_LENGTH = 12;
    public static final int SERVER_BODY_LENGTH = 32;
    /** A client refuses a body longer than this: no version will need it, and it bounds the read. */
    public static final int MAX_SERVER_BODY_LENGTH = 4096;

    static final int FLAG_TTL = 0x01;
    static final int FLAG_FIXED_KEYS = 0x02;
    static final int FLAG_FIXED_VALUES = 0x04;

    private Handshake() {
    }

    public static byte[] clientHello(int version) {
        byte[] hello = new byte[CLIENT_HELLO_LENGTH];
        System.arraycopy(MAGIC, 0, hello, 0, MAGIC.length);
        LittleEndian.putU16(hello, 4, version);
        return hello;
    }

    public static boolean hasMagic(byte[] b, int offset) {
        return b[offset] == MAGIC[0] && b[offset + 1] == MAGIC[1] && b[offset + 2] == MAGIC[2] && b[offset + 3] == MAGIC[3];
    }

    /** The version a client hello asks for, or -1 when the bytes are not a hello at all. */
    public static int clientVersion(byte[] hello, int offset) {
        if (!hasMagic(hello, offset) || LittleEndian.u16(hello, offset + 6) != 0) {
            return -1;
        }
        return LittleEndian.u16(hello, offset + 4);
    }

    /** The server's answer when it accepts the client's version. */
    public static byte[] serverHello(ServerInfo info) {
        byte[] b = serverHead(Status.OK, SERVER_BODY_LENGTH);
        int body = SERVER_HEAD_LENGTH;
        LittleEndian.putU16(b, body, info.portIndex());
        LittleEndian.putU16(b, body + 2, info.portCount());
        LittleEndian.putU8(b, body + 4, info.hashFunction());
        int flags = (info.ttlEnabled() ? FLAG_TTL : 0)
                | (info.fixedKeys() ? FLAG_FIXED_KEYS : 0)
                | (info.fixedValues() ? FLAG_FIXED_VALUES : 0);
        LittleEndian.putU8(b, body + 5, flags);
        LittleEndian.putI64(b, body + 8, info.hashSeed());
        LittleEndian.putI32(b, body + 16, info.maxKeyLength());
        LittleEndian.putI32(b, body + 20, info.maxValueLength());
        LittleEndian.putI32(b, body + 24, (int) info.ttlUnitMs());
        return b;
    }

    /** The server's answer when it refuses the hello: a head with no body. */
    public static byte[] serverRefusal(int status) {
        return serverHead(status, 0);
    }

    private static byte[] serverHead(int status, int bodyLength) {
        byte[] b = new byte[SERVER_HEAD_LENGTH + bodyLength];
        System.arraycopy(MAGIC, 0, b, 0, MAGIC.length);
        LittleEndian.putU16(b, 4, VERSION);
        LittleEndian.putU16(b, 6, status);
        LittleEndian.putI32(b, 8, bodyLength);
        return b;
    }

    public static int serverVersion(byte[] head) {
        return LittleEndian.u16(head, 4);
    }

    public static int serverStatus(byte[] head) {
        return LittleEndian.u16(head, 6);
    }

    public static long serverBodyLength(byte[] head) {
        return LittleEndian.u32(head, 8);
    }

    /** Reads a v1 body (at least {@link #SERVER_BODY_LENGTH} bytes; later bytes are ignored). */
    public static ServerInfo parseServerBody(byte[] body) {
        if (body.length < SERVER_BODY_LENGTH) {
            throw new IllegalArgumentException("handshake body of " + body.length + " bytes, v1 needs " + SERVER_BODY_LENGTH);
        }
        int flags = LittleEndian.u8(body, 5);
        return new ServerInfo(
                LittleEndian.u16(body, 0),
                LittleEndian.u16(body, 2),
                LittleEndian.u8(body, 4),
                LittleEndian.i64(body, 8),
                (int) LittleEndian.u32(body, 16),
                (int) LittleEndian.u32(body, 20),
                LittleEndian.u32(body, 24),
                (flags & FLAG_FIXED_KEYS) != 0,
                (flags & FLAG_FIXED_VALUES) != 0);
    }
}
