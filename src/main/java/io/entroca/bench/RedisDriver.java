package io.entroca.bench;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Redis through RESP2: {@code GET} answered by a bulk string ({@code $<len>} + data) or the null
 * bulk {@code $-1}, {@code SET} answered {@code +OK}. An error reply ({@code -ERR ...},
 * {@code -OOM ...}) counts as an error.
 */
final class RedisDriver implements Driver {
    private static final byte[] GET = Ascii.bytes("*2\r\n$3\r\nGET\r\n$");
    private static final byte[] SET = Ascii.bytes("*3\r\n$3\r\nSET\r\n$");
    private static final byte[] OK = Ascii.bytes("+OK\r\n");

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public int[] handshake(SocketChannel channel) {
        return new int[] {0, 1};
    }

    @Override
    public int maxRequestLength(int keyLength, int valueLength) {
        return SET.length + 10 + 2 + keyLength + 2 + 1 + 10 + 2 + valueLength + 2;
    }

    @Override
    public int encodeGet(byte[] out, int pos, Keys keys, int key) {
        pos = Ascii.put(out, pos, GET);
        return bulk(out, pos, keys.bytes[key], 0, keys.bytes[key].length, false);
    }

    @Override
    public int encodeSet(byte[] out, int pos, Keys keys, int key, byte[] value, int valueOffset, int valueLength) {
        pos = Ascii.put(out, pos, SET);
        pos = bulk(out, pos, keys.bytes[key], 0, keys.bytes[key].length, false);
        return bulk(out, pos, value, valueOffset, valueLength, true);
    }

    /** Length (after the '$' unless {@code dollar}), CRLF, bytes, CRLF. */
    private static int bulk(byte[] out, int pos, byte[] data, int offset, int length, boolean dollar) {
        if (dollar) {
            out[pos++] = '$';
        }
        pos = Ascii.putInt(out, pos, length);
        pos = Ascii.crlf(out, pos);
        System.arraycopy(data, offset, out, pos, length);
        return Ascii.crlf(out, pos + length);
    }

    @Override
    public long parse(byte[] in, int start, int end) throws IOException {
        int lf = Ascii.lineEndOrFail(in, start, end, "redis");
        if (lf < 0) {
            return INCOMPLETE;
        }
        int lineLength = lf + 1 - start;
        switch (in[start]) {
            case '+' -> {
                if (lineLength == OK.length && Ascii.startsWith(in, start, end, OK)) {
                    return Driver.reply(lineLength, STORED);
                }
                throw new IOException("unexpected redis status: " + Ascii.text(in, start, lf - 1));
            }
            case '$' -> {
                long size = Ascii.parseLong(in, start + 1, lf - 1);
                if (size == -1) {
                    return Driver.reply(lineLength, MISS);
                }
                if (size < 0 || size > Integer.MAX_VALUE / 2) {
                    throw new IOException("redis bulk of " + size + " bytes");
                }
                int total = lineLength + (int) size + 2;
                if (end - start < total) {
                    return INCOMPLETE;
                }
                if (in[start + total - 2] != Ascii.CR || in[start + total - 1] != Ascii.LF) {
                    throw new IOException("redis bulk not followed by CRLF");
                }
                return Driver.reply(total, HIT);
            }
            case '-' -> {
                return Driver.reply(lineLength, ERROR);
            }
            default -> throw new IOException("unexpected redis reply: " + Ascii.text(in, start, lf - 1));
        }
    }
}
