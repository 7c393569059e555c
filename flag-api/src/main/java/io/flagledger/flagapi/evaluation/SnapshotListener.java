package io.flagledger.flagapi.evaluation;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Holds one connection of the pool for {@code LISTEN flagledger_snapshot} (notifications sent by the V11 triggers in
 * every writing transaction) and hands each payload to {@link SnapshotRefresher}. A lost connection is re-opened every
 * second; each (re)start of listening is followed by a full reload, which covers what was missed meanwhile.
 * (A transaction-pooling proxy between flag-api and PostgreSQL would not deliver notifications: connect directly.)
 */
@ApplicationScoped
public class SnapshotListener {

    static final String CHANNEL = "flagledger_snapshot";
    private static final Logger LOG = Logger.getLogger(SnapshotListener.class);

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    SnapshotRefresher refresher;

    private volatile boolean stopped;
    private volatile SqlConnection connection;
    private final java.util.concurrent.atomic.AtomicBoolean retrying = new java.util.concurrent.atomic.AtomicBoolean();

    void start(@Observes StartupEvent event) {
        listen();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        SqlConnection open = connection;
        if (open != null) {
            open.closeAndForget();
        }
    }

    /** Closes the listening connection as a network failure would (tests of the safety net). */
    void dropConnection() {
        SqlConnection open = connection;
        if (open != null) {
            open.closeAndForget();
        }
    }

    private void listen() {
        pool.getConnection().chain(sql -> {
            connection = sql;
            PgConnection pg = PgConnection.cast(sql);
            pg.notificationHandler(notification -> refresher.notified(notification.getPayload()));
            pg.closeHandler(() -> {
                connection = null;
                refresher.listening(false);
                retryLater();
            });
            return sql.query("LISTEN " + CHANNEL).execute().onFailure().invoke(sql::closeAndForget);
        }).subscribe().with(ok -> refresher.listening(true), failure -> {
            LOG.warnf("Cannot listen for snapshot changes, retrying: %s", failure.getMessage());
            retryLater();
        });
    }

    private void retryLater() {
        // Both a failed LISTEN and the close it causes ask for a retry: one is enough.
        if (!stopped && retrying.compareAndSet(false, true)) {
            vertx.setTimer(1000, id -> {
                retrying.set(false);
                listen();
            });
        }
    }
}
