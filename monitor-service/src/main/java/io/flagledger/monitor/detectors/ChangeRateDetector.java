package io.flagledger.monitor.detectors;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How many changes one key (an actor, a project) makes per time bucket, against its own baseline: a Poisson test of
 * the current bucket's count against the expected count λ, fired once per key and bucket when P(X ≥ count | λ) is
 * below {@code pValue} and the count reaches {@code minChanges}.
 * <p>
 * λ is the largest of: an EWMA of the key's recent buckets (follows a rising day), an EWMA per hour of the day
 * (remembers that 10:00 is busy even at 09:00's quiet end), and {@code minBaseline} (a quiet key is not anomalous for
 * two changes). Taking the largest keeps both lags from raising false alarms. A bucket that fired is folded into
 * the baselines as λ, not as its count, so a burst does not teach the baseline that bursts are normal. A key is
 * judged only after {@code warmupBuckets} buckets since it was first seen. At most {@code maxKeys} keys are kept (the
 * least recently seen are forgotten), so unbounded actor names cannot grow memory.
 * <p>
 * Pure and single-threaded per instance (callers synchronize): time comes from the events, not a clock.
 */
public final class ChangeRateDetector {

    public record Params(Duration bucket, double alpha, double seasonalAlpha, double pValue, int minChanges,
                         double minBaseline, int warmupBuckets, int maxKeys) {
        public Params {
            if (bucket.isZero() || bucket.isNegative() || alpha <= 0 || alpha > 1 || seasonalAlpha <= 0 || seasonalAlpha > 1
                    || pValue <= 0 || pValue >= 1 || minChanges < 1 || minBaseline <= 0 || warmupBuckets < 0 || maxKeys < 1) {
                throw new IllegalArgumentException("invalid change-rate detector parameters: " + this);
            }
        }
    }

    /** A bucket whose count the key's baseline does not explain. */
    public record Finding(String key, Instant bucketStart, int count, double expected, double pValue) {
    }

    private static final int HOURS = 24;

    private static final class State {
        long bucket;
        long firstBucket;
        int count;
        boolean fired;
        double recent = Double.NaN;
        final double[] byHour = new double[HOURS];
        final boolean[] hourSeen = new boolean[HOURS];

        State(long bucket) {
            this.bucket = bucket;
            this.firstBucket = bucket;
        }
    }

    private final Params params;
    private final long bucketMillis;
    private final Map<String, State> states;

    public ChangeRateDetector(Params params) {
        this.params = params;
        this.bucketMillis = params.bucket().toMillis();
        this.states = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > params.maxKeys();
            }
        };
    }

    /** Counts one change by {@code key} at {@code at}; a finding the first time its bucket becomes anomalous. */
    public Optional<Finding> observe(String key, Instant at) {
        long bucket = Math.floorDiv(at.toEpochMilli(), bucketMillis);
        State s = states.computeIfAbsent(key, k -> new State(bucket));
        if (bucket > s.bucket) {
            roll(s, bucket);
        }
        // a late event (older bucket) counts in the current one: it is still one more change to explain
        s.count++;
        if (s.fired || s.bucket - s.firstBucket < params.warmupBuckets() || s.count < params.minChanges()) {
            return Optional.empty();
        }
        double expected = expected(s);
        double p = Poisson.upperTail(s.count, expected);
        if (p >= params.pValue()) {
            return Optional.empty();
        }
        s.fired = true;
        return Optional.of(new Finding(key, Instant.ofEpochMilli(s.bucket * bucketMillis), s.count, expected, p));
    }

    /** The expected changes per bucket for {@code key} now (λ); {@code minBaseline} for an unknown key. */
    public double expected(String key) {
        State s = states.get(key);
        return s == null ? params.minBaseline() : expected(s);
    }

    public int keys() {
        return states.size();
    }

    private double expected(State s) {
        int hour = hour(s.bucket);
        double recent = Double.isNaN(s.recent) ? 0 : s.recent;
        double seasonal = s.hourSeen[hour] ? s.byHour[hour] : 0;
        return Math.max(params.minBaseline(), Math.max(recent, seasonal));
    }

    private void roll(State s, long bucket) {
        fold(s, s.bucket, s.fired ? expected(s) : s.count);
        // empty buckets in between: at most a day of them one by one (the hourly profile needs them), then only decay
        long empty = bucket - s.bucket - 1;
        long day = Duration.ofDays(1).toMillis() / bucketMillis;
        for (long b = s.bucket + 1; b < bucket && b <= s.bucket + day; b++) {
            fold(s, b, 0);
        }
        if (empty > day) {
            s.recent *= Math.pow(1 - params.alpha(), empty - day);
        }
        s.bucket = bucket;
        s.count = 0;
        s.fired = false;
    }

    private void fold(State s, long bucket, double count) {
        s.recent = Double.isNaN(s.recent) ? count : params.alpha() * count + (1 - params.alpha()) * s.recent;
        int hour = hour(bucket);
        s.byHour[hour] = s.hourSeen[hour] ? params.seasonalAlpha() * count + (1 - params.seasonalAlpha()) * s.byHour[hour] : count;
        s.hourSeen[hour] = true;
    }

    private int hour(long bucket) {
        return Instant.ofEpochMilli(bucket * bucketMillis).atZone(ZoneOffset.UTC).getHour();
    }
}
