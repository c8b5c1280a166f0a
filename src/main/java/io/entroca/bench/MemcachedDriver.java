package io.entroca.bench;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * memcached through its meta protocol (1.6+), the leanest of its text commands:
 * {@code mg <key> v} answered {@code VA <len>} + data or {@code EN}, and {@code ms <key> <len>}
 * + data answered {@code HD}. Any other line ({@code NS}, {@code SERVER_ERROR ...},
 * {@code CLIENT_ERROR ...}, {@code ERROR}) counts as an error.
 */
final class MemcachedDriver implements Driver {
    private static final byte[] MG = Ascii.bytes("mg ");
    private static final byte[] GET_FLAGS = Ascii.bytes(" v\r\n");
    private static final byte[] MS = Ascii.bytes("ms ");
    private static final byte[] VA = Ascii.bytes("VA ");
    private static final byte[] EN = Ascii.bytes("EN\r\n");
    private static final byte[] HD = Ascii.bytes("HD\r\n");

    @Override
    public String name() {
        return "memcached";
    }

    @Override
    public int[] handshake(SocketChannel channel) {
        return new int[] {0, 1};
    }

    @Override
    public int maxRequestLength(int keyLength, int valueLength) {
        return 3 + keyLength + 1 + 10 + 2 + valueLength + 2;
    }

    @Override
    public int encodeGet(byte[] out, int pos, Keys keys, int key) {
        pos = Ascii.put(out, pos, MG);
        pos = Ascii.put(out, pos, keys.bytes[key]);
        return Ascii.put(out, pos, GET_FLAGS);
    }

    @Override
    public int encodeSet(byte[] out, int pos, Keys keys, int key, byte[] value, int valueOffset, int valueLength) {
        pos = Ascii.put(out, pos, MS);
        pos = Ascii.put(out, pos, keys.bytes[key]);
        out[pos++] = ' ';
        pos = Ascii.putInt(out, pos, valueLength);
        pos = Ascii.crlf(out, pos);
        System.arraycopy(value, valueOffset, out, pos, valueLength);
        return Ascii.crlf(out, pos + valueLength);
    }

    @Override
    public long parse(byte[] in, int start, int end) throws IOException {
        int lf = Ascii.lineEndOrFail(in, start, end, "memcached");
        if (lf < 0) {
            return INCOMPLETE;
        }
        int lineLength = lf + 1 - start;
        if (Ascii.startsWith(in, start, end, HD) && lineLength == HD.length) {
            return Driver.reply(lineLength, STORED);
        }
        if (Ascii.startsWith(in, start, end, EN) && lineLength == EN.length) {
            return Driver.reply(lineLength, MISS);
        }
        if (Ascii.startsWith(in, start, end, VA)) {
            int numberEnd = start + VA.length;
            while (numberEnd < lf - 1 && in[numberEnd] != ' ') {
                numberEnd++;
            }
            long size = Ascii.parseLong(in, start + VA.length, numberEnd);
            if (size < 0 || size > Integer.MAX_VALUE / 2) {
                throw new IOException("memcached value of " + size + " bytes");
            }
            int total = lineLength + (int) size + 2;
            if (end - start < total) {
                return INCOMPLETE;
            }
            if (in[start + total - 2] != Ascii.CR || in[start + total - 1] != Ascii.LF) {
                throw new IOException("memcached value not followed by CRLF");
            }
            return Driver.reply(total, HIT);
        }
        if (Ascii.startsWith(in, start, end, Ascii.bytes("NS"))
                || Ascii.startsWith(in, start, end, Ascii.bytes("SERVER_ERROR"))
                || Ascii.startsWith(in, start, end, Ascii.bytes("CLIENT_ERROR"))
                || Ascii.startsWith(in, start, end, Ascii.bytes("ERROR"))) {
            return Driver.reply(lineLength, ERROR);
        }
        throw new IOException("unexpected memcached reply: " + Ascii.text(in, start, lf - 1));
    }
}
