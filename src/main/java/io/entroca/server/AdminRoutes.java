package io.entroca.server;

import io.entroca.protocol.Handshake;
import io.entroca.protocol.Opcode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The admin listener's HTTP endpoints. Every figure comes from the {@link PortSnapshot} each
 * owner publishes, plus two values that are safe to read from any thread (the mailbox's size and
 * the full-mailbox counter); no handler reads an owner's or a store's live fields.
 *
 * <ul>
 *   <li>{@code /health}: 200 when every owner thread runs, takes work and published recently,
 *       and every data port completes a handshake; 503 otherwise.</li>
 *   <li>{@code /metrics}: Prometheus text format, every name beginning {@code entroca_}, one
 *       series per data port (label {@code port}, the port index).</li>
 *   <li>{@code /stats}: the same figures and the hot keys as JSON; the dashboard polls it.</li>
 *   <li>{@code /hotkeys}: each port's top keys, JSON.</li>
 *   <li>{@code /}: the live dashboard (static HTML, CSS and JS from the jar).</li>
 * </ul>
 */
final class AdminRoutes {
    /** How long /health waits for each data port's handshake. */
    private static final int PROBE_TIMEOUT_MS = 1000;

    private final List<PortOwner> owners;
    private final ServerConfig config;
    private final long startedAtMillis = System.currentTimeMillis();
    /** A snapshot older than this means its owner is stuck: at least 3 s, and three of its publish periods. */
    private final long staleAfterMillis;
    private volatile EntrocaServer server;

    AdminRoutes(List<PortOwner> owners, ServerConfig config) {
        this.owners = List.copyOf(owners);
        this.config = config;
        long periodNs = Math.max(PortOwner.PUBLISH_INTERVAL_NS, config.idle().parkMaxNs());
        this.staleAfterMillis = Math.max(3_000, 3 * periodNs / 1_000_000);
    }

    void attach(EntrocaServer server) {
        this.server = server;
    }

    void register(HttpRouting.Builder routing) {
        routing.get("/health", this::health)
                .get("/metrics", this::metrics)
                .get("/stats", this::stats)
                .get("/hotkeys", this::hotKeys)
                .get("/", (req, res) -> resource(res, "index.html", "text/html; charset=utf-8"))
                .get("/dashboard.js", (req, res) -> resource(res, "dashboard.js", "text/javascript; charset=utf-8"))
                .get("/dashboard.css", (req, res) -> resource(res, "dashboard.css", "text/css; charset=utf-8"));
    }

    // ---- /health -------------------------------------------------------------------------------

