package io.entroca.store.eviction;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;

/**
 * Thermodynamic eviction: entries are particles with a temperature, the key space carries a heat
 * field, and the cache keeps the hottest particles it can.
 *
 * <p><b>The model.</b> Every request for a key deposits heat at that key's place in a <em>heat
 * field</em> ({@link HeatField}: a count-min sketch of 4-bit counters over resident and
 * non-resident keys alike), and the field cools continuously (each counter halves once per ten
 * capacities of requests). An entry's <em>temperature</em> is the field's value at its key,
 * sampled whenever it is touched and kept in five bits; between touches it cools as
 * {@code T * 2^(-age / halfLife)} with the field's own half-life, measured by a one-byte clock
 * stamp. Entries hit since they entered the main region carry a latent-heat bonus (the protected
 * segment of an SLRU, in temperature units).
 *
 * <p><b>Eviction</b> samples 16 resident slots of the main region and takes the coldest (energy
 * ties go to the oldest): randomness only serves to find a cold particle in O(1), never to pick a
 * warm one (the literal design, Boltzmann-weighted victims with a Metropolis admission test, came
 * 4.7 points under Caffeine in the probe, and the random victim choice was what hurt). Newcomers
 * first enter a small <em>window</em> (initially 1% of capacity, in arrival order). When room is
 * needed, the window's eldest and the sampled main victim meet in a <em>duel</em>: the candidate
 * enters the main region only if its temperature minus a barrier of 0.5 exceeds the victim's
 * energy; otherwise it leaves. The barrier gives incumbents the benefit of ties, which is what
 * keeps a fixed working set on loops instead of cycling like LRU.
 *
 * <p><b>Annealing.</b> The window's size is set online by a hill climber over the hit ratio every
 * four capacities of requests: it keeps its direction while the hit ratio improves, reverses when
 * it falls, cools its step by 10% per move, and reheats to the full step (6.25% of capacity) when
 * the hit ratio jumps by more than 5 points (a new workload). The window never shrinks below its
 * starting 1% and never grows past 25%. The cooling rate follows the window: as the window grows
 * from 1% to 25% the temperatures' half-life shortens from ten capacities of requests by up to a
 * factor of eight ({@code coupling = 3} halvings), because a workload that rewards a big window is
 * a recency workload, and in such a workload old heat is stale. A loop or a skewed workload keeps
 * a small window and a long memory; a recency-heavy database trace gets both a big window and a
 * short memory, from one adapted parameter. This coupling is what took the policy past Caffeine
 * on the cells (docs/eviction.md, perf/eviction-experiments.md).
 *
 * <p><b>Costs.</b> Per entry: one byte of state (resident, window, protected, 5-bit temperature)
 * and one byte of clock stamp; nothing else. The window needs no queue: its entries are flagged in
 * the state byte and a CLOCK-like hand finds the eldest (see {@code windowTail}). The heat field is
 * 8 bytes per entry of capacity. Every operation does O(1) work: a hit or a miss probes the heat
 * field once (four counters), a replacement draws at most 64 slots to find 16 samples and the
 * window's hand reads at most {@value #WINDOW_SCAN_LIMIT} state bytes (about 200 on average with a
 * 1% window), one stamp is clamped and at most one field word cooled per request, and a 256-entry
 * decay table is rebuilt once per climber move (every four capacities of requests); nothing walks
 * the cache, except {@code selectVictim} on a nearly empty cache. Nothing is allocated after
 * construction.
 *
 * <p><b>Contract with the store.</b> Construct it with the store's slot count; slots are dense in
 * {@code [0, capacity)}. The store must call {@code onMiss(hash)} before {@code selectVictim} and
 * {@code onInsert} for the same newcomer (as {@code SlotTableSim} does): the duel and the
 * newcomer's first temperature come from that call.
 *
 * <p><b>What it learned from.</b> LRFU (Lee et al., 2001) for one score that decays from
 * frequency towards recency; Redis's LFU for a small per-key counter decayed by elapsed time
 * rather than by a global sweep, and for sampled eviction; TinyLFU and W-TinyLFU (Einziger,
 * Friedman and Manes, 2017) and Caffeine's hill climber for the sketch, the window, the admission
 * duel and the adaptive window; S3-FIFO (Yang et al., SOSP'23) for a small FIFO that filters
 * one-hit wonders cheaply; SIEVE (Zhang et al., NSDI'24) for cheap hits (a hit rewrites two bytes
 * and moves nothing).
 *
 * <p>Every method runs on the store's owner thread; the class is not thread-safe.
 */
public final class ThermodynamicPolicy implements EvictionPolicy {

