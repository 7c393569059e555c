package io.flagledger.common.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff, the one formula for every retry loop: {@code initial × 2^(failures − 1)}, at most {@code max}.
 * No jitter: the loops using it are single schedulers per replica, not a herd of clients.
 *
 * @param initial the delay after the first failure
 * @param max     the delay never exceeds this
 */
public record Backoff(Duration initial, Duration max) {

    // 2^30 × any positive initial delay is beyond every sensible max; capping the exponent avoids overflow.
    private static final int MAX_DOUBLINGS = 30;

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
        }
    }

    /** The delay before the next attempt after {@code failures} consecutive failures; zero when there were none. */
    public Duration delay(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - 1, MAX_DOUBLINGS);
        long millis = initial.toMillis();
        long capped = max.toMillis();
        return Duration.ofMillis(millis > (capped >> doublings) ? capped : Math.min(capped, millis << doublings));
    }

    /**
     * approval-monitor-edge's form of the same formula: the delay before the next try after {@code failures} earlier
     * failures (0: the first failure's delay is {@code initial}). Kept only so the branches merge; one should go.
     */
    public static Duration delay(int failures, Duration initial, Duration max) {
        return new Backoff(initial, max).delay(Math.max(failures, 0) + 1);
    }
}
