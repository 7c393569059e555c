package io.flagledger.flagapi.outbox;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs a change event and stores it in the outbox. Callers run inside the transaction of the
 * state change, so the event exists if and only if the change does.
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
        AuditEvent signed = signer.sign(unsigned);
        OutboxEvent row = new OutboxEvent();
        row.eventId = UUID.fromString(signed.eventId());
        row.topic = topic;
        // One flag's events share a key, hence a partition, hence an order.
        row.messageKey = (signed.project() == null ? "-" : signed.project()) + "/" + (signed.flagId() == null ? "-" : signed.flagId());
        row.payload = EventJson.toJson(signed);
        row.createdAt = Instant.now();
        return row.persist().replaceWith(signed);
    }
}
