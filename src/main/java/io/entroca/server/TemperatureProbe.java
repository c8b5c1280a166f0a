package io.entroca.server;

import io.entroca.store.Store;
import io.entroca.store.StoreConfig;
import io.entroca.store.Stores;
import io.entroca.store.eviction.EvictionPolicy;

import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.lang.foreign.MemorySegment;

/**
 * The seam through which the dashboard sees the eviction's state: how many entries sit in each
 * of {@link #BUCKETS} temperature bands, coldest first. The owner thread calls it when it
 * publishes a snapshot (about twice a second), never on the request path, so a probe may walk
 * a sample of the store's entries.
 *
 * <p>The store package knows nothing of the server, so a store does not implement this; the
 * server is given a {@code Function<Store, TemperatureProbe>} at start ({@link
 * EntrocaServer#start(ServerConfig, java.util.function.Function, java.util.function.Function)})
 * and wires the store's or the eviction policy's own histogram to it. Until a store reports
 * temperatures, {@link #unavailable} says so, and the dashboard shows that label instead of bars.
 *
 * <p>For a policy that knows its entries' temperatures, {@link #forPolicy} does the wiring:
 * <pre>{@code
 * TemperatureProbe.Wiring w = TemperatureProbe.forPolicy(ThermodynamicPolicy.factory(config),
 *         ThermodynamicPolicy::temperatureHistogram, "entries by temperature, 16 bands");
 * EntrocaServer.start(config, w.stores(), w.probes());
 * }</pre>
 */
public interface TemperatureProbe {
    int BUCKETS = 16;

    /** What the bands are, for people: "entries by temperature, log2 bands", or why there are none. */
    String label();

    /**
     * Owner thread only: writes the count of entries in each band into {@code buckets} (length
     * {@link #BUCKETS}, coldest first).
     *
     * @return false when this store has no temperatures to report (the buckets are then left at 0)
     */
    boolean fill(long[] buckets);

    /** The probe for a store whose policy reports no temperatures (CLOCK, for one). */
    static TemperatureProbe unavailable(Store store) {
        return labelled("not reported by this store (" + store.getClass().getSimpleName() + ")", buckets -> false);
    }

    /** A probe that says {@code label} and fills the bands with {@code fill}. */
    private static TemperatureProbe labelled(String label, Predicate<long[]> fill) {
        return new TemperatureProbe() {
            @Override
            public String label() {
                return label;
            }

            @Override
            public boolean fill(long[] buckets) {
                return fill.test(buckets);
            }
        };
    }

    /** A store factory and the probe factory that reads the policy each store was given. */
    record Wiring(Function<StoreConfig, Store> stores, Function<Store, TemperatureProbe> probes) {
    }

    /**
     * Stores opened by {@link Stores#open(StoreConfig, EvictionPolicy.Factory)} with {@code policies}, and
     * probes that read each store's policy through {@code histogram} (which fills 16 bands,
     * coldest first, on the owner thread). It relies on what {@link PortOwner} guarantees: an
     * owner opens its store and then asks for its probe, both on its own thread, so the policy
     * made while opening is handed over through a thread-local and never crosses threads.
     */
    static <P extends EvictionPolicy> Wiring forPolicy(EvictionPolicy.Factory<P> policies, BiConsumer<P, long[]> histogram,
                                                       String label) {
        ThreadLocal<P> made = new ThreadLocal<>();
        var remembering = new EvictionPolicy.Factory<P>() {
            @Override
            public long bytes(int slots) {
                return policies.bytes(slots);
            }

            @Override
            public P create(int slots, MemorySegment memory) {
                P policy = policies.create(slots, memory);
                made.set(policy);
                return policy;
            }
        };
        Function<StoreConfig, Store> stores = config -> Stores.open(config, remembering);
        Function<Store, TemperatureProbe> probes = store -> {
            P policy = made.get();
            made.remove();
            if (policy == null) {
                return unavailable(store);
            }
            return labelled(label, buckets -> {
                histogram.accept(policy, buckets);
                return true;
            });
        };
        return new Wiring(stores, probes);
    }
}
