package io.flagledger.audit.checkpoint;

import io.flagledger.audit.merkle.Base64s;
import io.flagledger.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.flagledger.audit.access.ReaderScope;
import io.flagledger.common.actor.CurrentActor;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

@Path("/api/v1/audit/checkpoints")
public class CheckpointResource {

    @Inject
    CurrentActor currentActor;


    /** The latest checkpoint as JSON; {@code note} is the signed note exactly as served in text/plain. */
    public record CheckpointView(String origin, long treeSize, String rootHash, String keyName, OffsetDateTime signedAt,
                                 String note) {
    }

    @Inject
    Pool pool;

    @Inject
    CheckpointStore checkpoints;

    /** The signed note (text/plain, what transparency-log tooling reads) or, when asked for, JSON. */
    @GET
    @Path("latest")
    @Produces({MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    @Authenticated
    @APIResponse(responseCode = "200", description = "The signed checkpoint note (C2SP), or its fields as JSON when Accept prefers it",
            content = {@Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/json", schema = @Schema(implementation = CheckpointView.class))})
    @APIResponse(responseCode = "404", description = "No checkpoint has been signed yet")
    public Uni<Response> latest(HttpHeaders headers) {
        // not project data: any reader, scoped or not, needs them to verify what it reads
        ReaderScope.requireAnywhere(currentActor.actor());
        boolean json = prefersJson(headers);
        return checkpoints.latest(pool).map(found -> {
            StoredCheckpoint c = found.orElseThrow(() -> ProblemException.notFound("no checkpoint has been signed yet"));
            if (json) {
                return Response.ok(new CheckpointView(c.origin(), c.treeSize(), Base64s.of(c.rootHash()), c.keyName(),
                        c.signedAt(), c.note()), MediaType.APPLICATION_JSON_TYPE).build();
            }
            return Response.ok(c.note(), MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8")).build();
        });
    }

    /** JSON only when explicitly preferred over text: text/plain stays the default for {@code *}/{@code *}. */
    private static boolean prefersJson(HttpHeaders headers) {
        for (MediaType m : headers.getAcceptableMediaTypes()) {
            if (m.isCompatible(MediaType.TEXT_PLAIN_TYPE) || m.isWildcardType()) {
                return false;
            }
            if (!m.isWildcardSubtype() && m.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return true;
            }
        }
        return false;
    }
}
