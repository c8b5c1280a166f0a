package io.entroca.client;

import io.entroca.protocol.Opcode;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.Routing;
import io.entroca.protocol.ServerInfo;
import io.entroca.protocol.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of one Entroca server. It hashes each key with XXH64, as the handshake says, and sends
 * the request to the port that owns the hash, over one pipelined connection per port; any number
 * of threads may share it, and many requests may be in flight on each connection.
 *
 * <p>Every operation has a synchronous form, which waits at most the client's timeout, and an
 * asynchronous form returning a {@link CompletableFuture} that is failed after the same timeout.
 * Failures are {@link EntrocaException}s, one subclass per failure status. A miss is not a
 * failure: {@link #get} returns null and {@link #delete} false.
 *
 * <pre>{@code
 * try (EntrocaClient client = EntrocaClient.connect("127.0.0.1", 7400)) {
 *     long version = client.set(key, value, Duration.ofMinutes(5));
 *     client.compareAndSet(key, newValue, version, Duration.ZERO);
 * }
 * }</pre>
 */
public final class EntrocaClient implements AutoCloseable {

    /** When a store may happen: the SET conditions of the protocol. */
    public enum Condition {
        ALWAYS(RequestHeader.CONDITION_ALWAYS),
        IF_ABSENT(RequestHeader.CONDITION_IF_ABSENT),
        IF_PRESENT(RequestHeader.CONDITION_IF_PRESENT),
        IF_VERSION(RequestHeader.CONDITION_IF_VERSION);

        final int code;

        Condition(int code) {
            this.code = code;
        }
    }

    private static final byte[] NONE = new byte[0];

    private final String host;
    private final int basePort;
    private final Duration timeout;
    private final ServerInfo info;
    private final PortConnection[] connections;

    private EntrocaClient(String host, int basePort, Duration timeout, PortConnection first) {
        this.host = host;
        this.basePort = basePort;
        this.timeout = timeout;
        this.info = first.info();
        this.connections = new PortConnection[info.portCount()];
        this.connections[info.portIndex()] = first;
    }

    /** Connects with a 5-second timeout. */
    public static EntrocaClient connect(String host, int port) {
        return connect(host, port, Duration.ofSeconds(5));
    }

    /**
     * Connects to a server through any of its data ports (the handshake says which one it is, so
     * the base port follows), and uses {@code timeout} for connecting and for every request.
     */
    public static EntrocaClient connect(String host, int port, Duration timeout) {
        PortConnection first = PortConnection.open(host, port, timeout);
        int base = port - first.info().portIndex();
        return new EntrocaClient(host, base, timeout, first);
    }

    /** What the server announced in its handshake: ports, limits, TTL unit. */
    public ServerInfo serverInfo() {
        return info;
    }

    /** The port index that owns a key. */
    public int portOf(byte[] key) {
        return Routing.portFor(Routing.hash(key), info.portCount());
    }

    // ---- asynchronous operations ---------------------------------------------------------------

    /** The value and its version, or null when the key has no live entry. */
    public CompletableFuture<VersionedValue> getAsync(byte[] key) {
        return sendGet(key).thenApply(EntrocaClient::found);
    }

    /**
     * Stores a value if the condition holds.
     *
     * @param expectedVersion the version {@link Condition#IF_VERSION} compares with; else ignored
     * @param ttl time to live, {@link Duration#ZERO} for never
     * @return the new version
     */
    public CompletableFuture<Long> storeAsync(byte[] key, byte[] value, Condition condition, long expectedVersion, Duration ttl) {
        return sendStore(key, value, condition, expectedVersion, ttl).thenApply(EntrocaClient::stored);
    }

    /**
     * Stores a value and asks for no reply unless it fails: the future completes when a later
     * reply on the same port proves success (see {@link #sync}).
     */
    public CompletableFuture<Void> setQuietAsync(byte[] key, byte[] value, Duration ttl) {
        checkValue(value);
        return keyed(Opcode.SET, RequestHeader.FLAG_QUIET, key, value, ttlUnits(ttl), 0).thenApply(reply -> {
            if (reply.status() != Status.OK) {
                throw failure(reply, "SET (quiet)");
            }
            return null;
        });
    }

    /** True if an entry was removed; {@code expectedVersion} 0 removes any version. */
    public CompletableFuture<Boolean> deleteAsync(byte[] key, long expectedVersion) {
        return sendDelete(key, expectedVersion).thenApply(reply -> existed(reply, "DELETE"));
    }

    /** Deletes without a reply unless it fails; a missing key is such a failure. */
    public CompletableFuture<Void> deleteQuietAsync(byte[] key) {
        return keyed(Opcode.DELETE, RequestHeader.FLAG_QUIET, key, NONE, 0, 0).thenApply(reply -> {
            if (reply.status() != Status.OK) {
                throw failure(reply, "DELETE (quiet)");
            }
            return null;
        });
    }

    /** True if the key had a live entry, which now lives for {@code ttl} (ZERO: forever). */
    public CompletableFuture<Boolean> touchAsync(byte[] key, Duration ttl) {
        return sendTouch(key, ttl).thenApply(reply -> existed(reply, "TOUCH"));
    }

    // ---- synchronous operations ----------------------------------------------------------------
    // They wait for the raw reply and read it in place: no boxing, no extra stage per call.

    /** The value, or null when the key has no live entry. */
    public byte[] get(byte[] key) {
        Reply reply = await(sendGet(key));
        return switch (reply.status()) {
            case Status.OK -> reply.body();
            case Status.NOT_FOUND -> null;
            default -> throw failure(reply, "GET");
        };
    }

    /** The value with its version, or null when the key has no live entry. */
    public VersionedValue getVersioned(byte[] key) {
        return found(await(sendGet(key)));
    }

    /** Stores a value that never expires; returns its version. */
    public long set(byte[] key, byte[] value) {
        return set(key, value, Duration.ZERO);
    }

    public long set(byte[] key, byte[] value, Duration ttl) {
        return stored(await(sendStore(key, value, Condition.ALWAYS, 0, ttl)));
    }

    /** Stores only if the key is absent; throws {@link EntrocaException.KeyExists} otherwise. */
    public long add(byte[] key, byte[] value, Duration ttl) {
        return stored(await(sendStore(key, value, Condition.IF_ABSENT, 0, ttl)));
    }

    /** Stores only if the key is present; throws {@link EntrocaException.KeyNotFound} otherwise. */
    public long replace(byte[] key, byte[] value, Duration ttl) {
        return stored(await(sendStore(key, value, Condition.IF_PRESENT, 0, ttl)));
    }

    /**
     * Stores only if the entry still has {@code expectedVersion}; throws
     * {@link EntrocaException.VersionMismatch} or {@link EntrocaException.KeyNotFound} otherwise.
     */
    public long compareAndSet(byte[] key, byte[] value, long expectedVersion, Duration ttl) {
        return stored(await(sendStore(key, value, Condition.IF_VERSION, expectedVersion, ttl)));
    }

    public boolean delete(byte[] key) {
        return delete(key, 0);
    }

    /** Deletes only that version; throws {@link EntrocaException.VersionMismatch} if it changed. */
    public boolean delete(byte[] key, long expectedVersion) {
        return existed(await(sendDelete(key, expectedVersion)), "DELETE");
    }

    public boolean touch(byte[] key, Duration ttl) {
        return existed(await(sendTouch(key, ttl)), "TOUCH");
    }

    /** Removes every entry on every port of the server. */
    public void flush() {
        for (CompletableFuture<Reply> reply : everyPort(Opcode.FLUSH)) {
            expectOk(await(reply), "FLUSH");
        }
    }

    /**
     * A NOOP on every port; it returns once every request sent before it was answered, so it also
     * settles the quiet requests in flight.
     */
    public void sync() {
        for (CompletableFuture<Reply> reply : everyPort(Opcode.NOOP)) {
            expectOk(await(reply), "NOOP");
        }
    }

    /** Each port's statistics as name → value, in port order. */
    public List<Map<String, String>> stats() {
        List<Map<String, String>> all = new ArrayList<>();
        for (CompletableFuture<Reply> future : everyPort(Opcode.STATS)) {
            Reply reply = await(future);
            expectOk(reply, "STATS");
            Map<String, String> stats = new LinkedHashMap<>();
            for (String line : PortConnection.text(reply.body()).split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    stats.put(line.substring(0, space), line.substring(space + 1));
                }
            }
            all.add(stats);
        }
        return all;
    }

    @Override
    public synchronized void close() {
        for (PortConnection connection : connections) {
            if (connection != null) {
                connection.close();
            }
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private CompletableFuture<Reply> sendGet(byte[] key) {
        return keyed(Opcode.GET, 0, key, NONE, 0, 0);
    }

    private CompletableFuture<Reply> sendStore(byte[] key, byte[] value, Condition condition, long expectedVersion, Duration ttl) {
        checkValue(value);
        long version = condition == Condition.IF_VERSION ? expectedVersion : 0;
        return keyed(Opcode.SET, RequestHeader.flags(false, condition.code), key, value, ttlUnits(ttl), version);
    }

    private CompletableFuture<Reply> sendDelete(byte[] key, long expectedVersion) {
        return keyed(Opcode.DELETE, 0, key, NONE, 0, expectedVersion);
    }

    private CompletableFuture<Reply> sendTouch(byte[] key, Duration ttl) {
        return keyed(Opcode.TOUCH, 0, key, NONE, ttlUnits(ttl), 0);
    }

    /** A GET's reply: the value and version on a hit, null on a miss. */
    private static VersionedValue found(Reply reply) {
        return switch (reply.status()) {
            case Status.OK -> new VersionedValue(reply.body(), reply.version());
            case Status.NOT_FOUND -> null;
            default -> throw failure(reply, "GET");
        };
    }

    /** A SET's reply: the new version. */
    private static long stored(Reply reply) {
        if (reply.status() != Status.OK) {
            throw failure(reply, "SET");
        }
        return reply.version();
    }

    /** A DELETE's or TOUCH's reply: whether the key had a live entry. */
    private static boolean existed(Reply reply, String operation) {
        return switch (reply.status()) {
            case Status.OK -> true;
            case Status.NOT_FOUND -> false;
            default -> throw failure(reply, operation);
        };
    }

    private CompletableFuture<Reply> keyed(int opcode, int flags, byte[] key, byte[] value, int ttl, long version) {
        checkKey(key);
        long hash = Routing.hash(key);
        int port = Routing.portFor(hash, info.portCount());
        return connection(port).send(opcode, flags, key, hash, value, ttl, version, System.nanoTime() + timeout.toNanos());
    }

    private List<CompletableFuture<Reply>> everyPort(int opcode) {
        List<CompletableFuture<Reply>> replies = new ArrayList<>(info.portCount());
        for (int port = 0; port < info.portCount(); port++) {
            replies.add(connection(port).send(opcode, 0, NONE, 0, NONE, 0, 0));
        }
        return replies;
    }

    /** The connection to a port, opened on first use and opened again after it broke. */
    private synchronized PortConnection connection(int port) {
        PortConnection connection = connections[port];
        if (connection == null || connection.isBroken()) {
            connection = PortConnection.open(host, basePort + port, timeout);
            connections[port] = connection;
        }
        return connection;
    }

    private void checkKey(byte[] key) {
        if (key.length == 0 || key.length > info.maxKeyLength()) {
            throw new IllegalArgumentException("key of " + key.length + " bytes; this server takes 1 to "
                    + info.maxKeyLength());
        }
        if (info.fixedKeys() && key.length != info.maxKeyLength()) {
            throw new IllegalArgumentException("key of " + key.length + " bytes; this server's keys are all "
                    + info.maxKeyLength() + " bytes");
        }
    }

    private void checkValue(byte[] value) {
        if (value.length > info.maxValueLength()) {
            throw new EntrocaException.TooLarge("value of " + value.length + " bytes; this server takes at most "
                    + info.maxValueLength());
        }
        if (info.fixedValues() && value.length != info.maxValueLength()) {
            throw new IllegalArgumentException("value of " + value.length + " bytes; this server's values are all "
                    + info.maxValueLength() + " bytes");
        }
    }

    /** A TTL in the server's units, rounded up so an entry never dies early; 0 means never. */
    private int ttlUnits(Duration ttl) {
        if (ttl.isZero()) {
            return 0;
        }
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("negative ttl " + ttl);
        }
        if (!info.ttlEnabled()) {
            throw new IllegalArgumentException("this server has no TTL (configured ttl-resolution: none)");
        }
        long units = Math.ceilDiv(ttl.toMillis() + (ttl.toNanosPart() % 1_000_000 == 0 ? 0 : 1), info.ttlUnitMs());
        if (units > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("ttl " + ttl + " is over this server's limit of 2^32-1 units of "
                    + info.ttlUnitMs() + " ms");
        }
        return (int) units;
    }

    private static EntrocaException failure(Reply reply, String operation) {
        return EntrocaException.of(reply.status(), operation, PortConnection.text(reply.body()));
    }

    private static void expectOk(Reply reply, String operation) {
        if (reply.status() != Status.OK) {
            throw failure(reply, operation);
        }
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof EntrocaException entroca) {
                throw entroca;
            }
            if (cause instanceof TimeoutException) {
                throw new EntrocaException.Timeout("no reply from " + host + " within " + timeout);
            }
            throw new EntrocaException("request failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new EntrocaException.Timeout("no reply from " + host + " within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EntrocaException("interrupted while waiting for " + host, e);
        }
    }
}
