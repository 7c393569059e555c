package io.flagledger.audit.legalhold;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.UuidV7;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

/** Legal holds keep matching events in the hot store regardless of retention. Only audit-admin may see or change them. */
@Path("/api/v1/audit/legal-holds")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("audit-admin")
public class LegalHoldResource {

    static final String CORRELATION_HEADER = "X-Correlation-Id";

    @Inject
    LegalHolds holds;

    @Inject
    CurrentActor currentActor;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The hold, now active; Location is its URL",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = LegalHold.class)))
    @APIResponse(responseCode = "400", description = "A field is missing, malformed, too long or contains control characters")
    @APIResponse(responseCode = "503", description = "audit-service cannot sign the legal hold event")
    public Uni<Response> place(@NotNull @Valid LegalHoldRequest body,
                               @HeaderParam(CORRELATION_HEADER) @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line String correlationId) {
        return holds.place(body, currentActor.actor(), currentActor.requestMetadata(), correlation(correlationId))
                .map(hold -> Response.created(URI.create("/api/v1/audit/legal-holds/" + hold.id())).entity(hold).build());
    }

    /** All holds, newest first; {@code active=true|false} filters. */
    @GET
    @APIResponse(responseCode = "400", description = "active is not true or false")
    @APIResponse(responseCode = "200", description = "The holds, newest first",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = LegalHold.class)))
    public Uni<List<LegalHold>> list(@QueryParam("active") String active) {
        Boolean filter = null;
        if (active != null && !active.isBlank()) {
            filter = switch (active.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw ProblemException.badRequest("active must be true or false, not '" + active + "'");
            };
        }
        return holds.list(filter);
    }

    @GET
    @Path("{id}")
    @APIResponse(responseCode = "404", description = "No such legal hold")
    @APIResponse(responseCode = "200", description = "The hold",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = LegalHold.class)))
    public Uni<LegalHold> get(@PathParam("id") String id) {
        return holds.get(id(id));
    }

    /** Lifts the hold (it stays listed, inactive); {@code reason} is required and recorded in the ledger event. */
    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "400", description = "reason is missing or too long")
    @APIResponse(responseCode = "404", description = "No such legal hold")
    @APIResponse(responseCode = "409", description = "The hold was already lifted")
    @APIResponse(responseCode = "503", description = "audit-service cannot sign the lift event")
    @APIResponse(responseCode = "200", description = "The lifted hold (inactive, still listed)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = LegalHold.class)))
    public Uni<LegalHold> lift(@PathParam("id") String id,
                               @QueryParam("reason") @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason,
                               @HeaderParam(CORRELATION_HEADER) @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line String correlationId) {
        return holds.lift(id(id), reason, currentActor.actor(), currentActor.requestMetadata(), correlation(correlationId));
    }

    private static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no legal hold '" + id + "'");
        }
    }

    private static String correlation(String header) {
        return header == null || header.isBlank() ? UuidV7.nextString() : header.trim();
    }
}
