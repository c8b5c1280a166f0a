package io.entroca.server;

/** A configuration the server refuses to start with; the message names the key and what it accepts. */
public final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
