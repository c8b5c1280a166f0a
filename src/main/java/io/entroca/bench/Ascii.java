package io.entroca.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The few text-protocol helpers the memcached and Redis drivers share; nothing allocates. */
final class Ascii {
    static final byte CR = '\r';
    static final byte LF = '\n';

    private Ascii() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static int put(byte[] out, int pos, byte[] bytes) {
        System.arraycopy(bytes, 0, out, pos, bytes.length);
        return pos + bytes.length;
    }

    static int crlf(byte[] out, int pos) {
        out[pos] = CR;
        out[pos + 1] = LF;
        return pos + 2;
    }

    /** Writes a non-negative int in decimal. */
    static int putInt(byte[] out, int pos, int value) {
        if (value < 10) {
            out[pos] = (byte) ('0' + value);
            return pos + 1;
        }
        int digits = 0;
        for (int v = value; v > 0; v /= 10) {
            digits++;
        }
        for (int i = pos + digits - 1, v = value; i >= pos; i--, v /= 10) {
            out[i] = (byte) ('0' + v % 10);
        }
        return pos + digits;
    }

    /**
     * {@link #lineEnd}, with a bare LF reported as the protocol error it is.
     *
     * @param server who sent the bytes, for the message
     */
    static int lineEndOrFail(byte[] in, int start, int end, String server) throws IOException {
        try {
            return lineEnd(in, start, end);
        } catch (IllegalStateException e) {
            throw new IOException(server + " reply with a bare LF: " + text(in, start, end));
        }
    }

    /** The index of the LF of the first CRLF in {@code in[start, end)}, or -1. */
    static int lineEnd(byte[] in, int start, int end) {
        for (int i = start + 1; i < end; i++) {
            if (in[i] == LF) {
                if (in[i - 1] != CR) {
                    throw new IllegalStateException("bare LF");
                }
                return i;
            }
        }
        return -1;
    }

    /** A decimal integer, optionally negative, in {@code in[from, to)}. */
    static long parseLong(byte[] in, int from, int to) throws IOException {
        if (from >= to) {
            throw new IOException("expected a number");
        }
        boolean negative = in[from] == '-';
        long value = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            int d = in[i] - '0';
            if (d < 0 || d > 9) {
                throw new IOException("expected a number, got '" + text(in, from, to) + "'");
            }
            value = value * 10 + d;
        }
        return negative ? -value : value;
    }

    static boolean startsWith(byte[] in, int start, int end, byte[] prefix) {
        if (end - start < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (in[start + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static String text(byte[] in, int from, int to) {
        return new String(in, from, Math.min(to - from, 200), StandardCharsets.US_ASCII);
    }
}
