package io.flagledger.monitor.changes;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Reloads the change history from the database at start-up (the history also reloads itself on first use, should a
 * consumer or the error-rate poller get there first, or the database be unreachable now) and prunes it periodically.
 */
@ApplicationScoped
public class HistoryMaintenance {

    private static final Logger LOG = Logger.getLogger(HistoryMaintenance.class);

    @Inject
    ChangeHistory history;

    void onStart(@Observes StartupEvent event) {
        try {
            history.load();
        } catch (RuntimeException e) {
            LOG.warnf("Change history not reloaded at start-up, will retry on first use: %s", e.getMessage());
        }
    }

    @Scheduled(every = "${flagledger.monitor.history-prune-interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        try {
            history.prune();
        } catch (RuntimeException e) {
            LOG.warnf("Change history not pruned: %s", e.getMessage());
        }
    }
}
