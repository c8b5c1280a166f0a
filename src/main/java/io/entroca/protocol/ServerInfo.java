package io.entroca.protocol;

/**
 * What the server tells a client in its handshake: enough to route keys and to respect the
 * limits without ever sending a request the server would refuse.
 *
 * @param portIndex which of the server's ports this connection reached, from 0
 * @param portCount how many data ports the server has; they are consecutive from base port
 * @param hashFunction {@link Routing#HASH_XXH64}
 * @param hashSeed the seed for the hash function
 * @param maxKeyLength the longest key, in bytes (the only length, when keys are fixed)
 * @param maxValueLength the longest value, in bytes (the only length, when values are fixed)
 * @param ttlUnitMs how many milliseconds one unit of a request's ttl field is; 0 when the server
 *     has no TTL and refuses a non-zero ttl
 * @param fixedKeys every key must be exactly {@code maxKeyLength} bytes
 * @param fixedValues every value must be exactly {@code maxValueLength} bytes
 */
public record ServerInfo(int portIndex, int portCount, int hashFunction, long hashSeed,
                         int maxKeyLength, int maxValueLength, long ttlUnitMs,
                         boolean fixedKeys, boolean fixedValues) {

    public boolean ttlEnabled() {
        return ttlUnitMs > 0;
    }

    /** The longest request frame this server accepts, header included. */
    public long maxRequestFrame() {
        return (long) RequestHeader.LENGTH + maxKeyLength + maxValueLength;
    }
}
