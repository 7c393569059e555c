package io.flagledger.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tree's range reads ({@link MerkleStore#FROM}: the proof cache's refresh every few seconds;
 * {@link MerkleStore#BETWEEN}: every self-check batch) must only probe ledger_entry's primary key or scan a range of
 * it. Written as a plain join, PostgreSQL planned a parallel sequential scan of the node table once it was large
 * (≈ 2 s per call at 10M nodes, measured with EXPLAIN ANALYZE); a test table is small, so the planner is asked here
 * with the plans that compete with the nested loop made cheap (nested loops and sequential scans priced out): a
 * plain join then reads ledger_entry whole for a hash or merge join. What is checked is that every read of
 * ledger_entry in the plan is bounded by an index condition.
 */
@QuarkusTest
class TreeReadPlanTest {

    @Inject
    Pool pool;

    @Test
    void theProofCacheRefreshProbesThePrimaryKeyPerNode() {
        assertIndexProbes(MerkleStore.FROM, "integer[], bigint[]", "'{8,9,10}', '{0,0,0}'");
    }

    @Test
    void aSelfCheckBatchScansOnePrimaryKeyRange() {
        assertIndexProbes(MerkleStore.BETWEEN, "bigint, bigint", "0, 200");
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
        List<JsonObject> reads = new ArrayList<>();
        ledgerEntryReads(new JsonArray(plan).getJsonObject(0).getJsonObject("Plan"), reads);
        assertThat(reads).as(plan).isNotEmpty().allSatisfy(read -> assertThat(read.getString("Index Cond")).as(plan)
                .isNotBlank());
    }

    private static void ledgerEntryReads(JsonObject node, List<JsonObject> into) {
        if ("ledger_entry".equals(node.getString("Relation Name"))) {
            into.add(node);
        }
        JsonArray children = node.getJsonArray("Plans");
        for (int i = 0; children != null && i < children.size(); i++) {
            ledgerEntryReads(children.getJsonObject(i), into);
        }
    }
}
