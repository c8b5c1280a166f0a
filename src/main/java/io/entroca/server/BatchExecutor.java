package io.entroca.server;

import io.entroca.protocol.Opcode;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.RequestValidator;
import io.entroca.protocol.ResponseHeader;
import io.entroca.protocol.Status;
import io.entroca.store.Outcome;
import io.entroca.store.Store;
import io.entroca.store.StoreStats;

import java.nio.charset.StandardCharsets;

/**
 * Executes the frames of a batch against one store and writes their replies, in request order,
 * into the batch's output. Runs on the owner thread only. Frames arrive validated, so nothing here
 * re-checks lengths; a frame the connection rejected is answered with its error, in its place.
 */
final class BatchExecutor {
    private final Store store;
    private final long ttlUnitMs;
    private final int portIndex;
    private final OwnerCounters counters;

    BatchExecutor(Store store, long ttlUnitMs, int portIndex, OwnerCounters counters) {
        this.store = store;
        this.ttlUnitMs = ttlUnitMs;
        this.portIndex = portIndex;
        this.counters = counters;
    }

    /**
     * Answers frames from {@code batch.next} on, stopping early when the next reply would not fit
     * in the output buffer (if it would not fit even an empty one, saying how much it needs).
     */
    void execute(RequestBatch batch) {
        byte[] in = batch.input;
        while (batch.next < batch.count) {
            int frame = batch.frameOffsets[batch.next];
            int verdict = batch.verdicts[batch.next];
            boolean answered = verdict == RequestValidator.ACCEPT
                    ? executeAccepted(batch, in, frame)
                    : writeError(batch, RequestHeader.opcode(in, frame), RequestValidator.status(verdict),
                            RequestHeader.opaque(in, frame), RequestValidator.message(verdict));
            if (!answered) {
                return;
            }
            batch.next++;
        }
    }

    /** @return false when the reply did not fit and the batch must continue in a later round */
    private boolean executeAccepted(RequestBatch batch, byte[] in, int frame) {
        int opcode = RequestHeader.opcode(in, frame);
        int opaque = RequestHeader.opaque(in, frame);
        long hash = RequestHeader.hash(in, frame);
        int keyOffset = RequestHeader.keyOffset(frame);
        int keyLength = RequestHeader.keyLength(in, frame);
        counters.operations[opcode]++;
        if (opcode <= Opcode.TOUCH) {
            counters.hotKeys.maybeSample(hash, in, keyOffset, keyLength);
        }
        switch (opcode) {
            case Opcode.GET -> {
                long entry = store.find(hash, in, keyOffset, keyLength);
                if (entry < 0) {
                    return writeHeaderOnly(batch, opcode, Status.NOT_FOUND, opaque, 0);
                }
                int valueLength = store.valueLength(entry);
                if (!reserve(batch, ResponseHeader.LENGTH + valueLength)) {
                    return false;
                }
                int at = batch.outputLength;
                ResponseHeader.write(batch.output, at, opcode, Status.OK, valueLength, opaque, store.version(entry));
                store.copyValue(entry, batch.output, at + ResponseHeader.LENGTH);
                batch.outputLength = at + ResponseHeader.LENGTH + valueLength;
                return true;
            }
            case Opcode.SET -> {
                long result = store.set(hash, in, keyOffset, keyLength,
                        in, keyOffset + keyLength, (int) RequestHeader.valueLength(in, frame),
                        RequestHeader.condition(in, frame), RequestHeader.version(in, frame),
                        RequestHeader.ttl(in, frame) * ttlUnitMs);
                return answerWrite(batch, in, frame, opcode, opaque, result);
            }
            case Opcode.DELETE -> {
                int result = store.delete(hash, in, keyOffset, keyLength, RequestHeader.version(in, frame));
                return answerWrite(batch, in, frame, opcode, opaque, result);
            }
            case Opcode.TOUCH -> {
                long result = store.touch(hash, in, keyOffset, keyLength, RequestHeader.ttl(in, frame) * ttlUnitMs);
                return answerWrite(batch, in, frame, opcode, opaque, result);
            }
            case Opcode.FLUSH -> {
                store.flush();
                return writeHeaderOnly(batch, opcode, Status.OK, opaque, 0);
            }
            case Opcode.NOOP -> {
                return writeHeaderOnly(batch, opcode, Status.OK, opaque, 0);
            }
            case Opcode.STATS -> {
                byte[] text = statsText();
                if (!reserve(batch, ResponseHeader.LENGTH + text.length)) {
                    return false;
                }
                ResponseHeader.write(batch.output, batch.outputLength, opcode, Status.OK, text.length, opaque, 0);
                System.arraycopy(text, 0, batch.output, batch.outputLength + ResponseHeader.LENGTH, text.length);
                batch.outputLength += ResponseHeader.LENGTH + text.length;
                return true;
            }
            default -> throw new IllegalStateException("validated frame with opcode " + opcode);
        }
    }

