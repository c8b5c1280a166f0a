package io.entroca.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads and writes the protocol's little-endian integers in place in a {@code byte[]}.
 * Little-endian because every machine Entroca targets is, so neither side swaps bytes.
 */
public final class LittleEndian {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    public static int u8(byte[] b, int offset) {
        return b[offset] & 0xFF;
    }

    public static int u16(byte[] b, int offset) {
        return (short) SHORT.get(b, offset) & 0xFFFF;
    }

    /** An unsigned 32-bit field, widened so that values above 2^31 stay positive. */
    public static long u32(byte[] b, int offset) {
        return (int) INT.get(b, offset) & 0xFFFF_FFFFL;
    }

    public static int i32(byte[] b, int offset) {
        return (int) INT.get(b, offset);
    }

    public static long i64(byte[] b, int offset) {
        return (long) LONG.get(b, offset);
    }

    public static void putU8(byte[] b, int offset, int value) {
        b[offset] = (byte) value;
    }

    public static void putU16(byte[] b, int offset, int value) {
        SHORT.set(b, offset, (short) value);
    }

    public static void putI32(byte[] b, int offset, int value) {
        INT.set(b, offset, value);
    }

    public static void putI64(byte[] b, int offset, long value) {
        LONG.set(b, offset, value);
    }
}
