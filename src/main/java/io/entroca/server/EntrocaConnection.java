package io.entroca.server;

import io.entroca.protocol.Handshake;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.RequestValidator;
import io.entroca.protocol.ResponseHeader;
import io.entroca.protocol.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection on a data port, run by Helidon on a virtual thread of its own.
 *
 * <p>It does all the I/O and all the checking: it reads bytes, cuts them into frames, validates
 * each header, hands the complete frames of a read to the port's owner as one
 * {@link RequestBatch}, waits for the owner to fill in the replies, and writes them back in one
 * write. The owner thread never reads a socket, never parses a length and never waits for a
 * client, so a slow or hostile client can only slow itself down.
 *
 * <p>Every buffer is sized from a length the validator has already accepted, and the read buffer
 * never grows past the largest frame the server accepts.
 */
final class EntrocaConnection implements ServerConnection {
    private static final Logger LOG = Logger.getLogger(EntrocaConnection.class.getName());
    /**
     * An idle connection holds little: about 4 KiB of its own buffers (a server holds thousands of
     * connections on a small heap). Pipelined traffic that fills a buffer doubles it, up to
     * {@link #BATCH_BUFFER}, so that one hand-off carries a whole burst; a buffer that grew past
     * that for one large frame goes back to it once the frame is answered.
     */
    private static final int INITIAL_INPUT = 2 * 1024;
    private static final int INITIAL_OUTPUT = 2 * 1024;
    private static final int BATCH_BUFFER = 16 * 1024;
    private static final long OUTPUT_WAIT_MS = 100;
    /** Helidon's share per connection, measured with 4,000 idle connections: its read buffer, streams, the virtual thread's stack. */
    private static final int HELIDON_PER_CONNECTION = 25 * 1024;

    /** The batch's frame offsets and verdicts: two int arrays of the default 256 frames. */
    private static final int BATCH_ARRAYS = 2 * 1024;

    /**
     * The heap one connection may hold while it pipelines small frames: both buffers at their batch
     * size, the batch's arrays and Helidon's share. (Frames and replies larger than the batch
     * buffer come from the server's {@link FrameMemory} on top.)
     */
    static long heapPerBusyConnection() {
        return 2L * BATCH_BUFFER + BATCH_ARRAYS + HELIDON_PER_CONNECTION;
    }

    private static final int SPINS_BEFORE_BACKOFF = 64;
    private static final long MAILBOX_BACKOFF_NS = 20_000;

    /** Reading or parsing: close() may close the socket at once. */
    private static final int READING = 0;
    /** A batch is with the owner or its replies are being written: close() waits for it. */
    private static final int EXECUTING = 1;
    private static final int CLOSED = 2;

    private final ConnectionContext context;
    private final DataReader reader;
    private final PortOwner owner;
    private final RequestValidator validator;
    private final FrameMemory frameMemory;
    private final byte[] serverHello;
    private final int batchRequests;
    private final int maxFrameLength;

    private final AtomicInteger state = new AtomicInteger(READING);
    private volatile boolean closeRequested;
    private volatile long lastActivityNs = System.nanoTime();

    private byte[] in = new byte[INITIAL_INPUT];
    /** Unconsumed input is {@code in[start, end)}. */
    private int start;
    private int end;
    private RequestBatch batch;
    /** Bytes of {@link #frameMemory} this connection holds: its input buffer beyond the batch size. */
    private long heldFrameBytes;
    /** The same for its output buffer, while it answers a reply larger than the batch size. */
    private long heldOutputBytes;

    EntrocaConnection(ConnectionContext context, PortOwner owner, RequestValidator validator, int batchRequests,
                      FrameMemory frameMemory) {
        this.context = context;
        this.reader = context.dataReader();
        this.owner = owner;
        this.validator = validator;
        this.frameMemory = frameMemory;
        this.serverHello = Handshake.serverHello(validator.info());
        this.batchRequests = batchRequests;
        this.maxFrameLength = (int) Math.min(Integer.MAX_VALUE - 16, validator.info().maxRequestFrame());
    }

    @Override
    public void handle(Limit limit) {
        batch = new RequestBatch(batchRequests, INITIAL_OUTPUT, Thread.currentThread());
        try {
            if (handshake()) {
                serve();
            }
        } catch (DataReader.InsufficientDataAvailableException | UncheckedIOException e) {
            // The peer closed or reset the connection, or close() closed it: nothing left to answer.
            LOG.log(Level.FINE, "connection ended", e);
        } finally {
            state.set(CLOSED);
            frameMemory.give(heldFrameBytes + heldOutputBytes);
            heldFrameBytes = 0;
            heldOutputBytes = 0;
        }
    }

