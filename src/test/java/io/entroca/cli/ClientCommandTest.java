package io.entroca.cli;

import io.entroca.server.EntrocaServer;
import io.entroca.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code entroca cli} as a shell runs it: a separate process, exit statuses, stdout bytes. */
@Timeout(120)
class ClientCommandTest {
    private static EntrocaServer server;
    private static String port;

    record Run(int status, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    static void start() {
        server = TestServers.start(2);
        port = String.valueOf(server.config().basePort());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Run cli(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.entroca.Main", "cli"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> copy(process.getInputStream(), out));
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "cli did not finish");
        reader.join();
        return new Run(process.exitValue(), out.toByteArray(), err);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // The process ended.
        }
    }

    @Test
    void setGetTouchDeleteWithTheDocumentedExitStatuses() throws Exception {
        Run set = cli("--port", port, "set", "greeting", "hello, world", "--ttl", "60");
        assertEquals(0, set.status(), set.stderr());
        assertTrue(set.out().trim().matches("\\d+"), "set prints the version: " + set.out());

        Run get = cli("--port", port, "get", "greeting");
        assertEquals(0, get.status());
        assertEquals("hello, world", get.out(), "get writes the value's bytes and nothing else");

        assertEquals(0, cli("--port", port, "touch", "greeting", "120").status());
        assertEquals(0, cli("--port", port, "del", "greeting").status());

        Run missing = cli("--port", port, "get", "greeting");
        assertEquals(1, missing.status());
        assertEquals("", missing.out());
        assertTrue(missing.stderr().contains("greeting: not found"), missing.stderr());
        assertEquals(1, cli("--port", port, "del", "greeting").status());
        assertEquals(1, cli("--port", port, "touch", "greeting", "5").status());
    }

    @Test
    void pingStatsAndFlush() throws Exception {
        Run ping = cli("--port", port, "ping");
        assertEquals(0, ping.status());
        assertEquals("PONG 2 ports", ping.out().trim());
        cli("--port", port, "set", "a", "1");
        Run stats = cli("--port", port, "stats");
        assertEquals(0, stats.status());
        assertTrue(stats.out().contains("0.items "), stats.out());
        assertTrue(stats.out().contains("1.hits "), stats.out());
        assertEquals(0, cli("--port", port, "flush").status());
    }

    @Test
    void anUnreachableServerIsExitTwoWithAMessage() throws Exception {
        int closed = TestServers.freeBasePort(1);
        Run run = cli("--port", String.valueOf(closed), "ping");
        assertEquals(2, run.status());
        assertTrue(run.stderr().contains("cannot connect to 127.0.0.1:" + closed), run.stderr());
    }

    @Test
    void nodesSpreadKeysOverSeveralServersAndNameADownOne() throws Exception {
        int closed = TestServers.freeBasePort(1);
        String nodes = "127.0.0.1:" + port + ",127.0.0.1:" + closed;
        // Find a key the live node owns, the way any client would (docs/protocol.md §5.1).
        String key = null;
        for (int i = 0; key == null; i++) {
            if (io.entroca.client.NodeRouting.nodeFor(io.entroca.protocol.Routing.hash(("n" + i).getBytes(StandardCharsets.UTF_8)), 2) == 0) {
                key = "n" + i;
            }
        }
        assertEquals(0, cli("--nodes", nodes, "set", key, "spread").status());
        try (io.entroca.client.EntrocaClient direct = io.entroca.client.EntrocaClient.connect("127.0.0.1", Integer.parseInt(port))) {
            assertEquals("spread", new String(direct.get(key.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8),
                    "the key is on the first node");
        }
        Run ping = cli("--nodes", nodes, "ping");
        assertEquals(2, ping.status());
        assertTrue(ping.out().contains("PONG 1/2 nodes up") && ping.stderr().contains("127.0.0.1:" + closed + " is down"),
                ping.out() + ping.stderr());
    }

    @Test
    void aUsageErrorIsExitTwo() throws Exception {
        assertEquals(2, cli("--port", port, "get").status());
    }
}
