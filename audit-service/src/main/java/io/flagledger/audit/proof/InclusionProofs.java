package io.flagledger.audit.proof;

import io.flagledger.audit.merkle.Base64s;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.merkle.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

    /** What {@link #headColumns} selected. */
    public record Heads(long ledgerSize, Long latestSize, String note) {

        public static Heads of(Row row) {
            Long size = row.getLong("ledger_size");
            return new Heads(size == null ? 0 : size, row.getLong("latest_size"), row.getString("note"));
        }
    }

    @Inject
    ProvingTree tree;

    /**
     * @param treeSize null for the latest checkpoint
     * @return empty if no checkpoint covers the entry yet (it was appended after the latest one)
     */
    public Uni<Optional<InclusionProofView>> prove(SqlClient client, long seq, byte[] leafHash, Long treeSize, Heads heads) {
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
        return tree.nodes(client, path, root).map(nodes -> Optional.of(new InclusionProofView(index, size, Base64s.of(leafHash),
                Base64s.of(path.hashes(nodes)), Base64s.of(root.hashes(nodes).get(0)), heads.note())));
    }
}
