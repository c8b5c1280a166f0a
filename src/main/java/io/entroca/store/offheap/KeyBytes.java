package io.entroca.store.offheap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The full-key comparison both stores make after a tag matches: a stored key against the
 * request's bytes, eight at a time. Static and small, so the JIT inlines it into each store's
 * lookup; it allocates nothing (a heap segment over the request array would, unless escape
 * analysis removed it).
 */
final class KeyBytes {
    private static final ValueLayout.OfLong LONG_U = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private KeyBytes() {
    }

    /** Whether {@code length} bytes of {@code mem} at {@code at} equal {@code key[offset, offset + length)}. */
    static boolean equal(MemorySegment mem, long at, byte[] key, int offset, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (mem.get(LONG_U, at + i) != (long) ARRAY_LONG.get(key, offset + i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (mem.get(ValueLayout.JAVA_BYTE, at + i) != key[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
