package io.flagledger.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The tree's range reads ({@link MerkleStore#FROM}: the proof cache's refresh every few seconds;
 * {@link MerkleStore#BETWEEN}: every self-check batch) must stay one index range scan per wanted level. Written as a
 * plain join, PostgreSQL planned a parallel sequential scan of merkle_node once the table was large (≈ 2 s per call at
 * 10M nodes, measured with EXPLAIN ANALYZE); a test table is small, so the planner is asked here with the plans that
 * compete with the nested loop made cheap (nested loops and sequential scans priced out): a plain join then reads
 * merkle_node whole for a hash or merge join; only a read whose inner side depends on the wanted level keeps probing
 * the primary key per level, and that is what is checked.
 */
@QuarkusTest
class TreeReadPlanTest {

    @Inject
    Pool pool;

    @Test
    void theProofCacheRefreshProbesThePrimaryKeyPerLevel() {
        assertIndexProbes(MerkleStore.FROM, "integer[], bigint[]", "'{8,9,10}', '{0,0,0}'");
    }

    @Test
    void aSelfCheckBatchProbesThePrimaryKeyPerLevel() {
        assertIndexProbes(MerkleStore.BETWEEN, "integer[], bigint[], bigint[]", "'{1,2,3}', '{0,0,0}', '{100,50,25}'");
    }

    @Test
    void theServiceSessionsRunWithoutJit() {
        // pessimistic estimates of these reads passed jit_above_cost: 50-1,000 ms of compilation per call
        String jit = pool.query("show jit").execute().map(rows -> rows.iterator().next().getString(0)).await().indefinitely();
        assertThat(jit).isEqualTo("off");
    }

    private void assertIndexProbes(String sql, String types, String args) {
        String plan = pool.withTransaction(tx -> tx.query("set local enable_nestloop = off").execute()
                .chain(() -> tx.query("set local enable_seqscan = off").execute())
                .chain(() -> tx.query("set local plan_cache_mode = force_generic_plan").execute())
                .chain(() -> tx.query("prepare tree_read(" + types + ") as " + sql).execute())
                .chain(() -> tx.query("explain (format json) execute tree_read(" + args + ")").execute())
                .call(() -> tx.query("deallocate tree_read").execute())
                .map(rows -> {
                    StringBuilder out = new StringBuilder();
                    for (Row r : rows) {
                        out.append(r.getValue(0));
                    }
                    return out.toString();
                })).await().indefinitely();
        assertThat(plan).as(plan).contains("merkle_node_pkey")
                .containsPattern("\"Index Cond\"\\s*:\\s*\"\\(\\(level = wanted\\.level\\) AND \\(idx >= wanted\\.(first|lo)\\)");
    }
}
