package io.entroca.store;

import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;

import java.util.Arrays;

/**
 * The plain on-heap store: a map from hash to a chain of entries, each holding its key and value
 * as arrays, with least-recently-used eviction. It is the reference the other stores are tested
 * against, and what runs where simplicity matters more than memory.
 *
 * <p>Memory is accounted, not measured: each entry costs its key, its value and
 * {@link #ENTRY_OVERHEAD} bytes, and the sum never passes the configured budget.
 */
public final class HeapStore implements Store {
    /** What an entry costs beyond its payload: the object, two arrays' headers, a map slot. */
    static final int ENTRY_OVERHEAD = 96;

    private final StoreConfig config;
    private final LongObjectHashMap<Entry> index = new LongObjectHashMap<>();
    /** Most recently used end of the recency list; {@link #coldest} is the other end. */
    private Entry hottest;
    private Entry coldest;
    private final StoreStats stats = new StoreStats();
    private long nextVersion;
    private long nowMs;
    /** The entry the last {@link #find} returned: every reference this store hands out means it. */
    private Entry found;

    public HeapStore(StoreConfig config) {
        this.config = config;
        this.stats.capacityBytes = config.memoryBytes();
        this.nextVersion = System.currentTimeMillis() << 20;
    }

    private static final class Entry {
        final long hash;
        final byte[] key;
        byte[] value;
        long version;
        long expiresAtMs;
        Entry sameHash;
        Entry hotter;
        Entry colder;

        Entry(long hash, byte[] key) {
            this.hash = hash;
            this.key = key;
        }
    }

    @Override
    public void tick(long nowMs) {
        this.nowMs = nowMs;
    }

    @Override
    public long find(long hash, byte[] key, int keyOffset, int keyLength) {
        Entry entry = live(hash, key, keyOffset, keyLength);
        if (entry == null) {
            stats.misses++;
            return Outcome.NOT_FOUND;
        }
        stats.hits++;
        promote(entry);
        found = entry;
        return 0;
    }

    @Override
    public int valueLength(long entry) {
        return found.value.length;
    }

    @Override
    public long version(long entry) {
        return found.version;
    }

    @Override
    public void copyValue(long entry, byte[] destination, int offset) {
        System.arraycopy(found.value, 0, destination, offset, found.value.length);
    }

    @Override
    public long set(long hash, byte[] key, int keyOffset, int keyLength,
                    byte[] value, int valueOffset, int valueLength,
                    int condition, long expectedVersion, long ttlMs) {
        found = null;
        long cost = (long) keyLength + valueLength + ENTRY_OVERHEAD;
        if (cost > config.memoryBytes()) {
            return Outcome.TOO_LARGE;
        }
        Entry entry = live(hash, key, keyOffset, keyLength);
        switch (condition) {
            case SetCondition.IF_ABSENT -> {
                if (entry != null) {
                    return Outcome.EXISTS;
                }
            }
            case SetCondition.IF_PRESENT -> {
                if (entry == null) {
                    return Outcome.NOT_FOUND;
                }
            }
            case SetCondition.IF_VERSION -> {
                if (entry == null) {
                    return Outcome.NOT_FOUND;
                }
                if (entry.version != expectedVersion) {
                    return Outcome.VERSION_MISMATCH;
                }
            }
            default -> { }
        }
        if (entry != null) {
            unlink(entry);
        }
        while (stats.allocatedBytes + cost > config.memoryBytes()) {
            evictColdest();
        }
        Entry fresh = new Entry(hash, Arrays.copyOfRange(key, keyOffset, keyOffset + keyLength));
        fresh.value = Arrays.copyOfRange(value, valueOffset, valueOffset + valueLength);
        fresh.version = ++nextVersion;
        fresh.expiresAtMs = expiryFor(ttlMs);
        fresh.sameHash = index.get(hash);
        index.put(hash, fresh);
        pushHottest(fresh);
        stats.items++;
        stats.payloadBytes += keyLength + valueLength;
        stats.allocatedBytes += cost;
        stats.sets++;
        return fresh.version;
    }

