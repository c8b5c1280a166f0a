package io.entroca.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Starts real servers on loopback for tests, on consecutive ports that were free a moment ago. */
public final class TestServers {
    private TestServers() {
    }

    /** A configuration for {@code ports} data ports on free loopback ports, with settings overridden. */
    public static ServerConfig config(int ports, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("entroca.bind", "127.0.0.1");
        settings.put("entroca.ports", String.valueOf(ports));
        settings.put("entroca.memory", "32MiB");
        settings.put("entroca.base-port", String.valueOf(freeBasePort(ports)));
        // Any free port: tests run beside each other and beside other checkouts' tests.
        settings.put("entroca.admin-port", "0");
        settings.putAll(overrides);
        return ServerConfig.from(Config.just(ConfigSources.create(settings)));
    }

    public static EntrocaServer start(int ports, Map<String, String> overrides) {
        return EntrocaServer.start(config(ports, overrides));
    }

    public static EntrocaServer start(int ports) {
        return start(ports, Map.of());
    }

    /** A base port with {@code count} consecutive ports free on 127.0.0.1. */
    public static int freeBasePort(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000 - count);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    ServerSocket socket = new ServerSocket();
                    socket.setReuseAddress(true);
                    held.add(socket);
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + i));
                }
                return base;
            } catch (IOException taken) {
                // Try another range.
            } finally {
                for (ServerSocket socket : held) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // Only probing.
                    }
                }
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found on loopback");
    }
}
