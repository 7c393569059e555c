package io.flagledger.flagapi.sdkkeys;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.UuidV7;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import io.flagledger.flagapi.edge.PathParams;
import jakarta.validation.constraints.Size;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
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

/** SDK keys of one environment. Rotation is: issue a new key, roll it out, revoke the old one. */
@Path("/api/v1/projects/{project}/environments/{environment}/sdk-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("flag-admin")
public class SdkKeyResource {

    public record IssueRequest(@NotNull @Pattern(regexp = "^(server|client)$", message = "must be server or client") String kind) {
    }

    @Inject
    SdkKeys keys;

    @Inject
    CurrentActor currentActor;

    /** The response holds the key itself; it is never shown again. */
    @POST
    public Uni<Response> issue(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment,
                               @NotNull @jakarta.validation.Valid IssueRequest body,
                               @HeaderParam("X-Correlation-Id") @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line String correlationId) {
        return keys.issue(project, environment, body.kind(), currentActor.actor(), currentActor.requestMetadata(), correlation(correlationId))
                .map(issued -> Response.status(201).entity(issued).header("Cache-Control", "no-store").build());
    }

    @GET
    public Uni<List<SdkKeys.Listed>> list(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment) {
        return keys.list(project, environment);
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> revoke(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment,
                                @PathParam("id") String id, @HeaderParam("X-Correlation-Id") @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line String correlationId) {
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
