package io.entroca.perf;

import io.entroca.store.SetCondition;
import io.entroca.store.Store;
import io.entroca.store.StoreConfig;
import io.entroca.store.StoreStats;
import io.entroca.store.Stores;
import io.entroca.store.eviction.ClockPolicy;
import io.entroca.store.eviction.EvictionPolicy;
import io.entroca.store.eviction.ThermodynamicPolicy;
import io.entroca.store.offheap.DynamicStore;
import io.entroca.store.offheap.FixedStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Memory figures, not a JMH benchmark: fills stores far past their budget with a workload and
 * reports items held, metadata per item (index included) and the process's resident memory.
 *
 * <pre>
 *   java -Xmx64m --enable-native-access=ALL-UNNAMED -cp perf/target/benchmarks.jar \
 *        io.entroca.perf.StoreFootprint [memoryMiB] [stores]
 * </pre>
 */
public final class StoreFootprint {

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
        int storeCount = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        long memory = mib << 20;
        System.out.printf("budget %d MiB per store, %d store(s); RSS at start %d MiB%n", mib, storeCount, rssKiB() >> 10);

        EvictionPolicy.Factory<?> clock = ClockPolicy.FACTORY;
        EvictionPolicy.Factory<?> thermo = ThermodynamicPolicy.factory(ThermodynamicPolicy.Config.defaults());
        StoreConfig small = new StoreConfig(memory, 255, 1 << 20, 0, 0, 0);
        report("16B key / 64B value, fixed store", Stores.open(new StoreConfig(memory, 16, 64, 0, 16, 64)), clock, 16, 64, 64, 3);
        report("16B key / 64B value, dynamic store", Stores.open(small), clock, 16, 64, 64, 3);
        report("16B key / 64B value, dynamic, TTL on", Stores.open(new StoreConfig(memory, 255, 1 << 20, 1000, 0, 0)), clock, 16, 64, 64, 3);
        report("16B key / 64B value, dynamic, thermo (the server's default policy)", Stores.open(small, thermo), thermo, 16, 64, 64, 3);
        report("20B key / 16..1024B value, dynamic (default index)", Stores.open(small), clock, 20, 16, 1024, 3);
        report("20B key / 16..1024B value, dynamic (hint: 600 B per item)", Stores.open(small, clock, 600), clock, 20, 16, 1024, 3);
        report("20B key / 16..1024B value, dynamic (hint: 480 B per item)", Stores.open(small, clock, 480), clock, 20, 16, 1024, 3);

        // RSS with several full stores open at once: the limit plus a fixed overhead.
        Store[] stores = new Store[storeCount];
        long before = rssKiB();
        for (int s = 0; s < storeCount; s++) {
            stores[s] = Stores.open(new StoreConfig(memory, 255, 1 << 20, 1000, 0, 0));
            fill(stores[s], 20, 16, 1024, 3, s);
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long rss = rssKiB();
        System.out.printf("%n%d full dynamic stores of %d MiB: RSS %d MiB (before opening %d MiB), heap used %d MiB of %d MiB committed, max %d MiB%n",
                storeCount, mib, rss >> 10, before >> 10, (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20, rt.maxMemory() >> 20);
        System.out.printf("RSS - budgets = %d MiB; huge pages backing anonymous memory: %d MiB%n",
                (rss >> 10) - storeCount * mib, hugeKiB() >> 10);
        for (Store s : stores) {
            s.close();
        }
    }

    static void fill(Store s, int keyLength, int minValue, int maxValue, int passes, int seed) {
        long budget = s.stats().capacityBytes;
        Random r = new Random(seed);
        byte[] key = new byte[keyLength];
        byte[] value = new byte[maxValue];
        r.nextBytes(value);
        long written = 0;
        long id = 0;
        while (written < passes * budget) {
            long x = id++;
            for (int b = 0; b < 8 && b < keyLength; b++) {
                key[b] = (byte) (x >>> (8 * b));
            }
            int v = minValue == maxValue ? maxValue : minValue + r.nextInt(maxValue - minValue + 1);
            long h = x * 0x9E3779B97F4A7C15L;
            h ^= h >>> 31;
            if (s.set(h, key, 0, keyLength, value, 0, v, SetCondition.ALWAYS, 0, 0) < 0) {
                throw new IllegalStateException("set failed");
            }
            written += keyLength + v;
        }
    }

    static void report(String name, Store s, EvictionPolicy.Factory<?> policy, int keyLength, int minValue, int maxValue, int passes) {
        try (s) {
            fill(s, keyLength, minValue, maxValue, passes, 7);
            StoreStats st = s.stats();
            double perItem = (double) st.capacityBytes / st.items;
            double payload = (double) st.payloadBytes / st.items;
            double policyPerItem = 0;
            String detail = "";
            if (s instanceof DynamicStore d) {
                policyPerItem = (double) policy.bytes(d.cells()) / st.items;
                detail = String.format("header %d B, index %.1f B/item (%d cells, %.0f%% full), page size %d KiB",
                        d.headerBytes(), (double) d.indexBytes() / st.items, d.cells(), 100.0 * st.items / d.cells(), d.pageSize() >> 10);
            } else if (s instanceof FixedStore f) {
                policyPerItem = (double) policy.bytes(f.slots()) / st.items;
                detail = String.format("record %d B + 4 B tag, %d slots, %.0f%% full", f.recordBytes(), f.slots(), 100.0 * st.items / f.slots());
            }
            System.out.printf("%n%s%n  items %,d  payload %.1f B/item  evictions %,d  page reclaims %,d%n"
                            + "  budget per item %.1f B -> overhead %.1f B/item all in (metadata, rounding, free space)%n"
                            + "  allocated %.1f%% of budget; allocated-payload = %.1f B/item (metadata + rounding); fragmentation %.3f%n"
                            + "  of which eviction state %.2f B/item (in the store's segment); %s%n",
                    name, st.items, payload, st.evictions, st.pageReclaims,
                    perItem, perItem - payload,
                    100.0 * st.allocatedBytes / st.capacityBytes, (double) (st.allocatedBytes - st.payloadBytes) / st.items, st.fragmentation(),
                    policyPerItem, detail);
        }
    }

    static long hugeKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static long rssKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