    /**
     * The policy's constants. Defaults are the ones the trace cells justified (docs/eviction.md).
     *
     * @param samples main-region slots drawn per eviction; the coldest goes
     * @param window the window's starting (and smallest) size, as a fraction of capacity
     * @param windowMax the largest size the climber may give the window
     * @param barrier added to the window candidate's temperature in the duel; negative favours incumbents
     * @param protectBonus energy added to entries hit since they entered the main region
     * @param halfLifeTicks clock ticks over which an untouched entry's temperature halves
     * @param ticksPerCapacity clock ticks per {@code capacity} requests
     * @param adaptive whether the climber runs at all
     * @param climbPeriod requests between climber moves, as a multiple of capacity
     * @param climbStep the climber's starting step, in units of {@code windowStep} (or of barrier)
     * @param coolingFactor the heat field halves each counter once per this many capacities of requests
     * @param climbWindow true: the climber sizes the window; false: it moves the barrier
     * @param windowStep the window step as a fraction of capacity
     * @param coupling how strongly the half-life shortens as the window grows (0: not at all)
     * @param sketchShrink the heat field is 2^-sketchShrink longs per entry of capacity (rounded down)
     * @param seed the sampler's seed; equal seeds give equal decisions
     */
    public record Config(int samples, double window, double windowMax, double barrier,
                         double protectBonus, double halfLifeTicks, int ticksPerCapacity,
                         boolean adaptive, double climbPeriod, double climbStep, int coolingFactor,
                         boolean climbWindow, double windowStep, double coupling, int sketchShrink,
                         long seed) {

        public static Config defaults() {
            return new Config(16, 0.01, 0.25, -0.5, 2.0, 160, 16, true, 4.0, 1.0, 10, true, 0.0625, 3.0, 0, 42);
        }

        /** Applies "key=value/key=value" overrides, for experiments from the command line. */
        public Config with(String overrides) {
            if (overrides == null || overrides.isBlank()) {
                return this;
            }
            var values = new java.util.LinkedHashMap<String, String>();
            var components = Config.class.getRecordComponents();
            try {
                for (var rc : components) {
                    values.put(rc.getName().toLowerCase(Locale.ROOT), String.valueOf(rc.getAccessor().invoke(this)));
                }
                for (String kv : overrides.split("[/;]")) {
                    String[] p = kv.split("=", 2);
                    String k = p[0].strip().toLowerCase(Locale.ROOT);
                    if (!values.containsKey(k)) {
                        throw new IllegalArgumentException("unknown thermo setting '" + k + "'; known: " + values.keySet());
                    }
                    values.put(k, p[1].strip());
                }
                Object[] args = new Object[components.length];
                Class<?>[] types = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getType();
                    String v = values.get(components[i].getName().toLowerCase(Locale.ROOT));
                    args[i] = types[i] == int.class ? (Object) Integer.parseInt(v)
                            : types[i] == long.class ? (Object) Long.parseLong(v)
                            : types[i] == boolean.class ? (Object) Boolean.parseBoolean(v)
                            : (Object) Double.parseDouble(v);
                }
                return Config.class.getDeclaredConstructor(types).newInstance(args);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final int RESIDENT = 0x80;
    private static final int WINDOW = 0x40;
    private static final int PROTECTED = 0x20;
    /** In the window, the PROTECTED bit means "the window's hand has passed this entry once". */
    private static final int SEEN = PROTECTED;
    private static final int TEMP_MASK = 0x1f;

    private final int capacity;
    private final Config config;
    /**
     * Two bytes per slot, side by side so that a sampled slot costs one cache line: the state
     * (bit 7 resident, bit 6 in the window, bit 5 hit in main or, in the window, passed by the
     * hand, bits 0-4 temperature), then the clock tick of the last touch.
     */
    private final MemorySegment slots;
    private final HeatField field;

    // The window: entries flagged WINDOW, wherever their slots are; a hand finds the eldest.
    private int windowHand;
    private final int windowScanLimit;
    private final int maxWindow;
    private int windowSize;
    private int windowTarget;
    private final int minWindow;

    private final int tickLength;
    private final int maxAge;
    private int requestsInTick;
    private int now;
    private int clampHand;
    private int scanHand;
    private long rng;
    private final float[] decay = new float[256];

    private long lastMissHash;
    private int lastMissHeat;

    // Decision pending between selectVictim and onEvict.
    private int pendingCandidate = -1;
    private int pendingVictim = -1;

    // The annealing climber over the admission barrier.
    private double barrier;
    private final long climbRequests;
    private long periodRequests;
    private long periodHits;
    private double lastHitRatio = -1;
    private int direction = -1;
    private double step;

    /** A policy with the default constants in memory of its own (for the simulator and tests). */
    public ThermodynamicPolicy(int capacity) {
        this(capacity, Config.defaults());
    }

    /** A policy in memory of its own, freed when the policy is no longer reachable. */
    public ThermodynamicPolicy(int capacity, Config config) {
        this(capacity, config, Arena.ofAuto().allocate(bytes(capacity, config), Long.BYTES));
    }

    /**
     * A policy whose state lives in {@code memory}: zeroed, 8-byte aligned, at least {@link
     * #bytes(int, Config)} long. A store passes a slice of its own budget, so the policy's
     * metadata counts against the memory limit and stays off the Java heap.
     */
    public ThermodynamicPolicy(int capacity, Config config, MemorySegment memory) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        if (memory.byteSize() < bytes(capacity, config)) {
            throw new IllegalArgumentException("a policy over " + capacity + " slots needs " + bytes(capacity, config)
                    + " B, not " + memory.byteSize());
        }
        this.capacity = capacity;
        this.config = config;
        long fieldBytes = HeatField.bytes(capacity, config.sketchShrink());
        field = new HeatField(capacity, config.coolingFactor(), config.sketchShrink(), memory.asSlice(0, fieldBytes));
        slots = memory.asSlice(fieldBytes, 2L * capacity);
        maxWindow = Math.max(1, (int) (capacity * config.windowMax()));
        windowScanLimit = (int) Math.min(2L * capacity + 1, WINDOW_SCAN_LIMIT);
        windowTarget = Math.max(1, Math.min(maxWindow, (int) Math.round(capacity * config.window())));
        minWindow = windowTarget;
        setHalfLife();
        tickLength = Math.max(1, capacity / config.ticksPerCapacity());
        int sweepTicks = (capacity + tickLength - 1) / tickLength;
        maxAge = Math.max(1, 254 - sweepTicks);
        rng = config.seed() ^ 0x5DEECE66DL;
        barrier = config.barrier();
        climbRequests = Math.max(256, (long) (config.climbPeriod() * capacity));
        step = config.climbStep();
    }

    /** Memory a policy over {@code capacity} slots takes: 2 B per slot plus the heat field. */
    public static long bytes(int capacity, Config config) {
        return HeatField.bytes(capacity, config.sketchShrink()) + 2L * capacity;
    }

    /** Makes policies with these constants inside the memory their stores set aside. */
    public static EvictionPolicy.Factory<ThermodynamicPolicy> factory(Config config) {
        return new EvictionPolicy.Factory<>() {
            @Override
            public long bytes(int slots) {
                return ThermodynamicPolicy.bytes(slots, config);
            }

            @Override
            public ThermodynamicPolicy create(int slots, MemorySegment memory) {
                return new ThermodynamicPolicy(slots, config, memory);
            }
        };
    }

    private int state(int slot) {
        return slots.get(ValueLayout.JAVA_BYTE, 2L * slot) & 0xff;
    }

    private void setState(int slot, int value) {
        slots.set(ValueLayout.JAVA_BYTE, 2L * slot, (byte) value);
    }

    private int stamp(int slot) {
        return slots.get(ValueLayout.JAVA_BYTE, 2L * slot + 1) & 0xff;
    }

    private void setStamp(int slot, int value) {
        slots.set(ValueLayout.JAVA_BYTE, 2L * slot + 1, (byte) value);
    }

    // ---- time and adaptation ---------------------------------------------------------------

    private void request(boolean hit) {
        if (++requestsInTick >= tickLength) {
            requestsInTick = 0;
            now = (now + 1) & 0xff;
        }
        // Keep every stamp within maxAge of now, one slot per request, so one byte never wraps.
        int s = clampHand;
        if ((state(s) & RESIDENT) != 0 && age(s) > maxAge) {
            setStamp(s, (now - maxAge));
        }
        clampHand = s + 1 == capacity ? 0 : s + 1;
        if (config.adaptive()) {
            periodRequests++;
            if (hit) {
                periodHits++;
            }
            if (periodRequests >= climbRequests) {
                climb();
            }
        }
    }

    private void climb() {
        double hr = (double) periodHits / periodRequests;
        periodHits = 0;
        periodRequests = 0;
        if (lastHitRatio >= 0) {
            if (hr < lastHitRatio) {
                direction = -direction;
            }
            if (Math.abs(hr - lastHitRatio) > 0.05) {
                step = config.climbStep(); // the workload changed: reheat
            } else {
                step = Math.max(config.climbStep() / 8, step * 0.9);
            }
        }
        lastHitRatio = hr;
        if (config.climbWindow()) {
            double delta = direction * step * config.windowStep() * capacity;
            windowTarget = (int) Math.max(minWindow, Math.min(maxWindow, Math.round(windowTarget + delta)));
            setHalfLife();
        } else {
            barrier = Math.max(-16, Math.min(16, barrier + direction * step));
        }
    }

    /**
     * The cooling rate follows the window: a workload that wants a larger window is a recency
     * workload, so temperatures in main should cool faster too (halving per doubling of
     * {@code coupling} times the window's share of its range).
     */
    private void setHalfLife() {
        double share = maxWindow > minWindow ? (double) (windowTarget - minWindow) / (maxWindow - minWindow) : 0;
        double halfLife = config.halfLifeTicks() * Math.pow(2, -config.coupling() * share);
        for (int a = 0; a < 256; a++) {
            decay[a] = (float) Math.pow(2, -a / halfLife);
        }
    }

    private int age(int slot) {
        return (now - stamp(slot)) & 0xff;
    }

    private float energy(int slot) {
        int st = state(slot);
        float t = (st & TEMP_MASK) * decay[age(slot)];
        return (st & (WINDOW | PROTECTED)) == PROTECTED ? t + (float) config.protectBonus() : t;
    }

    private void setTemperature(int slot, int temperature, int flags) {
        setState(slot, (RESIDENT | flags | Math.min(TEMP_MASK, temperature)));
        setStamp(slot, now);
    }

    // ---- the seam --------------------------------------------------------------------------

    @Override
    public void onInsert(int slot, long hash) {
        // After a lookup miss the store inserts the same hash: reuse the heat onMiss measured.
        // A SET of a key nobody asked for first (no onMiss just before) is still a request for it.
        int t = hash == lastMissHash ? lastMissHeat : field.heat(hash);
        setTemperature(slot, t, WINDOW);
        windowSize++;
        // While the cache fills (no evictions), the window's overflow simply moves to main.
        while (windowSize > windowTarget) {
            int tail = windowTail();
            if (tail < 0) {
                break;
            }
            graduate(tail);
        }
    }

    @Override
    public void onHit(int slot, long hash) {
        int t = field.heat(hash);
        int st = state(slot);
        // A hit in the window keeps its place there (SEEN stays): the window is a FIFO.
        int flags = (st & WINDOW) != 0 ? st & (WINDOW | SEEN) : PROTECTED;
        setTemperature(slot, t, flags);
        request(true);
    }

    @Override
    public void onMiss(long hash) {
        lastMissHeat = field.heat(hash);
        lastMissHash = hash;
        request(false);
    }

    @Override
    public void onRemove(int slot) {
        leave(slot);
    }

    @Override
    public void onEvict(int slot) {
        if (slot == pendingVictim && pendingCandidate >= 0 && pendingCandidate != slot) {
            // The window's eldest won its duel: it moves to the main region.
            graduate(pendingCandidate);
        }
        pendingCandidate = -1;
        pendingVictim = -1;
        leave(slot);
    }

    private void leave(int slot) {
        if ((state(slot) & WINDOW) != 0) {
            windowSize--;
        }
        setState(slot, 0);
    }

    /**
     * One of the window's eldest entries, or -1 if the hand finds none within its scan limit.
     * The hand sweeps the slots like CLOCK's: the first time it passes a window entry it marks
     * it SEEN, the second time it takes it. An entry therefore stays between one and two sweeps,
     * and a sweep passes the whole window, so each stays for about a window's worth of arrivals,
     * as in a FIFO, without a queue: the window costs no memory beyond the state byte.
     */
    private int windowTail() {
        int s = windowHand;
        for (int i = 0; i < windowScanLimit; i++) {
            int st = state(s);
            int next = s + 1 == capacity ? 0 : s + 1;
            if ((st & (RESIDENT | WINDOW)) == (RESIDENT | WINDOW)) {
                if ((st & SEEN) != 0) {
                    windowHand = next;
                    return s;
                }
                setState(s, (st | SEEN));
            }
            s = next;
        }
        windowHand = s;
        return -1;
    }

    /** Moves a window entry to the main region, as it arrived there: unprotected. */
    private void graduate(int slot) {
        setState(slot, state(slot) & ~(WINDOW | SEEN));
        windowSize--;
    }

    private int nextSlot() {
        long x = rng;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        rng = x;
        return (int) (((x >>> 32) * capacity) >>> 32);
    }

    /** The coldest of a few sampled main-region entries; -1 if the sample found none. */
    private int sampleMainVictim() {
        int best = -1;
        float bestEnergy = Float.MAX_VALUE;
        int bestAge = -1;
        int found = 0;
        for (int draws = 0; found < config.samples() && draws < 4 * config.samples(); draws++) {
            int s = nextSlot();
            int st = state(s);
            if ((st & RESIDENT) == 0 || (st & WINDOW) != 0) {
                continue;
            }
            found++;
            int a = age(s);
            float e = energy(s);
            if (e < bestEnergy || (e == bestEnergy && a > bestAge)) {
                best = s;
                bestEnergy = e;
                bestAge = a;
            }
        }
        return best;
    }

    @Override
    public int selectVictim() {
        pendingCandidate = -1;
        pendingVictim = -1;
        int candidate = windowSize >= windowTarget ? windowTail() : -1;
        if (candidate >= 0 && windowSize > windowTarget) {
            // The window shrank: its eldest moves to main without a duel, one per eviction.
            graduate(candidate);
            candidate = windowTail();
        }
        int victim = sampleMainVictim();
        if (victim < 0) {
            if (candidate >= 0) {
                return candidate;
            }
            int w = windowTail();
            if (w >= 0) {
                return w;
            }
            return scanForResident();
        }
        if (candidate < 0) {
            return victim;
        }
        pendingCandidate = candidate;
        if (duel(candidate, victim)) {
            pendingVictim = victim;
            return victim;
        }
        return candidate;
    }

    /** Whether the window's eldest is hot enough to take the main victim's place. */
    private boolean duel(int candidate, int victim) {
        float c = state(candidate) & TEMP_MASK;
        float v = energy(victim);
        return c + barrier > v;
    }

    private int scanForResident() {
        for (int i = 0; i < capacity; i++) {
            int s = scanHand;
            scanHand = s + 1 == capacity ? 0 : s + 1;
            if ((state(s) & RESIDENT) != 0) {
                return s;
            }
        }
        throw new IllegalStateException("selectVictim called on an empty cache");
    }

    @Override
    public int selectVictim(int[] candidates, int count) {
        int best = 0;
        float bestEnergy = Float.MAX_VALUE;
        int bestAge = -1;
        for (int i = 0; i < count; i++) {
            int s = candidates[i];
            int a = age(s);
            float e = energy(s);
            if (e < bestEnergy || (e == bestEnergy && a > bestAge)) {
                best = i;
                bestEnergy = e;
                bestAge = a;
            }
        }
        return best;
    }

    @Override
    public boolean admit(long newcomerHash, int victimSlot) {
        return true;
    }

    // ---- introspection for tests and docs -------------------------------------------------

    public int capacity() {
        return capacity;
    }

    /** Slots the histogram looks at, at most: a one-byte read each, tens of microseconds per refresh. */
    private static final int HISTOGRAM_SAMPLE = 65_536;

    /**
     * Counts resident entries by temperature into {@code bands}, coldest first, each band an equal
     * share of the temperature range. It looks at evenly spaced slots, about
     * {@value #HISTOGRAM_SAMPLE}, and scales the counts up, so the figures are estimates for
     * large caches. Owner thread only, like every other method.
     */
    public void temperatureHistogram(long[] bands) {
        java.util.Arrays.fill(bands, 0);
        // An odd step: stores fill set-associative buckets from their first way, so occupancy
        // repeats with a power-of-two period that an even step would sample unevenly.
        int step = Math.max(1, capacity / HISTOGRAM_SAMPLE) | 1;
        for (int slot = 0; slot < capacity; slot += step) {
            int st = state(slot);
            if ((st & RESIDENT) != 0) {
                bands[(st & TEMP_MASK) * bands.length / (TEMP_MASK + 1)] += step;
            }
        }
    }

    public int temperature(int slot) {
        return state(slot) & TEMP_MASK;
    }

    public boolean resident(int slot) {
        return (state(slot) & RESIDENT) != 0;
    }

    /** Slots the window's hand looks at, at most, to find one of the window's eldest. */
    private static final int WINDOW_SCAN_LIMIT = 1024;

    public double barrier() {
        return barrier;
    }

    boolean inWindow(int slot) {
        return (state(slot) & (RESIDENT | WINDOW)) == (RESIDENT | WINDOW);
    }

    public int windowSize() {
        return windowSize;
    }

    public int maxAge() {
        return maxAge;
    }

    /** Per-entry metadata: one byte of state and temperature, one byte of stamp. */
    public static int bytesPerEntry() {
        return 2;
    }

    public long sketchBytes() {
        return field.bytes();
    }

    @Override
    public String toString() {
        return "thermo" + Arrays.asList(config);
    }
}
