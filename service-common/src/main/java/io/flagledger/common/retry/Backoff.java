package io.flagledger.common.retry;

import java.time.Duration;

/** The one retry delay formula: {@code initial} doubled per earlier failure, never more than {@code max}. */
public final class Backoff {

    private Backoff() {
    }

    /** The delay before the next try after {@code failures} consecutive failures (0: the first failure's delay is initial). */
    public static Duration delay(int failures, Duration initial, Duration max) {
        long millis = initial.toMillis() << Math.min(Math.max(failures, 0), 20);
        return Duration.ofMillis(Math.min(max.toMillis(), millis));
    }
}
