package io.entroca.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entroca.client.EntrocaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: headless Chromium loads it from the admin port while load
 * runs, and the test reads the page through the Chrome DevTools Protocol (the JDK's WebSocket
 * client, no driver binary). It checks that the page shows every port, that its numbers move,
 * that the hot key appears, and that the browser logged no console error or exception. It leaves
 * a screenshot in {@code target/dashboard.png}.
 *
 * <p>Needs a Chromium: {@code ENTROCA_CHROMIUM}, or Debian's {@code /usr/bin/chromium}, which
 * {@code .ci/run} installs. Without one the test is skipped, and says why.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DashboardBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path profile;
    @TempDir
    Path logs;

    static Optional<Path> chromium() {
        String configured = System.getenv("ENTROCA_CHROMIUM");
        Stream<String> candidates = configured != null && !configured.isBlank()
                ? Stream.of(configured)
                : Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        return candidates.map(Path::of).filter(Files::isExecutable).findFirst();
    }

    @Test
    void theDashboardLoadsShowsNumbersThatMoveUnderLoadAndLogsNoErrors() throws Exception {
        Optional<Path> browser = chromium();
        assumeTrue(browser.isPresent(), "no headless Chromium (set ENTROCA_CHROMIUM, or apt-get install chromium as"
                + " .ci/run does): the dashboard browser test is skipped");
        try (EntrocaServer server = TestServers.start(2);
             EntrocaClient client = EntrocaClient.connect("127.0.0.1", server.dataPorts().getFirst())) {
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread load = Thread.ofVirtual().start(() -> runLoad(client, loading));
            Process chrome = startChromium(browser.get());
            try (Cdp page = Cdp.connect(pageTarget(chrome))) {
                page.call("Runtime.enable", Map.of());
                page.call("Log.enable", Map.of());
                page.call("Page.enable", Map.of());
                page.call("Page.navigate", Map.of("url", "http://127.0.0.1:" + server.adminPort() + "/"));

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (page.evaluate("document.querySelectorAll('.port').length").asInt() < 2) {
                    assertTrue(System.nanoTime() < deadline, "the dashboard never showed both ports; errors: " + page.errors);
                    Thread.sleep(200);
                }
                String total = "Number(document.getElementById('total-requests').dataset.value)";
                long first = page.evaluate(total).asLong();
                Thread.sleep(2500);
                long second = page.evaluate(total).asLong();
                assertTrue(first > 0 && second > first, "the request count moves while load runs: " + first + " then " + second);
                assertTrue(page.evaluate("Number(document.getElementById('total-ops').dataset.value)").asDouble() > 0, "ops/s above 0");
                assertEquals("true", page.evaluate("document.getElementById('status').dataset.ready").asText());
                assertTrue(page.evaluate("document.body.innerText").asText().contains("dash-hot-key"), "the hot key is listed");
                assertTrue(page.evaluate("document.querySelectorAll('.histogram')[0].children.length === 16"
                        + " || document.querySelectorAll('.histogram')[0].innerText.startsWith('no temperatures: ')").asBoolean(),
                        "the temperature panel shows 16 bands, or says why it has none");
                // What the page looked like, for people: target/dashboard.png.
                String png = page.call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
                Files.write(Path.of("target", "dashboard.png"), java.util.Base64.getDecoder().decode(png));
                assertTrue(page.errors.isEmpty(), "the browser logged errors: " + page.errors);
            } finally {
                loading.set(false);
                load.join(Duration.ofSeconds(10));
                // Only the browser this test started, and the processes it started.
                chrome.descendants().forEach(ProcessHandle::destroyForcibly);
                chrome.destroyForcibly();
                chrome.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A steady, modest load with one hot key: pipelined bursts of GETs, a few SETs. */
    private static void runLoad(EntrocaClient client, AtomicBoolean loading) {
        byte[] hot = "dash-hot-key".getBytes(StandardCharsets.UTF_8);
        client.set(hot, "warm".getBytes(StandardCharsets.UTF_8));
        while (loading.get()) {
            List<CompletableFuture<?>> burst = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int k = ThreadLocalRandom.current().nextInt(5000);
                burst.add(i % 2 == 0 ? client.getAsync(hot)
                        : i % 7 == 0 ? client.storeAsync(("k" + k).getBytes(StandardCharsets.UTF_8), new byte[64],
                                EntrocaClient.Condition.ALWAYS, 0, Duration.ZERO)
                        : client.getAsync(("k" + k).getBytes(StandardCharsets.UTF_8)));
            }
            CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).join();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Process startChromium(Path browser) throws Exception {
        List<String> command = List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "about:blank");
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve("chromium.log").toFile()).start();
    }

    /** The DevTools WebSocket of the browser's first page, found through the port file Chromium writes. */
    private String pageTarget(Process chrome) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertTrue(chrome.isAlive(), "Chromium exited with " + (chrome.isAlive() ? "" : chrome.exitValue()));
            if (Files.exists(portFile)) {
                List<String> lines = Files.readAllLines(portFile);
                if (!lines.isEmpty() && !lines.getFirst().isBlank()) {
                    String list = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lines.getFirst().trim() + "/json/list"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                    for (JsonNode target : JSON.readTree(list)) {
                        if (target.path("type").asText().equals("page")) {
                            return target.path("webSocketDebuggerUrl").asText();
                        }
                    }
                }
            }
            assertTrue(System.nanoTime() < deadline, "Chromium did not open its DevTools port within 60 s");
            Thread.sleep(100);
        }
    }

    /** A DevTools Protocol session: numbered calls, and every error the page reports. */
    static final class Cdp implements WebSocket.Listener, AutoCloseable {
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Cdp connect(String url) {
            Cdp cdp = new Cdp();
            cdp.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(url), cdp).join();
            return cdp;
        }

        synchronized JsonNode call(String method, Map<String, Object> params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            pending.put(id, reply);
            ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
            message.set("params", JSON.valueToTree(params));
            socket.sendText(JSON.writeValueAsString(message), true).join();
            JsonNode answer = reply.get(30, TimeUnit.SECONDS);
            if (answer.has("error")) {
                throw new IllegalStateException(method + ": " + answer.get("error"));
            }
            return answer.path("result");
        }

        JsonNode evaluate(String expression) throws Exception {
            JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException(expression + ": " + result.get("exceptionDetails"));
            }
            return result.path("result").path("value");
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    handle(JSON.readTree(text));
                } catch (Exception e) {
                    errors.add("unreadable DevTools message: " + e);
                }
            }
            webSocket.request(1);
            return null;
        }

        private void handle(JsonNode message) {
            if (message.has("id")) {
                CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
                if (reply != null) {
                    reply.complete(message);
                }
                return;
            }
            JsonNode params = message.path("params");
            switch (message.path("method").asText()) {
                case "Runtime.consoleAPICalled" -> {
                    String type = params.path("type").asText();
                    if (type.equals("error") || type.equals("assert")) {
                        errors.add("console." + type + ": " + params.path("args"));
                    }
                }
                case "Runtime.exceptionThrown" -> errors.add("exception: " + params.path("exceptionDetails"));
                case "Log.entryAdded" -> {
                    JsonNode entry = params.path("entry");
                    if (entry.path("level").asText().equals("error")) {
                        errors.add("log: " + entry.path("text").asText() + " " + entry.path("url").asText());
                    }
                }
                default -> {
                    // Other events do not matter here.
                }
            }
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
    }
}
