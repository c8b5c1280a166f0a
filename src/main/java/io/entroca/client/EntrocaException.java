package io.entroca.client;

import io.entroca.protocol.Status;

/**
 * A request failed. Each failure status of the protocol has its own subclass, so callers catch
 * exactly what they can handle (a lost compare-and-set race, say) and let the rest fly.
 */
public class EntrocaException extends RuntimeException {
    private final int status;

    public EntrocaException(int status, String message) {
        super(message);
        this.status = status;
    }

    public EntrocaException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
    }

    /** The protocol status, or -1 for failures that are not a server's answer (I/O, timeout). */
    public int status() {
        return status;
    }

    /** The exception for a failure status; {@code detail} is the server's message, if any. */
    static EntrocaException of(int status, String operation, String detail) {
        String message = operation + ": " + Status.name(status) + (detail.isEmpty() ? "" : " (" + detail + ")");
        return switch (status) {
            case Status.NOT_FOUND -> new KeyNotFound(message);
            case Status.EXISTS -> new KeyExists(message);
            case Status.VERSION_MISMATCH -> new VersionMismatch(message);
            case Status.TOO_LARGE -> new TooLarge(message);
            case Status.BAD_REQUEST, Status.UNKNOWN_OPCODE -> new BadRequest(status, message);
            case Status.WRONG_PORT -> new WrongPort(message);
            case Status.OUT_OF_MEMORY -> new ServerOutOfMemory(message);
            case Status.BUSY -> new Busy(message);
            default -> new EntrocaException(status, message);
        };
    }

    /** The key has no live entry (a replace, a compare-and-set). */
    public static final class KeyNotFound extends EntrocaException {
        KeyNotFound(String message) {
            super(Status.NOT_FOUND, message);
        }
    }

    /** An add found the key already there. */
    public static final class KeyExists extends EntrocaException {
        KeyExists(String message) {
            super(Status.EXISTS, message);
        }
    }

    /** A compare-and-set or versioned delete lost: the entry has another version now. */
    public static final class VersionMismatch extends EntrocaException {
        VersionMismatch(String message) {
            super(Status.VERSION_MISMATCH, message);
        }
    }

    /** The key or value is over the server's limits. */
    public static final class TooLarge extends EntrocaException {
        TooLarge(String message) {
            super(Status.TOO_LARGE, message);
        }
    }

    /** The server refused the request as malformed; a client bug or a version mismatch. */
    public static final class BadRequest extends EntrocaException {
        BadRequest(int status, String message) {
            super(status, message);
        }
    }

    /** The key was sent to a port that does not own it: client and server disagree on routing. */
    public static final class WrongPort extends EntrocaException {
        WrongPort(String message) {
            super(Status.WRONG_PORT, message);
        }
    }

    /** The server could not make room for the value. */
    public static final class ServerOutOfMemory extends EntrocaException {
        ServerOutOfMemory(String message) {
            super(Status.OUT_OF_MEMORY, message);
        }
    }

    /** The server is stopping; the request was not executed and may be retried elsewhere. */
    public static final class Busy extends EntrocaException {
        Busy(String message) {
            super(Status.BUSY, message);
        }
    }

    /** No answer within the timeout; the request may or may not have been executed. */
    public static final class Timeout extends EntrocaException {
        public Timeout(String message) {
            super(message, null);
        }
    }

    /** The connection could not be made or was lost; requests in flight on it failed. */
    public static final class ConnectionFailed extends EntrocaException {
        public ConnectionFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The node that owns the key is marked down (it stopped answering, or refused connections):
     * writes to its keys fail at once with this, without waiting, until it answers again. Only a
     * client of several nodes ({@link EntrocaClient#connectNodes}) marks nodes down.
     */
    public static final class NodeDown extends EntrocaException {
        private final String node;

        public NodeDown(String node, String message, Throwable cause) {
            super(message, cause);
            this.node = node;
        }

        /** The node's address, HOST:PORT, as the client was given it. */
        public String node() {
            return node;
        }
    }
}
