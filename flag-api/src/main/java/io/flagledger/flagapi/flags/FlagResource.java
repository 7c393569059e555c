package io.flagledger.flagapi.flags;

import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.UuidV7;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.approval.ProtectedWrite;
import io.flagledger.common.protection.Protection;
import io.flagledger.flagapi.environments.EnvironmentsConfig;
import io.flagledger.flagapi.flags.FlagViews.FlagView;
import io.flagledger.flagapi.security.Grants;
import io.flagledger.flagapi.flags.FlagChanges.ChangeContext;
import io.flagledger.flagapi.edge.CorrelationHeader;
import io.flagledger.flagapi.edge.PathParams;
import io.flagledger.flagapi.edge.RefusedInputException;
import io.flagledger.common.problem.Problem;
import io.smallrye.mutiny.Uni;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.flagledger.contract.AuditEvent;
import io.flagledger.flagapi.history.FlagHistory;
import io.flagledger.flagapi.hygiene.StaleFlags;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import java.util.Map;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

@Path("/api/v1/projects/{project}/flags")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
public class FlagResource {

    static final String CORRELATION_HEADER = "X-Correlation-Id";
    static final String FROZEN = "A freeze covers what this would change (problem type .../problems/frozen, naming the "
            + "freeze); only a break-glass kill and monitor-service's revert pass it";

    @Inject
    FlagChanges changes;

    @Inject
    ChangeMetrics metrics;

    @Inject
    CurrentActor currentActor;

    @Inject
    EnvironmentsConfig environments;

    @Inject
    Protection protection;

    @Inject
    FlagHistory history;

    @Inject
    StaleFlags staleFlags;

