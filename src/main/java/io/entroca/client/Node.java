package io.entroca.client;

import io.entroca.protocol.ServerInfo;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * One server in a client's node list: its connections, one per port, and whether it is up.
 *
 * <p>A node is up while it answers. When a request to it fails because its connection broke or
 * no reply came within the client's timeout, the client marks it down: it closes the node's
 * connections (failing what was in flight on them), and from then on the client does not send
 * to it at all. A virtual thread then tries a handshake every {@link #RETRY_INTERVAL}, and the
 * node is up again as soon as one succeeds. Up implies a known {@link ServerInfo}.
 */
final class Node implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Node.class.getName());
    /** How often a down node is tried again. */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

    final String address;
    final String host;
    final int port;
    private final Duration timeout;

    private volatile ServerInfo info;
    private int basePort;
    private PortConnection[] connections;
    private volatile boolean down;
    /** Bumped each time the node is (re)connected, so a failure seen on an older connection cannot mark a node that came back down. */
    private volatile int generation;
    private volatile String downReason;
    private Thread prober;
    private volatile boolean closed;

    private Node(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.address = host + ":" + port;
        this.timeout = timeout;
    }

    /** A node reached through an open first connection. */
    static Node connected(String host, int port, Duration timeout, PortConnection first) {
        Node node = new Node(host, port, timeout);
        closeAll(node.adopt(first));
        return node;
    }

    /** A node tried once now: up if its handshake succeeds, else down and retried in the background. */
    static Node tried(String host, int port, Duration timeout) {
        Node node = new Node(host, port, timeout);
        try {
            closeAll(node.adopt(PortConnection.open(host, port, timeout)));
        } catch (EntrocaException e) {
            node.markDown(e.getMessage());
        }
        return node;
    }

    /** Parses HOST:PORT (a bracketed IPv6 address too: [::1]:7400). */
    static String[] split(String address) {
        String a = address.trim();
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) {
            throw new IllegalArgumentException("node '" + address + "': expected HOST:PORT");
        }
        String host = a.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(a.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new String[] {host, String.valueOf(port)};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("node '" + address + "': the port must be 1 to 65535");
        }
    }

    /**
     * Installs a fresh first connection. Replaced connections are closed by the caller, outside
     * this node's lock: closing one fails its requests, whose callbacks may come back here.
     */
    private synchronized PortConnection[] adopt(PortConnection first) {
        ServerInfo announced = first.info();
        PortConnection[] fresh = new PortConnection[announced.portCount()];
        fresh[announced.portIndex()] = first;
        PortConnection[] old = connections;
        connections = fresh;
        basePort = port - announced.portIndex();
        info = announced;
        generation++;
        return old;
    }

    /**
     * Closes connections. Never call it holding this node's lock: a connection completes its
     * failed requests while holding its own write lock, and their callbacks may mark this node
     * down, which takes the node's lock; closing under the node's lock would wait for that write
     * lock the other way round.
     */
    private static void closeAll(PortConnection[] connections) {
        if (connections != null) {
            for (PortConnection c : connections) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** What the node announced; null only for a node that was never reached. */
    ServerInfo info() {
        return info;
    }

    boolean isUp() {
        return !down && info != null;
    }

    int generation() {
        return generation;
    }

    String downReason() {
        return downReason;
    }

    /** The connection to one of this node's ports, opened on first use and again after it broke. */
    synchronized PortConnection connection(int portIndex) {
        if (portIndex >= connections.length) {
            throw new EntrocaException.ConnectionFailed("node " + address + " now has " + connections.length
                    + " ports, not " + (portIndex + 1) + "; retry", null);
        }
        PortConnection connection = connections[portIndex];
        if (connection == null || connection.isBroken()) {
            connection = PortConnection.open(host, basePort + portIndex, timeout);
            connections[portIndex] = connection;
        }
        return connection;
    }

    /** Marks the node down (once), closes its connections and starts trying it again in the background. */
    void markDown(String reason) {
        markDown(reason, generation);
    }

    /** As {@link #markDown(String)}, unless the node was reconnected since {@code seenGeneration}. */
    void markDown(String reason, int seenGeneration) {
        PortConnection[] toClose;
        synchronized (this) {
            if (down || closed || seenGeneration != generation) {
                return;
            }
            down = true;
            downReason = reason;
            toClose = connections == null ? null : connections.clone();
            prober = Thread.ofVirtual().name("entroca-node-probe-" + address).start(this::probeUntilUp);
        }
        closeAll(toClose);
        LOG.warning("node " + address + " marked down: " + reason);
    }

    private void probeUntilUp() {
        while (!closed) {
            try {
                Thread.sleep(RETRY_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            try {
                PortConnection first = PortConnection.open(host, port, timeout);
                PortConnection[] replaced;
                synchronized (this) {
                    if (closed) {
                        replaced = new PortConnection[] {first};
                    } else {
                        replaced = adopt(first);
                        down = false;
                        downReason = null;
                    }
                }
                closeAll(replaced);
                if (closed) {
                    return;
                }
                LOG.info("node " + address + " answers again");
                return;
            } catch (EntrocaException e) {
                downReason = e.getMessage();
            }
        }
    }

    @Override
    public void close() {
        Thread p;
        PortConnection[] toClose;
        synchronized (this) {
            closed = true;
            p = prober;
            toClose = connections;
        }
        closeAll(toClose);
        if (p != null) {
            p.interrupt();
        }
    }
}
