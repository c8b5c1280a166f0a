package io.entroca.perf;

import io.entroca.protocol.Opcode;
import io.entroca.protocol.RequestHeader;
import io.entroca.protocol.RequestValidator;
import io.entroca.protocol.ResponseHeader;
import io.entroca.protocol.Routing;
import io.entroca.protocol.ServerInfo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the protocol costs per request on each side: the client hashing, routing and encoding a
 * request; the server validating a header; encoding and decoding a response.
 *
 * <p>Run: {@code ./entroca jmh CodecBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    private final byte[] key = "user:00000042:profile".getBytes(StandardCharsets.US_ASCII);
    private final byte[] value = new byte[32];
    private final byte[] frame = new byte[RequestHeader.LENGTH + 64];
    private final byte[] response = new byte[ResponseHeader.LENGTH + 32];
    private RequestValidator validator;
    private int opaque;

    @Setup
    public void setUp() {
        long hash = Routing.hash(key);
        ServerInfo info = new ServerInfo(Routing.portFor(hash, 4), 4, Routing.HASH_XXH64, 0, 250, 1 << 20, 1000, false, false);
        validator = new RequestValidator(info);
        RequestHeader.write(frame, 0, Opcode.SET, 0, key.length, value.length, 1, 60, hash, 0);
        ResponseHeader.write(response, 0, Opcode.GET, 0, 32, 1, 99);
    }

    /** Client side: hash the key, pick the port, write header, key and value. */
    @Benchmark
    public int encodeSetRequest() {
        long hash = Routing.hash(key);
        int port = Routing.portFor(hash, 4);
        RequestHeader.write(frame, 0, Opcode.SET, 0, key.length, value.length, opaque++, 60, hash, 0);
        System.arraycopy(key, 0, frame, RequestHeader.LENGTH, key.length);
        System.arraycopy(value, 0, frame, RequestHeader.LENGTH + key.length, value.length);
        return port;
    }

    /** Server side: every check a connection makes before a request may reach the owner. */
    @Benchmark
    public int validateRequest() {
        return validator.check(frame, 0);
    }

    /** Server side: the owner writing a GET hit's header. */
    @Benchmark
    public byte[] encodeResponseHeader() {
        ResponseHeader.write(response, 0, Opcode.GET, 0, 32, opaque++, 42);
        return response;
    }

    /** Client side: reading a response header. */
    @Benchmark
    public long decodeResponseHeader() {
        return ResponseHeader.status(response, 0) + ResponseHeader.bodyLength(response, 0)
                + ResponseHeader.opaque(response, 0) + ResponseHeader.version(response, 0);
    }
}
