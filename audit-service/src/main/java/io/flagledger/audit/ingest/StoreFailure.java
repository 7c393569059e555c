package io.flagledger.audit.ingest;

import io.flagledger.common.retry.Failures;
import io.flagledger.common.retry.Failures.Kind;
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

    /** The shared SQLSTATE table, but a duplicate is a redelivery here, not a bad record. */
    private static Kind ofSqlState(String state) {
        return state.equals(DUPLICATE) ? Kind.TRANSIENT : Failures.ofSqlState(state);
    }

    boolean transientFailure() {
        return kind == Kind.TRANSIENT;
    }
}
