package io.entroca.server;

import io.entroca.store.Store;
import io.entroca.store.StoreConfig;
import io.entroca.store.Stores;
import io.entroca.store.eviction.ClockPolicy;
import io.entroca.store.eviction.ThermodynamicPolicy;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A running Entroca server: one owner thread and one Helidon listener per data port. The first
 * data port is Helidon's default listener; the others are named {@code port-1}, {@code port-2}...
 *
 * <p>Stopping is ordered so that nothing received is dropped: the listeners stop first (no new
 * connections; each open connection finishes the batch it has with its owner and is closed),
 * then each owner executes what is still in its mailbox and ends.
 *
 * <p>Beside the data ports runs the admin listener ({@code entroca.admin-port}, HTTP/1.1, named
 * {@value #ADMIN_SOCKET}): health, Prometheus metrics, JSON statistics, hot keys and the live
 * dashboard, all read from the snapshots the owners publish (see {@link AdminRoutes}).
 */
public final class EntrocaServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EntrocaServer.class.getName());
    static final String ADMIN_SOCKET = "admin";

    private final ServerConfig config;
    private final List<PortOwner> owners;
    private final WebServer webServer;
    private final FrameMemory frameMemory;
    private volatile boolean stopped;

    private EntrocaServer(ServerConfig config, List<PortOwner> owners, WebServer webServer, FrameMemory frameMemory) {
        this.config = config;
        this.owners = owners;
        this.webServer = webServer;
        this.frameMemory = frameMemory;
    }

    /** Starts the owners, then the listeners; returns once every data port accepts connections. */
    /** Starts with the configured eviction policy, its temperatures wired to the dashboard. */
    public static EntrocaServer start(ServerConfig config) {
        return switch (config.eviction()) {
            case THERMO -> {
                TemperatureProbe.Wiring thermo = TemperatureProbe.forPolicy(
                        ThermodynamicPolicy.factory(config.thermo()),
                        ThermodynamicPolicy::temperatureHistogram, "entries by temperature (thermodynamic eviction), 16 bands");
                yield start(config, thermo.stores(), thermo.probes());
            }
            case CLOCK -> start(config, store -> Stores.open(store, ClockPolicy.FACTORY));
        };
    }

    /**
     * Connection buffers are the heap's main tenant (the stores live off it). A configuration whose
     * connections could all be busy at once on more heap than the JVM has would fail with
     * OutOfMemoryError under load rather than at start, so the start says so.
     *
     * @return the warning logged, or null when the heap holds every connection
     */
    /** The heap budget the connections share for large frames. */
    FrameMemory frameMemory() {
        return frameMemory;
    }

    static String warnIfConnectionsOutgrowTheHeap(ServerConfig config, long maxHeap) {
        long needed = (long) config.ports() * config.maxConnections() * EntrocaConnection.heapPerBusyConnection()
                + config.frameMemoryBytes();
        if (needed <= maxHeap) {
            return null;
        }
        String warning = "entroca.connections.max " + config.maxConnections() + " on " + config.ports()
                + " ports (and connections.frame-memory " + (config.frameMemoryBytes() >> 20) + " MiB) may need "
                + (needed >> 20) + " MiB of heap when every connection is busy; the JVM has " + (maxHeap >> 20)
                + " MiB: lower connections.max or frame-memory, or raise -Xmx (ENTROCA_JAVA_OPTS)";
        LOG.warning(warning);
        return warning;
    }

    static EntrocaServer start(ServerConfig config, Function<StoreConfig, Store> storeFactory) {
        return start(config, storeFactory, TemperatureProbe::unavailable);
    }

    /**
     * Starts with a given store and the probe that reads its temperatures: the one place where a
     * store that reports temperatures is wired to the dashboard (see {@link TemperatureProbe}).
     */
    public static EntrocaServer start(ServerConfig config, Function<StoreConfig, Store> storeFactory,
                                      Function<Store, TemperatureProbe> temperatureProbes) {
        checkPortsAreFree(config);
        warnIfConnectionsOutgrowTheHeap(config, Runtime.getRuntime().maxMemory());
        List<PortOwner> owners = new ArrayList<>(config.ports());
        try {
            for (int i = 0; i < config.ports(); i++) {
                PortOwner owner = new PortOwner(i, config, storeFactory, temperatureProbes);
                owner.start();
                owners.add(owner);
            }
            WebServerConfig.Builder builder = WebServer.builder().shutdownHook(false);
            FrameMemory frameMemory = new FrameMemory(config.frameMemoryBytes());
            configureDataListener(builder, config, owners.getFirst(), frameMemory);
            for (int i = 1; i < config.ports(); i++) {
                PortOwner owner = owners.get(i);
                builder.putSocket(socketName(i), listener -> configureDataListener(listener, config, owner, frameMemory));
            }
            AdminRoutes admin = new AdminRoutes(owners, config);
            builder.putSocket(ADMIN_SOCKET, listener -> listener
                    .address(config.adminBind())
                    .port(config.adminPort())
                    .protocolsDiscoverServices(false)
                    .addProtocol(Http1Config.create())
                    .shutdownGracePeriod(Duration.ofMillis(500))
                    .routing(admin::register));
            WebServer webServer = builder.build().start();
            EntrocaServer server = new EntrocaServer(config, owners, webServer, frameMemory);
            admin.attach(server);
            // Helidon reports a listener that failed to bind by logging, not by throwing.
            if (!webServer.isRunning() || server.dataPorts().stream().anyMatch(port -> port <= 0)
                    || server.adminPort() <= 0) {
                server.close();
                throw new UncheckedIOException(new BindException("a listener failed to start (see the log above)"));
            }
            return server;
        } catch (RuntimeException e) {
            stopOwners(owners);
            throw e;
        }
    }

    /**
     * Binds and releases every data port once, so that a port in use is reported by number and
     * cause before anything starts. A port taken between this check and the start is still
     * caught, with a less precise message, after the start.
     */
    private static void checkPortsAreFree(ServerConfig config) {
        for (int i = 0; i < config.ports(); i++) {
            checkPortIsFree(config.bind(), config.basePort() + i, "port ");
        }
        if (config.adminPort() != 0) {
            checkPortIsFree(config.adminBind(), config.adminPort(), "admin port ");
        }
    }

    private static void checkPortIsFree(InetAddress address, int port, String what) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new UncheckedIOException(new BindException(what + port + ": " + e.getMessage()));
        }
    }

    private static void configureDataListener(ListenerConfig.BuilderBase<?, ?> listener, ServerConfig config, PortOwner owner,
                                              FrameMemory frameMemory) {
        listener.address(config.bind())
                .port(config.basePort() + owner.portIndex())
                .protocolsDiscoverServices(false)
                .maxTcpConnections(config.maxConnections())
                .idleConnectionTimeout(config.idleTimeout())
                // Helidon looks for idle connections every two minutes unless told otherwise,
                // which would let a short timeout run long.
                .idleConnectionPeriod(idleCheckPeriod(config.idleTimeout()))
                .shutdownGracePeriod(config.shutdownGrace())
                .connectionOptions(options -> options.tcpNoDelay(true))
                .addConnectionSelector(new EntrocaConnectionSelector(owner, config, frameMemory));
    }

    private static Duration idleCheckPeriod(Duration idleTimeout) {
        Duration half = idleTimeout.dividedBy(2);
        return half.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : half;
    }

    private static String socketName(int portIndex) {
        return portIndex == 0 ? WebServer.DEFAULT_SOCKET_NAME : "port-" + portIndex;
    }

    public ServerConfig config() {
        return config;
    }

    /** The TCP port each data port is bound to, in port-index order. */
    public List<Integer> dataPorts() {
        List<Integer> ports = new ArrayList<>(owners.size());
        for (int i = 0; i < owners.size(); i++) {
            ports.add(webServer.port(socketName(i)));
        }
        return ports;
    }

    /** The TCP port of the admin listener (the configured one, or the one chosen for port 0). */
    public int adminPort() {
        return webServer.port(ADMIN_SOCKET);
    }

    /** True while the listeners run and every owner thread runs and takes work. */
    boolean isServing() {
        if (stopped || !webServer.isRunning()) {
            return false;
        }
        for (PortOwner owner : owners) {
            if (!owner.isAlive() || !owner.isAccepting()) {
                return false;
            }
        }
        return dataPorts().stream().allMatch(port -> port > 0);
    }

    /** Stops listening, answers what was received, stops the owners. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        webServer.stop();
        stopOwners(owners);
    }

    private static void stopOwners(List<PortOwner> owners) {
        for (PortOwner owner : owners) {
            try {
                owner.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warning("interrupted while stopping owner " + owner.portIndex());
                return;
            }
        }
    }
}
