package io.entroca.protocol;

/**
 * The 24-byte header of every response, followed by a body: the value for a GET hit, the
 * statistics text for STATS, a UTF-8 message for an error, nothing otherwise.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |  magic 0xED   |    opcode     |          status (u16)         |  0
 * +---------------+---------------+---------------+---------------+
 * |                      body length (u32)                        |  4
 * +---------------------------------------------------------------+
 * |                 opaque, copied from the request               |  8
 * +---------------------------------------------------------------+
 * |                       reserved, 0 (u32)                       | 12
 * +---------------------------------------------------------------+
 * |                   version of the entry (u64)                  | 16
 * +---------------------------------------------------------------+
 * |  body (body length bytes) ...                                 | 24
 * </pre>
 */
public final class ResponseHeader {
    public static final int LENGTH = 24;
    public static final int MAGIC = 0xED;

    public static final int MAGIC_OFFSET = 0;
    public static final int OPCODE_OFFSET = 1;
    public static final int STATUS_OFFSET = 2;
    public static final int BODY_LENGTH_OFFSET = 4;
    public static final int OPAQUE_OFFSET = 8;
    public static final int RESERVED_OFFSET = 12;
    public static final int VERSION_OFFSET = 16;

    private ResponseHeader() {
    }

    public static void write(byte[] b, int offset, int opcode, int status, int bodyLength, int opaque, long version) {
        b[offset + MAGIC_OFFSET] = (byte) MAGIC;
        b[offset + OPCODE_OFFSET] = (byte) opcode;
        LittleEndian.putU16(b, offset + STATUS_OFFSET, status);
        LittleEndian.putI32(b, offset + BODY_LENGTH_OFFSET, bodyLength);
        LittleEndian.putI32(b, offset + OPAQUE_OFFSET, opaque);
        LittleEndian.putI32(b, offset + RESERVED_OFFSET, 0);
        LittleEndian.putI64(b, offset + VERSION_OFFSET, version);
    }

    public static int magic(byte[] b, int offset) {
        return LittleEndian.u8(b, offset + MAGIC_OFFSET);
    }

    public static int opcode(byte[] b, int offset) {
        return LittleEndian.u8(b, offset + OPCODE_OFFSET);
    }

    public static int status(byte[] b, int offset) {
        return LittleEndian.u16(b, offset + STATUS_OFFSET);
    }

    public static long bodyLength(byte[] b, int offset) {
        return LittleEndian.u32(b, offset + BODY_LENGTH_OFFSET);
    }

    public static int opaque(byte[] b, int offset) {
        return LittleEndian.i32(b, offset + OPAQUE_OFFSET);
    }

    public static long version(byte[] b, int offset) {
        return LittleEndian.i64(b, offset + VERSION_OFFSET);
    }
}
