package io.entroca.store;

import io.entroca.protocol.Routing;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store behind port p of P only ever sees hashes whose top bits route to p. It must still use
 * its whole index: a store that bucketed by those top bits held 1/P of what it should.
 */
class PortShareIndexTest {
    private static final int PORTS = 4;

    /** Items a store holds after far more distinct keys than fit were written to it. */
    private static long itemsHeld(StoreConfig config, boolean onlyPortOne) {
        try (Store store = Stores.open(config)) {
            store.tick(0);
            byte[] value = new byte[config.fixedValues() ? config.fixedValueLength() : 24];
            int written = 0;
            for (int i = 0; written < 400_000; i++) {
                byte[] key = String.format("key-%012d", i).getBytes(StandardCharsets.US_ASCII);
                long hash = Routing.hash(key);
                if (onlyPortOne && Routing.portFor(hash, PORTS) != 1) {
                    continue;
                }
                store.set(hash, key, 0, key.length, value, 0, value.length, SetCondition.ALWAYS, 0, 0);
                written++;
            }
            return store.stats().items;
        }
    }

    private static void assertWholeIndexUsed(StoreConfig config) {
        long all = itemsHeld(config, false);
        long onePort = itemsHeld(config, true);
        assertTrue(onePort >= all * 9 / 10, "keys of one port filled " + onePort + " items, keys of all ports " + all);
    }

    @Test
    void dynamicStoreUsesItsWholeIndexForOnePortsKeys() {
        assertWholeIndexUsed(new StoreConfig(4 << 20, 250, 4096, 1000, 0, 0));
    }

    @Test
    void fixedStoreUsesItsWholeIndexForOnePortsKeys() {
        assertWholeIndexUsed(new StoreConfig(4 << 20, 16, 24, 0, 16, 24));
    }
}
