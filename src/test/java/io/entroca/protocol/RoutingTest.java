package io.entroca.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingTest {
    @Test
    void hashesWithXxh64SeedZero() {
        // Reference values of XXH64 with seed 0, as every other implementation computes them.
        assertEquals(0xEF46DB3751D8E999L, Routing.hash(new byte[0]));
        assertEquals(0x44BC2CF5AD770999L, Routing.hash("abc".getBytes(StandardCharsets.US_ASCII)));
        byte[] padded = "xxabcxx".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Routing.hash("abc".getBytes(StandardCharsets.US_ASCII)), Routing.hash(padded, 2, 3));
    }

    @Test
    void portIsTheTopBitsScaledToThePortCount() {
        assertEquals(0, Routing.portFor(0L, 4));
        assertEquals(3, Routing.portFor(-1L, 4), "the largest unsigned hash goes to the last port");
        assertEquals(1, Routing.portFor(0x4000_0000_0000_0000L, 4));
        assertEquals(2, Routing.portFor(0x8000_0000_0000_0000L, 4));
        assertEquals(0, Routing.portFor(0x0000_0000_FFFF_FFFFL, 4), "low bits do not route");
        assertEquals(0, Routing.portFor(0x1234_5678_9ABC_DEF0L, 1));
    }

    @Test
    void spreadsKeysEvenlyOverPorts() {
        int ports = 3;
        int[] counts = new int[ports];
        for (int i = 0; i < 30_000; i++) {
            counts[Routing.portFor(Routing.hash(("key-" + i).getBytes(StandardCharsets.US_ASCII)), ports)]++;
        }
        for (int count : counts) {
            assertTrue(Math.abs(count - 10_000) < 500, "uneven spread: " + java.util.Arrays.toString(counts));
        }
    }
}
