package io.entroca.store.offheap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The shape of a multi-level bitmap kept in off-heap memory: {@code bits} leaf bits, and above
 * them summary levels in which bit {@code j} says "word {@code j} of the level below is not zero".
 * The top level is a single word, so finding a set bit is one {@code numberOfTrailingZeros} per
 * level: two scans for up to 4,096 bits, three for up to 262,144, four for 16.7 million.
 *
 * <pre>
 *   level 2 (top, 1 word)        [.......1.....1]           bit j: word j of level 1 != 0
 *   level 1 (ceil(n/4096) words) [..1..][.....1]...         bit j: word j of level 0 != 0
 *   level 0 (ceil(n/64) words)   [0101..][0000..][1000..]... the bits themselves
 * </pre>
 *
 * Words are stored level 0 first, each level right after the one below, 8 bytes per word, at a
 * base offset the caller supplies (8-byte aligned). One instance describes the layout and is
 * shared by every tree of that size; it holds no per-tree state.
 */
final class BitTree {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG;

    final int bits;
    final int levels;
    /** First word of each level, counted from the tree's base. */
    private final int[] levelOffset;
    private final int[] levelWords;
    final int totalWords;

    BitTree(int bits) {
        if (bits < 1) {
            throw new IllegalArgumentException("a bit tree needs at least one bit: " + bits);
        }
        this.bits = bits;
        int n = bits;
        int count = 0;
        int[] offsets = new int[8];
        int[] words = new int[8];
        int total = 0;
        while (true) {
            int w = (n + 63) >>> 6;
            offsets[count] = total;
            words[count] = w;
            total += w;
            count++;
            if (w == 1) {
                break;
            }
            n = w;
        }
        this.levels = count;
        this.levelOffset = java.util.Arrays.copyOf(offsets, count);
        this.levelWords = java.util.Arrays.copyOf(words, count);
        this.totalWords = total;
    }

    long bytes() {
        return (long) totalWords << 3;
    }

    private long address(long base, int level, int word) {
        return base + ((long) (levelOffset[level] + word) << 3);
    }

    boolean get(MemorySegment m, long base, int i) {
        return (m.get(WORD, address(base, 0, i >>> 6)) & (1L << i)) != 0;
    }

    /** Sets bit {@code i}, and the summary bits above it that were not yet set. */
    void set(MemorySegment m, long base, int i) {
        int index = i;
        for (int level = 0; level < levels; level++) {
            long a = address(base, level, index >>> 6);
            long w = m.get(WORD, a);
            m.set(WORD, a, w | (1L << index));
            if (w != 0) {
                return; // the level above already says this word is not empty
            }
            index >>>= 6;
        }
    }

    /** Clears bit {@code i}, and the summary bits above it whose word became empty. */
    void clear(MemorySegment m, long base, int i) {
        int index = i;
        for (int level = 0; level < levels; level++) {
            long a = address(base, level, index >>> 6);
            long w = m.get(WORD, a) & ~(1L << index);
            m.set(WORD, a, w);
            if (w != 0) {
                return;
            }
            index >>>= 6;
        }
    }

    /** The lowest set bit, or -1: one trailing-zero count per level. */
    int first(MemorySegment m, long base) {
        long w = m.get(WORD, address(base, levels - 1, 0));
        if (w == 0) {
            return -1;
        }
        int index = Long.numberOfTrailingZeros(w);
        for (int level = levels - 2; level >= 0; level--) {
            w = m.get(WORD, address(base, level, index));
            index = (index << 6) | Long.numberOfTrailingZeros(w);
        }
        return index;
    }

    /** Sets bits {@code [0, k)} of a tree that is all zero, level by level. */
    void setPrefix(MemorySegment m, long base, int k) {
        int n = k;
        for (int level = 0; level < levels && n > 0; level++) {
            int full = n >>> 6;
            for (int j = 0; j < full; j++) {
                m.set(WORD, address(base, level, j), -1L);
            }
            int rest = n & 63;
            if (rest != 0) {
                m.set(WORD, address(base, level, full), (1L << rest) - 1);
            }
            n = (n + 63) >>> 6;
        }
    }

    /** Zeroes the whole tree. */
    void clearAll(MemorySegment m, long base) {
        for (int j = 0; j < totalWords; j++) {
            m.set(WORD, base + ((long) j << 3), 0L);
        }
    }

    long leafWord(MemorySegment m, long base, int word) {
        return m.get(WORD, address(base, 0, word));
    }

    /**
     * Checks that every summary bit says exactly whether its word below is non-zero and that no
     * bit beyond {@code bits} is set. For tests and assertions; O(size).
     */
    String verify(MemorySegment m, long base) {
        for (int level = 0; level < levels; level++) {
            int n = level == 0 ? bits : levelWords[level - 1];
            for (int j = 0; j < levelWords[level]; j++) {
                long w = m.get(WORD, address(base, level, j));
                int valid = Math.min(64, n - (j << 6));
                if (valid < 64 && (w >>> valid) != 0) {
                    return "level " + level + " word " + j + " has bits past the end";
                }
                if (level > 0) {
                    for (int b = 0; b < valid; b++) {
                        boolean below = m.get(WORD, address(base, level - 1, (j << 6) + b)) != 0;
                        boolean summary = (w & (1L << b)) != 0;
                        if (below != summary) {
                            return "level " + level + " bit " + ((j << 6) + b) + " says " + summary
                                    + " but the word below is " + (below ? "non-zero" : "zero");
                        }
                    }
                }
            }
        }
        return null;
    }
}
