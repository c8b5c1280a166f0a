package io.entroca.bench;

import io.entroca.Main;
import io.entroca.server.EntrocaServer;
import io.entroca.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator against real servers: an in-process Entroca, and memcached and redis-server
 * started from the machine's binaries (skipped, saying why, when they are not installed; Debian:
 * {@code apt-get install memcached redis-server}, or run perf/compare.sh once). Each run is short;
 * what is checked is that every reply is parsed as the right kind and none is an error.
 */
@Timeout(120)
class RealServersTest {
    private static EntrocaServer entroca;
    private static final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void startEntroca() {
        entroca = TestServers.start(2);
    }

    @AfterAll
    static void stopAll() throws InterruptedException {
        entroca.close();
        for (Process process : started) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static String binary(String name) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    /** Starts a peer on a free loopback port and waits until it accepts; skips if the binary is missing. */
    private static int startPeer(String name, java.util.function.IntFunction<List<String>> command)
            throws IOException, InterruptedException {
        String path = binary(name);
        Assumptions.assumeTrue(path != null, name + " is not installed, so its driver is not tested against a real "
                + "server (Debian: apt-get install memcached redis-server; perf/compare.sh installs them)");
        int port = TestServers.freeBasePort(1);
        List<String> args = new ArrayList<>();
        args.add(path);
        args.addAll(command.apply(port));
        Process process = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return port;
            } catch (IOException notYet) {
                Assumptions.assumeTrue(process.isAlive(), name + " exited at start (exit " +
                        (process.isAlive() ? "" : process.exitValue()) + ")");
                Thread.sleep(50);
            }
        }
        throw new IOException(name + " did not accept connections on port " + port);
    }

    private static BenchResult run(String scheme, int port, int pipeline, int gets, boolean prefill, String sizes)
            throws Exception {
        String[] range = sizes.split("-");
        int min = Integer.parseInt(range[0]);
        int max = Integer.parseInt(range[range.length - 1]);
        return new LoadRunner(new LoadRunner.Settings("127.0.0.1", port, () -> Driver.forScheme(scheme), 4, pipeline,
                2, 100_000_000L, 300_000_000L, 2_000, 0.99, min, max, gets, 0, prefill, 1)).run();
    }

    private static void checkDriver(String scheme, int port) throws Exception {
        BenchResult mixed = run(scheme, port, 8, 90, true, "16-1024");
        assertTrue(mixed.operations() > 100, scheme + ": " + mixed.resultLine());
        assertEquals(0, mixed.errors(), scheme + ": " + mixed.resultLine());
        assertTrue(mixed.hits() > 0 && mixed.stored() > 0, scheme + ": " + mixed.resultLine());
        assertEquals(1.0, mixed.hitRatio(), scheme + ": every key was prefilled: " + mixed.resultLine());
        assertEquals(mixed.operations(), mixed.hits() + mixed.misses() + mixed.stored());

        BenchResult sets = run(scheme, port, 1, 0, false, "32");
        assertEquals(sets.operations(), sets.stored(), scheme + " --gets 0 is all SETs: " + sets.resultLine());
        assertEquals(0, sets.errors());
    }

    @Test
    void entroca() throws Exception {
        checkDriver("entroca", entroca.config().basePort() + 1);
    }

    @Test
    void entrocaMissesWithoutPrefillAndFixedRate() throws Exception {
        int port = entroca.config().basePort();
        try (var client = io.entroca.client.EntrocaClient.connect("127.0.0.1", port)) {
            client.flush();
        }
        // Flushed and not prefilled: every GET misses.
        BenchResult misses = new LoadRunner(new LoadRunner.Settings("127.0.0.1", port, () -> Driver.forScheme("entroca"), 2, 4,
                1, 0, 200_000_000L, 500, 0, 32, 32, 100, 0, false, 3)).run();
        assertEquals(misses.operations(), misses.misses(), misses.resultLine());
        assertEquals(0.0, misses.hitRatio());

        BenchResult paced = new LoadRunner(new LoadRunner.Settings("127.0.0.1", port, () -> Driver.forScheme("entroca"),
                2, 4, 1, 100_000_000L, 500_000_000L, 500, 0, 32, 32, 90, 2_000, true, 3)).run();
        assertTrue(Math.abs(paced.opsPerSecond() - 2_000) < 300, "a fixed rate of 2000/s: " + paced.resultLine());
        assertEquals(0, paced.errors());
    }

    @Test
    void memcached() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        int port = startPeer("memcached", p -> {
            List<String> args = new ArrayList<>(List.of("-l", "127.0.0.1", "-p", String.valueOf(p), "-t", "2", "-m", "64"));
            if (root) {
                args.addAll(List.of("-u", "nobody"));
            }
            return args;
        });
        checkDriver("memcached", port);
    }

    @Test
    void redis() throws Exception {
        int port = startPeer("redis-server", p -> List.of("--port", String.valueOf(p), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"));
        checkDriver("redis", port);
    }

    @Test
    void entrocaThroughThePublicClient() throws Exception {
        BenchResult result = new ClientRunner(new LoadRunner.Settings("127.0.0.1", entroca.config().basePort(), null, 3,
                4, 1, 100_000_000L, 300_000_000L, 1_000, 0, 16, 64, 50, 0, true, 5)).run();
        assertTrue(result.operations() > 100, result.resultLine());
        assertEquals(0, result.errors(), result.resultLine());
        assertEquals(1.0, result.hitRatio(), result.resultLine());
        assertEquals(result.operations(), result.hits() + result.stored());
    }

    @Test
    void benchCommandPrintsTheResultLineLast() {
        StringWriter out = new StringWriter();
        int status = Main.commandLine().setOut(new PrintWriter(out)).execute("bench",
                "--target", "entroca://127.0.0.1:" + entroca.config().basePort(), "--conns", "3", "--pipeline", "4",
                "--duration", "300ms", "--warmup", "100ms", "--keys", "1000", "--key-dist", "zipf:0.99",
                "--value-size", "16-1024", "--gets", "50");
        assertEquals(0, status, out.toString());
        String[] lines = out.toString().strip().split("\n");
        Matcher m = Pattern.compile("RESULT target=entroca ops_s=(\\d+) p50_us=([\\d.]+) p99_us=([\\d.]+) "
                + "p999_us=([\\d.]+) hit_ratio=([\\d.]+) errors=(\\d+)").matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), out.toString());
        assertTrue(Long.parseLong(m.group(1)) > 0);
        assertEquals("1.0000", m.group(5));
        assertEquals("0", m.group(6));
    }
}
