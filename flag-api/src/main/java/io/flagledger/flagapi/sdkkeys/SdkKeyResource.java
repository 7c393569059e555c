package io.flagledger.flagapi.sdkkeys;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.UuidV7;
import io.flagledger.flagapi.edge.CorrelationHeader;
import io.flagledger.flagapi.edge.PathParams;
import io.smallrye.mutiny.Uni;
import io.flagledger.flagapi.security.Grants;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

/** SDK keys of one environment, for its {@code flag-admin} (possibly scoped, see {@link Grants}). Rotation is: issue a new key, roll it out, revoke the old one. */
@Path("/api/v1/projects/{project}/environments/{environment}/sdk-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
public class SdkKeyResource {

    @Schema(example = "{\"kind\": \"server\"}")
    public record IssueRequest(@NotNull @Pattern(regexp = "^(server|client)$", message = "must be server or client") String kind) {
    }

    @Inject
    SdkKeys keys;

    @Inject
    CurrentActor currentActor;

    /** The response holds the key itself; it is never shown again. */
    @POST
    @APIResponse(responseCode = "201", description = "The new key; the secret is shown only in this response (Cache-Control: no-store)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = SdkKeys.Issued.class)))
    @APIResponse(responseCode = "404", description = "No such environment")
    public Uni<Response> issue(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment,
                               @NotNull @jakarta.validation.Valid IssueRequest body,
                               @HeaderParam("X-Correlation-Id") @CorrelationHeader String correlationId) {
        Grants.requireAdmin(currentActor.actor().roles(), project, environment);
        return keys.issue(project, environment, body.kind(), currentActor.actor(), currentActor.requestMetadata(), correlation(correlationId))
                .map(issued -> Response.status(201).entity(issued).header("Cache-Control", "no-store").build());
    }

    @GET
    @APIResponse(responseCode = "404", description = "No such environment")
    @APIResponse(responseCode = "200", description = "The environment's keys, revoked ones included (prefix only, never the secret)",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = SdkKeys.Listed.class)))
    public Uni<List<SdkKeys.Listed>> list(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment) {
        Grants.requireAdmin(currentActor.actor().roles(), project, environment);
        return keys.list(project, environment);
    }

    @DELETE
    @Path("/{id}")
    @APIResponse(responseCode = "204", description = "Revoked; SDKs using the key are refused from now on")
    @APIResponse(responseCode = "400", description = "The id is not an SDK key id")
    @APIResponse(responseCode = "404", description = "No such key in this environment")
    public Uni<Response> revoke(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment,
                                @PathParam("id") String id, @HeaderParam("X-Correlation-Id") @CorrelationHeader String correlationId) {
        Grants.requireAdmin(currentActor.actor().roles(), project, environment);
        UUID keyId;
        try {
            keyId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("'" + id + "' is not an SDK key id");
        }
        return keys.revoke(project, environment, keyId, currentActor.actor(), currentActor.requestMetadata(), correlation(correlationId))
                .replaceWith(Response.noContent().build());
    }

    private static String correlation(String header) {
        return header == null || header.isBlank() ? UuidV7.nextString() : header.trim();
    }
}