    /** SET, DELETE and TOUCH: a version on success (nothing at all when quiet), a status on failure. */
    private boolean answerWrite(RequestBatch batch, byte[] in, int frame, int opcode, int opaque, long result) {
        if (result >= 0) {
            if (RequestHeader.quiet(in, frame)) {
                return true;
            }
            long version = opcode == Opcode.DELETE ? 0 : result;
            return writeHeaderOnly(batch, opcode, Status.OK, opaque, version);
        }
        return writeHeaderOnly(batch, opcode, statusOf(result), opaque, 0);
    }

    static int statusOf(long outcome) {
        return switch ((int) outcome) {
            case Outcome.NOT_FOUND -> Status.NOT_FOUND;
            case Outcome.EXISTS -> Status.EXISTS;
            case Outcome.VERSION_MISMATCH -> Status.VERSION_MISMATCH;
            case Outcome.TOO_LARGE -> Status.TOO_LARGE;
            case Outcome.OUT_OF_MEMORY -> Status.OUT_OF_MEMORY;
            default -> Status.INTERNAL_ERROR;
        };
    }

    private boolean writeHeaderOnly(RequestBatch batch, int opcode, int status, int opaque, long version) {
        if (!reserve(batch, ResponseHeader.LENGTH)) {
            return false;
        }
        ResponseHeader.write(batch.output, batch.outputLength, opcode, status, 0, opaque, version);
        batch.outputLength += ResponseHeader.LENGTH;
        return true;
    }

    private boolean writeError(RequestBatch batch, int opcode, int status, int opaque, byte[] message) {
        if (!reserve(batch, ResponseHeader.LENGTH + message.length)) {
            return false;
        }
        counters.errors++;
        ResponseHeader.write(batch.output, batch.outputLength, opcode, status, message.length, opaque, 0);
        System.arraycopy(message, 0, batch.output, batch.outputLength + ResponseHeader.LENGTH, message.length);
        batch.outputLength += ResponseHeader.LENGTH + message.length;
        return true;
    }

    /**
     * Makes room for a reply. A reply that does not fit waits for the next round, so a batch of
     * large values never needs more than one value's worth of buffer. A reply larger than the
     * whole buffer is left to the connection, which grows the buffer: the owner allocates nothing.
     */
    private static boolean reserve(RequestBatch batch, int bytes) {
        if (batch.output.length - batch.outputLength >= bytes) {
            return true;
        }
        if (batch.outputLength == 0) {
            batch.outputNeeded = bytes;
        }
        return false;
    }

    /** The STATS body: "name value" lines, stable names, so scripts can grep them. */
    private byte[] statsText() {
        StoreStats s = store.stats();
        StringBuilder text = new StringBuilder(512)
                .append("port ").append(portIndex).append('\n')
                .append("items ").append(s.items).append('\n')
                .append("payload_bytes ").append(s.payloadBytes).append('\n')
                .append("allocated_bytes ").append(s.allocatedBytes).append('\n')
                .append("capacity_bytes ").append(s.capacityBytes).append('\n')
                .append("arena_bytes ").append(s.arenaBytes).append('\n')
                .append("fragmentation ").append(String.format("%.3f", s.fragmentation())).append('\n')
                .append("hits ").append(s.hits).append('\n')
                .append("misses ").append(s.misses).append('\n')
                .append("sets ").append(s.sets).append('\n')
                .append("deletes ").append(s.deletes).append('\n')
                .append("evictions ").append(s.evictions).append('\n')
                .append("expirations ").append(s.expirations).append('\n')
                .append("rejections ").append(s.rejections).append('\n')
                .append("page_reclaims ").append(s.pageReclaims).append('\n');
        for (int opcode = Opcode.GET; opcode <= Opcode.STATS; opcode++) {
            text.append("ops_").append(Opcode.name(opcode).toLowerCase()).append(' ')
                    .append(counters.operations[opcode]).append('\n');
        }
        text.append("request_errors ").append(counters.errors).append('\n')
                .append("batches ").append(counters.batches).append('\n')
                .append("mailbox_full_waits ").append(counters.mailboxFullWaits()).append('\n');
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
