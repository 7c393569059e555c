package io.flagledger.common.retry;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Which failures are worth retrying. Deterministic: the same input fails the same way every time (PostgreSQL data
 * exceptions, integrity violations and program limits, SQLSTATE classes 22, 23 and 54, e.g. 22P05 for a NUL or 54000
 * for an index row too big; unparseable or invalid input, or code failing on this input); retrying those only stops
 * whatever waits behind them. Everything else (connection loss, timeouts, serialization failures, the database or
 * broker down) is transient and retried. {@link #ofSqlState} is the one SQLSTATE table; audit-service's ledger
 * writer refines it (a duplicate event there is a redelivery to deduplicate, not a bad record).
 */
public final class Failures {

    /** What a failure says about retrying the same work. */
    public enum Kind {
        /** A property of the input: it fails the same way every time. */
        DETERMINISTIC,
        /** A property of the moment (database away, lock conflict, operator intervention): retrying helps. */
        TRANSIENT,
        /** Neither is known. */
        UNKNOWN
    }

    private static final Logger LOG = Logger.getLogger(Failures.class);
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));

    private Failures() {
    }

    public static boolean deterministic(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg) {
                return pg.getSqlState() != null && ofSqlState(pg.getSqlState()) == Kind.DETERMINISTIC;
            }
            // bad input, or code failing on this input: the same every time
            if (t instanceof JsonProcessingException || t instanceof IllegalArgumentException || t instanceof NullPointerException
                    || t instanceof ClassCastException || t instanceof IndexOutOfBoundsException || t instanceof ArithmeticException) {
                return true;
            }
        }
        return false;
    }

    /** What a PostgreSQL SQLSTATE says about retrying. */
    public static Kind ofSqlState(String state) {
        if (state.length() < 2) {
            return Kind.UNKNOWN;
        }
        return switch (state.substring(0, 2)) {
            // data exceptions (22P05 NUL, 22001 too long, ...), integrity violations, program limits (index row too big)
            case "22", "23", "54" -> Kind.DETERMINISTIC;
            // connection (08), serialization/deadlock (40), resources (53), operator intervention such as
            // pg_terminate_backend or a shutdown (57), system errors (58)
            case "08", "40", "53", "57", "58" -> Kind.TRANSIENT;
            // insufficient_privilege: a revoked grant is an operator's mistake to fix, not the input's fault;
            // lock_not_available
            default -> state.equals("42501") || state.equals("55P03") ? Kind.TRANSIENT : Kind.UNKNOWN;
        };
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
                Duration delay = RETRY.delay(failures + 1);
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
