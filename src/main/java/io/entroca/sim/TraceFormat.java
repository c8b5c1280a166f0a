package io.entroca.sim;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The trace formats of {@code shared/traces/README.md}, by the names the command line uses.
 * Compression is recognised by its magic bytes (gzip, xz, zstd, or none), so a format name only
 * says how the decompressed bytes are laid out.
 */
public enum TraceFormat {
    /** LIRS text: one decimal key per line; blank lines and "*" markers skipped; CRLF tolerated. */
    LIRS("lirs"),
    /** ARC .lis text: "start n ignored reqno" stands for keys start..start+n-1. */
    ARC("arc"),
    /** 4-byte big-endian signed ints (cache2k traces). */
    BE_INT32("be-int32"),
    /** 4-byte unsigned ints (w106), read big-endian as Caffeine does; any byte order is a bijection. */
    INT32("int32"),
    /** 8-byte big-endian signed longs (scarab, corda). */
    BE_INT64("be-int64"),
    /** libCacheSim oracleGeneral: little-endian {u32 time, u64 id, u32 size, i64 next}. */
    ORACLE_GENERAL("oracle-general");

    public final String cliName;

    TraceFormat(String cliName) {
        this.cliName = cliName;
    }

    public static TraceFormat byName(String name) {
        for (TraceFormat f : values()) {
            if (f.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown trace format '" + name + "'; known: lirs, arc, "
                + "be-int32, int32, be-int64, oracle-general");
    }

    /** Guesses a format from a file name, for the traces in shared/traces. */
    public static TraceFormat guess(Path file) {
        String n = file.getFileName().toString();
        if (n.contains(".lis")) return ARC;
        if (n.contains("oracleGeneral")) return ORACLE_GENERAL;
        if (n.startsWith("w106")) return INT32;
        if (n.startsWith("scarab") || n.startsWith("trace_vault")) return BE_INT64;
        if (n.startsWith("web") || n.startsWith("orm")) return BE_INT32;
        if (n.endsWith(".trace.gz")) return LIRS;
        throw new IllegalArgumentException("cannot guess the format of " + file + "; give --format");
    }

    public Trace read(Path file) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\..*$", "");
        try (InputStream in = open(file)) {
            return switch (this) {
                case LIRS -> new Trace(name, readLirs(in), null);
                case ARC -> new Trace(name, readArc(in), null);
                case BE_INT32 -> new Trace(name, readInts(in, false), null);
                case INT32 -> new Trace(name, readInts(in, true), null);
                case BE_INT64 -> new Trace(name, readLongs(in), null);
                case ORACLE_GENERAL -> readOracle(name, in);
            };
        }
    }

    /** Opens a file and undoes its compression, whichever of gzip, xz or zstd it is. */
    static InputStream open(Path file) throws IOException {
        var raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(8);
        byte[] magic = raw.readNBytes(6);
        raw.reset();
        InputStream in;
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            in = new GZIPInputStream(raw, 1 << 16);
        } else if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z'
                && magic[3] == 'X' && magic[4] == 'Z' && magic[5] == 0) {
            in = new XZInputStream(raw);
        } else if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            in = new ZstdInputStream(raw);
        } else {
            in = raw;
        }
        return new BufferedInputStream(in, 1 << 16);
    }

    private static long[] readLirs(InputStream in) throws IOException {
        var out = new Trace.LongBuffer();
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
        for (String line; (line = reader.readLine()) != null; ) {
            line = line.strip();
            if (line.isEmpty() || line.equals("*")) {
                continue;
            }
            out.add(Long.parseLong(line));
        }
        return out.toArray();
    }

    private static long[] readArc(InputStream in) throws IOException {
        var out = new Trace.LongBuffer();
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
        for (String line; (line = reader.readLine()) != null; ) {
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            long start = Long.parseLong(f[0]);
            long n = Long.parseLong(f[1]);
            for (long i = 0; i < n; i++) {
                out.add(start + i);
            }
        }
        return out.toArray();
    }

    private static long[] readInts(InputStream in, boolean unsigned) throws IOException {
        var out = new Trace.LongBuffer();
        var data = new DataInputStream(in);
        try {
            while (true) {
                int v = data.readInt();
                out.add(unsigned ? Integer.toUnsignedLong(v) : v);
            }
        } catch (EOFException end) {
            return out.toArray();
        }
    }

    private static long[] readLongs(InputStream in) throws IOException {
        var out = new Trace.LongBuffer();
        var data = new DataInputStream(in);
        try {
            while (true) {
                out.add(data.readLong());
            }
        } catch (EOFException end) {
            return out.toArray();
        }
    }

    private static Trace readOracle(String name, InputStream in) throws IOException {
        var keys = new Trace.LongBuffer();
        var sizes = new Trace.LongBuffer();
        byte[] rec = new byte[24];
        var bb = java.nio.ByteBuffer.wrap(rec).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (in.readNBytes(rec, 0, 24) == 24) {
            keys.add(bb.getLong(4));
            sizes.add(Integer.toUnsignedLong(bb.getInt(12)));
        }
        long[] s = sizes.toArray();
        int[] si = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            si[i] = (int) Math.min(Integer.MAX_VALUE, s[i]);
        }
        return new Trace(name, keys.toArray(), si);
    }
}
