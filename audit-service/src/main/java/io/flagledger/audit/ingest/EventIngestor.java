package io.flagledger.audit.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.alert.SecurityAlerts;
import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Moves every polled batch of the audited topics into the ledger or the quarantine in one transaction, in
 * poll order (per partition, the Kafka order). The batch is acknowledged (and its offsets committed) only after
 * that transaction committed; while the database is unreachable the consumer retries the same batch instead of
 * skipping it, and a redelivered batch after a crash is deduplicated by event id.
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
    SecurityAlerts alerts;

    @Inject
    MeterRegistry registry;

    @Incoming("audited-events")
    public Uni<Void> ingest(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
        records.forEach(polled::add);
        // Signature checks are ingestion's CPU cost: off the event loop, on every core; toList() keeps poll order.
        return Uni.createFrom().item(() -> polled.parallelStream().map(r -> admission.judge(r.value())).toList())
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(verdicts -> store(polled, verdicts));
    }

    private Uni<Void> store(List<ConsumerRecord<String, byte[]>> polled, List<EventAdmission.Verdict> verdicts) {
        List<Ledger.Admitted> admitted = new ArrayList<>(polled.size());
        List<Ledger.Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < polled.size(); i++) {
            ConsumerRecord<String, byte[]> record = polled.get(i);
            SourcePosition position = new SourcePosition(record.topic(), record.partition(), record.offset());
            EventAdmission.Verdict verdict = verdicts.get(i);
            if (verdict.admitted()) {
                admitted.add(new Ledger.Admitted(verdict.event(), position));
            } else {
                rejected.add(new Ledger.Rejected(record.value(), verdict.rejection(), position));
            }
        }
        return Uni.createFrom().deferred(() -> ledger.append(admitted, rejected))
                .onFailure().invoke(e -> LOG.warnf("Storing a batch of %d records failed, retrying: %s", polled.size(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).expireIn(Duration.ofMinutes(10).toMillis())
                .invoke(outcome -> committed(admitted, rejected, outcome))
                .replaceWithVoid();
    }

    private void committed(List<Ledger.Admitted> admitted, List<Ledger.Rejected> rejected, Ledger.Outcome outcome) {
        for (int i = 0; i < admitted.size(); i++) {
            registry.counter("flagledger.audit.events", "topic", admitted.get(i).position().topic(),
                    "outcome", outcome.seqs()[i] > 0 ? "appended" : "duplicate").increment();
        }
        long appended = outcome.appended();
        if (appended > 0) {
            checkpointer.appended(appended);
        }
        for (Ledger.Rejected r : rejected) {
            if (!outcome.quarantined().contains(r.position())) {
                continue; // a redelivery of a record quarantined (and alerted on) before
            }
            registry.counter("flagledger.audit.quarantined", "topic", r.position().topic()).increment();
            LOG.warnf("Quarantined record %s: %s", r.position(), r.reason());
            alerts.raise("audit.event_quarantined", "quarantine-" + r.position(), "record " + r.position()
                    + " failed verification and was quarantined: " + r.reason(), JsonNodeFactory.instance.objectNode()
                    .put("topic", r.position().topic())
                    .put("partition", r.position().partition())
                    .put("offset", r.position().offset())
                    .put("reason", r.reason().length() > 1000 ? r.reason().substring(0, 1000) : r.reason()));
        }
    }
}
