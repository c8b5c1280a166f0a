package io.entroca.store;

import io.entroca.store.offheap.DynamicStore;
import io.entroca.store.offheap.FixedStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Configurations covering every store implementation, and keys/values that fit each. */
final class StoreFixtures {

    record Kind(String name, StoreConfig config, Class<? extends Store> type) {
        @Override
        public String toString() {
            return name;
        }

        Store open() {
            Store s = Stores.open(config);
            if (!type.isInstance(s)) {
                s.close();
                throw new AssertionError(name + " opened a " + s.getClass().getSimpleName());
            }
            return s;
        }

        byte[] key(int id) {
            int n = config.fixedKeyLength();
            byte[] text = ("key-" + id).getBytes(StandardCharsets.US_ASCII);
            if (n == 0) {
                // Vary the length, some longer than 8 to exercise word-wise comparison.
                int extra = id % 3 == 0 ? Math.min(20, config.maxKeyLength() - text.length) : 0;
                byte[] k = Arrays.copyOf(text, text.length + Math.max(0, extra));
                Arrays.fill(k, text.length, k.length, (byte) ('a' + id % 26));
                return k;
            }
            byte[] k = new byte[n];
            Arrays.fill(k, (byte) '_');
            System.arraycopy(text, Math.max(0, text.length - n), k, 0, Math.min(n, text.length));
            return k;
        }

        byte[] value(Random r, int maxVariable) {
            int n = config.fixedValueLength();
            int length = n != 0 ? n : r.nextInt(Math.min(config.maxValueLength(), maxVariable) + 1);
            byte[] v = new byte[length];
            r.nextBytes(v);
            return v;
        }
    }

    static final int MIB = 1 << 20;

    static List<Kind> kinds() {
        return List.of(
                new Kind("dynamic", new StoreConfig(2 * MIB, 64, 4000, 1, 0, 0), DynamicStore.class),
                new Kind("dynamic-noTTL", new StoreConfig(2 * MIB, 64, 4000, 0, 0, 0), DynamicStore.class),
                new Kind("dynamic-ttl1s", new StoreConfig(2 * MIB, 64, 4000, 1000, 0, 0), DynamicStore.class),
                new Kind("dynamic-fixedKey", new StoreConfig(2 * MIB, 16, 4000, 1, 16, 0), DynamicStore.class),
                new Kind("fixed-key", new StoreConfig(MIB, 16, 48, 1, 16, 0), FixedStore.class),
                new Kind("fixed-value", new StoreConfig(MIB, 40, 32, 1, 0, 32), FixedStore.class),
                new Kind("fixed-both-noTTL", new StoreConfig(MIB, 16, 16, 0, 16, 16), FixedStore.class));
    }

    /** A 64-bit hash of the key bytes, as a client would send (FNV-1a then a finaliser). */
    static long hash(byte[] key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    static String verify(Store s) {
        if (s instanceof DynamicStore d) {
            return d.verify();
        }
        if (s instanceof FixedStore f) {
            return f.verify();
        }
        return null;
    }

    private StoreFixtures() {
    }
}
