package io.flagledger.approval.db;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Function;

/**
 * Blocking use of the reactive PostgreSQL pool, for code that runs on worker threads (REST resources with
 * blocking signatures, scheduled jobs): the service's logic reads top to bottom while the pool is shared with
 * the readiness check.
 */
@ApplicationScoped
public class Db {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    /** Runs {@code work} in one transaction; any exception rolls it back. */
    public <T> T transaction(Function<Tx, T> work) {
        SqlConnection connection = pool.getConnection().await().atMost(TIMEOUT);
        try {
            Transaction tx = connection.begin().await().atMost(TIMEOUT);
            try {
                T result = work.apply(new Tx(connection));
                tx.commit().await().atMost(TIMEOUT);
                return result;
            } catch (RuntimeException e) {
                tx.rollback().onFailure().recoverWithNull().await().atMost(TIMEOUT);
                throw e;
            }
        } finally {
            connection.close().await().atMost(TIMEOUT);
        }
    }

    public RowSet<Row> query(String sql, Object... args) {
        return pool.preparedQuery(sql).execute(tuple(args)).await().atMost(TIMEOUT);
    }

    /** A connection inside a transaction. */
    public record Tx(SqlConnection connection) {
        public RowSet<Row> query(String sql, Object... args) {
            return connection.preparedQuery(sql).execute(tuple(args)).await().atMost(TIMEOUT);
        }
    }

    public static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private static Tuple tuple(Object[] args) {
        Tuple tuple = Tuple.tuple();
        for (Object arg : args) {
            tuple.addValue(arg instanceof Instant i ? at(i) : arg);
        }
        return tuple;
    }
}
