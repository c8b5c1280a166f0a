package io.entroca.store;

/** Opens the store implementation that suits a configuration; the server calls nothing else. */
public final class Stores {
    private Stores() {
    }

    public static Store open(StoreConfig config) {
        return new HeapStore(config);
    }
}
