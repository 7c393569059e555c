package io.flagledger.audit.proof;

import io.flagledger.audit.checkpoint.CheckpointStore;
import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.audit.merkle.Base64s;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.merkle.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** Inclusion proofs for ledger entries, against the latest checkpoint or a tree size the client names. */
@ApplicationScoped
public class InclusionProofs {

    @Inject
    MerkleStore tree;

    @Inject
    CheckpointStore checkpoints;

    /**
     * @param treeSize null for the latest checkpoint
     * @return empty if no checkpoint covers the entry yet (it was appended after the latest one)
     */
    public Uni<Optional<InclusionProofView>> prove(SqlClient client, long seq, byte[] leafHash, Long treeSize) {
        if (treeSize == null) {
            return checkpoints.latest(client).chain(latest -> latest.isEmpty() || latest.get().treeSize() < seq
                    ? Uni.createFrom().item(Optional.<InclusionProofView>empty())
                    : build(client, seq, leafHash, latest.get().treeSize(), latest).map(Optional::of));
        }
        if (treeSize < seq) {
            throw ProblemException.badRequest("the entry has sequence number " + seq + ", so it is not in a tree of size " + treeSize);
        }
        return tree.size(client).chain(current -> {
            if (treeSize > current) {
                throw ProblemException.notFound("the ledger has " + current + " entries, so there is no tree of size " + treeSize);
            }
            return checkpoints.at(client, treeSize).chain(c -> build(client, seq, leafHash, treeSize, c)).map(Optional::of);
        });
    }

    private Uni<InclusionProofView> build(SqlClient client, long seq, byte[] leafHash, long size,
                                          Optional<StoredCheckpoint> checkpoint) {
        long index = seq - 1;
        return tree.hashes(client, ProofPlan.inclusion(index, size)).chain(hashes -> tree.root(client, size)
                .map(root -> new InclusionProofView(index, size, Base64s.of(leafHash), Base64s.of(hashes), Base64s.of(root),
                        checkpoint.map(StoredCheckpoint::note).orElse(null))));
    }
}