    /**
     * Why the server is not ready, or null when it is. With {@code probePorts} (for /health) it
     * also completes a protocol handshake on every data port over loopback, so "ready" means each
     * port accepts and answers; without it (/stats, /metrics, polled often) it trusts the listener
     * state.
     */
    String notReadyReason(boolean probePorts) {
        String reason = stateReason();
        if (reason != null || !probePorts) {
            return reason;
        }
        InetAddress address = config.bind().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : config.bind();
        for (int i = 0; i < owners.size(); i++) {
            int port = config.basePort() + i;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), PROBE_TIMEOUT_MS);
                socket.setSoTimeout(PROBE_TIMEOUT_MS);
                socket.getOutputStream().write(Handshake.clientHello(Handshake.VERSION));
                byte[] head = socket.getInputStream().readNBytes(Handshake.SERVER_HEAD_LENGTH);
                if (head.length < Handshake.SERVER_HEAD_LENGTH || !Handshake.hasMagic(head, 0)
                        || Handshake.serverStatus(head) != io.entroca.protocol.Status.OK) {
                    return "port " + port + " did not complete a handshake";
                }
            } catch (IOException e) {
                return "port " + port + " does not accept: " + e.getMessage();
            }
        }
        return null;
    }

    private String stateReason() {
        EntrocaServer s = server;
        if (s == null) {
            return "starting";
        }
        if (!s.isServing()) {
            return "a listener or an owner thread is not running";
        }
        long now = System.currentTimeMillis();
        for (PortOwner owner : owners) {
            long age = now - owner.snapshot().takenAtMillis();
            if (age > staleAfterMillis) {
                return "owner " + owner.portIndex() + " published nothing for " + age + " ms";
            }
        }
        return null;
    }

    private void health(ServerRequest req, ServerResponse res) {
        String reason = notReadyReason(true);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (reason == null) {
            res.send("{\"status\":\"ready\",\"ports\":" + owners.size() + "}");
        } else {
            res.status(Status.SERVICE_UNAVAILABLE_503).send("{\"status\":\"not ready\",\"reason\":" + Json.string(reason) + "}");
        }
    }

    // ---- /metrics ------------------------------------------------------------------------------

    private void metrics(ServerRequest req, ServerResponse res) {
        List<PortSnapshot> snaps = snapshots();
        List<MetricSnapshot> metrics = new ArrayList<>();
        List<CounterDataPointSnapshot> ops = new ArrayList<>();
        for (PortSnapshot s : snaps) {
            for (int opcode = Opcode.GET; opcode <= Opcode.STATS; opcode++) {
                ops.add(CounterDataPointSnapshot.builder()
                        .labels(Labels.of("port", port(s), "opcode", Opcode.name(opcode).toLowerCase()))
                        .value(s.operations()[opcode]).build());
            }
        }
        metrics.add(new CounterSnapshot(new MetricMetadata("entroca_operations", "Requests executed by the port's owner thread, by opcode."), ops));
        metrics.add(counter(snaps, "entroca_hits", "Lookups that found a live entry.", s -> s.store().hits));
        metrics.add(counter(snaps, "entroca_misses", "Lookups that found no live entry.", s -> s.store().misses));
        metrics.add(counter(snaps, "entroca_evictions", "Entries evicted to make room.", s -> s.store().evictions));
        metrics.add(counter(snaps, "entroca_expirations", "Entries removed because their TTL passed.", s -> s.store().expirations));
        metrics.add(counter(snaps, "entroca_request_errors", "Requests answered with an error status.", PortSnapshot::errors));
        metrics.add(gauge(snaps, "entroca_items", "Live entries in the port's store.", s -> s.store().items));
        metrics.add(gauge(snaps, "entroca_payload_bytes", "Bytes of keys and values held.", s -> s.store().payloadBytes));
        metrics.add(gauge(snaps, "entroca_allocated_bytes", "Bytes the store handed out, metadata and rounding included.",
                s -> s.store().allocatedBytes));
        metrics.add(gauge(snaps, "entroca_capacity_bytes", "The port's memory budget.", s -> s.store().capacityBytes));
        List<GaugeDataPointSnapshot> depth = new ArrayList<>();
        List<CounterDataPointSnapshot> fullWaits = new ArrayList<>();
        for (PortOwner owner : owners) {
            Labels labels = Labels.of("port", String.valueOf(owner.portIndex()));
            depth.add(GaugeDataPointSnapshot.builder().labels(labels).value(owner.mailboxDepth()).build());
            fullWaits.add(CounterDataPointSnapshot.builder().labels(labels).value(owner.mailboxFullWaits()).build());
        }
        metrics.add(new GaugeSnapshot(new MetricMetadata("entroca_mailbox_depth", "Batches waiting in the port's mailbox, read at scrape time."), depth));
        metrics.add(new CounterSnapshot(new MetricMetadata("entroca_mailbox_full_waits", "Times a connection found the mailbox full and waited."), fullWaits));
        List<SummaryDataPointSnapshot> drains = new ArrayList<>();
        List<SummaryDataPointSnapshot> service = new ArrayList<>();
        for (PortSnapshot s : snaps) {
            drains.add(SummaryDataPointSnapshot.builder().labels(Labels.of("port", port(s)))
                    .count(s.drains()).sum(s.drainedBatches()).build());
            List<Quantile> quantiles = new ArrayList<>();
            for (int i = 0; i < PortSnapshot.SERVICE_QUANTILES.length; i++) {
                quantiles.add(new Quantile(PortSnapshot.SERVICE_QUANTILES[i], s.serviceNs()[i] / 1e9));
            }
            service.add(SummaryDataPointSnapshot.builder().labels(Labels.of("port", port(s)))
                    .quantiles(Quantiles.of(quantiles)).count(s.serviceCount()).sum(s.serviceSumNs() / 1e9).build());
        }
        metrics.add(new SummarySnapshot(new MetricMetadata("entroca_drain_batch_size", "Batches the owner took per mailbox drain that found work (count: drains, sum: batches)."), drains));
        metrics.add(new SummarySnapshot(new MetricMetadata("entroca_service_time_seconds", "Owner time per request (each batch's time over its requests); quantiles over the last snapshot interval."), service));
        metrics.add(gauge(snaps, "entroca_owner_busy_ratio", "Share of the last snapshot interval the owner spent executing requests.",
                PortSnapshot::busyRatio));
        metrics.add(counter(snaps, "entroca_owner_busy_seconds", "Time the owner spent executing requests.", s -> s.busyNs() / 1e9));
        metrics.add(gauge(snaps, "entroca_snapshot_age_seconds", "Age of the owner's latest published figures.",
                s -> (System.currentTimeMillis() - s.takenAtMillis()) / 1e3));
        List<GaugeDataPointSnapshot> hot = new ArrayList<>();
        for (PortSnapshot s : snaps) {
            List<HotKeys.HotKey> keys = s.hotKeys();
            for (int rank = 0; rank < Math.min(3, keys.size()); rank++) {
                hot.add(GaugeDataPointSnapshot.builder().labels(Labels.of("port", port(s), "rank", String.valueOf(rank + 1)))
                        .value(keys.get(rank).share()).build());
            }
        }
        metrics.add(new GaugeSnapshot(new MetricMetadata("entroca_hot_key_share", "Estimated share of the port's keyed requests that go to its rank-th hottest key (names at /hotkeys)."), hot));
        metrics.add(GaugeSnapshot.builder().name("entroca_ready").help("1 when /health answers ready.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(notReadyReason(false) == null ? 1 : 0).build()).build());
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, MetricSnapshots.of(metrics.toArray(MetricSnapshot[]::new)),
                    EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, PrometheusTextFormatWriter.CONTENT_TYPE);
        res.send(out.toByteArray());
    }

    private static String port(PortSnapshot s) {
        return String.valueOf(s.port());
    }

    private static CounterSnapshot counter(List<PortSnapshot> snaps, String name, String help, ToDoubleFunction<PortSnapshot> value) {
        List<CounterDataPointSnapshot> points = new ArrayList<>();
        for (PortSnapshot s : snaps) {
            points.add(CounterDataPointSnapshot.builder().labels(Labels.of("port", port(s))).value(value.applyAsDouble(s)).build());
        }
        return new CounterSnapshot(new MetricMetadata(name, help), points);
    }

    private static GaugeSnapshot gauge(List<PortSnapshot> snaps, String name, String help, ToDoubleFunction<PortSnapshot> value) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        for (PortSnapshot s : snaps) {
            points.add(GaugeDataPointSnapshot.builder().labels(Labels.of("port", port(s))).value(value.applyAsDouble(s)).build());
        }
        return new GaugeSnapshot(new MetricMetadata(name, help), points);
    }

    // ---- /stats and /hotkeys -------------------------------------------------------------------

    private List<PortSnapshot> snapshots() {
        List<PortSnapshot> snaps = new ArrayList<>(owners.size());
        for (PortOwner owner : owners) {
            snaps.add(owner.snapshot());
        }
        return snaps;
    }

    private void stats(ServerRequest req, ServerResponse res) {
        String reason = notReadyReason(false);
        StringBuilder json = new StringBuilder(4096).append('{')
                .append("\"ready\":").append(reason == null)
                .append(",\"uptimeSeconds\":").append((System.currentTimeMillis() - startedAtMillis) / 1000)
                .append(",\"bind\":").append(Json.string(config.bind().getHostAddress()))
                .append(",\"basePort\":").append(config.basePort())
                .append(",\"ports\":[");
        for (PortOwner owner : owners) {
            PortSnapshot s = owner.snapshot();
            if (owner.portIndex() > 0) {
                json.append(',');
            }
            json.append("{\"port\":").append(s.port())
                    .append(",\"tcpPort\":").append(config.basePort() + s.port())
                    .append(",\"takenAtMillis\":").append(s.takenAtMillis())
                    .append(",\"opsPerSecond\":").append(Json.number(s.opsPerSecond()))
                    .append(",\"hitRatio\":").append(Json.number(s.hitRatio()))
                    .append(",\"operations\":{");
            for (int opcode = Opcode.GET; opcode <= Opcode.STATS; opcode++) {
                json.append(opcode > Opcode.GET ? "," : "").append(Json.string(Opcode.name(opcode).toLowerCase()))
                        .append(':').append(s.operations()[opcode]);
            }
            json.append("},\"requests\":").append(s.requests())
                    .append(",\"requestErrors\":").append(s.errors())
                    .append(",\"hits\":").append(s.store().hits)
                    .append(",\"misses\":").append(s.store().misses)
                    .append(",\"sets\":").append(s.store().sets)
                    .append(",\"deletes\":").append(s.store().deletes)
                    .append(",\"evictions\":").append(s.store().evictions)
                    .append(",\"expirations\":").append(s.store().expirations)
                    .append(",\"items\":").append(s.store().items)
                    .append(",\"payloadBytes\":").append(s.store().payloadBytes)
                    .append(",\"allocatedBytes\":").append(s.store().allocatedBytes)
                    .append(",\"capacityBytes\":").append(s.store().capacityBytes)
                    .append(",\"mailboxDepth\":").append(owner.mailboxDepth())
                    .append(",\"mailboxFullWaits\":").append(owner.mailboxFullWaits())
                    .append(",\"drains\":").append(s.drains())
                    .append(",\"drainedBatches\":").append(s.drainedBatches())
                    .append(",\"busyRatio\":").append(Json.number(s.busyRatio()))
                    .append(",\"serviceNs\":{");
            String[] names = {"p50", "p90", "p99", "p999", "max"};
            for (int i = 0; i < names.length; i++) {
                json.append(i > 0 ? "," : "").append('"').append(names[i]).append("\":").append(s.serviceNs()[i]);
            }
            json.append("},\"hotKeys\":");
            hotKeysJson(json, s);
            json.append(",\"temperature\":{\"label\":").append(Json.string(s.temperatureLabel())).append(",\"buckets\":");
            if (s.temperature() == null) {
                json.append("null");
            } else {
                json.append('[');
                for (int i = 0; i < s.temperature().length; i++) {
                    json.append(i > 0 ? "," : "").append(s.temperature()[i]);
                }
                json.append(']');
            }
            json.append("}}");
        }
        json.append("]}");
        sendJson(res, json);
    }

    private void hotKeys(ServerRequest req, ServerResponse res) {
        StringBuilder json = new StringBuilder(2048).append("{\"sampleMean\":").append(HotKeys.SAMPLE_MEAN).append(",\"ports\":[");
        for (PortOwner owner : owners) {
            PortSnapshot s = owner.snapshot();
            json.append(owner.portIndex() > 0 ? "," : "").append("{\"port\":").append(s.port()).append(",\"hotKeys\":");
            hotKeysJson(json, s);
            json.append('}');
        }
        sendJson(res, json.append("]}"));
    }

    private static void hotKeysJson(StringBuilder json, PortSnapshot s) {
        json.append('[');
        List<HotKeys.HotKey> keys = s.hotKeys();
        for (int i = 0; i < keys.size(); i++) {
            HotKeys.HotKey k = keys.get(i);
            json.append(i > 0 ? "," : "").append("{\"key\":").append(Json.string(Json.keyText(k.key())))
                    .append(",\"sampled\":").append(k.count())
                    .append(",\"error\":").append(k.error())
                    .append(",\"share\":").append(Json.number(k.share())).append('}');
        }
        json.append(']');
    }

    private static void sendJson(ServerResponse res, CharSequence json) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ---- the dashboard -------------------------------------------------------------------------

    private static void resource(ServerResponse res, String name, String contentType) {
        try (InputStream in = AdminRoutes.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                res.status(Status.NOT_FOUND_404).send("dashboard resource missing: " + name);
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, contentType);
            res.send(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The little JSON writing the admin endpoints need. */
    static final class Json {
        private Json() {
        }

        static String string(String text) {
            StringBuilder out = new StringBuilder(text.length() + 2).append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }

        static String number(double value) {
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                return "0";
            }
            return String.format(java.util.Locale.ROOT, "%.4f", value);
        }

        /** A key as text when it is printable ASCII, else "0x" and its bytes in hex. */
        static String keyText(byte[] key) {
            boolean printable = true;
            for (byte b : key) {
                if (b < 0x20 || b > 0x7e) {
                    printable = false;
                    break;
                }
            }
            if (printable) {
                return new String(key, StandardCharsets.US_ASCII);
            }
            StringBuilder hex = new StringBuilder(2 + 2 * key.length).append("0x");
            for (byte b : key) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        }
    }
}
