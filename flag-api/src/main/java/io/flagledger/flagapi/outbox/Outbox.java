package io.flagledger.flagapi.outbox;

import io.flagledger.common.outbox.OutboxRecord;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventSigner;
import io.flagledger.flagapi.edge.EventBudget;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs a change event and stores it in the outbox. Callers run inside the transaction of the
 * state change, so the event exists if and only if the change does. The row is a Panache entity because it is
 * written in the caller's Hibernate Reactive session (and because the outbox is also this service's event store,
 * read by history and replay); the shared {@link io.flagledger.common.outbox.OutboxRelay} publishes it.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EventSigner signer;

    @ConfigProperty(name = "flagledger.topics.flag-changes")
    String flagChangesTopic;

    public Uni<AuditEvent> append(AuditEvent unsigned) {
        return append(unsigned, flagChangesTopic);
    }

    public Uni<AuditEvent> append(AuditEvent unsigned, String topic) {
        // keyed project/flag: one flag's events share a partition, hence an order (and FlagHistory reads them by it)
        // Refused here, inside the change's transaction, the change is rolled back with its event: nothing is written.
        EventBudget.requireValid(unsigned);
        OutboxRecord record = OutboxRecord.sign(signer, unsigned, topic);
        EventBudget.requireSendable(record.payload().getBytes(StandardCharsets.UTF_8).length);
        OutboxEvent row = new OutboxEvent();
        row.eventId = record.eventId();
        row.topic = record.topic();
        row.messageKey = record.messageKey();
        row.payload = record.payload();
        row.createdAt = record.createdAt();
        return row.persist().replaceWith(record.event());
    }
}
