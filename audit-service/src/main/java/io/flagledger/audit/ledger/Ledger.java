package io.flagledger.audit.ledger;

import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.merkle.MerkleHash;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Appends admitted events with a dense sequence number, once per event id, and grows the Merkle tree with them. */
@ApplicationScoped
public class Ledger {

    /** Serialises appenders so sequence numbers stay dense and gap-free across replicas. */
    private static final long APPEND_LOCK = 0x466c61674c6564L;

    private static final String APPEND = """
            insert into ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic,
                source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type,
                project, flag_id, environment, correlation_id)
            select coalesce(max(seq), 0) + 1, $1, $2, $3, now(), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
            from ledger_entry
            on conflict (event_id) do nothing
            returning seq""";

    private static final String QUARANTINE = """
            insert into quarantined_event (received_at, source_topic, source_partition, source_offset, reason, payload)
            values (now(), $1, $2, $3, $4, $5)
            on conflict (source_topic, source_partition, source_offset) do nothing""";

    private static final int MAX_REASON = 2000;

    @Inject
    Pool pool;

    @Inject
    MerkleStore tree;

    /** @return true if appended, false if the event was already in the ledger (a redelivery). */
    public Uni<Boolean> append(AuditEvent event, SourcePosition position) {
        return pool.withTransaction(tx -> append(tx, event, position));
    }

    /**
     * Appends within the caller's transaction, so a change the service makes itself (e.g. a legal hold) and its
     * ledger event commit together or not at all.
     */
    public Uni<Boolean> append(SqlConnection tx, AuditEvent event, SourcePosition position) {
        byte[] canonical = EventJson.canonicalBytes(event);
        byte[] leafHash = MerkleHash.leaf(canonical);
        Tuple values = Tuple.tuple()
                .addUUID(UUID.fromString(event.eventId()))
                .addString(new String(canonical, StandardCharsets.UTF_8))
                .addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(leafHash))
                .addString(position.topic())
                .addInteger(position.partition())
                .addLong(position.offset())
                .addOffsetDateTime(OffsetDateTime.ofInstant(event.timestamp(), ZoneOffset.UTC))
                .addString(event.sourceService())
                .addString(event.action())
                .addString(event.actorId())
                .addString(event.actorType().name().toLowerCase(java.util.Locale.ROOT))
                .addString(event.project())
                .addString(event.flagId())
                .addString(event.environment())
                .addString(event.correlationId());
        return tx.preparedQuery("select pg_advisory_xact_lock($1)")
                .execute(Tuple.of(APPEND_LOCK))
                .chain(() -> tx.preparedQuery(APPEND).execute(values))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    long seq = rows.iterator().next().getLong("seq");
                    return tree.leafAppended(tx, seq, leafHash).replaceWith(true);
                });
    }

    public Uni<Void> quarantine(byte[] payload, String reason, SourcePosition position) {
        String boundedReason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        return pool.preparedQuery(QUARANTINE)
                .execute(Tuple.of(position.topic(), position.partition(), position.offset(), boundedReason,
                        io.vertx.core.buffer.Buffer.buffer(payload == null ? new byte[0] : payload)))
                .replaceWithVoid();
    }
}
