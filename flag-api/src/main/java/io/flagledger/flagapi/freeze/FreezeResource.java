package io.flagledger.flagapi.freeze;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.UuidV7;
import io.flagledger.flagapi.edge.CorrelationHeader;
import io.flagledger.flagapi.edge.PathParams;
import io.flagledger.flagapi.flags.FlagRequests;
import io.flagledger.flagapi.security.Grants;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Incident freezes of a project or one of its environments (docs/freeze.md). While one is active every flag write it
 * covers is refused with 423 except a break-glass kill and monitor-service's revert. Setting and lifting need the
 * role {@code flag-freezer} for that scope; any reader of the project sees the active freezes.
 */
@Path("/api/v1/projects/{project}/freezes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
public class FreezeResource {

    @Schema(example = "{\"environment\": \"production\", \"reason\": \"INC-311: checkout errors, no flag changes until resolved\", "
            + "\"ticket\": \"INC-311\"}")
    public record SetFreeze(
            @Schema(description = "The environment to freeze; absent freezes every environment of the project")
            @Pattern(regexp = FlagRequests.ENV_PATTERN, message = "must match " + FlagRequests.ENV_PATTERN) String environment,
            @NotBlank @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason,
            @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line String ticket) {
    }

    @Schema(example = "{\"reason\": \"INC-311 resolved, checkout error rate back to baseline\"}")
    public record LiftFreeze(@NotBlank @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason) {
    }

    @Inject
    Freezes freezes;

    @Inject
    CurrentActor currentActor;

    @GET
    @Operation(summary = "Active freezes", description = "The project's active freezes, whole-project ones first")
    @APIResponse(responseCode = "200", description = "The active freezes (an empty array when nothing is frozen)",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = FreezeView.class)))
    public Uni<List<FreezeView>> list(@PathParam("project") @PathParams.Key String project) {
        Grants.requireFreezeRead(currentActor.actor().roles(), project);
        return freezes.active(project).map(all -> all.stream().map(FreezeView::of).toList());
    }

    @GET
    @Path("/{id}")
    @WithSession
    @Operation(summary = "One freeze", description = "A freeze of the project, active or lifted")
    @APIResponse(responseCode = "200", description = "The freeze",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FreezeView.class)))
    @APIResponse(responseCode = "400", description = "The id is not a freeze id")
    @APIResponse(responseCode = "404", description = "No such freeze in this project")
    public Uni<FreezeView> get(@PathParam("project") @PathParams.Key String project, @PathParam("id") String id) {
        Grants.requireFreezeRead(currentActor.actor().roles(), project);
        UUID freezeId = parseId(id);
        return Freeze.<Freeze>find("id = ?1 and project = ?2", freezeId, project).firstResult().map(f -> {
            if (f == null) {
                throw ProblemException.notFound("No freeze " + id + " in project '" + project + "'");
            }
            return FreezeView.of(f);
        });
    }

    @POST
    @Operation(summary = "Freeze", description = "Freezes the project, or one environment of it, until lifted")
    @APIResponse(responseCode = "201", description = "The freeze; Location is its URL",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FreezeView.class)))
    @APIResponse(responseCode = "400", description = "No reason, or a field no ledger event can carry")
    @APIResponse(responseCode = "403", description = "The caller lacks flag-freezer for this project or environment")
    @APIResponse(responseCode = "404", description = "No such environment")
    @APIResponse(responseCode = "409", description = "This exact scope is already frozen")
    public Uni<Response> set(@PathParam("project") @PathParams.Key String project, @NotNull @Valid SetFreeze body,
                             @HeaderParam("X-Correlation-Id") @CorrelationHeader String correlationId) {
        Grants.requireFreezer(currentActor.actor().roles(), project, body.environment());
        return freezes.set(project, body.environment(), body.reason(), blankToNull(body.ticket()), currentActor.actor(),
                        currentActor.requestMetadata(), correlation(correlationId))
                .map(f -> Response.created(URI.create("/api/v1/projects/" + project + "/freezes/" + f.id))
                        .entity(FreezeView.of(f)).build());
    }

    @POST
    @Path("/{id}/lift")
    @Operation(summary = "Lift a freeze", description = "Writes it covered are allowed again")
    @APIResponse(responseCode = "200", description = "The lifted freeze (liftedBy, liftedAt, liftReason set)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FreezeView.class)))
    @APIResponse(responseCode = "400", description = "No reason, or the id is not a freeze id")
    @APIResponse(responseCode = "403", description = "The caller lacks flag-freezer for the freeze's scope")
    @APIResponse(responseCode = "404", description = "No such active freeze in this project (unknown, or already lifted)")
    public Uni<FreezeView> lift(@PathParam("project") @PathParams.Key String project, @PathParam("id") String id,
                                @NotNull @Valid LiftFreeze body,
                                @HeaderParam("X-Correlation-Id") @CorrelationHeader String correlationId) {
        UUID freezeId = parseId(id);
        // A caller with no freezer role in the project learns nothing about its freezes; the freeze's own scope is
        // checked once it is found (Freezes.lift).
        Grants.requireFreezerInProject(currentActor.actor().roles(), project);
        return freezes.lift(project, freezeId, body.reason(), currentActor.actor(), currentActor.requestMetadata(),
                correlation(correlationId)).map(FreezeView::of);
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("id must be a freeze id (a UUID)");
        }
    }

    private static String correlation(String header) {
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        return UuidV7.nextString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
