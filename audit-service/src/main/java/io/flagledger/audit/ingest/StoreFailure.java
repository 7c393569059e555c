package io.flagledger.audit.ingest;

import io.flagledger.contract.InvalidEventException;
import io.vertx.core.VertxException;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Why storing a batch failed, and so what to do about it. Deterministic failures are properties of a record (its
 * data): retrying cannot help, so the batch is split and the record quarantined. Transient failures are properties
 * of the moment (the database is away, a lock conflict, a revoked grant an operator will restore): retrying helps,
 * and quarantining would lose a good event. Unknown failures are split like deterministic ones, and a single record
 * is quarantined only when it fails the same way twice.
 */
record StoreFailure(Kind kind, String signature, String message) {

    enum Kind { DETERMINISTIC, TRANSIENT, UNKNOWN }

    /** {@code unique_violation}: the expected duplicate (another writer appended the same event first); retrying dedups it. */
    private static final String DUPLICATE = "23505";

    static StoreFailure of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseException db && db.getSqlState() != null) {
                return new StoreFailure(ofSqlState(db.getSqlState()), "SQLSTATE " + db.getSqlState(),
                        db.getMessage() + " (SQLSTATE " + db.getSqlState() + ")");
            }
            if (t instanceof InvalidEventException || t instanceof IllegalArgumentException) {
                // The event cannot be turned into a row (e.g. it cannot be canonicalized): a property of the record.
                return new StoreFailure(Kind.DETERMINISTIC, t.getClass().getName(), t.getMessage());
            }
            if (t instanceof VertxException || t instanceof IOException || t instanceof TimeoutException
                    || t.getClass().getPackageName().startsWith("io.vertx.")) {
                // Closed connections, pool and connect timeouts, refused connections: the database, not the record.
                // (Vert.x also fails some of these with its own stackless Throwables outside VertxException.)
                return new StoreFailure(Kind.TRANSIENT, t.getClass().getName(), String.valueOf(t.getMessage()));
            }
        }
        return new StoreFailure(Kind.UNKNOWN, failure.getClass().getName() + ": " + failure.getMessage(),
                failure.getClass().getSimpleName() + ": " + failure.getMessage());
    }

    private static Kind ofSqlState(String state) {
        if (state.equals(DUPLICATE)) {
            return Kind.TRANSIENT;
        }
        return switch (state.substring(0, 2)) {
            // data exceptions (22P05 NUL, 22001 too long, ...), integrity violations, program limits (index row too big)
            case "22", "23", "54" -> Kind.DETERMINISTIC;
            // connection (08), serialization/deadlock (40), resources (53), operator intervention such as
            // pg_terminate_backend or a shutdown (57), system errors (58), lock not available (55P03)
            case "08", "40", "53", "57", "58" -> Kind.TRANSIENT;
            // insufficient_privilege: a revoked grant is an operator's mistake to fix, not the record's fault
            default -> state.equals("42501") || state.equals("55P03") ? Kind.TRANSIENT : Kind.UNKNOWN;
        };
    }

    boolean transientFailure() {
        return kind == Kind.TRANSIENT;
    }
}
