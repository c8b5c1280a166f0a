package io.entroca.protocol;

/**
 * The 32-byte header of every request after the handshake, followed by the key and then the
 * value. All integers are little-endian; docs/protocol.md is the normative description.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |  magic 0xEC   |    opcode     |     flags     |  key length   |  0
 * +---------------+---------------+---------------+---------------+
 * |                      value length (u32)                       |  4
 * +---------------------------------------------------------------+
 * |                         opaque (u32)                          |  8
 * +---------------------------------------------------------------+
 * |                   ttl, in TTL units (u32)                     | 12
 * +---------------------------------------------------------------+
 * |                  hash: XXH64 of the key (u64)                 | 16
 * +---------------------------------------------------------------+
 * |                 version, for conditions (u64)                 | 24
 * +---------------------------------------------------------------+
 * |  key (key length bytes), then value (value length bytes)  ... | 32
 * </pre>
 *
 * Flags: bit 0 is QUIET (answer only on failure), bits 1–2 the SET condition, bits 3–7 must be 0.
 */
public final class RequestHeader {
    public static final int LENGTH = 32;
    /** Marks a v1 request; a v2 frame will carry another magic, so a v1 server rejects it at once. */
    public static final int MAGIC = 0xEC;

    public static final int MAGIC_OFFSET = 0;
    public static final int OPCODE_OFFSET = 1;
    public static final int FLAGS_OFFSET = 2;
    public static final int KEY_LENGTH_OFFSET = 3;
    public static final int VALUE_LENGTH_OFFSET = 4;
    public static final int OPAQUE_OFFSET = 8;
    public static final int TTL_OFFSET = 12;
    public static final int HASH_OFFSET = 16;
    public static final int VERSION_OFFSET = 24;

    public static final int FLAG_QUIET = 0x01;
    public static final int CONDITION_SHIFT = 1;
    public static final int CONDITION_MASK = 0x03 << CONDITION_SHIFT;
    public static final int RESERVED_FLAGS = 0xF8;

    /** SET conditions, in flags bits 1–2. */
    public static final int CONDITION_ALWAYS = 0;
    public static final int CONDITION_IF_ABSENT = 1;
    public static final int CONDITION_IF_PRESENT = 2;
    public static final int CONDITION_IF_VERSION = 3;

    private RequestHeader() {
    }

    public static int flags(boolean quiet, int condition) {
        return (quiet ? FLAG_QUIET : 0) | (condition << CONDITION_SHIFT);
    }

    /** Writes a header; the caller writes the key and value right after it. */
    public static void write(byte[] b, int offset, int opcode, int flags, int keyLength, int valueLength,
                             int opaque, int ttl, long hash, long version) {
        b[offset + MAGIC_OFFSET] = (byte) MAGIC;
        b[offset + OPCODE_OFFSET] = (byte) opcode;
        b[offset + FLAGS_OFFSET] = (byte) flags;
        b[offset + KEY_LENGTH_OFFSET] = (byte) keyLength;
        LittleEndian.putI32(b, offset + VALUE_LENGTH_OFFSET, valueLength);
        LittleEndian.putI32(b, offset + OPAQUE_OFFSET, opaque);
        LittleEndian.putI32(b, offset + TTL_OFFSET, ttl);
        LittleEndian.putI64(b, offset + HASH_OFFSET, hash);
        LittleEndian.putI64(b, offset + VERSION_OFFSET, version);
    }

    public static int magic(byte[] b, int offset) {
        return LittleEndian.u8(b, offset + MAGIC_OFFSET);
    }

    public static int opcode(byte[] b, int offset) {
        return LittleEndian.u8(b, offset + OPCODE_OFFSET);
    }

    public static int flags(byte[] b, int offset) {
        return LittleEndian.u8(b, offset + FLAGS_OFFSET);
    }

    public static boolean quiet(byte[] b, int offset) {
        return (flags(b, offset) & FLAG_QUIET) != 0;
    }

    public static int condition(byte[] b, int offset) {
        return (flags(b, offset) & CONDITION_MASK) >>> CONDITION_SHIFT;
    }

    public static int keyLength(byte[] b, int offset) {
        return LittleEndian.u8(b, offset + KEY_LENGTH_OFFSET);
    }

    /** Unsigned, so a length near 2^32 is seen as the huge number it is and not as negative. */
    public static long valueLength(byte[] b, int offset) {
        return LittleEndian.u32(b, offset + VALUE_LENGTH_OFFSET);
    }

    public static int opaque(byte[] b, int offset) {
        return LittleEndian.i32(b, offset + OPAQUE_OFFSET);
    }

    public static long ttl(byte[] b, int offset) {
        return LittleEndian.u32(b, offset + TTL_OFFSET);
    }

    public static long hash(byte[] b, int offset) {
        return LittleEndian.i64(b, offset + HASH_OFFSET);
    }

    public static long version(byte[] b, int offset) {
        return LittleEndian.i64(b, offset + VERSION_OFFSET);
    }

    public static int keyOffset(int frameOffset) {
        return frameOffset + LENGTH;
    }

    public static int valueOffset(byte[] b, int frameOffset) {
        return frameOffset + LENGTH + keyLength(b, frameOffset);
    }
}
