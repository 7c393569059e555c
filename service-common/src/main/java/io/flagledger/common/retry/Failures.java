package io.flagledger.common.retry;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Which failures are worth retrying. Deterministic: the same input fails the same way every time (PostgreSQL data
 * exceptions and integrity violations, SQLSTATE classes 22 and 23, e.g. 22P05 for a NUL; unparseable or invalid
 * input, or code failing on this input); retrying those only stops whatever waits behind them. Everything else (connection loss, timeouts,
 * serialization failures, the database or broker down) is transient and retried.
 */
public final class Failures {

    private static final Logger LOG = Logger.getLogger(Failures.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private Failures() {
    }

    public static boolean deterministic(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                String state = pg.getSqlState();
                return state != null && (state.startsWith("22") || state.startsWith("23"));
            }
            // bad input, or code failing on this input: the same every time
            if (t instanceof JsonProcessingException || t instanceof IllegalArgumentException || t instanceof NullPointerException
                    || t instanceof ClassCastException || t instanceof IndexOutOfBoundsException || t instanceof ArithmeticException) {
                return true;
            }
        }
        return false;
    }

    /** The SQLSTATE of a PostgreSQL failure, or null. */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                return pg.getSqlState();
            }
        }
        return null;
    }

    /**
     * Runs {@code work} until it succeeds or fails deterministically (then {@code onDeterministic} gets the failure
     * and this returns); transient failures are retried with {@link Backoff}, for as long as it takes, so nothing is
     * lost. Blocks the calling thread: for blocking consumers, whose next record must wait for this one anyway.
     */
    public static void retryTransient(String what, Runnable work, Consumer<RuntimeException> onDeterministic) {
        for (int failures = 0; ; failures++) {
            try {
                work.run();
                return;
            } catch (RuntimeException e) {
                if (deterministic(e)) {
                    onDeterministic.accept(e);
                    return;
                }
                Duration delay = Backoff.delay(failures, FIRST_RETRY, LONGEST_RETRY);
                LOG.warnf("%s failed (transient, attempt %d), retrying in %d ms: %s", what, failures + 1, delay.toMillis(),
                        e.getMessage());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
