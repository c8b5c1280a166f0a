package io.entroca.store.eviction;

import java.util.Arrays;
import java.util.Locale;

/**
 * Thermodynamic eviction. DESIGN COMMENT AT TOP — rewritten once the measured design settles.
 */
public final class ThermodynamicPolicy implements EvictionPolicy {

    /**
     * The policy's constants. Defaults are the ones the 28-cell traces justified (docs/eviction.md).
     *
     * @param samples how many resident slots are drawn per eviction; the coldest non-fresh one goes
     * @param ticksPerCapacity clock ticks per {@code capacity} requests (resolution of the 1-byte stamp)
     * @param halfLifeTicks ticks over which an entry's temperature halves when it is not touched
     * @param initialGrace ticks after a touch during which an entry is fresh and not evictable
     * @param adaptive whether the annealing climber moves the grace period
     * @param climbPeriod requests between climber steps, as a multiple of capacity
     * @param coolingFactor the heat field halves each counter once per this many times capacity requests
     * @param admission whether a newcomer must be hotter than the victim to take its place
     * @param seed the sampler's seed; equal seeds give equal decisions
     */
    public record Config(int samples, int ticksPerCapacity, double halfLifeTicks, int initialGrace,
                         boolean adaptive, double climbPeriod, int coolingFactor, boolean admission,
                         long seed) {

        public static Config defaults() {
            return new Config(16, 64, 1e9, 1, true, 1.0, 10, true, 42);
        }

        /** Applies "key=value,key=value" overrides, for experiments from the command line. */
        public Config with(String overrides) {
            Config c = this;
            if (overrides == null || overrides.isBlank()) {
                return c;
            }
            for (String kv : overrides.split(",")) {
                String[] p = kv.split("=", 2);
                String k = p[0].strip().toLowerCase(Locale.ROOT);
                String v = p[1].strip();
                c = switch (k) {
                    case "samples" -> new Config(Integer.parseInt(v), c.ticksPerCapacity, c.halfLifeTicks, c.initialGrace, c.adaptive, c.climbPeriod, c.coolingFactor, c.admission, c.seed);
                    case "ticks" -> new Config(c.samples, Integer.parseInt(v), c.halfLifeTicks, c.initialGrace, c.adaptive, c.climbPeriod, c.coolingFactor, c.admission, c.seed);
                    case "halflife" -> new Config(c.samples, c.ticksPerCapacity, Double.parseDouble(v), c.initialGrace, c.adaptive, c.climbPeriod, c.coolingFactor, c.admission, c.seed);
                    case "grace" -> new Config(c.samples, c.ticksPerCapacity, c.halfLifeTicks, Integer.parseInt(v), c.adaptive, c.climbPeriod, c.coolingFactor, c.admission, c.seed);
                    case "adaptive" -> new Config(c.samples, c.ticksPerCapacity, c.halfLifeTicks, c.initialGrace, Boolean.parseBoolean(v), c.climbPeriod, c.coolingFactor, c.admission, c.seed);
                    case "climb" -> new Config(c.samples, c.ticksPerCapacity, c.halfLifeTicks, c.initialGrace, c.adaptive, Double.parseDouble(v), c.coolingFactor, c.admission, c.seed);
                    case "cooling" -> new Config(c.samples, c.ticksPerCapacity, c.halfLifeTicks, c.initialGrace, c.adaptive, c.climbPeriod, Integer.parseInt(v), c.admission, c.seed);
                    case "admission" -> new Config(c.samples, c.ticksPerCapacity, c.halfLifeTicks, c.initialGrace, c.adaptive, c.climbPeriod, c.coolingFactor, Boolean.parseBoolean(v), c.seed);
                    case "seed" -> new Config(c.samples, c.ticksPerCapacity, c.halfLifeTicks, c.initialGrace, c.adaptive, c.climbPeriod, c.coolingFactor, c.admission, Long.parseLong(v));
                    default -> throw new IllegalArgumentException("unknown thermo setting '" + k + "'");
                };
            }
            return c;
        }
    }

    private static final int RESIDENT = 0x80;
    private static final int TEMP_MASK = 0x7f;

    private final int capacity;
    private final Config config;
    private final byte[] state;   // bit 7 resident, bits 0-6 temperature
    private final byte[] stamp;   // clock tick of the last touch
    private final HeatField field;

    private final int tickLength;
    private final int maxAge;
    private int requestsInTick;
    private int now;
    private int clampHand;
    private int scanHand;
    private long rng;

    private final float[] decay = new float[256];

    // The annealing climber over the grace period.
    private int grace;
    private final long climbRequests;
    private long periodRequests;
    private long periodHits;
    private double lastHitRatio = -1;
    private int direction = 1;
    private double step;
    private final double initialStep;

    public ThermodynamicPolicy(int capacity) {
        this(capacity, Config.defaults());
    }

