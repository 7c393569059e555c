package io.flagledger.flagapi.segments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.UuidV7;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.approval.ProtectedEnvironmentGate;
import io.flagledger.flagapi.approval.ProtectedWrite;
import io.flagledger.common.protection.Protection;
import io.flagledger.flagapi.environments.EnvironmentsConfig;
import io.flagledger.flagapi.evaluation.FlagModel.Segment;
import io.flagledger.flagapi.edge.EventBudget;
import io.flagledger.flagapi.evaluation.ConfigValidator;
import io.flagledger.flagapi.flags.InvalidConfigException;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.flags.FlagRequests;
import io.flagledger.flagapi.freeze.Freezes;
import io.flagledger.flagapi.outbox.Outbox;
import io.flagledger.flagapi.security.Grants;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import io.flagledger.flagapi.edge.CorrelationHeader;
import io.flagledger.flagapi.edge.PathParams;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Segments: reusable audiences per project and environment. A change is a signed {@code segment.updated} event
 * like any flag change; flags that reference the segment see it at the next snapshot refresh.
 */
@Path("/api/v1/projects/{project}/environments/{environment}/segments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
public class SegmentResource {

    public record SegmentView(String key, String environment, long version, Segment definition) {
    }

    /** {@code definition} stays raw JSON: an approval token hashes it exactly as sent. */
    @Schema(example = "{\"definition\": {\"included\": [\"user-42\"], \"excluded\": [], \"rules\": []}, "
            + "\"reason\": \"Beta testers, CHG-900\", \"correlationId\": \"CHG-900\"}")
    public record PutSegment(@NotNull @EventText.Json JsonNode definition,
                             @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason,
                             @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line
                             @Pattern(regexp = FlagRequests.CORRELATION_PATTERN, message = "must be printable ASCII without spaces") String correlationId) {
    }

    @Inject
    CurrentActor currentActor;

    @Inject
    EnvironmentsConfig environments;

    @Inject
    Protection protection;

    @Inject
    Outbox outbox;

    @Inject
    ProtectedEnvironmentGate gate;

    @Inject
    Freezes freezes;

    @GET
    @WithSession
    public Uni<List<SegmentView>> list(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment) {
        Grants.requireRead(currentActor.actor().roles(), project, environment);
        return SegmentRow.inEnvironment(project, environment).map(rows -> rows.stream().map(SegmentResource::view).toList());
    }

    @GET
    @Path("/{key}")
    @WithSession
    @APIResponse(responseCode = "404", description = "No such segment")
    @APIResponse(responseCode = "200", description = "The segment",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = SegmentView.class)))
    public Uni<SegmentView> get(@PathParam("project") @PathParams.Key String project, @PathParam("environment") @PathParams.Environment String environment,
                                @PathParam("key") @PathParams.Key String key) {
        Grants.requireRead(currentActor.actor().roles(), project, environment);
        return SegmentRow.find(project, environment, key).map(row -> {
            if (row == null) {
                throw ProblemException.notFound("Segment '" + key + "' does not exist in " + project + "/" + environment);
            }
            return view(row);
        });
    }

    /**
     * Creates or replaces a segment; If-Match with the version you read avoids overwriting someone else's change
     * (version 0 means "does not exist yet"). In a protected environment the write needs a reason, a correlation id
     * and an approval token for exactly this definition (see {@link ProtectedEnvironmentGate#admitSegment}).
     */
    @PUT
    @Path("/{key}")
    @APIResponse(responseCode = "200", description = "The segment; ETag is its new version",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = SegmentView.class)))
    @APIResponse(responseCode = "404", description = "No such environment")
    @APIResponse(responseCode = "409", description = "The approval token was already used or is for another change")
    @APIResponse(responseCode = "412", description = "If-Match (or the approval's base version) is not the segment's current version")
    @APIResponse(responseCode = "423", description = "A freeze covers the environment (problem type .../problems/frozen, naming it)")
    @APIResponse(responseCode = "428", description = "The environment is protected: an approval token is required")
    public Uni<Response> put(@PathParam("project") @PathParams.Key String project,
                             @PathParam("environment") @PathParams.Environment String environment,
                             @PathParam("key") @PathParams.Key String key,
                             @NotNull @Valid PutSegment body,
                             @HeaderParam("If-Match") String ifMatch,
                             @HeaderParam("X-Correlation-Id") @CorrelationHeader String correlationHeader,
                             @HeaderParam(ApprovalTokens.HEADER) String approvalToken) {
        Grants.requireWrite(currentActor.actor().roles(), project, environment, !blank(approvalToken), false);
        if (!environments.names().contains(environment)) {
            throw ProblemException.notFound("Environment '" + environment + "' does not exist");
        }
        boolean correlationGiven = !blank(correlationHeader) || !blank(body.correlationId());
        String correlationId = !blank(correlationHeader) ? correlationHeader.trim()
                : !blank(body.correlationId()) ? body.correlationId() : UuidV7.nextString();
        if (protection.isProtected(environment)) {
            if (blank(body.reason())) {
                throw ProblemException.badRequest("A reason is required to change a segment in the protected environment '" + environment + "'");
            }
            if (!correlationGiven) {
                throw ProblemException.badRequest("A correlation id (header X-Correlation-Id or field correlationId) is required "
                        + "to change a segment in the protected environment '" + environment + "'");
            }
        }
        Segment parsed = FlagCodec.parseSegment(body.definition());
        Segment definition = new Segment(key, parsed.included(), parsed.excluded(), parsed.rules());
        List<io.flagledger.common.problem.Problem.FieldError> errors = ConfigValidator.violations(definition);
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        EventBudget.require("definition", FlagCodec.tree(definition), EventBudget.SEGMENT_BYTES);
        ProtectedWrite offer = new ProtectedWrite(approvalToken, null, body.definition());
        // Every replica learns of the commit by NOTIFY (migration V11) and applies the segment at once.
        // A segment steers every flag of its environment that references it: a freeze of the environment refuses it.
        return Panache.withTransaction(() -> freezes.check(project, null, environment, Freezes.Exemption.NONE)
                .chain(() -> SegmentRow.find(project, environment, key)).chain(existing -> {
            long current = existing == null ? 0 : existing.revision();
            if (!blank(ifMatch) && !ifMatch.replaceFirst("^W/", "").replace("\"", "").trim().equals(Long.toString(current))) {
                throw ProblemException.preconditionFailed("Segment '" + key + "' is at version " + current + "; reload and retry");
            }
            ObjectNode scope = gate.admitSegment(project, key, environment, current, currentActor.actor().id(), offer);
            JsonNode before = existing == null ? null : state(existing);
            SegmentRow row = existing != null ? existing : newRow(project, environment, key);
            row.definition = FlagCodec.write(definition);
            row.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return row.<SegmentRow>persistAndFlush().chain(saved -> {
                AuditEvent event = currentActor.actor().event("flag-api", currentActor.requestMetadata())
                        .action(existing == null ? "segment.created" : "segment.updated")
                        .project(project).environment(environment)
                        .previousState(before).newState(state(saved)).scope(scope)
                        .correlationId(correlationId).reason(body.reason())
                        .build();
                return outbox.append(event).replaceWith(saved);
            });
        })).map(saved -> Response.ok(view(saved)).tag(new EntityTag(Long.toString(saved.revision())))
                .header("X-Correlation-Id", correlationId).build());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static SegmentRow newRow(String project, String environment, String key) {
        SegmentRow row = new SegmentRow();
        row.id = UuidV7.next();
        row.project = project;
        row.environment = environment;
        row.key = key;
        return row;
    }

    private static JsonNode state(SegmentRow row) {
        ObjectNode state = (ObjectNode) FlagCodec.tree(FlagCodec.segment(row.definition));
        state.put("version", row.revision());
        return state;
    }

    private static SegmentView view(SegmentRow row) {
        return new SegmentView(row.key, row.environment, row.revision(), FlagCodec.segment(row.definition));
    }
}
