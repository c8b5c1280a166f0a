package io.entroca.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Guards the published results: thermo (seed 42) must stay within about a point of what
 * docs/eviction.md reports on a few quick cells, and clear of LRU where loops defeat LRU. A
 * change that breaks the window, the duel or the heat field fails here in seconds.
 */
class ThermoRegressionTest {

    @ParameterizedTest(name = "thermo {0}@{1} >= {2}%")
    @CsvSource({
        "lirs/gli.trace.gz, 1000, 49.0",
        "lirs/cs.trace.gz, 1000, 57.0",
        "lirs/multi2.trace.gz, 2000, 68.5",
        "cache2k/web12.trace.xz, 300, 51.5",
        "corda/trace_vaultservice.gz, 5000, 33.0",
        "arc/OLTP.lis.zst, 1000, 39.5",
    })
    void thermoKeepsItsPublishedHitRatio(String file, int size, double floorPercent) {
        Trace t = TraceSupport.load(file);
        double thermo = 100 * Simulator.run("thermo", size, t, 0);
        double lru = 100 * Simulator.run("lru", size, t, 0);
        assertTrue(thermo >= floorPercent, "thermo " + thermo + " < " + floorPercent + " on " + file + "@" + size);
        assertTrue(thermo >= lru - 5, "thermo " + thermo + " more than 5 points under LRU " + lru);
    }
}
