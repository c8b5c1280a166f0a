package io.entroca.server;

import io.entroca.protocol.Opcode;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.RequestValidator;
import io.entroca.protocol.Routing;
import io.entroca.protocol.ServerInfo;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The server's request path without the network: a connection thread hands a batch of GETs to
 * a real owner thread through the real mailbox, the owner executes them against the store and
 * fills the replies, and the connection thread waits for it exactly as a connection does.
 * Results are per request: {@code oneRequest} hands one request over at a time (a client with
 * one request in flight), {@code batchOf32} hands 32 (a pipelining client).
 *
 * <p>Run: {@code ./entroca jmh OwnerRoundTripBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class OwnerRoundTripBenchmark {
    private static final int KEYS = 1024;

    private static final int BATCH = 32;

    /** The owner's spin before it parks: 0 parks at once (a wake-up per hand-off). */
    @Param({"0ns", "2us"})
    public String spin;

    private PortOwner owner;
    private RequestBatch requests;
    private byte[] input;
    private int[] offsets;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        ServerConfig config = ServerConfig.from(Config.just(ConfigSources.create(Map.of(
                "entroca.ports", "1",
                "entroca.memory", "64MiB",
                "entroca.owner.spin", spin))));
        owner = new PortOwner(0, config);
        owner.start();
        ServerInfo info = config.serverInfo(0);
        RequestValidator validator = new RequestValidator(info);
        // One SET per key, then GET frames for all of them, laid out as a connection's read buffer.
        byte[][] keys = new byte[KEYS][];
        int size = 0;
        for (int i = 0; i < KEYS; i++) {
            keys[i] = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
            size += RequestHeader.LENGTH + keys[i].length;
        }
        input = new byte[size];
        offsets = new int[KEYS];
        int at = 0;
        for (int i = 0; i < KEYS; i++) {
            offsets[i] = at;
            RequestHeader.write(input, at, Opcode.GET, 0, keys[i].length, 0, i, 0, Routing.hash(keys[i]), 0);
            System.arraycopy(keys[i], 0, input, at + RequestHeader.LENGTH, keys[i].length);
            at += RequestHeader.LENGTH + keys[i].length;
        }
        requests = new RequestBatch(BATCH, 4096, Thread.currentThread());
        store(keys, validator);
    }

    private void store(byte[][] keys, RequestValidator validator) {
        byte[] value = new byte[32];
        for (byte[] key : keys) {
            byte[] set = new byte[RequestHeader.LENGTH + key.length + value.length];
            RequestHeader.write(set, 0, Opcode.SET, 0, key.length, value.length, 0, 0, Routing.hash(key), 0);
            System.arraycopy(key, 0, set, RequestHeader.LENGTH, key.length);
            RequestBatch one = new RequestBatch(1, 4096, Thread.currentThread());
            one.clear(set);
            one.add(0, validator.check(set, 0));
            roundTrip(one);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        owner.stop();
    }

    @Benchmark
    public int oneRequest() {
        return handOff(1);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batchOf32() {
        return handOff(BATCH);
    }

    private int handOff(int count) {
        requests.clear(input);
        for (int i = 0; i < count; i++) {
            requests.add(offsets[next], RequestValidator.ACCEPT);
            next = (next + 1) & (KEYS - 1);
        }
        roundTrip(requests);
        return requests.outputLength;
    }

    private void roundTrip(RequestBatch b) {
        b.beginRound();
        while (!owner.offer(b)) {
            Thread.onSpinWait();
        }
        while (!b.isCompleted()) {
            LockSupport.park(this);
        }
    }
}
