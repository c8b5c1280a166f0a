package io.entroca.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Exact LRU must reproduce the sanity figures of shared/traces/README.md to 0.01 points. */
class LruSanityTest {

    @ParameterizedTest(name = "{0} LRU@{1} = {2}%")
    @CsvSource({
        "arc/OLTP.lis.zst, 250, 16.47",
        "arc/OLTP.lis.zst, 512, 23.69",
        "arc/OLTP.lis.zst, 1000, 32.83",
        "arc/OLTP.lis.zst, 2000, 42.47",
        "lirs/gli.trace.gz, 1000, 11.21",
        "lirs/gli.trace.gz, 2000, 57.41",
        "cache2k/web12.trace.xz, 300, 49.01",
        "cache2k/web12.trace.xz, 3000, 76.48",
        "lirs/loop.trace.gz, 1010, 0.00",
        "lirs/loop.trace.gz, 256, 0.00",
    })
    void lruMatchesTheReadme(String trace, int size, double expectedPercent) {
        Trace t = TraceSupport.load(trace);
        double hr = 100 * Simulator.run(new LruSim(size), t, null);
        assertEquals(expectedPercent, hr, 0.005 + 1e-9, trace + " @" + size);
    }

    /** The big traces: about 4 s together, so they run with every build. */
    @ParameterizedTest(name = "{0} LRU@{1} = {2}% (big)")
    @CsvSource({
        "scarab/scarab-recs.trace.xz, 100000, 75.91",
        "arc/P3.lis.zst, 32768, 3.57",
        "arc/P6.lis.zst, 32768, 4.24",
        "cloud_physics/w106.trace.xz, 10000, 83.81",
    })
    void lruMatchesTheReadmeOnBigTraces(String trace, int size, double expectedPercent) {
        lruMatchesTheReadme(trace, size, expectedPercent);
    }

    @ParameterizedTest(name = "{0}: {1} requests, {2} unique")
    @CsvSource({
        "lirs/cs.trace.gz, 6781, 1409",
        "lirs/multi2.trace.gz, 26311, 5684",
        "corda/trace_vaultservice.gz, 135702, 90468",
        "cache2k/web12.trace.xz, 95607, 13756",
        "libcachesim/cloudPhysicsIO.oracleGeneral.bin, 113872, 48974",
    })
    void readersCountWhatTheReadmeCounts(String trace, int requests, int unique) {
        Trace t = TraceSupport.load(trace);
        assertEquals(requests, t.length());
        assertEquals(unique, t.uniqueKeys());
    }
}
