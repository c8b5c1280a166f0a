package io.entroca.sim;

import io.entroca.store.eviction.ThermodynamicPolicy;
import java.util.List;
import java.util.Locale;

/** The policies the simulator knows, by their command-line names. */
public final class Policies {
    private Policies() {}

    public static final List<String> NAMES = List.of("thermo", "lru", "sieve", "s3fifo", "wtinylfu", "opt");

    /** Whether repeated runs of this policy can differ (and so are averaged). */
    public static boolean randomised(String name) {
        return name.startsWith("wtinylfu") || name.startsWith("thermo");
    }

    /**
     * Builds a policy for one run. {@code thermo:key=value,...} overrides thermo settings (for
     * experiments); run numbers give randomised policies different seeds.
     */
    public static SimPolicy create(String spec, int capacity, Trace trace, int run) {
        return create(spec, capacity, trace, run, false);
    }

    /**
     * @param bytes whether {@code capacity} counts bytes (the trace must carry sizes) rather than
     *     entries; the entry tables are then sized for the most objects that can fit, at most the
     *     number of distinct keys
     */
    public static SimPolicy create(String spec, long capacity, Trace trace, int run, boolean bytes) {
        if (!bytes) {
            return createEntries(spec, (int) capacity, trace, run);
        }
        if (trace.sizes() == null) {
            throw new IllegalArgumentException(trace.name() + " has no object sizes; byte capacities need a format with sizes (oracle-general)");
        }
        int minSize = Integer.MAX_VALUE;
        for (int s : trace.sizes()) {
            minSize = Math.min(minSize, Math.max(1, s));
        }
        int maxEntries = (int) Math.min(trace.uniqueKeys(), capacity / minSize + 1);
        String name = nameOf(spec);
        String args = argsOf(spec);
        return switch (name) {
            case "thermo" -> {
                var config = thermoConfig(args, run);
                yield new SlotTableSim(maxEntries, capacity, new ThermodynamicPolicy(maxEntries, config));
            }
            case "lru" -> new LruSim(capacity, maxEntries);
            case "sieve" -> new SieveSim(capacity, maxEntries);
            case "s3fifo" -> new S3FifoSim(capacity, maxEntries, 0.10, args.isEmpty() ? 1 : Integer.parseInt(args.strip()));
            case "wtinylfu", "caffeine" -> new CaffeineSim(capacity, maxEntries);
            default -> throw new IllegalArgumentException("policy '" + spec + "' has no byte-capacity mode; "
                    + "with --bytes use thermo, lru, sieve, s3fifo, wtinylfu");
        };
    }

    /** "s3fifo:2" names s3fifo; the name is case-insensitive. */
    private static String nameOf(String spec) {
        int colon = spec.indexOf(':');
        return (colon >= 0 ? spec.substring(0, colon) : spec).toLowerCase(Locale.ROOT);
    }

    /** "s3fifo:2" has the arguments "2"; a spec without a colon has none. */
    private static String argsOf(String spec) {
        int colon = spec.indexOf(':');
        return colon >= 0 ? spec.substring(colon + 1) : "";
    }

    /** The default thermodynamic settings with the spec's overrides, and a seed of its own per run. */
    private static ThermodynamicPolicy.Config thermoConfig(String args, int run) {
        var config = ThermodynamicPolicy.Config.defaults().with(args);
        return config.with("seed=" + (config.seed() + run));
    }

    private static SimPolicy createEntries(String spec, int capacity, Trace trace, int run) {
        String name = nameOf(spec);
        String args = argsOf(spec);
        return switch (name) {
            case "thermo" -> {
                var config = thermoConfig(args, run);
                yield new SlotTableSim(capacity, new ThermodynamicPolicy(capacity, config));
            }
            case "lru" -> new LruSim(capacity);
            case "sieve" -> new SieveSim(capacity);
            case "s3fifo" -> args.isEmpty() ? new S3FifoSim(capacity)
                    : new S3FifoSim(capacity, 0.10, Integer.parseInt(args.strip()));
            case "wtinylfu", "caffeine" -> new CaffeineSim(capacity, !args.strip().equals("lazy"));
            case "opt" -> new OptSim(capacity, trace.keys());
            default -> throw new IllegalArgumentException("unknown policy '" + spec + "'; known: " + NAMES);
        };
    }
}
