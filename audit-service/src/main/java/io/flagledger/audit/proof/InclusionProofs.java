package io.flagledger.audit.proof;

import io.flagledger.audit.merkle.Base64s;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.merkle.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.flagledger.contract.merkle.NodeId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Inclusion proofs for ledger entries, against the latest checkpoint or a tree size the client names. */
@ApplicationScoped
public class InclusionProofs {

    /**
     * Columns to select beside an entry (parameter {@code $sizeParam}: the requested tree size or null), so the entry
     * and everything its proof needs besides the nodes come in one query: the ledger's size, the latest checkpoint
     * and the checkpoint at the requested size.
     */
    public static String headColumns(int sizeParam) {
        return "(select max(seq) from ledger_entry) as ledger_size, "
                + "(select tree_size from checkpoint order by tree_size desc limit 1) as latest_size, "
                + "(select note from checkpoint where tree_size = coalesce($" + sizeParam
                + "::bigint, (select max(tree_size) from checkpoint))) as note";
    }

    /**
     * A lateral join for a query of one entry (aliased {@code e}; parameter {@code $sizeParam} as in
     * {@link #headColumns}) that brings the lower tree levels its proof needs in the same round trip: columns
     * {@code lower_levels}, {@code lower_idx} and {@code lower_hashes} hold the stored nodes among, for every level
     * below {@code cachedLevel}, the entry's sibling and the tree's right edge. Those include every node below that
     * level that an inclusion proof and the root need ({@code InclusionProofsTest}); the levels above come from
     * memory. Each node is one primary-key probe (scalar subqueries, whatever the planner estimates); the fence
     * ({@code offset 0}) keeps each probe from being evaluated twice.
     */
    public static String lowerNodesJoin(int sizeParam, int cachedLevel) {
        String size = "coalesce($" + sizeParam + "::bigint, (select max(tree_size) from checkpoint))";
        String last = String.valueOf(cachedLevel - 1);
        return "cross join lateral (select array_agg(x.level) as lower_levels, array_agg(x.idx) as lower_idx, "
                + "array_agg(x.hash) as lower_hashes from (select w.level, w.idx, " + MerkleStore.hash("w.level", "w.idx")
                + " as hash from ("
                + "select g as level, ((e.seq - 1) >> g) # 1 as idx from generate_series(0, " + last + ") g "
                + "union select g, (" + size + " >> g) - 1 from generate_series(0, " + last + ") g "
                + "where ((" + size + " >> g) & 1) = 1) w offset 0) x where x.hash is not null) lower_nodes";
    }

    /** What {@link #lowerNodesJoin} selected, by node. */
    public static Map<NodeId, byte[]> lowerNodes(Row row) {
        Integer[] levels = row.getArrayOfIntegers("lower_levels");
        Long[] indexes = row.getArrayOfLongs("lower_idx");
        io.vertx.core.buffer.Buffer[] hashes = row.getDelegate().getArrayOfBuffers("lower_hashes");
        Map<NodeId, byte[]> out = new HashMap<>();
        for (int i = 0; levels != null && i < levels.length; i++) {
            out.put(new NodeId(levels[i], indexes[i]), hashes[i].getBytes());
        }
        return out;
    }

    /** What {@link #headColumns} selected. */
    public record Heads(long ledgerSize, Long latestSize, String note) {

        public static Heads of(Row row) {
            Long size = row.getLong("ledger_size");
            return new Heads(size == null ? 0 : size, row.getLong("latest_size"), row.getString("note"));
        }
    }

    @Inject
    ProvingTree tree;

    /** The level from which proofs take nodes from memory: {@link #lowerNodesJoin} reads the ones below. */
    public int cachedLevel() {
        return tree.cachedLevel();
    }

    /**
     * @param treeSize null for the latest checkpoint
     * @param lower nodes already read with the entry ({@link #lowerNodes}); any other node is read from the store
     * @return empty if no checkpoint covers the entry yet (it was appended after the latest one)
     */
    public Uni<Optional<InclusionProofView>> prove(SqlClient client, long seq, byte[] leafHash, Long treeSize, Heads heads,
                                                   Map<NodeId, byte[]> lower) {
        long size;
        if (treeSize == null) {
            if (heads.latestSize() == null || heads.latestSize() < seq) {
                return Uni.createFrom().item(Optional.empty());
            }
            size = heads.latestSize();
        } else {
            if (treeSize < seq) {
                throw ProblemException.badRequest("the entry has sequence number " + seq + ", so it is not in a tree of size " + treeSize);
            }
            if (treeSize > heads.ledgerSize()) {
                throw ProblemException.notFound("the ledger has " + heads.ledgerSize() + " entries, so there is no tree of size " + treeSize);
            }
            size = treeSize;
        }
        long index = seq - 1;
        ProofPlan path = ProofPlan.inclusion(index, size);
        ProofPlan root = ProofPlan.root(size);
        return tree.nodes(client, lower, path, root).map(nodes -> Optional.of(new InclusionProofView(index, size, Base64s.of(leafHash),
                Base64s.of(path.hashes(nodes)), Base64s.of(root.hashes(nodes).get(0)), heads.note())));
    }
}
