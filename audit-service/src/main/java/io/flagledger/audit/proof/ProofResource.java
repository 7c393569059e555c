package io.flagledger.audit.proof;

import io.flagledger.audit.checkpoint.CheckpointStore;
import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.audit.merkle.Base64s;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.merkle.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.flagledger.audit.query.ReaderScope;
import io.flagledger.common.actor.CurrentActor;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Path("/api/v1/audit/proofs")
@Produces(MediaType.APPLICATION_JSON)
public class ProofResource {

    @Inject
    CurrentActor currentActor;


    @Inject
    Pool pool;

    @Inject
    MerkleStore tree;

    @Inject
    CheckpointStore checkpoints;

    /** Proves the tree of size {@code to} (default: the latest checkpoint) extends the tree of size {@code from}. */
    @GET
    @Path("consistency")
    @Authenticated
    @APIResponse(responseCode = "400", description = "from is missing, not a tree size, or larger than to")
    @APIResponse(responseCode = "404", description = "No checkpoint yet, or the ledger is smaller than the requested tree")
    @APIResponse(responseCode = "200", description = "The RFC 9162 consistency proof between the two tree sizes, with both roots and checkpoints",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ConsistencyProofView.class)))
    public Uni<ConsistencyProofView> consistency(@QueryParam("from") String from, @QueryParam("to") String to) {
        // not project data: any reader, scoped or not, needs them to verify what it reads
        ReaderScope.requireAnywhere(currentActor.actor());
        if (from == null || from.isBlank()) {
            throw ProblemException.badRequest("from (the older tree size) is required");
        }
        long size1 = Params.size("from", from, 1);
        Long requested = to == null || to.isBlank() ? null : Params.size("to", to, 1);
        return pool.withConnection(conn -> {
            Uni<Long> target = requested != null ? Uni.createFrom().item(requested)
                    : checkpoints.latest(conn).map(c -> c.orElseThrow(
                            () -> ProblemException.notFound("no checkpoint has been signed yet")).treeSize());
            return target.chain(size2 -> tree.size(conn).chain(current -> {
                if (size1 > size2) {
                    throw ProblemException.badRequest("from (" + size1 + ") must not be larger than to (" + size2 + ")");
                }
                if (size2 > current) {
                    throw ProblemException.notFound("the ledger has " + current + " entries, so there is no tree of size " + size2);
                }
                return tree.hashes(conn, ProofPlan.consistency(size1, size2))
                        .chain(hashes -> tree.root(conn, size1).chain(root1 -> tree.root(conn, size2)
                                .chain(root2 -> checkpoints.at(conn, size1).chain(c1 -> checkpoints.at(conn, size2)
                                        .map(c2 -> new ConsistencyProofView(size1, size2, Base64s.of(hashes),
                                                Base64s.of(root1), Base64s.of(root2), note(c1), note(c2)))))));
            }));
        });
    }

    private static String note(Optional<StoredCheckpoint> c) {
        return c.map(StoredCheckpoint::note).orElse(null);
    }
}
