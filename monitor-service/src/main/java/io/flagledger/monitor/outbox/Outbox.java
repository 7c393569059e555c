package io.flagledger.monitor.outbox;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs a monitor event and stores it in the outbox on the caller's connection, inside the transaction that
 * records the detection or revert, so the event exists if and only if the action was recorded.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EventSigner signer;

    @ConfigProperty(name = "flagledger.topics.monitor-actions")
    String topic;

    public Uni<AuditEvent> append(SqlConnection tx, AuditEvent unsigned) {
        AuditEvent signed = signer.sign(unsigned);
        // One flag's events share a key, hence a partition, hence an order.
        String key = (signed.project() == null ? "-" : signed.project()) + "/" + (signed.flagId() == null ? "-" : signed.flagId());
        return tx.preparedQuery("insert into outbox_event (event_id, topic, message_key, payload, created_at) values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(UUID.fromString(signed.eventId()), topic, key, EventJson.toJson(signed),
                        OffsetDateTime.now(ZoneOffset.UTC)))
                .replaceWith(signed);
    }
}
