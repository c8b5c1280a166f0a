package io.entroca.client;

/**
 * One response as the client reads it.
 *
 * @param status the protocol status
 * @param version the entry's version (GET, SET, TOUCH), 0 otherwise
 * @param body the value (GET), the statistics text (STATS), the error message, or empty
 */
public record Reply(int status, long version, byte[] body) {
    static final byte[] EMPTY = new byte[0];
    /** What a quiet request that succeeded is deemed to have answered. */
    static final Reply QUIET_OK = new Reply(0, 0, EMPTY);
}
