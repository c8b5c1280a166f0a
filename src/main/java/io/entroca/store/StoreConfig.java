package io.entroca.store;

/**
 * What one port's store is told at start-up. Everything here is fixed for the life of the store,
 * so an implementation may turn it into final fields and constants.
 *
 * @param memoryBytes the hard budget for this store: entries, their metadata and the index; at
 *     most {@link #MAX_MEMORY_BYTES}
 * @param maxKeyLength the longest key accepted, in bytes (at most 255, the protocol's limit)
 * @param maxValueLength the longest value accepted, in bytes
 * @param ttlResolutionMs the granularity of expiry times in milliseconds; 0 disables TTL, and a
 *     store may then keep no expiry at all
 * @param fixedKeyLength every key has exactly this length, or 0 when lengths vary
 * @param fixedValueLength every value has exactly this length, or 0 when lengths vary
 * @param typicalEntryBytes what a key and its value typically take together, so that a store whose
 *     index cannot grow sizes it for the number of entries that will really fit; 0 derives it
 *     from the lengths ({@link Stores#expectedItemBytes})
 */
public record StoreConfig(long memoryBytes, int maxKeyLength, int maxValueLength,
                          long ttlResolutionMs, int fixedKeyLength, int fixedValueLength, int typicalEntryBytes) {

    public static final int PROTOCOL_MAX_KEY_LENGTH = 255;
    /**
     * The largest budget one store takes: 32 GiB, what the dynamic store's 40-bit index
     * references address with 8 generation bits left. A larger server uses more ports.
     */
    public static final long MAX_MEMORY_BYTES = 32L << 30;

    /** A configuration whose typical entry is derived from the lengths. */
    public StoreConfig(long memoryBytes, int maxKeyLength, int maxValueLength,
                       long ttlResolutionMs, int fixedKeyLength, int fixedValueLength) {
        this(memoryBytes, maxKeyLength, maxValueLength, ttlResolutionMs, fixedKeyLength, fixedValueLength, 0);
    }

    public StoreConfig {
        if (typicalEntryBytes < 0) {
            throw new IllegalArgumentException("typicalEntryBytes must not be negative: " + typicalEntryBytes);
        }
        if (memoryBytes <= 0 || memoryBytes > MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException("memoryBytes must be 1.." + MAX_MEMORY_BYTES + " (32 GiB): " + memoryBytes);
        }
        if (maxKeyLength < 1 || maxKeyLength > PROTOCOL_MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("maxKeyLength must be 1.." + PROTOCOL_MAX_KEY_LENGTH + ": " + maxKeyLength);
        }
        if (maxValueLength < 0) {
            throw new IllegalArgumentException("maxValueLength must not be negative: " + maxValueLength);
        }
        if (ttlResolutionMs < 0) {
            throw new IllegalArgumentException("ttlResolutionMs must not be negative: " + ttlResolutionMs);
        }
        if (fixedKeyLength < 0 || fixedKeyLength > maxKeyLength) {
            throw new IllegalArgumentException("fixedKeyLength must be 0 (variable) or 1.." + maxKeyLength + ": " + fixedKeyLength);
        }
        if (fixedValueLength < 0 || fixedValueLength > maxValueLength) {
            throw new IllegalArgumentException("fixedValueLength must be 0 (variable) or up to " + maxValueLength + ": " + fixedValueLength);
        }
    }

    public boolean ttlEnabled() {
        return ttlResolutionMs > 0;
    }

    public boolean fixedKeys() {
        return fixedKeyLength > 0;
    }

    public boolean fixedValues() {
        return fixedValueLength > 0;
    }
}
