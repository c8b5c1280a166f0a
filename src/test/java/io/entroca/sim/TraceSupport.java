package io.entroca.sim;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Finds shared/traces (system property entroca.traces) and loads each trace once per JVM. */
final class TraceSupport {
    private static final Map<String, Trace> CACHE = new ConcurrentHashMap<>();

    private TraceSupport() {}

    static Path dir() {
        String prop = System.getProperty("entroca.traces", "../shared/traces");
        return Path.of(prop);
    }

    /** Loads a trace, or skips the calling test when the traces folder or file is missing. */
    static Trace load(String relative) {
        Path file = dir().resolve(relative);
        assumeTrue(Files.isRegularFile(file), "trace " + file + " not found: set -Dentroca.traces to "
                + "the shared/traces folder (skipping)");
        return CACHE.computeIfAbsent(relative, r -> {
            try {
                return TraceFormat.guess(file).read(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
