package io.flagledger.monitor.outbox;

import io.flagledger.common.outbox.OutboxRecord;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventSigner;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs a monitor event and stores it in the outbox on the caller's connection, inside the transaction that
 * records the detection or revert, so the event exists if and only if the action was recorded. The shared
 * {@link io.flagledger.common.outbox.OutboxRelay} publishes it to monitor.actions.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EventSigner signer;

    @ConfigProperty(name = "flagledger.topics.monitor-actions")
    String topic;

    public Uni<AuditEvent> append(SqlConnection tx, AuditEvent unsigned) {
        // keyed project/flag: one flag's events share a partition, hence an order
        return OutboxRecord.sign(signer, unsigned, topic).insert(tx);
    }
}
