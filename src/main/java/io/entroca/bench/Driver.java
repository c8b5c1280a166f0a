package io.entroca.bench;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * One wire protocol as the load generator speaks it: how to open a connection, how to write a GET
 * and a SET into a byte array, and how to read one reply. Encoding and parsing work on plain byte
 * arrays at an offset, allocate nothing, and never block, so one load thread can drive many
 * pipelined connections and the generator measures the server, not itself.
 */
interface Driver {
    /** A reply that is not complete in the bytes read so far. */
    long INCOMPLETE = -1;

    int HIT = 1;
    int MISS = 2;
    int STORED = 3;
    int ERROR = 4;

    /** The target's name in reports: entroca, memcached, redis. */
    String name();

    /**
     * Runs any handshake on a freshly connected, still blocking channel and returns the port
     * layout the target announced: {@code [portIndex, portCount]}. Targets without ports say
     * {@code [0, 1]}.
     */
    int[] handshake(SocketChannel channel) throws IOException;

    /** The most bytes one request can take for a key of {@code keyLength} and a value of {@code valueLength}. */
    int maxRequestLength(int keyLength, int valueLength);

    /** Writes a GET at {@code pos}; returns the position after it. */
    int encodeGet(byte[] out, int pos, Keys keys, int key);

    /** Writes a SET of {@code value[valueOffset, +valueLength)} at {@code pos}; returns the position after it. */
    int encodeSet(byte[] out, int pos, Keys keys, int key, byte[] value, int valueOffset, int valueLength);

    /**
     * Reads one reply from {@code in[start, end)}: {@link #INCOMPLETE} if it has not fully arrived,
     * else {@code (bytesConsumed << 8) | outcome} with outcome {@link #HIT}, {@link #MISS},
     * {@link #STORED} or {@link #ERROR}.
     *
     * @throws IOException when the bytes are not a reply of this protocol (the stream is lost)
     */
    long parse(byte[] in, int start, int end) throws IOException;

    static long reply(int consumed, int outcome) {
        return ((long) consumed << 8) | outcome;
    }

    static int consumed(long reply) {
        return (int) (reply >>> 8);
    }

    static int outcome(long reply) {
        return (int) (reply & 0xFF);
    }

    /** The driver for a target URI's scheme. */
    static Driver forScheme(String scheme) {
        return switch (scheme) {
            case "entroca" -> new EntrocaDriver();
            case "memcached" -> new MemcachedDriver();
            case "redis" -> new RedisDriver();
            default -> throw new IllegalArgumentException("unknown target scheme '" + scheme
                    + "': use entroca://, memcached:// or redis://");
        };
    }
}