    public ThermodynamicPolicy(int capacity, Config config) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.config = config;
        state = new byte[capacity];
        stamp = new byte[capacity];
        field = new HeatField(capacity, config.coolingFactor());
        tickLength = Math.max(1, capacity / config.ticksPerCapacity());
        int sweepTicks = (capacity + tickLength - 1) / tickLength;
        maxAge = Math.max(1, 254 - sweepTicks);
        rng = config.seed() ^ 0x5DEECE66DL;
        for (int a = 0; a < 256; a++) {
            decay[a] = (float) Math.pow(2, -a / config.halfLifeTicks());
        }
        grace = Math.min(config.initialGrace(), maxAge);
        climbRequests = Math.max(256, (long) (config.climbPeriod() * capacity));
        initialStep = Math.max(1, maxAge / 16.0);
        step = initialStep;
    }

    // ---- time -----------------------------------------------------------------------------

    private void request(boolean hit) {
        if (++requestsInTick >= tickLength) {
            requestsInTick = 0;
            now = (now + 1) & 0xff;
        }
        // Keep every stamp within maxAge of now, one slot per request, so one byte never wraps.
        int s = clampHand;
        if ((state[s] & RESIDENT) != 0 && age(s) > maxAge) {
            stamp[s] = (byte) (now - maxAge);
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
                step = initialStep; // the workload changed: reheat
            } else {
                step = Math.max(1, step * 0.9);
            }
        }
        lastHitRatio = hr;
        grace = (int) Math.max(0, Math.min(maxAge, grace + direction * Math.round(step)));
    }

    private int age(int slot) {
        return (now - stamp[slot]) & 0xff;
    }

    private float energy(int slot) {
        return (state[slot] & TEMP_MASK) * decay[age(slot)];
    }

    private void touch(int slot, long hash) {
        int t = field.estimate(hash);
        state[slot] = (byte) (RESIDENT | Math.min(TEMP_MASK, t));
        stamp[slot] = (byte) now;
    }

    // ---- the seam --------------------------------------------------------------------------

    @Override
    public void onInsert(int slot, long hash) {
        touch(slot, hash);
    }

    @Override
    public void onHit(int slot, long hash) {
        field.heat(hash);
        touch(slot, hash);
        request(true);
    }

    @Override
    public void onMiss(long hash) {
        field.heat(hash);
        request(false);
    }

    @Override
    public void onRemove(int slot) {
        state[slot] = 0;
    }

    @Override
    public void onEvict(int slot) {
        state[slot] = 0;
    }

    private int nextSlot() {
        long x = rng;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        rng = x;
        return (int) (((x >>> 32) * capacity) >>> 32);
    }

    @Override
    public int selectVictim() {
        int best = -1;
        float bestEnergy = Float.MAX_VALUE;
        int bestAge = -1;
        int oldestFresh = -1;
        int oldestFreshAge = -1;
        int found = 0;
        for (int draws = 0; found < config.samples() && draws < 4 * config.samples(); draws++) {
            int s = nextSlot();
            if ((state[s] & RESIDENT) == 0) {
                continue;
            }
            found++;
            int a = age(s);
            if (a < grace) {
                if (a > oldestFreshAge) {
                    oldestFresh = s;
                    oldestFreshAge = a;
                }
                continue;
            }
            float e = energy(s);
            if (e < bestEnergy || (e == bestEnergy && a > bestAge)) {
                best = s;
                bestEnergy = e;
                bestAge = a;
            }
        }
        if (best >= 0) {
            return best;
        }
        if (oldestFresh >= 0) {
            return oldestFresh;
        }
        // Almost nothing resident: walk to the next resident slot.
        for (int i = 0; i < capacity; i++) {
            int s = scanHand;
            scanHand = s + 1 == capacity ? 0 : s + 1;
            if ((state[s] & RESIDENT) != 0) {
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
            float e = a < grace ? Float.MAX_VALUE / 2 - a : energy(s);
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
        if (!config.admission() || age(victimSlot) < grace) {
            return true;
        }
        return field.estimate(newcomerHash) > energy(victimSlot);
    }

    // ---- introspection for tests and docs -------------------------------------------------

    public int capacity() {
        return capacity;
    }

    public int temperature(int slot) {
        return state[slot] & TEMP_MASK;
    }

    public boolean resident(int slot) {
        return (state[slot] & RESIDENT) != 0;
    }

    public int grace() {
        return grace;
    }

    public int maxAge() {
        return maxAge;
    }

    /** Per-entry metadata: one byte of state and temperature, one byte of stamp. */
    public static int bytesPerEntry() {
        return 2;
    }

    public int sketchBytes() {
        return field.bytes();
    }

    @Override
    public String toString() {
        return "thermo" + Arrays.asList(config);
    }
}
