package io.entroca.store;

/** When a set may store its value. The numbers are the protocol's, so the server passes them through. */
public final class SetCondition {
    /** Store whatever is there. */
    public static final int ALWAYS = 0;
    /** Store only when no live entry has the key (memcached's add). */
    public static final int IF_ABSENT = 1;
    /** Store only when a live entry has the key (memcached's replace). */
    public static final int IF_PRESENT = 2;
    /** Store only when the live entry's version equals the expected one (compare-and-set). */
    public static final int IF_VERSION = 3;

    private SetCondition() {
    }

    public static boolean isValid(int condition) {
        return condition >= ALWAYS && condition <= IF_VERSION;
    }
}