    @Override
    public int delete(long hash, byte[] key, int keyOffset, int keyLength, long expectedVersion) {
        found = null;
        Entry entry = live(hash, key, keyOffset, keyLength);
        if (entry == null) {
            return Outcome.NOT_FOUND;
        }
        if (expectedVersion != 0 && entry.version != expectedVersion) {
            return Outcome.VERSION_MISMATCH;
        }
        unlink(entry);
        stats.deletes++;
        return Outcome.OK;
    }

    @Override
    public long touch(long hash, byte[] key, int keyOffset, int keyLength, long ttlMs) {
        found = null;
        Entry entry = live(hash, key, keyOffset, keyLength);
        if (entry == null) {
            return Outcome.NOT_FOUND;
        }
        entry.expiresAtMs = expiryFor(ttlMs);
        promote(entry);
        return entry.version;
    }

    @Override
    public void flush() {
        found = null;
        index.clear();
        hottest = null;
        coldest = null;
        stats.items = 0;
        stats.payloadBytes = 0;
        stats.allocatedBytes = 0;
    }

    @Override
    public int sweepExpired(int budget) {
        found = null;
        int examined = 0;
        Entry entry = coldest;
        while (entry != null && examined < budget) {
            Entry next = entry.hotter;
            if (isExpired(entry)) {
                unlink(entry);
                stats.expirations++;
            }
            examined++;
            entry = next;
        }
        return examined;
    }

    @Override
    public StoreStats stats() {
        return stats;
    }

    @Override
    public void close() {
        flush();
    }

    private long expiryFor(long ttlMs) {
        if (ttlMs == 0 || !config.ttlEnabled()) {
            return Long.MAX_VALUE;
        }
        long resolution = config.ttlResolutionMs();
        // Round the deadline up to the resolution, so an entry never dies before its ttl.
        long deadline = nowMs + ttlMs;
        return Math.ceilDiv(deadline, resolution) * resolution;
    }

    private boolean isExpired(Entry entry) {
        return nowMs >= entry.expiresAtMs;
    }

    /** The live entry for a key; an expired one met on the way is reclaimed. */
    private Entry live(long hash, byte[] key, int keyOffset, int keyLength) {
        for (Entry entry = index.get(hash); entry != null; entry = entry.sameHash) {
            if (Arrays.equals(entry.key, 0, entry.key.length, key, keyOffset, keyOffset + keyLength)) {
                if (isExpired(entry)) {
                    unlink(entry);
                    stats.expirations++;
                    return null;
                }
                return entry;
            }
        }
        return null;
    }

    private void evictColdest() {
        unlink(coldest);
        stats.evictions++;
    }

    private void unlink(Entry entry) {
        Entry head = index.get(entry.hash);
        if (head == entry) {
            if (entry.sameHash == null) {
                index.remove(entry.hash);
            } else {
                index.put(entry.hash, entry.sameHash);
            }
        } else {
            Entry previous = head;
            while (previous.sameHash != entry) {
                previous = previous.sameHash;
            }
            previous.sameHash = entry.sameHash;
        }
        detach(entry);
        stats.items--;
        stats.payloadBytes -= entry.key.length + entry.value.length;
        stats.allocatedBytes -= (long) entry.key.length + entry.value.length + ENTRY_OVERHEAD;
    }

    private void promote(Entry entry) {
        if (entry != hottest) {
            detach(entry);
            pushHottest(entry);
        }
    }

    private void pushHottest(Entry entry) {
        entry.colder = hottest;
        entry.hotter = null;
        if (hottest != null) {
            hottest.hotter = entry;
        }
        hottest = entry;
        if (coldest == null) {
            coldest = entry;
        }
    }

    private void detach(Entry entry) {
        if (entry.hotter != null) {
            entry.hotter.colder = entry.colder;
        } else {
            hottest = entry.colder;
        }
        if (entry.colder != null) {
            entry.colder.hotter = entry.hotter;
        } else {
            coldest = entry.hotter;
        }
        entry.hotter = null;
        entry.colder = null;
    }
}
