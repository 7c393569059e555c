package io.flagledger.audit.export;

import io.flagledger.audit.ingest.OwnEvents;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.smallrye.common.annotation.Blocking;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.jboss.logging.Logger;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

@Path("/api/v1/audit/exports")
public class ExportResource {

    private static final Logger LOG = Logger.getLogger(ExportResource.class);

    @Inject
    Pool pool;

    @Inject
    Exporter exporter;

    @Inject
    OwnEvents ownEvents;

    @Inject
    CurrentActor currentActor;

    /**
     * Builds the bundle in one repeatable-read snapshot (entries, tree nodes and checkpoint agree), records the
     * export as an {@code audit.exported} ledger event, then streams the zip. The event is appended before the
     * first byte leaves: an export that is not in the ledger never reaches anyone.
     */
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({"application/zip", "application/problem+json"})
    @RolesAllowed("audit-exporter")
    @APIResponse(responseCode = "200", description = "The export bundle (zip: manifest, entries, proofs, checkpoint)",
            content = @Content(mediaType = "application/zip", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "400", description = "A field is missing, malformed, too long or contains control characters")
    @APIResponse(responseCode = "404", description = "The range ends beyond the ledger, or no entry matches the filter")
    @APIResponse(responseCode = "409", description = "No checkpoint has been signed yet, or none covers the range")
    @APIResponse(responseCode = "503", description = "audit-service has no checkpoint signing key")
    public Response export(@Valid ExportRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("a JSON body with reason, ticket and a filter or sequence range is required");
        }
        Actor actor = currentActor.actor();
        RequestMetadata metadata = currentActor.requestMetadata(Channel.API);
        java.nio.file.Path file;
        try {
            file = Files.createTempFile("flagledger-export-", ".zip");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Exporter.Bundle bundle;
        SqlConnection conn = pool.getConnection().await().indefinitely();
        try {
            Transaction tx = conn.begin().await().indefinitely();
            try {
                conn.query("set transaction isolation level repeatable read").execute().await().indefinitely();
                bundle = exporter.build(conn, request, actor, metadata, file);
                tx.commit().await().indefinitely();
            } catch (RuntimeException e) {
                tx.rollback().await().indefinitely();
                delete(file);
                throw e;
            }
        } finally {
            conn.close().await().indefinitely();
        }
        long seq = ownEvents.append(List.of(bundle.exportEvent())).await().indefinitely()[0];
        LOG.infof("Export %s by %s: %d entries against checkpoint %d, manifest sha256 %s, recorded at seq %d",
                bundle.exportId(), actor.id(), bundle.eventCount(), bundle.checkpointSize(), bundle.manifestSha256(), seq);
        StreamingOutput body = out -> {
            try {
                Files.copy(file, out);
            } finally {
                delete(file);
            }
        };
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", "attachment; filename=\"flagledger-export-" + bundle.exportId() + ".zip\"")
                .header("X-Export-Id", bundle.exportId())
                .header("X-Export-Manifest-Sha256", bundle.manifestSha256())
                .header("X-Export-Ledger-Seq", seq)
                .build();
    }

    private static void delete(java.nio.file.Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("Could not delete the temporary export %s: %s", file, e.getMessage());
        }
    }
}
