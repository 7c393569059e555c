package io.flagledger.approval.outbox;

import io.flagledger.approval.db.Db;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs an approval event and stores it in the outbox inside the caller's transaction, so the event exists
 * if and only if the state change does.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EventSigner signer;

    @ConfigProperty(name = "flagledger.topics.approval-events")
    String topic;

    public AuditEvent append(Db.Tx tx, AuditEvent unsigned) {
        AuditEvent signed = signer.sign(unsigned);
        // One flag's events share a key, hence a partition, hence an order.
        String key = signed.project() + "/" + signed.flagId();
        tx.query("insert into outbox_event (event_id, topic, message_key, payload, created_at) values ($1, $2, $3, $4, $5)",
                UUID.fromString(signed.eventId()), topic, key, EventJson.toJson(signed), Instant.now());
        return signed;
    }
}
