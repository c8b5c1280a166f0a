package io.entroca.protocol;

/** The status of a response; docs/protocol.md says when each is sent. */
public final class Status {
    public static final int OK = 0x0000;
    public static final int NOT_FOUND = 0x0001;
    /** A SET that must not overwrite (IF_ABSENT) found a live entry. */
    public static final int EXISTS = 0x0002;
    /** The entry's version is not the one the request named. */
    public static final int VERSION_MISMATCH = 0x0003;
    /** A key or value is longer than the server accepts. */
    public static final int TOO_LARGE = 0x0004;
    /** The frame is well formed but its fields are not (reserved bits, lengths for the opcode...). */
    public static final int BAD_REQUEST = 0x0005;
    public static final int UNKNOWN_OPCODE = 0x0006;
    /** The hash routes to another port of this server: the client's routing is wrong. */
    public static final int WRONG_PORT = 0x0007;
    /** The value cannot be stored: no memory can be made free for it. */
    public static final int OUT_OF_MEMORY = 0x0008;
    /** The server is shutting down or overloaded; the request was not executed. */
    public static final int BUSY = 0x0009;
    /** Handshake only: the server does not speak the protocol version the client asked for. */
    public static final int UNSUPPORTED_VERSION = 0x000A;
    /** A fault inside the server; the request may or may not have been executed. */
    public static final int INTERNAL_ERROR = 0x000B;

    private Status() {
    }

    public static String name(int status) {
        return switch (status) {
            case OK -> "OK";
            case NOT_FOUND -> "NOT_FOUND";
            case EXISTS -> "EXISTS";
            case VERSION_MISMATCH -> "VERSION_MISMATCH";
            case TOO_LARGE -> "TOO_LARGE";
            case BAD_REQUEST -> "BAD_REQUEST";
            case UNKNOWN_OPCODE -> "UNKNOWN_OPCODE";
            case WRONG_PORT -> "WRONG_PORT";
            case OUT_OF_MEMORY -> "OUT_OF_MEMORY";
            case BUSY -> "BUSY";
            case UNSUPPORTED_VERSION -> "UNSUPPORTED_VERSION";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            default -> String.format("0x%04X", status);
        };
    }
}
