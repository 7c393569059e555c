package io.flagledger.approval.outbox;

import io.flagledger.approval.db.Db;
import io.flagledger.common.outbox.OutboxRecord;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventSigner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs an approval event and stores it in the outbox inside the caller's transaction, so the event exists
 * if and only if the state change does. The shared {@link io.flagledger.common.outbox.OutboxRelay} publishes it
 * to approval.events.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EventSigner signer;

    @ConfigProperty(name = "flagledger.topics.approval-events")
    String topic;

    public AuditEvent append(Db.Tx tx, AuditEvent unsigned) {
        AuditEvent signed = signer.sign(unsigned);
        // One flag's events share a key, hence a partition, hence an order. Kept exactly as this service has always
        // written it: a segment change request has no flag and is keyed "<project>/null".
        OutboxRecord row = OutboxRecord.of(signed, topic, signed.project() + "/" + signed.flagId());
        tx.query(OutboxRecord.INSERT, row.values());
        return signed;
    }
}
