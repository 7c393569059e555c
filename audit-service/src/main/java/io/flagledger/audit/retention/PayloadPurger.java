package io.flagledger.audit.retention;

import io.flagledger.audit.archive.ArchiveConfig;
import io.flagledger.audit.siem.SiemForwarder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Moves payloads out of the hot tier. The database decides what may go (purge_ledger_payloads: archived in a
 * verified segment, not under an active legal hold); this class adds the age cut-off and never purges past the
 * slowest enabled SIEM sink, so forwarding stays at least once.
 */
@ApplicationScoped
public class PayloadPurger {

    private static final Logger LOG = Logger.getLogger(PayloadPurger.class);
    private static final Duration DB_TIMEOUT = Duration.ofMinutes(5);

    @Inject
    Pool pool;

    @Inject
    RetentionConfig config;

    @Inject
    ArchiveConfig archive;

    @Inject
    SiemForwarder siem;

    @Inject
    MeterRegistry registry;

    @Scheduled(every = "${flagledger.retention.interval:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodically() {
        if (!archive.enabled()) {
            return;
        }
        try {
            purge(Instant.now().minus(Duration.ofDays(config.hotDays())), 1, Long.MAX_VALUE);
        } catch (RuntimeException e) {
            LOG.errorf("Payload purge failed (retried next run): %s", e.getMessage());
        }
    }

    /**
     * Purges payloads received before {@code receivedBefore} with seq in {@code fromSeq..toSeq}, batch by batch.
     * Blocking: call from a worker thread.
     *
     * @return how many payloads left the hot store
     */
    public long purge(Instant receivedBefore, long fromSeq, long toSeq) {
        long upTo = Math.min(toSeq, siem.slowestCursor());
        long total = 0;
        while (true) {
            long purged = pool.preparedQuery("select purge_ledger_payloads($1, $2, $3, $4)")
                    .execute(Tuple.of(OffsetDateTime.ofInstant(receivedBefore, ZoneOffset.UTC), fromSeq, upTo, config.batch()))
                    .await().atMost(DB_TIMEOUT).iterator().next().getLong(0);
            total += purged;
            if (purged < config.batch()) {
                break;
            }
        }
        if (total > 0) {
            registry.counter("flagledger.audit.retention.purged").increment(total);
            LOG.infof("Purged %d archived payloads received before %s from the hot store", total, receivedBefore);
        }
        return total;
    }
}
