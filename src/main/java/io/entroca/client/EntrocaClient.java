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
    private static final Reply MISS = new Reply(Status.NOT_FOUND, 0, Reply.EMPTY);

    private final Duration timeout;
    /** True for a client of a node list: nodes are then marked down instead of failing every call. */
    private final boolean fleet;
    /** The routing table: a key's node is {@code nodes[NodeRouting.nodeFor(hash, nodes.length)]}. */
    private volatile Node[] nodes;

    private EntrocaClient(Duration timeout, boolean fleet, Node[] nodes) {
        this.timeout = timeout;
        this.fleet = fleet;
        this.nodes = nodes;
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
        return new EntrocaClient(timeout, false, new Node[] {Node.connected(host, port, timeout, first)});
    }

    /** {@link #connectNodes(List, Duration)} with a 5-second timeout. */
    public static EntrocaClient connectNodes(List<String> nodes) {
        return connectNodes(nodes, Duration.ofSeconds(5));
    }

    /**
     * A client of several servers ("HOST:PORT" each, any data port of the node): keys spread over
     * the nodes by {@link NodeRouting} (jump consistent hashing), then over each node's ports as
     * for one server. The order of the list matters: every client of a fleet must use the same
     * list in the same order (docs/protocol.md §5.1).
     *
     * <p>A node that does not answer, now or later (a broken connection, or no reply within
     * {@code timeout}), is marked down: reads of its keys return misses and writes to them throw
     * {@link EntrocaException.NodeDown} at once, until a background handshake (every second)
     * succeeds again. Connecting never fails because of a node that is down.
     */
    public static EntrocaClient connectNodes(List<String> nodes, Duration timeout) {
        return new EntrocaClient(timeout, true, openNodes(nodes, timeout, Map.of()));
    }

    private static Node[] openNodes(List<String> addresses, Duration timeout, Map<String, Node> reuse) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no nodes given");
        }
        Node[] opened = new Node[addresses.size()];
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < opened.length; i++) {
            String[] hostPort = Node.split(addresses.get(i));
            String address = hostPort[0] + ":" + hostPort[1];
            if (!seen.add(address)) {
                throw new IllegalArgumentException("node " + address + " is listed twice");
            }
            Node existing = reuse.get(address);
            opened[i] = existing != null ? existing : Node.tried(hostPort[0], Integer.parseInt(hostPort[1]), timeout);
        }
        return opened;
    }

    /**
     * Replaces the node list at run time. Nodes already in the list keep their connections; new
     * ones are connected (or marked down); dropped ones are closed. With jump hashing, appending a
     * node to a list of n moves 1/(n+1) of the keys (all to the new node) and removing the last
     * node moves only its keys; removing a node from the middle renumbers the ones after it, so
     * prefer to grow and shrink at the end (as a StatefulSet does).
     */
    public synchronized void setNodes(List<String> addresses) {
        if (!fleet) {
            throw new IllegalStateException("a client made by connect(host, port) serves one server; use connectNodes");
        }
        Map<String, Node> current = new LinkedHashMap<>();
        for (Node node : nodes) {
            current.put(node.address, node);
        }
        Node[] next = openNodes(addresses, timeout, current);
        for (Node node : next) {
            current.remove(node.address);
        }
        nodes = next;
        for (Node dropped : current.values()) {
            dropped.close();
        }
    }

    /** The node list, HOST:PORT each, in routing order. */
    public List<String> nodes() {
        List<String> list = new ArrayList<>();
        for (Node node : nodes) {
            list.add(node.address);
        }
        return list;
    }

    /** The node (HOST:PORT) that owns a key. */
    public String nodeOf(byte[] key) {
        return nodeFor(Routing.hash(key)).address;
    }

    /** Whether a node of the list is up (answering); false for an address not in the list. */
    public boolean isUp(String node) {
        for (Node n : nodes) {
            if (n.address.equals(node)) {
                return n.isUp();
            }
        }
        return false;
    }

    /** What the server (the first node of a list) announced in its handshake: ports, limits, TTL unit. */
    public ServerInfo serverInfo() {
        ServerInfo info = nodes[0].info();
        if (info == null) {
            throw new EntrocaException.NodeDown(nodes[0].address, "node " + nodes[0].address
                    + " was never reached: " + nodes[0].downReason(), null);
        }
        return info;
    }

    /** The port index, within its node, that owns a key. */
    public int portOf(byte[] key) {
        long hash = Routing.hash(key);
        ServerInfo info = nodeFor(hash).info();
        return Routing.portFor(hash, info == null ? 1 : info.portCount());
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

    /**
     * Removes every entry on every port of the server (of every node). A node that is down is not
     * flushed, so then this throws {@link EntrocaException.NodeDown} after flushing the others.
     */
    public void flush() {
        for (CompletableFuture<Reply> reply : everyPort(Opcode.FLUSH, true)) {
            expectOk(await(reply), "FLUSH");
        }
    }

    /**
     * A NOOP on every port; it returns once every request sent before it was answered, so it also
     * settles the quiet requests in flight. Nodes that are down are skipped (their quiet requests
     * failed already).
     */
    public void sync() {
        if (!fleet) {
            for (CompletableFuture<Reply> reply : everyPort(Opcode.NOOP, false)) {
                expectOk(await(reply), "NOOP");
            }
            return;
        }
        for (Node node : nodes) {
            if (!node.isUp()) {
                continue;
            }
            int generation = node.generation();
            try {
                for (CompletableFuture<Reply> reply : nodePorts(node, Opcode.NOOP)) {
                    expectOk(await(reply), "NOOP");
                }
            } catch (EntrocaException.ConnectionFailed | EntrocaException.Timeout e) {
                node.markDown(e.getMessage(), generation);
            }
        }
    }

    /**
     * Each port's statistics as name → value, in port order (for a node list: node by node, the
     * nodes that are up, each map with a "node" entry, HOST:PORT).
     */
    public List<Map<String, String>> stats() {
        List<Map<String, String>> all = new ArrayList<>();
        for (Node node : nodes) {
            if (fleet && !node.isUp()) {
                continue;
            }
            for (CompletableFuture<Reply> future : nodePorts(node, Opcode.STATS)) {
                Reply reply = await(future);
                expectOk(reply, "STATS");
                Map<String, String> stats = new LinkedHashMap<>();
                if (fleet) {
                    stats.put("node", node.address);
                }
                for (String line : PortConnection.text(reply.body()).split("\n")) {
                    int space = line.indexOf(' ');
                    if (space > 0) {
                        stats.put(line.substring(0, space), line.substring(space + 1));
                    }
                }
                all.add(stats);
            }
        }
        return all;
    }

    @Override
    public synchronized void close() {
        for (Node node : nodes) {
            node.close();
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private CompletableFuture<Reply> sendGet(byte[] key) {
        return keyed(Opcode.GET, 0, key, NONE, 0, 0);
    }

    private CompletableFuture<Reply> sendStore(byte[] key, byte[] value, Condition condition, long expectedVersion, Duration ttl) {
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

    private Node nodeFor(long hash) {
        Node[] table = nodes;
        return table[NodeRouting.nodeFor(hash, table.length)];
    }

    /**
     * Sends a keyed request to the port that owns it on the node that owns it. For a node list,
     * a node that is down answers at once (a miss for GET, {@link EntrocaException.NodeDown} for
     * the rest), and a request that finds the node gone marks it down and answers the same way.
     */
    private CompletableFuture<Reply> keyed(int opcode, int flags, byte[] key, byte[] value, int ttl, long version) {
        if (key.length == 0) {
            throw new IllegalArgumentException("key of 0 bytes; keys take 1 to " + anyInfo().maxKeyLength() + " bytes");
        }
        long hash = Routing.hash(key);
        Node node = nodeFor(hash);
        if (fleet && !node.isUp()) {
            return unavailable(node, opcode, null);
        }
        ServerInfo info = node.info();
        checkKey(key, info);
        if (opcode == Opcode.SET) {
            checkValue(value, info);
        }
        int port = Routing.portFor(hash, info.portCount());
        int generation = node.generation();
        CompletableFuture<Reply> reply;
        try {
            reply = node.connection(port).send(opcode, flags, key, hash, value, ttl, version,
                    System.nanoTime() + timeout.toNanos());
        } catch (EntrocaException.ConnectionFailed e) {
            if (!fleet) {
                throw e;
            }
            node.markDown(e.getMessage(), generation);
            return unavailable(node, opcode, e);
        }
        if (!fleet) {
            return reply;
        }
        return reply.handle((answer, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(answer);
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof TimeoutException || cause instanceof EntrocaException.ConnectionFailed) {
                node.markDown(cause instanceof TimeoutException ? "no reply within " + timeout : cause.getMessage(), generation);
                return unavailable(node, opcode, cause);
            }
            return CompletableFuture.<Reply>failedFuture(cause);
        }).thenCompose(java.util.function.Function.identity());
    }

    /** The answer of a node that is down: a miss for GET, {@link EntrocaException.NodeDown} for a write. */
    private static CompletableFuture<Reply> unavailable(Node node, int opcode, Throwable cause) {
        if (opcode == Opcode.GET) {
            return CompletableFuture.completedFuture(MISS);
        }
        return CompletableFuture.failedFuture(new EntrocaException.NodeDown(node.address, Opcode.name(opcode)
                + ": node " + node.address + " is down (" + node.downReason() + "); writes to its keys fail until it answers again",
                cause));
    }

    /** A request to every port of every node; for FLUSH a node that is down is a failure, else it is skipped. */
    private List<CompletableFuture<Reply>> everyPort(int opcode, boolean downIsFailure) {
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (Node node : nodes) {
            if (fleet && !node.isUp()) {
                if (downIsFailure) {
                    replies.add(unavailable(node, opcode, null));
                }
                continue;
            }
            replies.addAll(nodePorts(node, opcode));
        }
        return replies;
    }

    private List<CompletableFuture<Reply>> nodePorts(Node node, int opcode) {
        int ports = node.info().portCount();
        List<CompletableFuture<Reply>> replies = new ArrayList<>(ports);
        for (int port = 0; port < ports; port++) {
            try {
                replies.add(node.connection(port).send(opcode, 0, NONE, 0, NONE, 0, 0));
            } catch (EntrocaException.ConnectionFailed e) {
                if (!fleet) {
                    throw e;
                }
                node.markDown(e.getMessage());
                replies.add(CompletableFuture.failedFuture(e));
            }
        }
        return replies;
    }

    private static void checkKey(byte[] key, ServerInfo info) {
        if (key.length == 0 || key.length > info.maxKeyLength()) {
            throw new IllegalArgumentException("key of " + key.length + " bytes; this server takes 1 to "
                    + info.maxKeyLength());
        }
        if (info.fixedKeys() && key.length != info.maxKeyLength()) {
            throw new IllegalArgumentException("key of " + key.length + " bytes; this server's keys are all "
                    + info.maxKeyLength() + " bytes");
        }
    }

    private static void checkValue(byte[] value, ServerInfo info) {
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
        ServerInfo info = anyInfo();
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
            // A node list: each request fails itself after the timeout (and its node is then marked
            // down, a GET becoming a miss), so wait a little longer here to let that answer arrive.
            long waitNs = fleet ? timeout.toNanos() + Math.max(timeout.toNanos() / 2, 100_000_000L) : timeout.toNanos();
            return future.get(waitNs, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof EntrocaException entroca) {
                throw entroca;
            }
            if (cause instanceof TimeoutException) {
                throw new EntrocaException.Timeout("no reply from " + where() + " within " + timeout);
            }
            throw new EntrocaException("request failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new EntrocaException.Timeout("no reply from " + where() + " within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EntrocaException("interrupted while waiting for " + where(), e);
        }
    }

    /**
     * The handshake of the first node that was ever reached: the nodes of a fleet share one
     * configuration (TTL unit, limits), so any of them tells the TTL unit.
     */
    private ServerInfo anyInfo() {
        for (Node node : nodes) {
            ServerInfo info = node.info();
            if (info != null) {
                return info;
            }
        }
        return serverInfo();
    }

    private String where() {
        Node[] table = nodes;
        return table.length == 1 ? table[0].host : table.length + " nodes";
    }
}
