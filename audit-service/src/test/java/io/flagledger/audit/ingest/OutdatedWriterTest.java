package io.flagledger.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.DatabaseException;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * During a rolling upgrade the previous release's audit-service still runs beside the V28 schema (tree nodes in
 * ledger_entry.nodes). Its appends, sent exactly as that release sends them, must fail with a failure it retries
 * (42501, transient in its table), never one it quarantines events for, and write nothing.
 */
@QuarkusTest
class OutdatedWriterTest {

    /** The previous release's entry insert: no nodes column. */
    private static final String OLD_APPEND = """
            insert into ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic,
                source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type,
                project, flag_id, environment, correlation_id, channel)
            select s, e, c, h, now(), t, p, o, oc, ss, a, ai, at, pr, f, en, co, ch
            from unnest($1::bigint[], $2::uuid[], $3::text[], $4::bytea[], $5::text[], $6::integer[], $7::bigint[],
                $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                $15::text[], $16::text[], $17::text[]) as u(s, e, c, h, t, p, o, oc, ss, a, ai, at, pr, f, en, co, ch)""";

    /** The previous release's one-round-trip append: the tree check and the node insert on merkle_node. */
    private static final String OLD_APPEND_AT = """
            with guard as (select (select coalesce(max(seq), 0) from ledger_entry) = $18
                and (select count(*) from unnest($19::integer[], $20::bigint[], $21::bytea[]) as r(level, idx, hash)
                     where r.hash = case when r.level = 0 then (select leaf_hash from ledger_entry where seq = r.idx + 1)
                         else (select hash from merkle_node m where m.level = r.level and m.idx = r.idx) end)
                    = cardinality($19::integer[]) as ok),
            entries as (""" + OLD_APPEND + "\n    where (select ok from guard)),\n" + """
            nodes as (insert into merkle_node (level, idx, hash)
                select * from unnest($22::integer[], $23::bigint[], $24::bytea[]) where (select ok from guard))
            select ok from guard""";

    /** The previous release's node write, after its entry insert. */
    private static final String OLD_WRITE = """
            insert into merkle_node (level, idx, hash)
            select * from unnest($1::integer[], $2::bigint[], $3::bytea[])""";

    @Inject
    Pool pool;

    @Inject
    Ledger ledger;

    @Inject
    MerkleStore tree;

    @Test
    void thePreviousReleasesAppendsFailTheWayItRetriesAndWriteNothing() {
        List<Ledger.Admitted> seed = List.of(admitted(), admitted(), admitted());
        ledger.append(seed, List.of()).await().indefinitely();
        long size = size();
        List<Ledger.Admitted> batch = List.of(admitted(), admitted());
        Tuple entries = Ledger.rows(size, batch).values();

        // Its ordinary path: the entry insert first (the node write is pipelined after it).
        assertRetriedAndNothingWritten(() -> pool.withTransaction(tx -> tx.preparedQuery(OLD_APPEND).execute(entries))
                .await().indefinitely(), batch);
        assertRetriedAndNothingWritten(() -> pool.withTransaction(tx -> tx.preparedQuery(OLD_WRITE)
                .execute(Tuple.of(new Integer[] {1}, new Long[] {size / 2}, new Buffer[] {Buffer.buffer(new byte[32])})))
                .await().indefinitely(), batch);

        // Its one-round-trip path, on the tree the ledger really holds, so its tree check would pass.
        List<NodeId> edge = CompactRange.nodes(size);
        Map<NodeId, byte[]> roots = tree.nodes(pool, edge).await().indefinitely();
        CompactRange range = CompactRange.of(size, edge.stream().map(roots::get).toList());
        List<Integer> levels = new ArrayList<>();
        List<Long> indexes = new ArrayList<>();
        List<Buffer> hashes = new ArrayList<>();
        for (Ledger.Admitted a : batch) {
            range.append(a.leaf(), (id, h) -> {
                levels.add(id.level());
                indexes.add(id.index());
                hashes.add(Buffer.buffer(h));
            });
        }
        Tuple appendAt = Ledger.rows(size, batch).values().addLong(size)
                .addValue(edge.stream().map(NodeId::level).toArray(Integer[]::new))
                .addValue(edge.stream().map(NodeId::index).toArray(Long[]::new))
                .addValue(edge.stream().map(id -> Buffer.buffer(roots.get(id))).toArray(Buffer[]::new))
                .addValue(levels.toArray(Integer[]::new)).addValue(indexes.toArray(Long[]::new))
                .addValue(hashes.toArray(Buffer[]::new));
        // It either fails the same way, or (when its tree check reads no node through the view) reports "not written",
        // after which that release takes its ordinary path above.
        Boolean written;
        try {
            written = pool.withTransaction(tx -> tx.preparedQuery(OLD_APPEND_AT).execute(appendAt))
                    .await().indefinitely().iterator().next().getBoolean(0);
        } catch (RuntimeException e) {
            assertRetried(e);
            written = false;
        }
        assertThat(written).isFalse();
        assertThat(stored(batch)).isZero();

        // The current release appends on after them.
        ledger.append(batch, List.of()).await().indefinitely();
        assertThat(stored(batch)).isEqualTo(batch.size());
    }

    private void assertRetriedAndNothingWritten(Runnable oldStatement, List<Ledger.Admitted> batch) {
        Throwable failure = null;
        try {
            oldStatement.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        assertThat(failure).as("the previous release's statement must fail").isNotNull();
        assertRetried(failure);
        assertThat(stored(batch)).isZero();
    }

    private static void assertRetried(Throwable failure) {
        Throwable cause = failure;
        while (cause != null && !(cause instanceof DatabaseException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("a database failure: %s", failure).isInstanceOf(DatabaseException.class);
        assertThat(((DatabaseException) cause).getSqlState()).isEqualTo("42501");
        assertThat(StoreFailure.of(failure).transientFailure()).as("retried, not quarantined").isTrue();
    }

    /**
     * How many of these events the ledger holds: by event id, not by its size, since the application under test may
     * append its own events (and other tests' late records) at any moment.
     */
    private long stored(List<Ledger.Admitted> batch) {
        UUID[] ids = batch.stream().map(a -> UUID.fromString(a.event().eventId())).toArray(UUID[]::new);
        return pool.preparedQuery("select count(*) from ledger_entry where event_id = any($1)").execute(Tuple.of(ids))
                .await().indefinitely().iterator().next().getLong(0);
    }

    private long size() {
        return pool.query("select coalesce(max(seq), 0) from ledger_entry").execute().await().indefinitely()
                .iterator().next().getLong(0);
    }

    private static Ledger.Admitted admitted() {
        AuditEvent event = SigningKeyResource.signer().sign(AuditEvent.builder()
                .action("flag.toggled").actorId("alice-subject").actorType(ActorType.USER)
                .actorRoles(List.of("flag-editor")).sourceService("flag-api").project("shop")
                .flagId("outdated-" + UUID.randomUUID().toString().substring(0, 8)).environment("staging")
                .previousState(JsonNodeFactory.instance.objectNode().put("enabled", false))
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", true))
                .correlationId("upgrade-1").reason("rolling upgrade").build());
        return new Ledger.Admitted(event, new SourcePosition(SourcePosition.LOCAL_TOPIC, null, null));
    }
}
