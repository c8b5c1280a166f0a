package io.entroca.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** No online policy can beat Belady's OPT; if one does, OPT or the harness is wrong. */
class OptBoundTest {
    private static final String[] POLICIES = {"lru", "sieve", "s3fifo", "wtinylfu", "thermo"};

    @ParameterizedTest(name = "{0}@{1}")
    @CsvSource({
        "lirs/gli.trace.gz, 1000", "lirs/cs.trace.gz, 500", "lirs/multi2.trace.gz, 1000",
        "lirs/sprite.trace.gz, 100", "cache2k/web12.trace.xz, 300", "corda/trace_vaultservice.gz, 5000",
    })
    void noPolicyBeatsOpt(String file, int size) {
        check(TraceSupport.load(file), size);
    }

    @Test
    void noPolicyBeatsOptOnSyntheticWorkloads() {
        check(Synthetic.parse("zipf:5000:0.9:50000", 7), 200);
        check(Synthetic.parse("scanzipf:5000:0.8:50000:0.3", 7), 300);
        check(Synthetic.parse("shift:2000:1.0:40000:10000", 7), 100);
    }

    private static void check(Trace t, int size) {
        double opt = Simulator.run("opt", size, t, 0);
        double lru = Simulator.run("lru", size, t, 0);
        assertTrue(opt >= lru && opt > 0, "OPT " + opt + " must reach LRU " + lru);
        for (String p : POLICIES) {
            double hr = Simulator.run(p, size, t, 0);
            assertTrue(hr <= opt + 1e-12, p + " hit " + hr + " above OPT " + opt + " on " + t.name() + "@" + size);
        }
    }
}
