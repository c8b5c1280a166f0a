package io.entroca.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Checks a request header against the protocol and this server's limits before anything else
 * looks at the frame. It runs on the connection's thread, so a malformed frame never reaches
 * the owner thread, and it reads only the 32-byte header, so nothing is sized from a length
 * that has not been checked.
 *
 * <p>The answer is a <em>verdict</em>, an int: {@link #ACCEPT}, or an error status in the low 16
 * bits, a reason (an index into the fixed messages) above it, and {@link #CLOSE} when the stream
 * cannot be trusted past this frame (a bad magic, a value too long to skip).
 */
public final class RequestValidator {
    public static final int ACCEPT = 0;
    /** After answering, close the connection: the frame boundary is lost or too far away. */
    public static final int CLOSE = 1 << 30;

    private static final int REASON_SHIFT = 16;
    private static final int STATUS_MASK = 0xFFFF;

    private static final String[] REASONS = {
        "",
        "bad magic: not an Entroca v1 request frame",
        "value longer than this server's maximum value length",
        "unknown opcode",
        "reserved flag bits set",
        "this opcode cannot be quiet",
        "a SET condition on an opcode other than SET",
        "key length 0",
        "key longer than this server's maximum key length",
        "key length differs from this server's fixed key length",
        "this opcode takes no key and no value",
        "a value on an opcode other than SET",
        "value length differs from this server's fixed value length",
        "a ttl on an opcode other than SET or TOUCH",
        "a ttl sent to a server without TTL (handshake ttl unit 0)",
        "a version on a request that does not compare versions",
        "the hash routes to another port of this server",
    };
    private static final byte[][] REASON_BYTES = new byte[REASONS.length][];

    static {
        for (int i = 0; i < REASONS.length; i++) {
            REASON_BYTES[i] = REASONS[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    private final ServerInfo info;

    public RequestValidator(ServerInfo info) {
        this.info = info;
    }

    public ServerInfo info() {
        return info;
    }

    /**
     * Judges the header at {@code offset}; the caller guarantees {@link RequestHeader#LENGTH}
     * bytes are there. The frame's length ({@link RequestHeader#LENGTH} + key + value) is
     * trustworthy whenever the verdict has no {@link #CLOSE}.
     */
    public int check(byte[] b, int offset) {
        if (RequestHeader.magic(b, offset) != RequestHeader.MAGIC) {
            return reject(Status.BAD_REQUEST, 1) | CLOSE;
        }
        long valueLength = RequestHeader.valueLength(b, offset);
        if (valueLength > info.maxValueLength()) {
            return reject(Status.TOO_LARGE, 2) | CLOSE;
        }
        int opcode = RequestHeader.opcode(b, offset);
        if (!Opcode.isKnown(opcode)) {
            return reject(Status.UNKNOWN_OPCODE, 3);
        }
        int flags = RequestHeader.flags(b, offset);
        if ((flags & RequestHeader.RESERVED_FLAGS) != 0) {
            return reject(Status.BAD_REQUEST, 4);
        }
        if ((flags & RequestHeader.FLAG_QUIET) != 0 && !Opcode.mayBeQuiet(opcode)) {
            return reject(Status.BAD_REQUEST, 5);
        }
        int condition = (flags & RequestHeader.CONDITION_MASK) >>> RequestHeader.CONDITION_SHIFT;
        if (condition != 0 && opcode != Opcode.SET) {
            return reject(Status.BAD_REQUEST, 6);
        }
        int keyLength = RequestHeader.keyLength(b, offset);
        if (!Opcode.hasKey(opcode)) {
            return keyLength != 0 || valueLength != 0 || RequestHeader.ttl(b, offset) != 0
                    || RequestHeader.version(b, offset) != 0 ? reject(Status.BAD_REQUEST, 10) : ACCEPT;
        }
        int keyVerdict = checkKey(keyLength);
        if (keyVerdict != ACCEPT) {
            return keyVerdict;
        }
        if (opcode == Opcode.SET) {
            if (info.fixedValues() && valueLength != info.maxValueLength()) {
                return reject(Status.BAD_REQUEST, 12);
            }
        } else if (valueLength != 0) {
            return reject(Status.BAD_REQUEST, 11);
        }
        long ttl = RequestHeader.ttl(b, offset);
        if (ttl != 0) {
            if (opcode != Opcode.SET && opcode != Opcode.TOUCH) {
                return reject(Status.BAD_REQUEST, 13);
            }
            if (!info.ttlEnabled()) {
                return reject(Status.BAD_REQUEST, 14);
            }
        }
        boolean comparesVersion = opcode == Opcode.DELETE
                || (opcode == Opcode.SET && condition == RequestHeader.CONDITION_IF_VERSION);
        if (!comparesVersion && RequestHeader.version(b, offset) != 0) {
            return reject(Status.BAD_REQUEST, 15);
        }
        if (Routing.portFor(RequestHeader.hash(b, offset), info.portCount()) != info.portIndex()) {
            return reject(Status.WRONG_PORT, 16);
        }
        return ACCEPT;
    }

    private int checkKey(int keyLength) {
        if (keyLength == 0) {
            return reject(Status.BAD_REQUEST, 7);
        }
        if (keyLength > info.maxKeyLength()) {
            return reject(Status.TOO_LARGE, 8);
        }
        if (info.fixedKeys() && keyLength != info.maxKeyLength()) {
            return reject(Status.BAD_REQUEST, 9);
        }
        return ACCEPT;
    }

    private static int reject(int status, int reason) {
        return status | (reason << REASON_SHIFT);
    }

    public static int status(int verdict) {
        return verdict & STATUS_MASK;
    }

    public static boolean closes(int verdict) {
        return (verdict & CLOSE) != 0;
    }

    /** The message that goes in the error response's body; preallocated, so answering allocates nothing. */
    public static byte[] message(int verdict) {
        return REASON_BYTES[(verdict & ~CLOSE) >>> REASON_SHIFT];
    }
}
