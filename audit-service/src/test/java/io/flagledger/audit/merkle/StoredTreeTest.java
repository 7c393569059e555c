package io.flagledger.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flagledger.audit.TestLedger;
import io.flagledger.audit.proof.ProvingTree;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.merkle.ProofPlan;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The nodes written at append time are exactly those of a reference tree rebuilt from the stored leaves. */
@QuarkusTest
class StoredTreeTest {

    @Inject
    Pool pool;

    @Inject
    MerkleStore store;

    @Inject
    ProvingTree proving;

    @Test
    void everyStoredNodeMatchesTheReferenceTreeAndProofsAgree() {
        List<AuditEvent> events = TestLedger.publishFlagEvents("tree-" + UUID.randomUUID().toString().substring(0, 8), 13);
        String last = events.get(events.size() - 1).eventId();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.query(
                "select count(*) from ledger_entry where event_id = '" + last + "'").execute().await().indefinitely()
                .iterator().next().getLong(0) == 1);

        SqlConnection conn = pool.getConnection().await().indefinitely();
        Transaction tx = conn.begin().await().indefinitely();
        try {
            conn.query("set transaction isolation level repeatable read").execute().await().indefinitely();
            List<byte[]> leaves = new ArrayList<>();
            for (Row r : conn.query("select leaf_hash from ledger_entry order by seq").execute().await().indefinitely()) {
                leaves.add(r.getBuffer("leaf_hash").getBytes());
            }
            MemoryTree reference = MemoryTree.of(leaves);
            long n = leaves.size();
            assertThat(n).isGreaterThanOrEqualTo(13);

            int stored = 0;
            for (Row r : conn.query("select l as level, (seq - 1) >> l as idx, "
                    + "substring(nodes from (l - 1) * 32 + 1 for 32) as hash from ledger_entry, "
                    + "generate_series(1, octet_length(nodes) / 32) l").execute().await().indefinitely()) {
                NodeId id = new NodeId(r.getInteger("level"), r.getLong("idx"));
                assertThat(r.getBuffer("hash").getBytes()).as("node %s", id)
                        .isEqualTo(reference.nodes(List.of(id)).get(id));
                stored++;
            }
            long expected = 0;
            for (long k = n >>> 1; k > 0; k >>>= 1) {
                expected += k;
            }
            assertThat(stored).isEqualTo(expected);

            for (long size = 1; size <= n; size++) {
                assertThat(store.root(conn, size).await().indefinitely()).isEqualTo(reference.root(size));
                for (long index : new long[] {0, size / 2, size - 1}) {
                    assertThat(store.hashes(conn, ProofPlan.inclusion(index, size)).await().indefinitely())
                            .containsExactlyElementsOf(reference.inclusionProof(index, size));
                }
                assertThat(store.hashes(conn, ProofPlan.consistency((size + 1) / 2, size)).await().indefinitely())
                        .containsExactlyElementsOf(reference.consistencyProof((size + 1) / 2, size));
                // what proofs are served from: the upper levels in memory (from level 2 in tests), the rest read
                ProofPlan path = ProofPlan.inclusion(size / 3, size);
                ProofPlan consistency = ProofPlan.consistency((size + 2) / 3, size);
                Map<NodeId, byte[]> nodes = proving.nodes(conn, path, consistency, ProofPlan.root(size)).await().indefinitely();
                assertThat(path.hashes(nodes)).containsExactlyElementsOf(reference.inclusionProof(size / 3, size));
                assertThat(consistency.hashes(nodes)).containsExactlyElementsOf(reference.consistencyProof((size + 2) / 3, size));
                assertThat(ProofPlan.root(size).hashes(nodes).get(0)).isEqualTo(reference.root(size));
            }
            assertThat(proving.held()).as("upper nodes held in memory after serving every size").isPositive();
        } finally {
            tx.rollback().await().indefinitely();
            conn.close().await().indefinitely();
        }
    }
}
