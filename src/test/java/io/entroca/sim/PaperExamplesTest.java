package io.entroca.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tiny hand-derived sequences for SIEVE and S3-FIFO, following the papers' algorithms. */
class PaperExamplesTest {
    private static final long A = 1, B = 2, C = 3, D = 4, E = 5, F = 6, G = 7, H = 8;

    private static int hits(SimPolicy p, long... keys) {
        int h = 0;
        for (long k : keys) {
            if (p.access(k)) {
                h++;
            }
        }
        return h;
    }

    /**
     * SIEVE, 3 entries, A B C A D B A D E F. Derivation (queue head..tail, * = visited):
     * C B A; A hit -> A*; D: hand from tail clears A*, evicts B, rests on C -> D C A;
     * B: hand at C evicts it, rests on D -> B D A; A hit, D hit -> B D* A*;
     * E: hand at D clears it, evicts B, passes the head -> E D A*;
     * F: hand restarts at the tail, clears A*, evicts D -> F E A. Hits: 3. A survives although
     * it is the oldest, which LRU (ending with D E F) would not do.
     */
    @Test
    void sieveKeepsTheVisitedOldEntry() {
        var sieve = new SieveSim(3);
        assertEquals(3, hits(sieve, A, B, C, A, D, B, A, D, E, F));
        assertTrue(sieve.contains(A));
        assertTrue(sieve.contains(E));
        assertTrue(sieve.contains(F));
        assertFalse(sieve.contains(D));
        assertFalse(sieve.contains(B));
        var lru = new LruSim(3);
        assertEquals(3, hits(lru, A, B, C, A, D, B, A, D, E, F));
    }

    /**
     * S3-FIFO, 4 entries, S = 1 entry (25%), G = 3 keys. A B C D fill S; A, B hit.
     * E: S's tail A and then B were accessed, so they move to M; C was not, so it goes to G.
     * F: D goes to G. A hits in M. G: E goes to G (now C D E). F, G hit.
     * H: F and G move to M, S is empty, so M evicts: its tail A has frequency 1, is reinserted
     * with 0; the next tail B has 0 and leaves (not to G). Then C, found in G, goes straight to M,
     * pushing S's H to G (which forgets C, the oldest ghost).
     */
    @Test
    void s3fifoPromotesReaccessedAndEvictsFromMainWhenSmallIsEmpty() {
        var s3 = new S3FifoSim(4, 0.25, 1);
        assertEquals(5, hits(s3, A, B, C, D, A, B, E, F, A, G, F, G, H));
        assertEquals('M', s3.whereIs(A));
        assertEquals('M', s3.whereIs(F));
        assertEquals('M', s3.whereIs(G));
        assertEquals('S', s3.whereIs(H));
        assertEquals('-', s3.whereIs(B));
        assertEquals('G', s3.whereIs(C));
        assertEquals('G', s3.whereIs(D));
        assertEquals('G', s3.whereIs(E));
        assertFalse(s3.access(C));
        assertEquals('M', s3.whereIs(C));
        assertEquals('G', s3.whereIs(H));
        assertEquals(4, s3.size());
    }

    /** A one-hit wonder scan cannot flush S3-FIFO's main queue, but it does flush LRU. */
    @Test
    void s3fifoResistsAScan() {
        var s3 = new S3FifoSim(10);
        var lru = new LruSim(10);
        for (int round = 0; round < 3; round++) {
            for (long k = 0; k < 8; k++) {
                s3.access(k);
                lru.access(k);
            }
        }
        for (long k = 100; k < 200; k++) {
            s3.access(k);
            lru.access(k);
        }
        assertEquals(8, hits(s3, 0, 1, 2, 3, 4, 5, 6, 7));
        assertEquals(0, hits(lru, 0, 1, 2, 3, 4, 5, 6, 7));
    }
}