    @Override
    public Duration idleTime() {
        return Duration.ofNanos(System.nanoTime() - lastActivityNs);
    }

    /**
     * Called by Helidon from another thread (idle timeout, server stop). A connection that is
     * reading is closed at once; one whose batch is with the owner answers that batch first.
     */
    @Override
    public void close(boolean interrupt) {
        closeRequested = true;
        if (state.compareAndSet(READING, CLOSED)) {
            try {
                context.serverSocket().close();
            } catch (UncheckedIOException alreadyClosed) {
                // The peer closed first and this connection's thread has not finished yet: the
                // socket is gone either way, and a server that is stopping must not fail on it.
                LOG.log(Level.FINE, "socket already closed", alreadyClosed);
            }
        }
    }

    private boolean handshake() {
        fill(Handshake.CLIENT_HELLO_LENGTH);
        int version = Handshake.clientVersion(in, start);
        if (version < 0) {
            write(Handshake.serverRefusal(Status.BAD_REQUEST));
            return false;
        }
        if (version != Handshake.VERSION) {
            write(Handshake.serverRefusal(Status.UNSUPPORTED_VERSION));
            return false;
        }
        start += Handshake.CLIENT_HELLO_LENGTH;
        write(serverHello);
        return true;
    }

    private void serve() {
        while (true) {
            batch.clear(in);
            int position = start;
            int needed = 0;
            boolean closeAfter = false;
            while (!batch.isFull()) {
                int available = end - position;
                if (available < RequestHeader.LENGTH) {
                    needed = RequestHeader.LENGTH;
                    break;
                }
                int verdict = validator.check(in, position);
                if (RequestValidator.closes(verdict)) {
                    batch.add(position, verdict);
                    closeAfter = true;
                    break;
                }
                // Safe: the validator bounded the value length by the server's maximum.
                int frameLength = RequestHeader.LENGTH + RequestHeader.keyLength(in, position)
                        + (int) RequestHeader.valueLength(in, position);
                if (available < frameLength) {
                    needed = frameLength;
                    break;
                }
                batch.add(position, verdict);
                position += frameLength;
            }
            if (batch.count > 0) {
                if (!execute()) {
                    return;
                }
                start = position;
                if (start == end && in.length > BATCH_BUFFER) {
                    in = new byte[BATCH_BUFFER];
                    start = end = 0;
                    frameMemory.give(heldFrameBytes);
                    heldFrameBytes = 0;
                }
                if (closeAfter) {
                    return;
                }
                continue;
            }
            if (closeRequested) {
                return;
            }
            fill(needed);
        }
    }

    /**
     * Hands the batch to the owner, round after round until every frame is answered, writing each
     * round's replies as one write.
     *
     * @return false when the connection must close
     */
    private boolean execute() {
        if (!state.compareAndSet(READING, EXECUTING)) {
            return false;
        }
        do {
            batch.beginRound();
            if (!submit() || !awaitOwner()) {
                answerBusy();
                write(batch.output, 0, batch.outputLength);
                return false;
            }
            if (batch.outputLength > 0) {
                write(batch.output, 0, batch.outputLength);
            }
            if (batch.failed) {
                return false;
            }
            if (batch.hasUnanswered()) {
                growOutput();
            }
        } while (batch.hasUnanswered());
        if (frameMemory.scarce()) {
            releaseLargeOutput();
        }
        return state.compareAndSet(EXECUTING, READING);
    }

