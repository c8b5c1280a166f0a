package io.entroca.server;

import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.Routing;
import io.entroca.protocol.ServerInfo;
import io.entroca.store.StoreConfig;
import io.entroca.store.eviction.ThermodynamicPolicy;
import io.entroca.store.Stores;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Everything the server is told at start-up, read from a YAML file with each key overridable by an
 * environment variable in Helidon's form ({@code ENTROCA_BASE_dash_PORT=7500} for
 * {@code entroca.base-port}). docs/configuration.md documents every key; {@link #KEYS} is the list
 * the file is checked against, so a misspelt key stops the start instead of being ignored.
 */
public record ServerConfig(
        InetAddress bind,
        int basePort,
        int ports,
        long memoryBytes,
        int maxKeyLength,
        int maxValueLength,
        long ttlResolutionMs,
        int fixedKeyLength,
        int fixedValueLength,
        int typicalEntryBytes,
        int mailboxCapacity,
        int drainLimit,
        IdleSettings idle,
        List<Integer> cpus,
        int maxConnections,
        long frameMemoryBytes,
        Duration idleTimeout,
        int batchRequests,
        Duration shutdownGrace,
        InetAddress adminBind,
        int adminPort,
        Eviction eviction,
        ThermodynamicPolicy.Config thermo) {

    /** Which eviction policy the stores run (docs/eviction.md compares them on real traces). */
    public enum Eviction {
        /** Temperatures, a heat field for absent keys and an annealed window: the default. */
        THERMO,
        /** The second-chance clock: one reference bit per entry, for comparison or minimal metadata. */
        CLOCK
    }

    /** How an owner thread waits when its mailbox is empty: spin, then yield, then park. */
    public record IdleSettings(long spinNs, int yields, long parkMaxNs) {
    }

    /** Every key the file may hold, with its default as the file would spell it. */
    static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("entroca.bind", "127.0.0.1"),
            Map.entry("entroca.base-port", "7400"),
            Map.entry("entroca.ports", "2"),
            Map.entry("entroca.memory", "256MiB"),
            Map.entry("entroca.max-key-length", "250"),
            Map.entry("entroca.max-value-length", "1MiB"),
            Map.entry("entroca.ttl-resolution", "1s"),
            Map.entry("entroca.fixed-key-length", "0"),
            Map.entry("entroca.fixed-value-length", "0"),
            Map.entry("entroca.typical-entry-size", "0"),
            Map.entry("entroca.mailbox.capacity", "1024"),
            Map.entry("entroca.mailbox.drain-limit", "64"),
            Map.entry("entroca.owner.spin", "2us"),
            Map.entry("entroca.owner.yields", "0"),
            Map.entry("entroca.owner.park-max", "100ms"),
            Map.entry("entroca.owner.cpus", ""),
            Map.entry("entroca.connections.max", "1024"),
            Map.entry("entroca.connections.frame-memory", "64MiB"),
            Map.entry("entroca.connections.idle-timeout", "5m"),
            Map.entry("entroca.connections.batch-requests", "256"),
            Map.entry("entroca.shutdown-grace", "5s"),
            Map.entry("entroca.eviction", "thermo"),
            Map.entry("entroca.thermo.samples", "16"),
            Map.entry("entroca.thermo.window", "0.01"),
            Map.entry("entroca.thermo.window-max", "0.25"),
            Map.entry("entroca.thermo.barrier", "-0.5"),
            Map.entry("entroca.thermo.protect-bonus", "2"),
            Map.entry("entroca.thermo.half-life", "10"),
            Map.entry("entroca.thermo.cooling", "10"),
            Map.entry("entroca.thermo.coupling", "3"),
            Map.entry("entroca.thermo.adaptive", "true"),
            Map.entry("entroca.thermo.seed", "42"),
            Map.entry("entroca.admin-bind", "127.0.0.1"),
            Map.entry("entroca.admin-port", "9400"));

    private static final long MIN_MEMORY_PER_PORT = 1L << 20;
    private static final int MAX_PORTS = 1024;
    private static final int MAX_VALUE_LENGTH = 1 << 30;

    public ServerConfig {
        cpus = List.copyOf(cpus);
    }

    /** The built-in defaults, overridden by environment variables. */
    public static ServerConfig load() {
        return from(Config.builder()
                .sources(ConfigSources.environmentVariables())
                .disableSystemPropertiesSource()
                .build());
    }

    /** The file's settings over the defaults, overridden by environment variables. */
    public static ServerConfig load(Path file) {
        if (!Files.isReadable(file)) {
            throw new InvalidConfigException("cannot read the configuration file " + file);
        }
        Config fileOnly = Config.just(ConfigSources.file(file));
        rejectUnknownKeys(fileOnly, file.toString());
        Config merged = Config.builder()
                .sources(ConfigSources.environmentVariables(), ConfigSources.file(file))
                .disableSystemPropertiesSource()
                .build();
        return from(merged);
    }

    /** Reads a configuration whose keys were already checked. */
    static ServerConfig from(Config config) {
        Reader r = new Reader(config);
        int ports = r.integer("entroca.ports", 1, MAX_PORTS);
        int basePort = r.integer("entroca.base-port", 1, 65535);
        if (basePort + ports - 1 > 65535) {
            throw new InvalidConfigException("entroca.base-port: " + basePort + " + " + ports
                    + " ports passes port 65535; lower base-port or ports");
        }
        long memory = r.size("entroca.memory");
        if (memory < MIN_MEMORY_PER_PORT * ports) {
            throw new InvalidConfigException("entroca.memory: " + memory + " bytes is under 1MiB per port ("
                    + ports + " ports need at least " + ports + "MiB)");
        }
        if (memory / ports > StoreConfig.MAX_MEMORY_BYTES) {
            throw new InvalidConfigException("entroca.memory: " + memory + " bytes is over 32GiB per port, the most one"
                    + " port's store addresses; raise entroca.ports to at least "
                    + ((memory + StoreConfig.MAX_MEMORY_BYTES - 1) / StoreConfig.MAX_MEMORY_BYTES));
        }
        int maxKey = r.integer("entroca.max-key-length", 1, StoreConfig.PROTOCOL_MAX_KEY_LENGTH);
        long maxValue = r.size("entroca.max-value-length");
        if (maxValue < 1 || maxValue > MAX_VALUE_LENGTH || maxValue > memory / ports / 2) {
            throw new InvalidConfigException("entroca.max-value-length: expected 1 byte to the smaller of 1GiB and half a port's"
                    + " memory (" + (memory / ports / 2) + " bytes), got " + maxValue);
        }
        int fixedKey = r.integer("entroca.fixed-key-length", 0, maxKey);
        int fixedValue = r.integer("entroca.fixed-value-length", 0, (int) maxValue);
        long typicalEntry = r.size("entroca.typical-entry-size");
        if (typicalEntry < 0 || typicalEntry > maxKey + maxValue) {
            throw new InvalidConfigException("entroca.typical-entry-size: expected 0 (derive it) up to the longest key and value"
                    + " together (" + (maxKey + maxValue) + " bytes), got " + typicalEntry);
        }
        IdleSettings idle = new IdleSettings(
                r.duration("entroca.owner.spin").toNanos(),
                r.integer("entroca.owner.yields", 0, 1_000_000),
                r.positiveDuration("entroca.owner.park-max").toNanos());
        int mailbox = r.integer("entroca.mailbox.capacity", 2, 1 << 20);
        if (Integer.bitCount(mailbox) != 1) {
            throw new InvalidConfigException("entroca.mailbox.capacity: expected a power of two from 2 to 1048576, got " + mailbox);
        }
        long frameMemory = r.size("entroca.connections.frame-memory");
        long largestFrame = RequestHeader.LENGTH + maxKey + maxValue;
        if (frameMemory < largestFrame) {
            throw new InvalidConfigException("entroca.connections.frame-memory: expected at least the largest request frame ("
                    + largestFrame + " bytes: header, longest key, longest value), got " + frameMemory);
        }
        int adminPort = r.integer("entroca.admin-port", 0, 65535);
        if (adminPort >= basePort && adminPort < basePort + ports) {
            throw new InvalidConfigException("entroca.admin-port: " + adminPort + " is one of the data ports "
                    + basePort + "-" + (basePort + ports - 1) + "; choose another, or 0 for any free port");
        }
        return new ServerConfig(
                r.address("entroca.bind"),
                basePort,
                ports,
                memory,
                maxKey,
                (int) maxValue,
                r.ttlResolution("entroca.ttl-resolution"),
                fixedKey,
                fixedValue,
                (int) typicalEntry,
                mailbox,
                r.integer("entroca.mailbox.drain-limit", 1, 1 << 20),
                idle,
                r.cpuList("entroca.owner.cpus"),
                r.integer("entroca.connections.max", 1, 1_000_000),
                frameMemory,
                r.positiveDuration("entroca.connections.idle-timeout"),
                r.integer("entroca.connections.batch-requests", 1, 65_536),
                r.duration("entroca.shutdown-grace"),
                r.address("entroca.admin-bind"),
                adminPort,
                r.eviction("entroca.eviction"),
                thermo(r));
    }

    /**
     * The thermodynamic policy's constants (docs/eviction.md explains each). Half-life and cooling
     * are in capacities of requests: a store of a million entries with a half-life of 10 halves an
     * untouched entry's temperature every ten million requests. The climber's own pace stays as
     * the trace cells tuned it.
     */
    private static ThermodynamicPolicy.Config thermo(Reader r) {
        var tuned = ThermodynamicPolicy.Config.defaults();
        double window = r.decimal("entroca.thermo.window", 0.001, 0.5);
        return new ThermodynamicPolicy.Config(
                r.integer("entroca.thermo.samples", 1, 64),
                window,
                r.decimal("entroca.thermo.window-max", window, 0.9),
                r.decimal("entroca.thermo.barrier", -16, 16),
                r.decimal("entroca.thermo.protect-bonus", 0, 31),
                r.decimal("entroca.thermo.half-life", 0.1, 100) * tuned.ticksPerCapacity(),
                tuned.ticksPerCapacity(),
                r.bool("entroca.thermo.adaptive"),
                tuned.climbPeriod(),
                tuned.climbStep(),
                r.integer("entroca.thermo.cooling", 1, 1000),
                tuned.climbWindow(),
                tuned.windowStep(),
                r.decimal("entroca.thermo.coupling", 0, 8),
                tuned.sketchShrink(),
                r.parse("entroca.thermo.seed", "a whole number", Long::parseLong));
    }

    /** The settings of one port's store: its share of the memory, and the limits. */
    public StoreConfig storeConfig() {
        return new StoreConfig(memoryBytes / ports, maxKeyLength, maxValueLength, ttlResolutionMs,
                fixedKeyLength, fixedValueLength, typicalEntryBytes);
    }

    /**
     * What the handshake on port {@code portIndex} announces. The value limit is what the store
     * can really hold, which is below {@code max-value-length} when a value of that length with
     * its header and the longest key would not fit one of the store's pages.
     */
    public ServerInfo serverInfo(int portIndex) {
        boolean fixedKeys = fixedKeyLength > 0;
        boolean fixedValues = fixedValueLength > 0;
        return new ServerInfo(portIndex, ports, Routing.HASH_XXH64, Routing.HASH_SEED,
                fixedKeys ? fixedKeyLength : maxKeyLength,
                fixedValues ? fixedValueLength : Stores.largestValue(storeConfig()),
                ttlResolutionMs, fixedKeys, fixedValues);
    }

    private static void rejectUnknownKeys(Config fileOnly, String source) {
        for (String key : leafKeys(fileOnly)) {
            if (!KEYS.containsKey(key)) {
                throw new InvalidConfigException(key + ": unknown key in " + source
                        + "; the keys are " + String.join(", ", new TreeSet<>(KEYS.keySet())));
            }
        }
    }

    private static Set<String> leafKeys(Config config) {
        Set<String> keys = new TreeSet<>();
        config.traverse()
                .filter(node -> node.isLeaf())
                .forEach(node -> keys.add(node.key().toString()));
        return keys;
    }

    /** Reads typed values, turning every failure into a message that names the key. */
    private record Reader(Config config) {
        private String text(String key) {
            return config.get(key).asString().orElse(KEYS.get(key));
        }

        private <T> T parse(String key, String expected, Function<String, T> parser) {
            String text = text(key);
            try {
                return parser.apply(text);
            } catch (RuntimeException e) {
                String accepted = e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)
                        && e.getMessage() != null ? e.getMessage() : expected;
                throw new InvalidConfigException(key + ": expected " + accepted + ", got '" + text + "'");
            }
        }

        int integer(String key, int min, int max) {
            int value = parse(key, "a whole number", Integer::parseInt);
            if (value < min || value > max) {
                throw new InvalidConfigException(key + ": expected " + min + " to " + max + ", got " + value);
            }
            return value;
        }

        long size(String key) {
            return parse(key, "a size such as 4096, 64KiB, 256MiB or 2GiB", Quantities::parseSize);
        }

        Duration duration(String key) {
            return parse(key, "a duration such as 2us, 1ms, 5s or 5m", Quantities::parseDuration);
        }

        Duration positiveDuration(String key) {
            Duration d = duration(key);
            if (d.isZero() || d.isNegative()) {
                throw new InvalidConfigException(key + ": expected a duration above zero, got '" + text(key) + "'");
            }
            return d;
        }

        double decimal(String key, double min, double max) {
            double value = parse(key, "a number", Double::parseDouble);
            if (!(value >= min && value <= max)) {
                throw new InvalidConfigException(key + ": expected " + min + " to " + max + ", got " + text(key).trim());
            }
            return value;
        }

        boolean bool(String key) {
            String text = text(key).trim().toLowerCase(java.util.Locale.ROOT);
            return switch (text) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new InvalidConfigException(key + ": expected true or false, got '" + text(key) + "'");
            };
        }

        Eviction eviction(String key) {
            String text = text(key).trim();
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "thermo" -> Eviction.THERMO;
                case "clock" -> Eviction.CLOCK;
                default -> throw new InvalidConfigException(key + ": expected thermo or clock, got '" + text + "'");
            };
        }

        long ttlResolution(String key) {
            String text = text(key).trim();
            if (text.equalsIgnoreCase("none")) {
                return 0;
            }
            long ms = duration(key).toMillis();
            if (ms < 1 || ms > 3_600_000) {
                throw new InvalidConfigException(key + ": expected 'none' or 1ms to 1h, got '" + text + "'");
            }
            return ms;
        }

        InetAddress address(String key) {
            return parse(key, "an IP address or host name", text -> {
                try {
                    return InetAddress.getByName(text.trim());
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        /** "0,2,4-7": owner i is pinned to the i-th CPU listed (wrapping); empty pins nothing. */
        List<Integer> cpuList(String key) {
            String text = text(key).trim();
            List<Integer> cpus = new ArrayList<>();
            if (text.isEmpty()) {
                return cpus;
            }
            for (String part : text.split(",")) {
                String p = part.trim();
                try {
                    int dash = p.indexOf('-');
                    int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                    int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                    if (from < 0 || to < from || to > 4095) {
                        throw new NumberFormatException();
                    }
                    for (int cpu = from; cpu <= to; cpu++) {
                        cpus.add(cpu);
                    }
                } catch (NumberFormatException e) {
                    throw new InvalidConfigException(key + ": expected a CPU list such as \"0,2,4-7\", got '" + text + "'");
                }
            }
            return cpus;
        }
    }
}
