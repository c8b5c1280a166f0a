package io.entroca.store;

/**
 * The ways a store operation can end, as the negative numbers {@link Store} methods return.
 * Zero and positive results are answers (a version, a reference), so every code here is negative.
 */
public final class Outcome {
    public static final int OK = 0;
    public static final int NOT_FOUND = -1;
    /** {@link SetCondition#IF_ABSENT} found a live entry. */
    public static final int EXISTS = -2;
    /** {@link SetCondition#IF_VERSION} or a versioned delete found another version. */
    public static final int VERSION_MISMATCH = -3;
    /**
     * The entry can never fit: larger than the store's biggest allocation, a key or value longer
     * than the configured maximum, an empty key, or (in a fixed-size store) a key or value whose
     * length is not the declared one.
     */
    public static final int TOO_LARGE = -4;
    /** There is no room and nothing may be evicted to make it. */
    public static final int OUT_OF_MEMORY = -5;

    private Outcome() {
    }

    public static boolean isFailure(long result) {
        return result < 0;
    }
}