    @POST
    @APIResponse(responseCode = "201", description = "The flag, in every environment (off); Location is its URL",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagView.class)))
    @APIResponse(responseCode = "409", description = "A flag with this key already exists in the project")
    @APIResponse(responseCode = "423", description = FROZEN)
    public Uni<Response> create(@PathParam("project") @PathParams.Key String project,
                                @NotNull @Valid FlagRequests.CreateFlag body,
                                @HeaderParam(CORRELATION_HEADER) @CorrelationHeader String correlationHeader) {
        Grants.requireProjectEditor(currentActor.actor().roles(), project);
        String correlationId = correlationOrNew(correlationHeader, null);
        ChangeContext context = new ChangeContext(currentActor.actor(), currentActor.requestMetadata(), correlationId,
                body.reason(), ProtectedWrite.NONE);
        return changes.create(project, body, context).invoke(() -> metrics.committed(project, null, context.actor())).map(flag -> Response
                .created(URI.create("/api/v1/projects/" + project + "/flags/" + flag.key()))
                .header(CORRELATION_HEADER, correlationId)
                .entity(flag).build());
    }

    /** Flags by key, a page at a time; with {@code stale=true} the hygiene report instead. */
    @GET
    @Operation(summary = "List flags", description = "Cursor pagination by key; stale=true reports expired or long fully-rolled-out flags")
    @APIResponse(responseCode = "200", description = "A page of flags; with stale=true an object whose items are the stale-flag report instead",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagViews.FlagPage.class)))
    @APIResponse(responseCode = "400", description = "limit is out of range")
    public Uni<Object> list(@PathParam("project") @PathParams.Key String project,
                            @QueryParam("cursor") String cursor,
                            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit,
                            @QueryParam("stale") @DefaultValue("false") boolean stale) {
        Grants.requireRead(currentActor.actor().roles(), project);
        if (stale) {
            return staleFlags.report(project).map(items -> Map.of("items", items));
        }
        return changes.list(project, cursor, limit).map(page -> page);
    }

    @GET
    @Path("/{key}")
    @Operation(summary = "Read a flag", description = "With ?at=2026-04-04T12:00:00Z the flag as it was then, rebuilt from its events")
    @APIResponse(responseCode = "200", description = "The flag; with at, the flag's state as it was then, rebuilt from its events",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagView.class)))
    @APIResponse(responseCode = "400", description = "at is not an RFC 3339 UTC timestamp")
    @APIResponse(responseCode = "404", description = "No such flag (or it did not exist at that time)")
    public Uni<Object> get(@PathParam("project") @PathParams.Key String project, @PathParam("key") @PathParams.Key String key,
                           @QueryParam("at") String at) {
        Grants.requireRead(currentActor.actor().roles(), project);
        if (at != null) {
            return history.stateAt(project, key, parseInstant(at)).map(state -> state);
        }
        return changes.get(project, key).map(view -> view);
    }

    /** The flag's change events, oldest first, exactly as signed (the same events the audit ledger holds). */
    @GET
    @Path("/{key}/events")
    @APIResponse(responseCode = "404", description = "No such flag")
    @APIResponse(responseCode = "200", description = "The flag's signed events, oldest first",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = AuditEvent.class)))
    public Uni<List<AuditEvent>> events(@PathParam("project") @PathParams.Key String project, @PathParam("key") @PathParams.Key String key) {
        Grants.requireRead(currentActor.actor().roles(), project);
        return history.events(project, key).map(events -> {
            if (events.isEmpty()) {
                throw ProblemException.notFound("Flag '" + key + "' does not exist in project '" + project + "'");
            }
            return events;
        });
    }

    /**
     * Changes a flag's metadata (name, description, owner, expiry, tags, risk); it affects every environment.
     * Send the {@code metadataVersion} you read as If-Match to avoid overwriting someone else's change.
     */
    @PATCH
    @Path("/{key}")
    @APIResponse(responseCode = "200", description = "The flag; ETag is its new metadata version",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagView.class)))
    @APIResponse(responseCode = "403", description = "The approval token is for another change or names too few approvers")
    @APIResponse(responseCode = "404", description = "No such flag")
    @APIResponse(responseCode = "412", description = "If-Match (or the approval's base version) is not the flag's current metadata version")
    @APIResponse(responseCode = "423", description = FROZEN)
    @APIResponse(responseCode = "428", description = "Lowering the risk weakens the approval policy of a protected environment: an approval token is required")
    public Uni<Response> updateMetadata(@PathParam("project") @PathParams.Key String project, @PathParam("key") @PathParams.Key String key,
                                        @NotNull @Valid FlagRequests.UpdateMetadata body,
                                        @HeaderParam("If-Match") String ifMatch,
                                        @HeaderParam(CORRELATION_HEADER) @CorrelationHeader String correlationHeader,
                                        @HeaderParam(ApprovalTokens.HEADER) String approvalToken) {
        ChangeContext context = flagWide(project, body.reason(), correlationHeader, approvalToken);
        return changes.updateMetadata(project, key, body, parseVersion(ifMatch), context)
                .invoke(() -> metrics.committed(project, null, context.actor()))
                .map(FlagResource::versioned);
    }

    /** Archives a flag: it stops being evaluated and listed; its history stays and it can be restored. */
    @POST
    @Path("/{key}/archive")
    @APIResponse(responseCode = "200", description = "The archived flag; ETag is its new metadata version",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagView.class)))
    @APIResponse(responseCode = "404", description = "No such flag")
    @APIResponse(responseCode = "400", description = "No reason given")
    @APIResponse(responseCode = "403", description = "The approval token is for another change or names too few approvers")
    @APIResponse(responseCode = "409", description = "The flag is already archived")
    @APIResponse(responseCode = "412", description = "If-Match (or the approval's base version) is not the flag's current metadata version")
    @APIResponse(responseCode = "423", description = FROZEN)
    @APIResponse(responseCode = "428", description = "A protected environment serves the flag: an approval token is required")
    public Uni<Response> archive(@PathParam("project") @PathParams.Key String project, @PathParam("key") @PathParams.Key String key,
                                 @Valid FlagRequests.Lifecycle body, @HeaderParam("If-Match") String ifMatch,
                                 @HeaderParam(CORRELATION_HEADER) @CorrelationHeader String correlationHeader,
                                 @HeaderParam(ApprovalTokens.HEADER) String approvalToken) {
        ChangeContext context = lifecycle(project, body, "archive", correlationHeader, approvalToken);
        return changes.archive(project, key, true, parseVersion(ifMatch), context)
                .invoke(() -> metrics.committed(project, null, context.actor())).map(FlagResource::versioned);
    }

    @POST
    @Path("/{key}/restore")
    @APIResponse(responseCode = "200", description = "The restored flag; ETag is its new metadata version",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagView.class)))
    @APIResponse(responseCode = "404", description = "No such flag")
    @APIResponse(responseCode = "400", description = "No reason given")
    @APIResponse(responseCode = "403", description = "The approval token is for another change or names too few approvers")
    @APIResponse(responseCode = "409", description = "The flag is not archived")
    @APIResponse(responseCode = "412", description = "If-Match (or the approval's base version) is not the flag's current metadata version")
    @APIResponse(responseCode = "423", description = FROZEN)
    @APIResponse(responseCode = "428", description = "A protected environment would serve the flag again: an approval token is required")
    public Uni<Response> restore(@PathParam("project") @PathParams.Key String project, @PathParam("key") @PathParams.Key String key,
                                 @Valid FlagRequests.Lifecycle body, @HeaderParam("If-Match") String ifMatch,
                                 @HeaderParam(CORRELATION_HEADER) @CorrelationHeader String correlationHeader,
                                 @HeaderParam(ApprovalTokens.HEADER) String approvalToken) {
        ChangeContext context = lifecycle(project, body, "restore", correlationHeader, approvalToken);
        return changes.archive(project, key, false, parseVersion(ifMatch), context)
                .invoke(() -> metrics.committed(project, null, context.actor())).map(FlagResource::versioned);
    }

    private static Response versioned(FlagView flag) {
        return Response.ok(flag).tag(new EntityTag(Long.toString(flag.metadataVersion()))).build();
    }

    /**
     * A change to the whole flag touches every environment, protected ones included: editors of the whole project, or
     * approval-service's applier with an approval token (the gate then verifies it is for exactly this operation).
     */
    private ChangeContext flagWide(String project, String reason, String correlationHeader, String approvalToken) {
        Grants.requireFlagWide(currentActor.actor().roles(), project, !blank(approvalToken));
        return new ChangeContext(currentActor.actor(), currentActor.requestMetadata(), correlationOrNew(correlationHeader, null),
                reason, new ProtectedWrite(approvalToken, null, null));
    }

    /** Archiving or restoring decides whether SDKs get the flag at all: the ledger must say why. */
    private ChangeContext lifecycle(String project, FlagRequests.Lifecycle body, String verb, String correlationHeader,
                                    String approvalToken) {
        ChangeContext context = flagWide(project, body == null ? null : body.reason(), correlationHeader, approvalToken);
        if (blank(context.reason())) {
            throw new RefusedInputException(400, "A reason is required to " + verb + " a flag",
                    List.of(new Problem.FieldError("reason", "is required to " + verb + " a flag")));
        }
        return context;
    }

    /** Turns a flag on or off in one environment. Send the version you saw as If-Match to avoid overwriting someone else's change. */
    @POST
    @Path("/{key}/environments/{environment}/toggle")
    @APIResponse(responseCode = "200", description = "The environment's new state; ETag is its version",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagViews.EnvironmentView.class)))
    @APIResponse(responseCode = "404", description = "No such flag or environment")
    @APIResponse(responseCode = "409", description = "The flag is archived, or the approval token was already used or is for another change")
    @APIResponse(responseCode = "412", description = "If-Match (or the approval's base version) is not the environment's current version")
    @APIResponse(responseCode = "423", description = FROZEN)
    @APIResponse(responseCode = "428", description = "The environment is protected: an approval token (or a revert reference) is required")
    public Uni<Response> toggle(@PathParam("project") @PathParams.Key String project,
                                @PathParam("key") @PathParams.Key String key,
                                @PathParam("environment") @PathParams.Environment String environment,
                                @NotNull @Valid FlagRequests.Toggle body,
                                @HeaderParam("If-Match") String ifMatch,
                                @HeaderParam(CORRELATION_HEADER) @CorrelationHeader String correlationHeader,
                                @HeaderParam(ApprovalTokens.HEADER) String approvalToken,
                                @HeaderParam(ProtectedWrite.REVERT_HEADER) String revertOf) {
        ChangeContext context = context(project, environment, body.reason(), correlationHeader, body.correlationId(),
                new ProtectedWrite(approvalToken, revertOf, null));
        return changes.toggle(project, key, environment, body.enabled(), parseVersion(ifMatch), context)
                .invoke(() -> metrics.committed(project, environment, context.actor()))
                .map(state -> versioned(state, context));
    }

    /** Replaces the environment's targeting: individual targets, ordered rules, rollouts, fallthrough and off variation. */
    @PUT
    @Path("/{key}/environments/{environment}")
    @APIResponse(responseCode = "200", description = "The environment's new state; ETag is its version",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = FlagViews.EnvironmentView.class)))
    @APIResponse(responseCode = "404", description = "No such flag or environment")
    @APIResponse(responseCode = "409", description = "The flag is archived, or the approval token was already used or is for another change")
    @APIResponse(responseCode = "412", description = "If-Match (or the approval's base version) is not the environment's current version")
    @APIResponse(responseCode = "423", description = FROZEN)
    @APIResponse(responseCode = "428", description = "The environment is protected: an approval token (or a revert reference) is required")
    public Uni<Response> updateEnvironment(@PathParam("project") @PathParams.Key String project,
                                           @PathParam("key") @PathParams.Key String key,
                                           @PathParam("environment") @PathParams.Environment String environment,
                                           @NotNull @Valid FlagRequests.UpdateEnvironment body,
                                           @HeaderParam("If-Match") String ifMatch,
                                           @HeaderParam(CORRELATION_HEADER) @CorrelationHeader String correlationHeader,
                                           @HeaderParam(ApprovalTokens.HEADER) String approvalToken,
                                           @HeaderParam(ProtectedWrite.REVERT_HEADER) String revertOf) {
        ChangeContext context = context(project, environment, body.reason(), correlationHeader, body.correlationId(),
                new ProtectedWrite(approvalToken, revertOf, body.config()));
        return changes.updateEnvironment(project, key, environment, FlagCodec.parseConfig(body.config()),
                        parseVersion(ifMatch), context)
                .invoke(() -> metrics.committed(project, environment, context.actor()))
                .map(state -> versioned(state, context));
    }

    /**
     * Checks the caller may write this environment. Protected environments need a reason and a correlation id;
     * elsewhere a missing correlation id is generated.
     */
    private ChangeContext context(String project, String environment, String reason, String correlationHeader,
                                  String correlationBody, ProtectedWrite offer) {
        // the actor once: each call reads and sorts the token's claims again
        io.flagledger.common.actor.Actor actor = currentActor.actor();
        Grants.requireWrite(actor.roles(), project, environment, !blank(offer.approvalToken()), !blank(offer.revertOf()));
        if (protection.isProtected(environment)) {
            if (blank(reason)) {
                throw ProblemException.badRequest("A reason is required to change the protected environment '" + environment + "'");
            }
            if (blank(correlationHeader) && blank(correlationBody)) {
                throw ProblemException.badRequest("A correlation id (header " + CORRELATION_HEADER
                        + " or field correlationId) is required to change the protected environment '" + environment + "'");
            }
        }
        return new ChangeContext(actor, currentActor.requestMetadata(), correlationOrNew(correlationHeader, correlationBody),
                reason, offer);
    }

    private static Response versioned(FlagViews.EnvironmentView state, ChangeContext context) {
        return Response.ok(state)
                .tag(new EntityTag(Long.toString(state.version())))
                .header(CORRELATION_HEADER, context.correlationId())
                .build();
    }

    private static Instant parseInstant(String at) {
        try {
            return Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("at must be an RFC 3339 UTC timestamp such as 2026-04-04T12:00:00Z");
        }
    }

    private static Optional<Long> parseVersion(String ifMatch) {
        if (blank(ifMatch)) {
            return Optional.empty();
        }
        String value = ifMatch.trim().replaceFirst("^W/", "").replace("\"", "");
        try {
            return Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("If-Match must carry the version ETag returned by a previous read, e.g. \"3\"");
        }
    }

    private static String correlationOrNew(String header, String body) {
        // The header's length and characters are checked where it is declared (@CorrelationHeader).
        if (!blank(header)) {
            return header.trim();
        }
        return blank(body) ? UuidV7.nextString() : body;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
