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
        // Keyed by flag or segment (OutboxRecord.orderingKey): one target's events stay in order.
        OutboxRecord row = OutboxRecord.sign(signer, unsigned, topic);
        tx.query(OutboxRecord.INSERT, row.values());
        return row.event();
    }
}
