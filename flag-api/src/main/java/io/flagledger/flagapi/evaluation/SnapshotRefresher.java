package io.flagledger.flagapi.evaluation;

import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps the in-memory evaluation state (flags and SDK keys) in step with the database on every replica: on a
 * schedule, and at once after a change committed on this replica. Refreshes never overlap; a request for one while
 * one runs makes it run once more, so an older load can never overwrite a newer one.
 */
@ApplicationScoped
public class SnapshotRefresher {

    private static final Logger LOG = Logger.getLogger(SnapshotRefresher.class);

    @Inject
    EvaluationSnapshot snapshot;

    @Inject
    SdkKeys sdkKeys;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    @Scheduled(every = "${flagledger.snapshot.refresh-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return refresh();
    }

    /** Called after a commit on this replica; returns at once. */
    public void kick() {
        refresh().subscribe().with(ignored -> { }, e -> LOG.debug("snapshot refresh after commit failed", e));
    }

    Uni<Void> refresh() {
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        again.set(false);
        return snapshot.refresh().chain(() -> sdkKeys.refresh())
                .onFailure().invoke(e -> LOG.warnf("Evaluation snapshot refresh failed, serving the previous one: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .eventually(() -> running.set(false))
                .chain(() -> again.get() ? refresh() : Uni.createFrom().voidItem());
    }
}
