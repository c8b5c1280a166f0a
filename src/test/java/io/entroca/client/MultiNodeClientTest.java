package io.entroca.client;

import io.entroca.protocol.Routing;
import io.entroca.server.EntrocaServer;
import io.entroca.server.ServerProcess;
import io.entroca.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client-side routing over several servers: consistent hashing, nodes going down and coming back. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock fails the test instead of hanging the build
class MultiNodeClientTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFourthNodeTakesAQuarterOfTheKeysAndNothingElseMoves() {
        int keys = 200_000;
        int moved = 0;
        int[] perNode = new int[4];
        for (int i = 0; i < keys; i++) {
            long hash = Routing.hash(b("key:" + i));
            int before = NodeRouting.nodeFor(hash, 3);
            int after = NodeRouting.nodeFor(hash, 4);
            perNode[after]++;
            if (before != after) {
                moved++;
                assertEquals(3, after, "a key that moves, moves to the new node");
            }
        }
        double fraction = (double) moved / keys;
        System.out.printf("remap fraction 3 -> 4 nodes: %.4f (ideal 0.25; modulo hashing would move 0.75)%n", fraction);
        assertTrue(fraction > 0.24 && fraction < 0.26, "moved " + fraction);
        for (int count : perNode) {
            assertTrue(Math.abs(count - keys / 4) < keys / 100, "even spread " + Arrays.toString(perNode));
        }
    }

    @Test
    void theVectorsOfProtocolSection51() {
        String[] keys = {"key:0", "key:1", "key:2", "key:6", "key:7"};
        int[][] expected = {{0, 0, 0}, {2, 2, 9}, {1, 1, 7}, {1, 3, 3}, {1, 3, 7}};
        int[] counts = {3, 4, 10};
        for (int k = 0; k < keys.length; k++) {
            for (int n = 0; n < counts.length; n++) {
                assertEquals(expected[k][n], NodeRouting.nodeFor(Routing.hash(b(keys[k])), counts[n]), keys[k] + " over " + counts[n]);
            }
        }
    }

    @Test
    void theNodeChoiceIsIndependentOfThePortChoice() {
        int keys = 120_000;
        int[][] cells = new int[3][2];
        for (int i = 0; i < keys; i++) {
            long hash = Routing.hash(b("k" + i));
            cells[NodeRouting.nodeFor(hash, 3)][Routing.portFor(hash, 2)]++;
        }
        for (int[] row : cells) {
            for (int cell : row) {
                assertTrue(Math.abs(cell - keys / 6) < keys / 100, "every (node, port) pair gets a sixth: " + Arrays.deepToString(cells));
            }
        }
    }

    @Test
    void aKilledNodeUnderLoadCostsMissesAndFastFailuresNeverHangsOrWrongValues() throws Exception {
        int killedBase = TestServers.freeBasePort(2);
        Map<String, String> env = Map.of("ENTROCA_BASE_dash_PORT", String.valueOf(killedBase), "ENTROCA_PORTS", "2",
                "ENTROCA_MEMORY", "32MiB");
        try (EntrocaServer a = TestServers.start(2);
             EntrocaServer c = TestServers.start(3);
             ServerProcess b = ServerProcess.start(env, "serve")) {
            b.awaitReady();
            String killed = "127.0.0.1:" + killedBase;
            List<String> nodes = List.of("127.0.0.1:" + a.config().basePort(), killed, "127.0.0.1:" + c.config().basePort());
            Duration timeout = Duration.ofSeconds(1);
            try (EntrocaClient client = EntrocaClient.connectNodes(nodes, timeout)) {
                int keyCount = 3000;
                for (int i = 0; i < keyCount; i++) {
                    client.setQuietAsync(b("key-" + i), b("value-of-key-" + i), Duration.ZERO);
                }
                client.sync();
                int onKilled = 0;
                for (int i = 0; i < keyCount; i++) {
                    onKilled += client.nodeOf(b("key-" + i)).equals(killed) ? 1 : 0;
                }
                assertTrue(onKilled > 700 && onKilled < 1300, "a third of the keys on each node: " + onKilled);

                AtomicReference<String> wrong = new AtomicReference<>();
                AtomicLong slowestNs = new AtomicLong();
                AtomicLong hits = new AtomicLong();
                AtomicLong nodeDown = new AtomicLong();
                long endAt = System.nanoTime() + 2_000_000_000L;
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    workers.add(Thread.ofVirtual().start(() -> {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        while (System.nanoTime() < endAt) {
                            String key = "key-" + random.nextInt(keyCount);
                            long start = System.nanoTime();
                            try {
                                if (random.nextInt(10) == 0) {
                                    client.set(b(key), b("value-of-" + key));
                                } else {
                                    byte[] value = client.get(b(key));
                                    if (value != null) {
                                        hits.incrementAndGet();
                                        if (!Arrays.equals(value, b("value-of-" + key))) {
                                            wrong.set(key + " read " + new String(value, StandardCharsets.UTF_8));
                                        }
                                    }
                                }
                            } catch (EntrocaException.NodeDown e) {
                                nodeDown.incrementAndGet();
                            } catch (RuntimeException e) {
                                wrong.set("unexpected " + e);
                            }
                            slowestNs.accumulateAndGet(System.nanoTime() - start, Math::max);
                        }
                    }));
                }
                Thread.sleep(700);
                b.close(); // SIGKILL: no goodbye, connections reset
                for (Thread worker : workers) {
                    assertTrue(worker.join(Duration.ofSeconds(20)), "a worker hung");
                }
                assertNull(wrong.get(), wrong.get());
                assertTrue(hits.get() > 1000, "reads hit before and after the kill: " + hits.get());
                assertTrue(nodeDown.get() > 0, "writes to the dead node failed fast");
                assertTrue(slowestNs.get() < 2 * timeout.toNanos() + 500_000_000L,
                        "no operation waited much past the timeout: " + slowestNs.get() / 1_000_000 + " ms");
                assertFalse(client.isUp(killed));

                byte[] deadKey = null;
                for (int i = 0; deadKey == null; i++) {
                    if (client.nodeOf(b("key-" + i)).equals(killed)) {
                        deadKey = b("key-" + i);
                    }
                }
                byte[] key = deadKey;
                long start = System.nanoTime();
                assertNull(client.get(key), "a down node's keys read as misses");
                EntrocaException.NodeDown down = assertThrows(EntrocaException.NodeDown.class, () -> client.set(key, b("x")));
                assertTrue(System.nanoTime() - start < 100_000_000L, "at once, not after a timeout");
                assertTrue(down.getMessage().contains(killed) && down.getMessage().contains("is down"), down.getMessage());

                try (ServerProcess again = ServerProcess.start(env, "serve")) {
                    again.awaitReady();
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (!client.isUp(killed) && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    assertTrue(client.isUp(killed), "the node is up again once it answers");
                    client.set(key, b("back"));
                    assertArrayEquals(b("back"), client.get(key));
                }
            }
        }
    }

    @Test
    void aNodeThatStopsAnsweringIsMarkedDownAfterTheTimeoutAndComesBack() throws Exception {
        int frozenBase = TestServers.freeBasePort(1);
        Map<String, String> env = Map.of("ENTROCA_BASE_dash_PORT", String.valueOf(frozenBase), "ENTROCA_PORTS", "1",
                "ENTROCA_MEMORY", "16MiB");
        try (EntrocaServer live = TestServers.start(1); ServerProcess frozen = ServerProcess.start(env, "serve")) {
            frozen.awaitReady();
            String frozenNode = "127.0.0.1:" + frozenBase;
            Duration timeout = Duration.ofMillis(500);
            try (EntrocaClient client = EntrocaClient.connectNodes(List.of("127.0.0.1:" + live.config().basePort(), frozenNode), timeout)) {
                byte[] key = null;
                for (int i = 0; key == null; i++) {
                    key = client.nodeOf(b("f" + i)).equals(frozenNode) ? b("f" + i) : null;
                }
                client.set(key, b("before"));
                frozen.signal("STOP"); // the process still holds its sockets but answers nothing
                try {
                    long start = System.nanoTime();
                    assertNull(client.get(key), "a read that times out is a miss");
                    long waited = System.nanoTime() - start;
                    assertTrue(waited >= timeout.toNanos() / 2 && waited < timeout.toNanos() * 4, "waited " + waited / 1_000_000 + " ms");
                    assertFalse(client.isUp(frozenNode));
                    byte[] k = key;
                    start = System.nanoTime();
                    assertThrows(EntrocaException.NodeDown.class, () -> client.set(k, b("lost")));
                    assertNull(client.get(key));
                    assertTrue(System.nanoTime() - start < timeout.toNanos() / 2, "once down, at once");
                } finally {
                    frozen.signal("CONT");
                }
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!client.isUp(frozenNode) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(client.isUp(frozenNode), "up again once it answers");
                assertArrayEquals(b("before"), client.get(key), "and its entries are still there");
            }
        }
    }

    @Test
    void theNodeListChangesAtRunTime() {
        try (EntrocaServer a = TestServers.start(1); EntrocaServer b = TestServers.start(1)) {
            String first = "127.0.0.1:" + a.config().basePort();
            String second = "127.0.0.1:" + b.config().basePort();
            try (EntrocaClient client = EntrocaClient.connectNodes(List.of(first))) {
                for (int i = 0; i < 200; i++) {
                    client.set(b("k" + i), b("v" + i));
                }
                client.setNodes(List.of(first, second));
                assertEquals(List.of(first, second), client.nodes());
                int stillHit = 0;
                int movedAway = 0;
                for (int i = 0; i < 200; i++) {
                    byte[] value = client.get(b("k" + i));
                    if (client.nodeOf(b("k" + i)).equals(first)) {
                        assertArrayEquals(b("v" + i), value, "keys that stay keep their values");
                        stillHit++;
                    } else {
                        assertNull(value, "keys that moved are misses on the new node");
                        movedAway++;
                    }
                }
                assertTrue(stillHit > 60 && movedAway > 60, stillHit + " stayed, " + movedAway + " moved");
                assertEquals(2, client.stats().size());
                assertThrows(IllegalArgumentException.class, () -> client.setNodes(List.of(first, first)));
            }
        }
    }
}
