package io.entroca.client;

import io.entroca.protocol.Handshake;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.ResponseHeader;
import io.entroca.protocol.ServerInfo;
import io.entroca.protocol.Status;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One pipelined connection to one port of a server. Any number of threads send through it; a
 * virtual thread reads the replies, which the server sends in request order, and completes each
 * request's future.
 *
 * <p>Writes are combined: a sender writes its frame into the buffered stream under the lock and
 * flushes only if no other sender is queued for the lock, so under load one system call carries
 * many frames, and the last sender always flushes.
 *
 * <p>Quiet requests get no reply when they succeed. They wait in the in-flight queue like any
 * other, and a reply to a later request proves they succeeded (replies are in order).
 */
final class PortConnection implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;
    /** Bodies that are not values (statistics, error messages) are small; this bounds them. */
    private static final int MAX_TEXT_BODY = 1 << 20;

    private final String address;
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final ServerInfo info;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending> inFlight = new ConcurrentLinkedQueue<>();
    private final byte[] header = new byte[RequestHeader.LENGTH];
    private int nextOpaque;
    private volatile EntrocaException failure;

    /** A request waiting for its reply; {@code deadline} is a System.nanoTime(), or NO_DEADLINE. */
    private record Pending(int opaque, boolean quiet, long deadline, CompletableFuture<Reply> reply) {
    }

    static final long NO_DEADLINE = Long.MAX_VALUE;
    /** The longest a request waits past its deadline before the sweep fails it. */
    private static final long SWEEP_PERIOD_NS = 10_000_000L;

    private PortConnection(String address, Socket socket, ServerInfo info) throws IOException {
        this.address = address;
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER));
        this.info = info;
        Thread.ofVirtual().name("entroca-client-reader-" + address).start(this::readReplies);
        Thread.ofVirtual().name("entroca-client-timeouts-" + address).start(this::sweepTimeouts);
    }

    /** Connects and completes the handshake, or fails with a message that says what went wrong. */
    static PortConnection open(String host, int port, Duration timeout) {
        String address = host + ":" + port;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            ServerInfo info = handshake(socket, address);
            socket.setSoTimeout(0);
            return new PortConnection(address, socket, info);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new EntrocaException.ConnectionFailed("cannot connect to " + address + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private static ServerInfo handshake(Socket socket, String address) throws IOException {
        socket.getOutputStream().write(Handshake.clientHello(Handshake.VERSION));
        socket.getOutputStream().flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] head = new byte[Handshake.SERVER_HEAD_LENGTH];
        in.readFully(head);
        if (!Handshake.hasMagic(head, 0)) {
            throw new EntrocaException.ConnectionFailed(address + " is not an Entroca server (bad handshake magic)", null);
        }
        int status = Handshake.serverStatus(head);
        if (status != Status.OK) {
            throw new EntrocaException.ConnectionFailed(address + " refused the handshake: " + Status.name(status)
                    + " (server speaks protocol version " + Handshake.serverVersion(head) + ", this client "
                    + Handshake.VERSION + ")", null);
        }
        long bodyLength = Handshake.serverBodyLength(head);
        if (bodyLength < Handshake.SERVER_BODY_LENGTH || bodyLength > Handshake.MAX_SERVER_BODY_LENGTH) {
            throw new EntrocaException.ConnectionFailed(address + " sent a handshake body of " + bodyLength + " bytes", null);
        }
        byte[] body = new byte[(int) bodyLength];
        in.readFully(body);
        return Handshake.parseServerBody(body);
    }

    ServerInfo info() {
        return info;
    }

    boolean isBroken() {
        return failure != null;
    }

    /** Sends one request without a deadline: see {@link #send(int, int, byte[], long, byte[], int, long, long)}. */
    CompletableFuture<Reply> send(int opcode, int flags, byte[] key, long hash, byte[] value, int ttl, long version) {
        return send(opcode, flags, key, hash, value, ttl, version, NO_DEADLINE);
    }

    /**
     * Sends one request. The future completes with the reply (quiet requests: when a later reply
     * proves they succeeded), exceptionally when the connection fails, and with a
     * {@link TimeoutException} once {@code deadline} (a System.nanoTime()) has passed without a
     * reply, within {@value #SWEEP_PERIOD_NS} ns. One sweeper per connection checks the deadlines,
     * instead of a timer per request ({@code orTimeout}), which cost a timer task and a wake-up of
     * the scheduler's delay thread per request (docs/results.md, "Where the time goes").
     */
    CompletableFuture<Reply> send(int opcode, int flags, byte[] key, long hash, byte[] value, int ttl, long version,
                                  long deadline) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        boolean quiet = (flags & RequestHeader.FLAG_QUIET) != 0;
        writeLock.lock();
        try {
            if (failure != null) {
                reply.completeExceptionally(failure);
                return reply;
            }
            int opaque = nextOpaque++;
            inFlight.add(new Pending(opaque, quiet, deadline, reply));
            RequestHeader.write(header, 0, opcode, flags, key.length, value.length, opaque, ttl, hash, version);
            out.write(header);
            out.write(key);
            out.write(value);
            if (!writeLock.hasQueuedThreads()) {
                out.flush();
            }
        } catch (IOException e) {
            fail(new EntrocaException.ConnectionFailed("write to " + address + " failed: " + e.getMessage(), e));
        } finally {
            writeLock.unlock();
        }
        return reply;
    }

    private void readReplies() {
        byte[] head = new byte[ResponseHeader.LENGTH];
        long maxBody = Math.max((long) info.maxValueLength(), MAX_TEXT_BODY);
        try {
            while (true) {
                in.readFully(head);
                if (ResponseHeader.magic(head, 0) != ResponseHeader.MAGIC) {
                    throw new IOException("bad response magic from " + address);
                }
                long bodyLength = ResponseHeader.bodyLength(head, 0);
                if (bodyLength > maxBody) {
                    throw new IOException("response body of " + bodyLength + " bytes from " + address);
                }
                byte[] body = bodyLength == 0 ? Reply.EMPTY : new byte[(int) bodyLength];
                in.readFully(body);
                deliver(ResponseHeader.opaque(head, 0),
                        new Reply(ResponseHeader.status(head, 0), ResponseHeader.version(head, 0), body));
            }
        } catch (EOFException e) {
            fail(new EntrocaException.ConnectionFailed("connection to " + address + " closed by the server", e));
        } catch (IOException e) {
            fail(new EntrocaException.ConnectionFailed("connection to " + address + " failed: " + e.getMessage(), e));
        }
    }

    /**
     * Fails every request whose deadline has passed, every {@value #SWEEP_PERIOD_NS} ns, until the
     * connection fails or closes. Requests are queued in send order and share one timeout, so the
     * sweep stops at the first request still within its deadline. A reply that arrives after its
     * request timed out is still matched and dropped, as before.
     */
    private void sweepTimeouts() {
        while (failure == null) {
            try {
                Thread.sleep(Duration.ofNanos(SWEEP_PERIOD_NS));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Pending pending : inFlight) {
                if (pending.deadline() == NO_DEADLINE) {
                    continue;
                }
                if (pending.deadline() - now > 0) {
                    break;
                }
                if (!pending.reply().isDone()) {
                    pending.reply().completeExceptionally(new TimeoutException());
                }
            }
        }
    }

    private void deliver(int opaque, Reply reply) throws IOException {
        while (true) {
            Pending pending = inFlight.poll();
            if (pending == null) {
                throw new IOException("reply with opaque " + opaque + " from " + address + " matches no request");
            }
            if (pending.opaque() == opaque) {
                pending.reply().complete(reply);
                return;
            }
            if (!pending.quiet()) {
                pending.reply().completeExceptionally(new EntrocaException.ConnectionFailed(
                        "the server skipped the reply to request " + pending.opaque() + " on " + address, null));
                throw new IOException("replies out of order on " + address);
            }
            pending.reply().complete(Reply.QUIET_OK);
        }
    }

    private void fail(EntrocaException cause) {
        if (failure == null) {
            failure = cause;
        }
        closeQuietly(socket);
        // Emptied under the write lock, so that no sender adds a request after the queue is
        // emptied (senders check the failure under the same lock); completed outside it, because
        // completing runs callers' callbacks, which must not run holding this lock.
        List<Pending> failed = new ArrayList<>();
        writeLock.lock();
        try {
            for (Pending pending; (pending = inFlight.poll()) != null; ) {
                failed.add(pending);
            }
        } finally {
            writeLock.unlock();
        }
        for (Pending pending : failed) {
            pending.reply().completeExceptionally(failure);
        }
    }

    @Override
    public void close() {
        fail(new EntrocaException.ConnectionFailed("connection to " + address + " closed by the client", null));
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort: the socket is being abandoned either way.
        }
    }
}
