package io.entroca.server;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the sizes ({@code 256MiB}) and durations ({@code 2us}, {@code 5m}) of the configuration file. */
public final class Quantities {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|K|KB|KIB|M|MB|MIB|G|GB|GIB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(NS|US|MS|S|M|H)");

    private Quantities() {
    }

    /** Bytes from "1024", "64KiB", "256MiB", "1GiB"; K, M and G mean the binary units too. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("a size such as 4096, 64KiB, 256MiB or 2GiB");
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long multiplier = switch (unit.charAt(0)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1L;
        };
        return Math.multiplyExact(number, multiplier);
    }

    /** A duration from "500ns", "2us", "1.5ms", "1s", "5m", "1h" or ISO-8601 ("PT5M"). */
    public static Duration parseDuration(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.startsWith("P")) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("a duration such as 2us, 1ms, 5s, 5m or PT5M");
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration such as 2us, 1ms, 5s, 5m or PT5M");
        }
        double number = Double.parseDouble(m.group(1));
        long unitNanos = switch (m.group(2)) {
            case "NS" -> 1L;
            case "US" -> 1_000L;
            case "MS" -> 1_000_000L;
            case "S" -> 1_000_000_000L;
            case "M" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
        return Duration.ofNanos(Math.round(number * unitNanos));
    }
}
