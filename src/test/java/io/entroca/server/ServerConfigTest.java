package io.entroca.server;

import io.entroca.store.eviction.ThermodynamicPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {
    @TempDir
    Path dir;

    private ServerConfig load(String yaml) throws IOException {
        Path file = dir.resolve("entroca.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.load(file);
    }

    private String rejection(String yaml) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, yaml);
        return assertThrows(InvalidConfigException.class, () -> ServerConfig.load(file)).getMessage();
    }

    @Test
    void defaultsServeALaptop() throws IOException {
        ServerConfig config = load("entroca:\n  ports: 2\n");
        assertEquals("127.0.0.1", config.bind().getHostAddress());
        assertEquals(7400, config.basePort());
        assertEquals(2, config.ports());
        assertEquals(256L << 20, config.memoryBytes());
        assertEquals(250, config.maxKeyLength());
        assertEquals(1 << 20, config.maxValueLength());
        assertEquals(1000, config.ttlResolutionMs());
        assertEquals(1024, config.mailboxCapacity());
        assertEquals(Duration.ofMinutes(5), config.idleTimeout());
        assertEquals(128L << 20, config.storeConfig().memoryBytes(), "memory is split across ports");
    }

    @Test
    void readsEveryKey() throws IOException {
        ServerConfig config = load("""
                entroca:
                  bind: 127.0.0.2
                  base-port: 9000
                  ports: 4
                  memory: 1GiB
                  max-key-length: 32
                  max-value-length: 64KiB
                  ttl-resolution: 1ms
                  fixed-key-length: 16
                  fixed-value-length: 100
                  typical-entry-size: 120
                  mailbox:
                    capacity: 256
                    drain-limit: 8
                  owner:
                    spin: 5us
                    yields: 3
                    park-max: 50ms
                    cpus: "0,2-3"
                  connections:
                    max: 100
                    idle-timeout: 30s
                    batch-requests: 64
                  shutdown-grace: 2s
                """);
        assertEquals("127.0.0.2", config.bind().getHostAddress());
        assertEquals(9000, config.basePort());
        assertEquals(1L << 30, config.memoryBytes());
        assertEquals(32, config.maxKeyLength());
        assertEquals(64 << 10, config.maxValueLength());
        assertEquals(1, config.ttlResolutionMs());
        assertEquals(16, config.fixedKeyLength());
        assertEquals(100, config.fixedValueLength());
        assertEquals(120, config.storeConfig().typicalEntryBytes());
        assertEquals(256, config.mailboxCapacity());
        assertEquals(8, config.drainLimit());
        assertEquals(new ServerConfig.IdleSettings(5_000, 3, 50_000_000), config.idle());
        assertEquals(List.of(0, 2, 3), config.cpus());
        assertEquals(100, config.maxConnections());
        assertEquals(Duration.ofSeconds(30), config.idleTimeout());
        assertEquals(64, config.batchRequests());
        assertEquals(Duration.ofSeconds(2), config.shutdownGrace());
        assertTrue(config.serverInfo(3).fixedKeys());
        assertEquals(16, config.serverInfo(3).maxKeyLength());
    }

    @Test
    void evictionIsThermodynamicUnlessClockIsAsked() throws IOException {
        assertEquals(ServerConfig.Eviction.THERMO, load("entroca:\n  ports: 1\n").eviction());
        assertEquals(ServerConfig.Eviction.CLOCK, load("entroca:\n  eviction: clock\n").eviction());
        assertEquals("entroca.eviction: expected thermo or clock, got 'lru'", rejection("entroca:\n  eviction: lru\n"));
    }

    @Test
    void thermoConstantsDefaultToTheTunedOnesAndAreSettable() throws IOException {
        assertEquals(ThermodynamicPolicy.Config.defaults(), load("entroca:\n  ports: 1\n").thermo());
        var thermo = load("""
                entroca:
                  thermo:
                    samples: 8
                    window: 0.05
                    window-max: 0.5
                    barrier: 1
                    protect-bonus: 0
                    half-life: 2.5
                    cooling: 20
                    coupling: 0
                    adaptive: false
                    seed: 7
                """).thermo();
        assertEquals(ThermodynamicPolicy.Config.defaults()
                .with("samples=8/window=0.05/windowMax=0.5/barrier=1/protectBonus=0/halfLifeTicks=40"
                        + "/coolingFactor=20/coupling=0/adaptive=false/seed=7"), thermo);
        assertEquals("entroca.thermo.samples: expected 1 to 64, got 0", rejection("entroca:\n  thermo:\n    samples: 0\n"));
        assertEquals("entroca.thermo.window-max: expected 0.05 to 0.9, got 0.01",
                rejection("entroca:\n  thermo:\n    window: 0.05\n    window-max: 0.01\n"));
        assertEquals("entroca.thermo.adaptive: expected true or false, got 'sometimes'",
                rejection("entroca:\n  thermo:\n    adaptive: sometimes\n"));
        assertTrue(rejection("entroca:\n  thermo:\n    barrier: warm\n").startsWith("entroca.thermo.barrier: expected a number"));
    }

    @Test
    void theConfigurationReferenceDocumentsEveryKeyWithItsDefault() throws IOException {
        String reference = Files.readString(Path.of("docs", "configuration.md"));
        for (var key : ServerConfig.KEYS.entrySet()) {
            String spelled = key.getValue().isEmpty() ? "\"\"" : key.getValue();
            String row = "| `" + key.getKey() + "` | `" + spelled + "`";
            assertTrue(reference.contains(row), "docs/configuration.md has no row " + row);
        }
    }

    @Test
    void theStartWarnsWhenBusyConnectionsWouldOutgrowTheHeap() throws IOException {
        long heap = 256L << 20;
        assertEquals(null, EntrocaServer.warnIfConnectionsOutgrowTheHeap(load("entroca:\n  ports: 2\n"), heap),
                "the defaults fit the launcher's heap");
        String warning = EntrocaServer.warnIfConnectionsOutgrowTheHeap(
                load("entroca:\n  ports: 2\n  connections:\n    max: 10000\n"), heap);
        assertTrue(warning != null && warning.startsWith("entroca.connections.max 10000 on 2 ports (and connections.frame-memory 64 MiB) may need"), warning);
    }

    @Test
    void ttlResolutionNoneDisablesTtl() throws IOException {
        assertEquals(0, load("entroca:\n  ttl-resolution: none\n").ttlResolutionMs());
    }

    @Test
    void unknownKeyStopsTheStartAndNamesTheKey() throws IOException {
        String message = rejection("entroca:\n  prots: 2\n");
        assertTrue(message.startsWith("entroca.prots: unknown key"), message);
        assertTrue(message.contains("entroca.ports"), "lists the keys it knows: " + message);
    }

    @Test
    void invalidValuesNameTheKeyAndWhatIsAccepted() throws IOException {
        assertEquals("entroca.ports: expected a whole number, got 'two'", rejection("entroca:\n  ports: two\n"));
        assertEquals("entroca.ports: expected 1 to 1024, got 0", rejection("entroca:\n  ports: 0\n"));
        assertTrue(rejection("entroca:\n  memory: lots\n").startsWith("entroca.memory: expected a size"));
        assertTrue(rejection("entroca:\n  max-key-length: 300\n").startsWith("entroca.max-key-length: expected 1 to 255"));
        assertTrue(rejection("entroca:\n  mailbox:\n    capacity: 1000\n").contains("power of two"));
        assertTrue(rejection("entroca:\n  owner:\n    cpus: \"a-b\"\n").startsWith("entroca.owner.cpus: expected a CPU list"));
        assertTrue(rejection("entroca:\n  base-port: 65535\n  ports: 2\n").startsWith("entroca.base-port:"));
        assertTrue(rejection("entroca:\n  ttl-resolution: 2 weeks\n").startsWith("entroca.ttl-resolution: expected"));
        assertTrue(rejection("entroca:\n  memory: 1MiB\n  ports: 2\n").startsWith("entroca.memory:"));
        // One port's store addresses 32 GiB: the start says so before taking any memory.
        assertTrue(rejection("entroca:\n  memory: 65GiB\n  ports: 2\n")
                .matches("entroca\\.memory: .* over 32GiB per port.* raise entroca\\.ports to at least 3"));
        assertEquals(64L << 30, load("entroca:\n  memory: 64GiB\n  ports: 2\n").memoryBytes());
        assertTrue(rejection("entroca:\n  max-value-length: 1KiB\n  typical-entry-size: 2KiB\n")
                .startsWith("entroca.typical-entry-size: expected 0"));
    }

    @Test
    void theAdminPortIsConfigurableAndNeverADataPort() throws IOException {
        ServerConfig defaults = load("entroca:\n  ports: 2\n");
        assertEquals(9400, defaults.adminPort());
        assertEquals("127.0.0.1", defaults.adminBind().getHostAddress());
        ServerConfig set = load("entroca:\n  admin-port: 0\n  admin-bind: 0.0.0.0\n");
        assertEquals(0, set.adminPort());
        assertEquals("0.0.0.0", set.adminBind().getHostAddress());
        assertTrue(rejection("entroca:\n  base-port: 9399\n  ports: 2\n").startsWith("entroca.admin-port: 9400 is one of the data ports"));
        assertTrue(rejection("entroca:\n  admin-port: 70000\n").startsWith("entroca.admin-port: expected 0 to 65535"));
    }

    @Test
    void missingFileIsAClearError() {
        String message = assertThrows(InvalidConfigException.class,
                () -> ServerConfig.load(dir.resolve("absent.yaml"))).getMessage();
        assertTrue(message.contains("cannot read the configuration file"), message);
    }

    @Test
    void quantitiesParseTheUnitsTheDocsName() {
        assertEquals(4096, Quantities.parseSize("4096"));
        assertEquals(64 << 10, Quantities.parseSize("64KiB"));
        assertEquals(256L << 20, Quantities.parseSize("256MiB"));
        assertEquals(2L << 30, Quantities.parseSize("2GiB"));
        assertEquals(Duration.ofNanos(2_500), Quantities.parseDuration("2.5us"));
        assertEquals(Duration.ofMinutes(5), Quantities.parseDuration("PT5M"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.parseDuration("soon"));
    }
}