    /** Offers the batch, waiting while the mailbox is full: backpressure, never a drop. */
    private boolean submit() {
        int attempts = 0;
        while (owner.isAccepting()) {
            if (owner.offer(batch)) {
                return true;
            }
            if (attempts++ == 0) {
                owner.counters().onMailboxFull();
            }
            if (attempts < SPINS_BEFORE_BACKOFF) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, MAILBOX_BACKOFF_NS);
            }
        }
        return false;
    }

    /**
     * Waits for the owner to complete the batch; false only if the owner is gone without doing so.
     * The park is untimed: the owner wakes this thread when it completes the batch, and also when
     * it exits without completing it (see PortOwner). A timed park here cost a timer task per
     * request in the virtual-thread scheduler (docs/results.md, "Where the time goes").
     */
    private boolean awaitOwner() {
        while (!batch.isCompleted()) {
            if (owner.hasExited()) {
                return batch.isCompleted();
            }
            LockSupport.park(this);
            // An interrupt (server stop) must not turn this wait into a spin: the batch is the
            // owner's until it completes it, so keep waiting, and let the stop close us afterwards.
            if (Thread.interrupted()) {
                closeRequested = true;
            }
        }
        return true;
    }

    /** The server is stopping: every request of the batch not answered yet gets BUSY. */
    private void answerBusy() {
        int needed = (batch.count - batch.next) * ResponseHeader.LENGTH;
        if (batch.output.length < needed) {
            batch.output = Arrays.copyOf(batch.output, needed);
        }
        batch.outputLength = 0;
        for (int i = batch.next; i < batch.count; i++) {
            int frame = batch.frameOffsets[i];
            ResponseHeader.write(batch.output, batch.outputLength, RequestHeader.opcode(in, frame), Status.BUSY, 0,
                    RequestHeader.opaque(in, frame), 0);
            batch.outputLength += ResponseHeader.LENGTH;
        }
    }

    /** Reads until at least {@code needed} unconsumed bytes are buffered. */
    private void fill(int needed) {
        if (start > 0) {
            System.arraycopy(in, start, in, 0, end - start);
            end -= start;
            start = 0;
        }
        if (in.length < needed) {
            int size = Math.min(Math.max(needed, in.length * 2), Math.max(needed, maxFrameLength));
            holdFrameMemory(size);
            in = Arrays.copyOf(in, size);
        } else if (in.length < BATCH_BUFFER && in.length - end < reader.available()) {
            // More pipelined input waits than the buffer takes: take more per batch from now on.
            in = Arrays.copyOf(in, Math.min(BATCH_BUFFER, in.length * 2));
        }
        while (end < needed) {
            if (reader.available() == 0) {
                if (frameMemory.scarce()) {
                    releaseLargeOutput(); // before waiting for the client, which may take long
                }
                reader.pullData();
            }
            int n = Math.min(reader.available(), in.length - end);
            reader.readBuffer(n).read(in, end, n);
            end += n;
        }
        lastActivityNs = System.nanoTime();
    }

    /**
     * The replies did not fit: doubles the output buffer up to the batch size, or, for one reply
     * larger than that, sizes it for the reply with bytes from the frame memory. When the frame
     * memory stays taken for {@value #OUTPUT_WAIT_MS} ms, that request is answered BUSY (it was not
     * executed; the client may retry) rather than wait while holding its own input.
     */
    private void growOutput() {
        int needed = batch.outputNeeded;
        if (needed <= batch.output.length) {
            if (batch.output.length < BATCH_BUFFER) {
                batch.output = new byte[Math.min(BATCH_BUFFER, batch.output.length * 2)];
            }
            return;
        }
        long more = Math.max(0, needed - BATCH_BUFFER) - heldOutputBytes;
        long giveUpAt = System.nanoTime() + OUTPUT_WAIT_MS * 1_000_000;
        if (more > 0 && !frameMemory.take(more, () -> closeRequested || System.nanoTime() > giveUpAt)) {
            int frame = batch.frameOffsets[batch.next];
            ResponseHeader.write(batch.output, 0, RequestHeader.opcode(in, frame), Status.BUSY, 0,
                    RequestHeader.opaque(in, frame), 0);
            write(batch.output, 0, ResponseHeader.LENGTH);
            batch.next++;
            return;
        }
        heldOutputBytes += Math.max(0, more);
        batch.output = new byte[needed];
    }

    /**
     * A reply buffer grown for a large value is kept while the frame memory is plentiful (the next
     * large GET then needs no extra round to the owner: 6.3k instead of 4.9k GETs/s of 64 KiB values
     * at one in flight, {@code ./entroca bench --keys 1000 --value-size 65536 --gets 100 --conns 1
     * --pipeline 1}) and given back once it is scarce.
     */
    private void releaseLargeOutput() {
        if (batch.output.length > BATCH_BUFFER) {
            batch.output = new byte[BATCH_BUFFER];
            frameMemory.give(heldOutputBytes);
            heldOutputBytes = 0;
        }
    }

    /**
     * Takes from the server's frame memory what an input buffer of {@code size} needs beyond the
     * batch size, waiting (and reading nothing) while other connections hold it.
     */
    private void holdFrameMemory(int size) {
        long more = Math.max(0, size - BATCH_BUFFER) - heldFrameBytes;
        if (more <= 0) {
            return;
        }
        if (!frameMemory.take(more, () -> closeRequested)) {
            throw new UncheckedIOException(new java.io.IOException("closed while waiting for frame memory"));
        }
        heldFrameBytes += more;
    }

    private void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    private void write(byte[] bytes, int offset, int length) {
        context.dataWriter().writeNow(BufferData.create(bytes, offset, length));
        lastActivityNs = System.nanoTime();
    }
}
