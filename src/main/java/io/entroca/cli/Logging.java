package io.entroca.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One-line log records on stderr. Helidon's own INFO lines are turned off: they describe our
 * binary listeners as {@code http://} and would only mislead an operator.
 */
final class Logging {
    /** Held so the level set on it is not lost when the logger is garbage-collected. */
    private static final Logger HELIDON = Logger.getLogger("io.helidon");

    private Logging() {
    }

    static void configure() {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new SimpleFormatter());
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        HELIDON.setLevel(Level.WARNING);
    }
}
