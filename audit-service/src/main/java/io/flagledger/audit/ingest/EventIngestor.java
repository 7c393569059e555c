package io.flagledger.audit.ingest;

import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Moves every record of the audited topics into the ledger or the quarantine. The record is
 * acknowledged (and its offset committed) only after the database transaction committed; while the
 * database is unreachable the partition waits instead of skipping.
 */
@ApplicationScoped
public class EventIngestor {

    private static final Logger LOG = Logger.getLogger(EventIngestor.class);

    @Inject
    EventAdmission admission;

    @Inject
    Ledger ledger;

    @Inject
    Checkpointer checkpointer;

    @Inject
    MeterRegistry registry;

    @Incoming("audited-events")
    public Uni<Void> ingest(ConsumerRecord<String, byte[]> record) {
        SourcePosition position = new SourcePosition(record.topic(), record.partition(), record.offset());
        EventAdmission.Verdict verdict = admission.judge(record.value());
        Uni<Void> store;
        if (verdict.admitted()) {
            store = ledger.append(verdict.event(), position)
                    .invoke(appended -> {
                        registry.counter("flagledger.audit.events",
                                "topic", record.topic(), "outcome", appended ? "appended" : "duplicate").increment();
                        if (appended) {
                            checkpointer.appended();
                        }
                    })
                    .replaceWithVoid();
        } else {
            LOG.warnf("Quarantined record %s: %s", position, verdict.rejection());
            store = ledger.quarantine(record.value(), verdict.rejection(), position)
                    .invoke(() -> registry.counter("flagledger.audit.quarantined", "topic", record.topic()).increment());
        }
        return store.onFailure().invoke(e -> LOG.warnf("Storing %s failed, retrying: %s", position, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).expireIn(Duration.ofMinutes(10).toMillis());
    }
}
