package io.flagledger.audit.proof;

import io.flagledger.audit.merkle.Base64s;
import io.flagledger.audit.merkle.MissingNodeException;
import io.flagledger.contract.merkle.NodeId;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Map;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.merkle.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.flagledger.audit.access.ReaderScope;
import io.flagledger.common.actor.CurrentActor;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
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

    private static final String HEADS = """
            select (select max(seq) from ledger_entry) as ledger_size,
                (select tree_size from checkpoint order by tree_size desc limit 1) as latest_size,
                (select note from checkpoint where tree_size = $1) as from_note,
                (select note from checkpoint where tree_size = coalesce($2::bigint, (select max(tree_size) from checkpoint))) as to_note""";

    @Inject
    ProvingTree tree;

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
            // The heads (ledger size, checkpoints) and, when both sizes are known, the nodes go out together:
            // the connection pipelines them, so a proof costs one round trip.
            Uni<Row> heads = conn.preparedQuery(HEADS).execute(Tuple.of(size1, requested)).map(rows -> rows.iterator().next());
            Uni<Map<NodeId, byte[]>> early = requested == null || size1 > requested ? Uni.createFrom().nullItem()
                    : tree.nodes(conn, plans(size1, requested)).onFailure(MissingNodeException.class).recoverWithNull();
            return Uni.combine().all().unis(heads, early).asTuple().chain(both -> {
                Row row = both.getItem1();
                Long latest = row.getLong("latest_size");
                long size2;
                if (requested != null) {
                    size2 = requested;
                } else if (latest == null) {
                    throw ProblemException.notFound("no checkpoint has been signed yet");
                } else {
                    size2 = latest;
                }
                Long stored = row.getLong("ledger_size");
                long current = stored == null ? 0 : stored;
                if (size1 > size2) {
                    throw ProblemException.badRequest("from (" + size1 + ") must not be larger than to (" + size2 + ")");
                }
                if (size2 > current) {
                    throw ProblemException.notFound("the ledger has " + current + " entries, so there is no tree of size " + size2);
                }
                ProofPlan[] plans = plans(size1, size2);
                Uni<Map<NodeId, byte[]>> nodes = both.getItem2() != null ? Uni.createFrom().item(both.getItem2())
                        : tree.nodes(conn, plans);
                return nodes.map(n -> new ConsistencyProofView(size1, size2, Base64s.of(plans[0].hashes(n)),
                        Base64s.of(plans[1].hashes(n).get(0)), Base64s.of(plans[2].hashes(n).get(0)),
                        row.getString("from_note"), row.getString("to_note")));
            });
        });
    }

    /** The proof, the older root and the newer root. */
    private static ProofPlan[] plans(long size1, long size2) {
        return new ProofPlan[] {ProofPlan.consistency(size1, size2), ProofPlan.root(size1), ProofPlan.root(size2)};
    }
}
