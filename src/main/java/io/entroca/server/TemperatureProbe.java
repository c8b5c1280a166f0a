package io.entroca.server;

import io.entroca.store.Store;

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

    /** The probe for a store that reports no temperatures (the heap store, before the thermodynamic policy). */
    static TemperatureProbe unavailable(Store store) {
        String label = "not reported by this store (" + store.getClass().getSimpleName() + ")";
        return new TemperatureProbe() {
            @Override
            public String label() {
                return label;
            }

            @Override
            public boolean fill(long[] buckets) {
                return false;
            }
        };
    }
}
