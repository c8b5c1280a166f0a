package io.entroca.protocol;

/** The operations of protocol v1; docs/protocol.md describes each one. */
public final class Opcode {
    public static final int GET = 0x01;
    public static final int SET = 0x02;
    public static final int DELETE = 0x03;
    public static final int TOUCH = 0x04;
    public static final int FLUSH = 0x05;
    public static final int NOOP = 0x06;
    public static final int STATS = 0x07;

    private Opcode() {
    }

    public static boolean isKnown(int opcode) {
        return opcode >= GET && opcode <= STATS;
    }

    /** Whether the request names a key (and so carries a hash that must route to this port). */
    public static boolean hasKey(int opcode) {
        return opcode >= GET && opcode <= TOUCH;
    }

    /** Whether the request may be sent quiet: answered only when it fails. */
    public static boolean mayBeQuiet(int opcode) {
        return opcode == SET || opcode == DELETE || opcode == TOUCH;
    }

    public static String name(int opcode) {
        return switch (opcode) {
            case GET -> "GET";
            case SET -> "SET";
            case DELETE -> "DELETE";
            case TOUCH -> "TOUCH";
            case FLUSH -> "FLUSH";
            case NOOP -> "NOOP";
            case STATS -> "STATS";
            default -> String.format("0x%02X", opcode);
        };
    }
}
