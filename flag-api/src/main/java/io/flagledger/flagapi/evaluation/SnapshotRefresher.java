package io.flagledger.flagapi.evaluation;

import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Keeps the in-memory evaluation state (flags and SDK keys) in step with the database on every replica. */
@ApplicationScoped
public class SnapshotRefresher {

    private static final Logger LOG = Logger.getLogger(SnapshotRefresher.class);

    @Inject
    EvaluationSnapshot snapshot;

    @Inject
    SdkKeys sdkKeys;

    @Scheduled(every = "${flagledger.snapshot.refresh-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return snapshot.refresh().chain(() -> sdkKeys.refresh())
                .onFailure().invoke(e -> LOG.warnf("Evaluation snapshot refresh failed, serving the previous one: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
