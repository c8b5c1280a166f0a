package io.entroca.server;

/**
 * The unit that crosses from a connection's thread to its port's owner thread and back: the
 * complete frames of one read, already validated, and the buffer the owner writes the replies into.
 *
 * <p>Ownership passes with the batch, so nothing in it is shared. The connection fills every field
 * and then offers the batch to the mailbox (whose offer publishes the writes). From then until it
 * sees {@link #isCompleted()} the connection does not touch the batch; the owner answers frames
 * from {@link #next}, writes {@link #output}, and publishes its writes by {@link #complete()}. Each
 * connection owns one batch for its whole life and has at most one in flight, so the steady state
 * allocates nothing.
 */
final class RequestBatch {
    /** The connection's read buffer; frames start at {@link #frameOffsets}. Read-only for the owner. */
    byte[] input;
    final int[] frameOffsets;
    /** Per frame, the {@code RequestValidator} verdict: accept, or the error to answer with. */
    final int[] verdicts;
    int count;
    /** The first frame not answered yet: the owner stops early when the output buffer is full. */
    int next;

    /** Written by the owner; its capacity survives from batch to batch. */
    byte[] output;
    int outputLength;
    /**
     * Set by the owner when the next reply is larger than the whole output buffer: the owner
     * allocates nothing, the connection grows the buffer (within the frame memory) and hands the
     * batch back.
     */
    int outputNeeded;
    /** Set by the owner when executing failed: the connection sends what is written, then closes. */
    boolean failed;

    /** The connection's virtual thread, woken when the batch is completed. */
    final Thread connectionThread;
    private volatile boolean completed;

    RequestBatch(int maxFrames, int initialOutput, Thread connectionThread) {
        this.frameOffsets = new int[maxFrames];
        this.verdicts = new int[maxFrames];
        this.output = new byte[initialOutput];
        this.connectionThread = connectionThread;
    }

    /** Called from the connection thread: empties the batch for the next read. */
    void clear(byte[] input) {
        this.input = input;
        this.count = 0;
        this.next = 0;
    }

    boolean isFull() {
        return count == frameOffsets.length;
    }

    void add(int frameOffset, int verdict) {
        frameOffsets[count] = frameOffset;
        verdicts[count] = verdict;
        count++;
    }

    boolean hasUnanswered() {
        return next < count;
    }

    /** Called from the connection thread just before the batch is offered. */
    void beginRound() {
        outputLength = 0;
        outputNeeded = 0;
        failed = false;
        completed = false;
    }

    /** Called from the owner thread when it is done with the batch for this round. */
    void complete() {
        completed = true;
    }

    boolean isCompleted() {
        return completed;
    }
}
